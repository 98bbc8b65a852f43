from typing import Any

import pytest

from fugong.core.jobs import start_job
from fugong.core.models import Job

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
