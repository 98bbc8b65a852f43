"""A transaction for data loaded once per test module and rolled back at its end."""

from django.db import transaction


def rolled_back_transaction() -> transaction.Atomic:
    """Marked as Django's TestCase marks its own, so the services' durable transactions run
    inside it as they do inside any test's (a durable block refuses any other outer block)."""
    atomic = transaction.atomic()
    atomic._from_testcase = True  # type: ignore[attr-defined]
    return atomic
