"""Tasks used by the job tests (importable by path, as the worker needs)."""

from typing import Any

from django.tasks import task

from fugong.core.jobs import JobFailed, Progress, tracked
from fugong.core.models import Job


@task()
@tracked
def count_to(progress: Progress, n: int) -> dict[str, Any]:
    seen = []
    for i in range(1, n + 1):
        progress.update(i, n, f"at {i}")
        seen.append(Job.objects.get(pk=progress.job_id).done)  # visible to other readers
    return {"message": f"counted to {n}", "seen": seen}


@task()
@tracked
def refuse(progress: Progress) -> dict[str, Any]:
    raise JobFailed("row 3 is wrong", {"errors": [{"row": 3, "column": "code", "message": "bad"}]})


@task()
@tracked
def crash(progress: Progress) -> dict[str, Any]:
    raise ZeroDivisionError("boom")
