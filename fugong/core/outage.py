"""When the database cannot be reached: telling an outage from other database errors, and
waiting one out in the worker.

An outage is the server gone or going (restart, crash, network): psycopg could not connect or
lost the connection, the server said it is shutting down or starting up (SQLSTATE class 08,
57P01-57P03), or Django was handed a connection already closed (InterfaceError). Anything else
(a unique key, a deadlock, a cancelled query) is not an outage and keeps its usual handling:
a 500 on a page, a failed task.

Pages and the API answer an outage with 503 (fugong.core.middleware); the worker and the
outbox wait for the database and carry on (`until_reachable`, `wait_for_database`).
"""

import contextlib
import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections

logger = logging.getLogger(__name__)

# The server is shutting down (admin or crash) or still starting up.
SERVER_GOING_OR_COMING = frozenset({"57P01", "57P02", "57P03"})
FIRST_WAIT = 0.2  # seconds; doubled after each failed try
LONGEST_WAIT = 5.0  # the worker notices the database is back within this


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (rather than refusing a query)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in SERVER_GOING_OR_COMING
    # No SQLSTATE: psycopg could not connect, or the server closed the connection mid-query.
    # (SQLite's errors, "database is locked" among them, are never an outage.)
    return type(cause).__module__.split(".")[0] == "psycopg"


def drop_broken_connections() -> None:
    """Close this thread's connections so the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # it was already gone
            conn.close()


def reachable() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        if not is_outage(error):
            raise
        drop_broken_connections()
        return False
    return True


def wait_for_database(what: str, sleep: Callable[[float], None] = time.sleep) -> float:
    """Wait until the database answers again (backing off to LONGEST_WAIT between tries);
    returns how long it took. Logged once when the wait starts and once when it ends."""
    started = time.monotonic()
    delay = FIRST_WAIT
    logger.warning("Database unreachable while %s; waiting for it to come back", what)
    drop_broken_connections()
    while not reachable():
        sleep(delay)
        delay = min(delay * 2, LONGEST_WAIT)
    waited = time.monotonic() - started
    logger.warning("Database reachable again after %.1f s; carrying on with %s", waited, what)
    return waited


def until_reachable[T](action: Callable[[], T], *, what: str, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `action`, and again each time an outage interrupts it, once the database answers.

    Only for an action that is safe to run again whole (its writes are one transaction) and is not
    inside a transaction itself: a transaction an outage broke cannot go on, so inside one the
    error is raised for the code that opened it."""
    while True:
        try:
            return action()
        except DatabaseError as error:
            if not is_outage(error) or connection.in_atomic_block:
                raise
        wait_for_database(what, sleep)
