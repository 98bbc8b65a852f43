"""`fugong worker` carries on through a database outage: it waits, it does not stop; a task the
outage interrupted runs again, a task that finished meanwhile is recorded once, not run again."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from fugong.core import outage
from fugong.site import worker_loop
from tests.site import outage_tasks

# The worker's transactions are its own (not inside a test's): as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    outage_tasks.runs.clear()
    monkeypatch.setattr(outage, "FIRST_WAIT", 0.01)
    yield
    outage_tasks.runs.clear()


def run_worker(verbosity: int = 0) -> None:
    call_command("worker", batch=True, reload=False, scheduler=False, startup_delay=False, verbosity=verbosity)


def fail_first(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, times: int = 1) -> list[int]:
    """`owner.name` raises the outage error on its first `times` calls, then works."""
    original = getattr(owner, name)
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise outage_tasks.database_gone()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def test_a_task_the_outage_interrupted_runs_again_and_is_done(caplog: pytest.LogCaptureFixture) -> None:
    result = outage_tasks.interrupted_once.enqueue()
    with caplog.at_level(logging.INFO, logger="django.tasks"):
        run_worker(verbosity=1)  # the worker's own level for Django's task lines
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == {"runs": 2}
    assert len(row.worker_ids) == 2  # claimed twice: the second claim ran it to the end
    requeued = [r for r in caplog.records if "queued again" in r.getMessage()]
    assert len(requeued) == 1 and not requeued[0].exc_info


def test_a_finished_task_is_recorded_after_the_outage_not_run_again(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = fail_first(monkeypatch, DBTaskResult, "set_successful", times=4)
    result = outage_tasks.counted.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == {"runs": 1}
    assert outage_tasks.runs == ["counted"] and len(attempts) == 5


def test_the_worker_waits_when_it_cannot_claim_and_then_carries_on(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = fail_first(monkeypatch, DBTaskResultQuerySet, "get_locked", times=3)
    result = outage_tasks.counted.enqueue()
    run_worker()  # would raise OperationalError out of the library's loop
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert len(claims) >= 4


def test_a_task_that_always_meets_an_outage_ends_failed_not_in_a_loop() -> None:
    result = outage_tasks.always_interrupted.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert outage_tasks.runs.count("always_interrupted") == len(row.worker_ids) == worker_loop.MAX_RUNS
