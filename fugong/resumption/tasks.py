import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.tasks import task
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.jobs import Job, JobFailed, Progress, start_job, tracked

from . import services
from .models import IndexSetup


@task()
@tracked
def import_resumption_file(
    progress: Progress, setup_id: int, kind: str, path: str, name: str, user_id: int, language: str
) -> dict[str, Any]:
    """Check and keep an uploaded accounts or readings file (all rows or none)."""
    setup = IndexSetup.objects.select_related("region").get(pk=setup_id)
    actor = User.objects.get(pk=user_id)
    try:
        with override(language), audit.origin(audit.Origin("task")):
            progress.update(0, None, _("Checking every row…"))
            record = services.import_file(actor, setup, kind, path, name)
            return {"rows": record.rows, "message": _("%(rows)d rows kept.") % {"rows": record.rows}}
    except ValidationError as error:
        raise JobFailed(" ".join(error.messages)) from None
    finally:
        Path(path).unlink(missing_ok=True)


@task()
@tracked
def compute_resumption_index(progress: Progress, setup_id: int, again: bool, language: str) -> dict[str, Any]:
    """Compute the days not yet computed, or all of them again (from the files kept)."""
    setup = IndexSetup.objects.select_related("region").get(pk=setup_id)
    with override(language):
        span = services.days_to_compute(setup, again=again)
        if span is None:
            return {"figures": 0, "message": _("Nothing new to compute.")}
        stored = services.compute(setup, *span, progress=progress)
        return {"figures": stored, "message": _("%(n)d figures computed.") % {"n": stored}}


@task()
def compute_latest_days() -> dict[str, Any]:
    """Daily: each city's days that have readings and no figures yet."""
    done = {}
    with audit.origin(audit.Origin("task")):
        for setup in IndexSetup.objects.select_related("region"):
            span = services.days_to_compute(setup)
            if span is not None:
                done[setup.region.code] = services.compute(setup, *span)
    return done


@task()
def import_resumption_inbox() -> dict[str, Any]:
    """Every quarter of an hour: files dropped into the cities' inbox folders."""
    with audit.origin(audit.Origin("task")):
        return services.import_inbox()


def start_import(user: User, setup: IndexSetup, kind: str, upload: UploadedFile) -> Job:
    """Hold an upload (page or API) in a file of its own and check it in the background."""
    suffix = ".parquet" if (upload.name or "").endswith(".parquet") else ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as held:
        for chunk in upload.chunks():
            held.write(chunk)
    return start_job(
        import_resumption_file,
        kind="resumption.import",
        title=_("Import %(file)s") % {"file": upload.name},
        user=user,
        args=(setup.pk, kind, held.name, upload.name or held.name, user.pk, get_language()),
    )


def start_compute(user: User, setup: IndexSetup, *, again: bool) -> Job:
    return start_job(
        compute_resumption_index,
        kind="resumption.compute",
        title=_("Compute the resumption index of %(region)s") % {"region": setup.region},
        user=user,
        args=(setup.pk, again, get_language()),
    )
