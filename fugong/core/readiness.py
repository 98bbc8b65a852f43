"""/readyz: is this deployment able to do its work? One registry of checks, each app adding its own.

Core checks the database, the migrations, the workers' heartbeat and the task queue; an app
registers more in its AppConfig.ready (notify: the outbox), so core knows none of the apps. A
check returns whether it passes and a few numbers an operator reads (ages in seconds, counts);
never a name, a number or a message's text. The database comes first: when it cannot be reached,
the checks that need it are reported as skipped rather than each failing on its own.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from . import heartbeat, task_queue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    facts: dict[str, Any] = field(default_factory=dict)  # numbers and codes only: the body is public


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[datetime], Outcome]
    needs_database: bool = True


CHECKS: dict[str, Check] = {}


def register(check: Check) -> None:
    CHECKS[check.name] = check


def age_seconds(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else max(0, round((now - since).total_seconds()))


def within(since: datetime | None, now: datetime, limit_seconds: float) -> Outcome:
    """Passes when nothing waits, or the oldest has waited no longer than the limit."""
    age = age_seconds(since, now)
    return Outcome(age is None or age <= limit_seconds, {"oldest_seconds": age, "limit_seconds": limit_seconds})


def database(now: datetime) -> Outcome:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return Outcome(True)


_migrated = False  # once every migration is applied it stays so until the next deploy restarts us


def migrations(now: datetime) -> Outcome:
    """No migration left to apply (the code is ahead of the database while a deploy migrates)."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if unapplied:
            return Outcome(False, {"unapplied": len(unapplied)})
        _migrated = True
    return Outcome(True)


def worker(now: datetime) -> Outcome:
    heard = heartbeat.heard_from(now)
    limit = settings.READY_WORKER_SILENCE.total_seconds()
    last = age_seconds(heard.last_seen, now)
    return Outcome(heard.alive > 0, {"workers": heard.alive, "last_seen_seconds": last, "limit_seconds": limit})


def tasks(now: datetime) -> Outcome:
    return within(task_queue.oldest_waiting_since(), now, settings.READY_MAX_TASK_AGE.total_seconds())


def run_checks(now: datetime | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, each check's outcome) with every check run, or skipped when the database is out of reach."""
    now = now or timezone.now()
    report: dict[str, dict[str, Any]] = {}
    database_up = _run(Check("database", database, needs_database=False), now, report)
    for check in CHECKS.values():
        if check.needs_database and not database_up:
            report[check.name] = {"ok": False, "skipped": "database"}
        else:
            _run(check, now, report)
    return all(outcome["ok"] for outcome in report.values()), report


def _run(check: Check, now: datetime, report: dict[str, dict[str, Any]]) -> bool:
    try:
        outcome = check.run(now)
    except Exception as error:  # a failed check is an answer, not a 500 with a traceback
        # A database that is down says so in one line per probe; anything else is a bug: its traceback.
        expected = isinstance(error, DatabaseError)
        logger.warning("Readiness check %s failed: %r", check.name, error, exc_info=not expected)
        report[check.name] = {"ok": False, "error": type(error).__name__}
        return False
    report[check.name] = {"ok": outcome.ok, **outcome.facts}
    return outcome.ok


for _check in (Check("migrations", migrations), Check("worker", worker), Check("tasks", tasks)):
    register(_check)
