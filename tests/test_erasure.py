"""The one register of kept data (fugong.core.erasure): each kind erases exactly what is due,
the daily job leaves one audit entry per kind, a dry run changes nothing, every model holding
personal data is covered, and the README's retention table is the register's."""

import io
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import translation

from fugong.accounts.models import AuditEntry
from fugong.accounts.tasks import erase_due_personal_data
from fugong.core import erasure
from fugong.core.erasure import ERASED_NAME
from fugong.core.models import IdempotencyKey, Job, PeriodicRun, RateEvent
from fugong.directory.models import Organisation
from fugong.notify.models import Channel, Message
from fugong.volunteers.models import CaseOutcome, MediationCase, MediationParty, Member, Team

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 22, 2, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def aged(model: type[models.Model], field: str, days: float, **values: Any) -> models.Model:
    """A row whose `field` (a moment or a day) lies `days` before NOW."""
    row = model.objects.create(**values)
    moment = NOW - timedelta(days=days)
    is_day = isinstance(model._meta.get_field(field), models.DateField) and not isinstance(
        model._meta.get_field(field), models.DateTimeField
    )
    model.objects.filter(pk=row.pk).update(**{field: moment.date() if is_day else moment})
    return row


def team() -> Team:
    federation = Organisation.objects.get(kind=Organisation.Kind.WOMENS_FEDERATION)
    return Team.objects.get_or_create(
        name="测试队", organisation=federation, defaults={"kind": "mediation", "region": federation.region}
    )[0]


def former_member(days: float) -> Member:
    return aged(Member, "left_on", days, team=team(), name="离队者", mobile=f"+86139057{int(days):05d}")


def party(days: float) -> MediationParty:
    case = aged(
        MediationCase,
        "closed_on",
        days,
        team=team(),
        kind="family",
        summary="家务",
        opened_on=date(2020, 1, 1),
        outcome=CaseOutcome.RESOLVED,
        closed_on=date(2020, 1, 2),
    )
    return MediationParty.objects.create(case=case, name="当事人", mobile="+8613905781111")


def message(days: float) -> Message:
    channel, _ = Channel.objects.get_or_create(name="控制台", kind="console")
    return aged(
        Message, "created_at", days, channel=channel, kind="t", recipient="+8613905781111", body="您好", status="sent"
    )


# A row of each kind dated `days` before NOW. Kinds tested with their own app's records instead:
MAKERS: dict[str, Callable[[float], models.Model]] = {
    "core.idempotency_keys": lambda d: aged(IdempotencyKey, "created_at", d, scope="user:1", key=str(d)),
    "core.jobs": lambda d: aged(
        Job, "finished_at", d, kind="import", title="导入", status="succeeded", finished_at=NOW
    ),
    "core.schedule_claims": lambda d: aged(PeriodicRun, "slot", d, name=str(d), slot=NOW),
    "core.rate_events": lambda d: aged(RateEvent, "at", d, key="ip:10.0.0.1"),
    "accounts.audit": lambda d: aged(
        AuditEntry, "created_at", d, actor_label="t", action="x", object_type="t", object_id="1", source="task"
    ),
    "notify.messages": message,
    "volunteers.former_members": former_member,
    "volunteers.mediation_parties": party,
}
TESTED_WITH_THEIR_APP = {
    "core.task_results": "test_a_finished_task_record_goes_with_the_jobs (below)",
    "delivery.handover_photos": "tests/delivery/test_handover.py",
    "delivery.driver_mobiles": "tests/delivery/test_handover.py",
    "screening.checkins": "tests/screening/test_retention_and_logs.py",
    "screening.staff_temperatures": "tests/screening/test_retention_and_logs.py",
    "power.priority_residents": "tests/power/test_priority.py",
}
# What an anonymised row looks like afterwards; a deleted one is gone.
ERASED_VALUES = {
    "volunteers.former_members": {"name": ERASED_NAME, "mobile": "", "user": None},
    "volunteers.mediation_parties": {"name": ERASED_NAME, "mobile": ""},
}


