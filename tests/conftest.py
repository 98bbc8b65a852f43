from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from fugong.accounts.models import User
from fugong.demo import world
from fugong.demo.delivery import load_delivery
from fugong.demo.volunteers import load_volunteers


@pytest.fixture(autouse=True)
def site_language() -> Iterator[None]:
    """Each test starts in the site's language (Chinese) whatever the test before it asked for:
    a request sets the thread's language and keeps it, so without this a test's words depend on
    which test ran before it on the same worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db: Any) -> dict[str, User]:
    """The seeds' demo world (regions, the three organisations, one user per role), without
    the volunteers' year of records and the bureau's shops, which take seconds to load: see
    `demo_volunteers` and `demo_delivery`."""
    world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def demo_volunteers(demo: dict[str, User]) -> dict[str, User]:
    """The demo world with its teams, shifts, activities, aid ledger and mediation cases."""
    load_volunteers()
    return demo


@pytest.fixture
def demo_delivery(demo: dict[str, User]) -> dict[str, User]:
    """The demo world with the bureau's shops, two weeks of orders, its fleet and the
    mutual-aid groups' vehicles (not the federation's year of records)."""
    load_volunteers(mutual_aid_only=True)
    load_delivery()
    return demo


@pytest.fixture
def demo_screening(demo: dict[str, User]) -> dict[str, User]:
    """The demo world with the network point's and the service hall's policies, yesterday's and
    today's check-ins and logs (older days as counts), and today's call for helpers at the
    network point."""
    from fugong.demo.screening import load_screening

    load_volunteers(mutual_aid_only=True)
    load_screening(days=1)
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for(demo: dict[str, User]) -> Any:
    def make(username: str) -> Client:
        client = Client()
        client.force_login(demo[username])
        return client

    return make


@pytest.fixture
def run_tasks(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run every queued background task the way `fugong worker` does, then return.

    The worker closes "old" connections between tasks; inside a test's transaction
    that would close the test's own connection (PostgreSQL), so that call is skipped.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("worker", batch=True, reload=False, scheduler=False, startup_delay=False, verbosity=0)

    return run


@pytest.fixture
def demo_power(demo: dict[str, User]) -> dict[str, User]:
    """The demo world with the hall's check-ins of today and the power company's demo: a few
    hundred accounts (not 23,400), the named enterprises' applications, a week of queues and
    the priority line."""
    from fugong.demo.power import load_power
    from fugong.demo.screening import load_screening

    load_volunteers(mutual_aid_only=True)
    load_screening(days=1)
    load_power(accounts=300, hall_days=7)
    return {u.username: u for u in User.objects.all()}
