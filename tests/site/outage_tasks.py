"""Tasks for the worker's outage tests (importable by path, as the worker needs)."""

from typing import Any

import psycopg
from django.db import OperationalError
from django.tasks import task

runs: list[str] = []  # one entry per run, in this process


def database_gone() -> OperationalError:
    cause = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    error = OperationalError(*cause.args)
    error.__cause__ = cause
    return error


@task()
def interrupted_once() -> dict[str, Any]:
    """The database goes away during the first run (its transaction is lost); the second run works."""
    runs.append("interrupted_once")
    if runs.count("interrupted_once") == 1:
        raise database_gone()
    return {"runs": runs.count("interrupted_once")}


@task()
def counted() -> dict[str, Any]:
    runs.append("counted")
    return {"runs": runs.count("counted")}


@task()
def always_interrupted() -> None:
    runs.append("always_interrupted")
    raise database_gone()
