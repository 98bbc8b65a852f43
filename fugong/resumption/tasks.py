import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.tasks import task
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core import imports
from fugong.core.jobs import Job, JobFailed, Progress, start_job, tracked
from fugong.core.spreadsheets import ImportRejected

from . import services
from .models import IndexSetup

DATA_FILES = (".parquet", ".csv")


@task()
@tracked
def import_resumption_file(
    progress: Progress, setup_id: int, kind: str, stored_name: str, name: str, user_id: int, language: str
) -> dict[str, Any]:
    """Check and keep an uploaded accounts or readings file (all rows or none)."""
    setup = IndexSetup.objects.select_related("region").get(pk=setup_id)
    actor = User.objects.get(pk=user_id)
    with override(language):
        try:
            with (
                audit.origin(audit.Origin("task")),
                imports.stored_until_done(stored_name),
                _local_copy(stored_name) as path,
            ):
                progress.update(0, None, _("Checking every row…"))
                record = services.import_file(actor, setup, kind, path, name)
                return {"rows": record.rows, "message": _("%(rows)d rows kept.") % {"rows": record.rows}}
        except ImportRejected as refused:
            # Every problem by row and column (the job card lists them), under the file's own name.
            message = ngettext(
                "Nothing was imported from %(file)s: %(n)d problem to fix.",
                "Nothing was imported from %(file)s: %(n)d problems to fix.",
                refused.total,
            ) % {"file": name, "n": refused.total}
            raise JobFailed(message, imports.rejected_result(refused)) from None
        except ValidationError as error:
            raise JobFailed(" ".join(f"{name}: {m}" for m in error.messages)) from None


@contextmanager
def _local_copy(stored_name: str) -> Iterator[str]:
    """A path on this machine for DuckDB and Arrow: the stored file itself when the storage is a
    folder, else a temporary copy (deleted afterwards). The name keeps its .csv/.parquet ending."""
    try:
        local = default_storage.path(stored_name)
    except NotImplementedError:
        local = ""
    if local:
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=Path(stored_name).suffix) as held:
        with default_storage.open(stored_name, "rb") as stored:
            shutil.copyfileobj(stored, held)
        held.flush()
        yield held.name


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
    """Check an upload (page or API) in the background; a file too large or not Parquet or CSV
    is refused at once (ValidationError)."""
    return imports.start_import(
        import_resumption_file,
        upload,
        kind="resumption.import",
        title=_("Import %(file)s") % {"file": upload.name},
        user=user,
        args=(setup.pk, kind),
        types=DATA_FILES,
    )


def start_compute(user: User, setup: IndexSetup, *, again: bool) -> Job:
    return start_job(
        compute_resumption_index,
        kind="resumption.compute",
        title=_("Compute the resumption index of %(region)s") % {"region": setup.region},
        user=user,
        args=(setup.pk, again, get_language()),
    )