def test_every_kind_has_a_test_of_what_it_erases_and_keeps() -> None:
    assert {k.code for k in erasure.kinds()} == set(MAKERS) | set(TESTED_WITH_THEIR_APP)


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(MAKERS))
def test_a_kind_erases_what_is_past_its_period_and_keeps_the_rest(code: str, demo: Any) -> None:
    kind = erasure.get(code)
    days = max(kind.kept.days, 2)  # schedule claims are kept at least two days
    due, kept = MAKERS[code](days + 1), MAKERS[code](days - 1)
    assert erasure.due_count(kind, NOW) == 1
    assert erasure.erase(kind, NOW) == 1
    assert type(kept).objects.filter(pk=kept.pk).exists()
    assert list(kind.due(NOW)) == []
    if kind.action == erasure.Action.DELETE:
        assert not type(due).objects.filter(pk=due.pk).exists()
    else:
        due.refresh_from_db()
        kept.refresh_from_db()
        erased = ERASED_VALUES[code]
        assert {name: getattr(due, name) for name in erased} == erased
        assert all(getattr(kept, name) != value for name, value in erased.items() if value)
    assert erasure.erase(kind, NOW) == 0  # a second run finds nothing


@pytest.mark.django_db
def test_a_finished_task_record_goes_with_the_jobs(run_tasks: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from tests.core.sample_tasks import count_to

    count_to.enqueue(1)
    run_tasks()
    kind = erasure.get("core.task_results")
    finished = DBTaskResult.objects.get().finished_at
    assert erasure.erase(kind, finished + timedelta(days=kind.kept.days - 1)) == 0
    assert erasure.erase(kind, finished + timedelta(days=kind.kept.days, seconds=1)) == 1
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_daily_job_erases_in_chunks_and_writes_one_entry_per_kind_with_its_count(monkeypatch: Any) -> None:
    for n in range(5):
        aged(RateEvent, "at", 2, key=f"ip:10.0.0.{n}")
    aged(RateEvent, "at", 0.5, key="ip:10.0.0.9")
    aged(IdempotencyKey, "created_at", 3, scope="user:1", key="old")
    monkeypatch.setattr(erasure, "CHUNK", 2)  # five rows in three transactions
    with time_machine.travel(NOW, tick=False):
        result = erase_due_personal_data.call()
    assert result["core.rate_events"] == 5 and result["core.idempotency_keys"] == 1
    assert set(result) == {k.code for k in erasure.kinds()}
    entries = AuditEntry.objects.filter(action="personal_data.erased")
    assert {e.object_id: e.changes for e in entries} == {
        "core.rate_events": {"n": 5},
        "core.idempotency_keys": {"n": 1},
    }
    assert {e.source for e in entries} == {"task"}
    assert list(RateEvent.objects.values_list("key", flat=True)) == ["ip:10.0.0.9"]


@pytest.mark.django_db
def test_a_dry_run_lists_each_kind_with_what_is_due_and_changes_nothing() -> None:
    for n in range(3):
        aged(RateEvent, "at", 2, key=f"ip:10.0.0.{n}")
    out = io.StringIO()
    with translation.override("zh-hans"), time_machine.travel(NOW, tick=False):
        call_command("erase_personal_data", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    for kind in erasure.kinds():
        (line,) = [line for line in lines if line.startswith(kind.code + " ")]
        count = 3 if kind.code == "core.rate_events" else 0
        assert line.split()[-1] == str(count), line
    assert RateEvent.objects.count() == 3 and not AuditEntry.objects.exists()

    with time_machine.travel(NOW, tick=False):
        call_command("erase_personal_data", stdout=io.StringIO())  # without --dry-run: as the daily job
    assert not RateEvent.objects.exists()
    assert AuditEntry.objects.get(action="personal_data.erased").changes == {"n": 3}


@pytest.mark.django_db
def test_a_dry_run_on_a_later_day_shows_what_will_go_and_erasing_early_is_refused() -> None:
    """An administrator asks what goes next week; the rows stay until they are due."""
    aged(IdempotencyKey, "created_at", 1, scope="user:1", key="a", fingerprint="x" * 64)
    out = io.StringIO()
    with translation.override("zh-hans"), time_machine.travel(NOW, tick=False):
        call_command("erase_personal_data", "--dry-run", "--on", "2026-11-22", stdout=out)
        (line,) = [line for line in out.getvalue().splitlines() if line.startswith("core.idempotency_keys ")]
        assert line.split()[-1] == "0"
        out = io.StringIO()
        call_command("erase_personal_data", "--dry-run", "--on", "2026-11-24", stdout=out)
        assert "2026-11-24" in out.getvalue().splitlines()[0]
        (line,) = [line for line in out.getvalue().splitlines() if line.startswith("core.idempotency_keys ")]
        assert line.split()[-1] == "1"
        with pytest.raises(CommandError, match="--dry-run"):
            call_command("erase_personal_data", "--on", "2026-11-24", stdout=io.StringIO())
    assert IdempotencyKey.objects.count() == 1


# A model holds personal data when it has a field so named, or a person's name (pgettext
# "person"). Each is erased by a registered kind or kept while in use, for the reason given.
PERSONAL_FIELDS = {
    *("mobile", "phone", "id_number", "contact_phone", "contact_name", "companion_mobile", "driver_mobile"),
    *("full_name", "recipient", "temperature", "photo", "ip_address", "results"),
}
KEPT_WHILE_IN_USE = {
    "accounts.user": "a person's own sign-in, deactivated by an administrator",
    "delivery.shop": "the bureau's licensed customer; the number is how a shop is rung",
    "delivery.driver": "the bureau's own driver, on its books while they drive",
    "directory.organisation": "an organisation's office number",
    "directory.site": "a site's own phone",
    "notify.optout": "a number that asked for no messages: forgetting it would message them again",
    "power.poweraccount": "the power company's customer record, the number the notices go to",
}


def personal_models() -> set[str]:
    with translation.override("zh-hans"):
        person = str(translation.pgettext("person", "name"))
        found = set()
        for model in apps.get_models():
            for field in model._meta.get_fields():
                named = field.name in PERSONAL_FIELDS or (
                    field.name == "name" and str(getattr(field, "verbose_name", "")) == person
                )
                if named and not field.auto_created and model.__module__.startswith("fugong."):
                    found.add(model._meta.label_lower)
    return found


def test_every_model_holding_personal_data_is_erased_by_a_kind_or_kept_while_in_use() -> None:
    covered = {label for kind in erasure.kinds() for label in kind.models}
    unregistered = personal_models() - covered - set(KEPT_WHILE_IN_USE)
    assert not unregistered, f"personal data with no kind in core.erasure: {sorted(unregistered)}"
    assert {"screening.checkin", "power.resident", "volunteers.mediationparty"} <= personal_models()
    assert not covered & set(KEPT_WHILE_IN_USE)
    assert all(apps.get_model(label) for label in covered)  # no kind names a model that does not exist


def test_each_period_reads_the_setting_its_variable_sets() -> None:
    source = (ROOT / "fugong/settings.py").read_text(encoding="utf-8")
    for kind in erasure.kinds():
        if kind.kept.key:
            assert f'"{kind.kept.key}": env.integer("{kind.kept.env}", ' in source, kind.code
            assert kind.kept.days == settings.RETENTION_DAYS[kind.kept.key]


def test_a_period_follows_the_settings_at_run_time(settings: Any) -> None:
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"checkins": 7}
    assert erasure.get("screening.checkins").kept.days == 7


def test_the_readme_retention_table_is_the_register() -> None:
    """Fails until README.md carries the table `retention_table_markdown()` renders, between
    the retention markers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(re.escape(erasure.TABLE_START) + ".*?" + re.escape(erasure.TABLE_END), readme, re.DOTALL)
    assert found is not None, f"README.md has no table between {erasure.TABLE_START} and {erasure.TABLE_END}"
    assert found.group(0) == erasure.retention_table_markdown()
