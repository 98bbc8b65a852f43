from typing import Any

import pytest

from fugong.core.jobs import start_job
from fugong.core.models import IdempotencyKey, Job

from .sample_tasks import count_to, crash, refuse

pytestmark = pytest.mark.django_db


def test_job_is_queued_until_the_worker_runs_it(demo: Any, run_tasks: Any) -> None:
    job = start_job(count_to, kind="test.count", title="Count", user=demo["admin"], args=(3,))
    assert job.status == Job.Status.QUEUED and job.task_result_id
    run_tasks()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result["seen"] == [1, 2, 3]
    assert job.message == "counted to 3"


def test_expected_failure_keeps_the_errors_for_the_page(demo: Any, run_tasks: Any) -> None:
    job = start_job(refuse, kind="test.refuse", title="Refuse", user=demo["admin"])
    run_tasks()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.result["errors"][0]["row"] == 3
    assert job.finished_at is not None


def test_unexpected_crash_marks_the_job_failed(demo: Any, run_tasks: Any) -> None:
    job = start_job(crash, kind="test.crash", title="Crash", user=demo["admin"])
    run_tasks()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "unexpected" in job.message.lower() or "意外" in job.message


def test_progress_card_polls_until_finished_and_only_for_its_owner(demo: Any, client_for: Any, run_tasks: Any) -> None:
    job = start_job(count_to, kind="test.count", title="Count", user=demo["huyao"], args=(2,))
    owner = client_for("huyao")
    page = owner.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    run_tasks()
    page = owner.get(f"/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and 'data-status="succeeded"' in page
    assert client_for("laoyan").get(f"/jobs/{job.pk}/").status_code == 404


def test_job_status_in_the_api(demo: Any, client_for: Any, run_tasks: Any) -> None:
    job = start_job(count_to, kind="test.count", title="Count", user=demo["huyao"], args=(2,))
    run_tasks()
    body = client_for("huyao").get(f"/api/jobs/{job.pk}").json()
    assert body["status"] == "succeeded" and body["percent"] == 100
    assert client_for("laoyan").get(f"/api/jobs/{job.pk}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_long_transaction_is_visible_where_the_database_allows(demo: Any) -> None:
    """On PostgreSQL the page sees progress while the task's transaction is still open;
    SQLite has one writer at a time, so there the update is skipped rather than blocking."""
    from django.db import connection, connections, transaction

    from fugong.core.jobs import Progress

    job = Job.objects.create(kind="t", title="t", created_by=demo["admin"], total=10)
    progress = Progress(job.pk)
    page = connections.create_connection("default")  # what the polling page reads through
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(scope="t", key="the task's own writes", fingerprint="x")
            progress.update(4, inside_transaction=True)
            if connection.vendor != "sqlite":
                with page.cursor() as cursor:
                    cursor.execute("SELECT done FROM core_job WHERE id = %s", [job.pk])
                    assert cursor.fetchone()[0] == 4
    finally:
        progress.close()
        page.close()
    job.refresh_from_db()
    assert job.done == (0 if connection.vendor == "sqlite" else 4)


@pytest.mark.django_db(transaction=True)
def test_progress_never_waits_on_a_lock_the_task_holds(demo: Any) -> None:
    from django.db import transaction

    from fugong.core.jobs import Progress

    job = Job.objects.create(kind="t", title="t", created_by=demo["admin"], total=10)
    progress = Progress(job.pk)
    try:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(message="the task locked its own job row")
            progress.update(5, inside_transaction=True)  # gives up after lock_timeout instead of hanging
    finally:
        progress.close()
    job.refresh_from_db()
    assert job.done == 0 and job.message == "the task locked its own job row"
