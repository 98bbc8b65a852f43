"""Each venue takes the phone check-ins its crowd needs in a minute (#23): a service hall's queue
a few dozen, a factory gate at shift change hundreds. Site managers set it on the site's page;
one address stays limited whatever the venue allows."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from fugong.accounts.models import AuditEntry
from fugong.directory.models import Site
from fugong.screening.models import CheckIn, Venue
from fugong.screening.services import venues

from .conftest import GREEN, open_hall

pytestmark = pytest.mark.django_db


def visitor(n: int) -> dict[str, Any]:
    return {"nonce": f"phone-{n:08d}", "name": f"工人{n}", "mobile": f"139{n:08d}", "answers": GREEN}


def check_in(token: str, n: int, address: str) -> int:
    return (
        Client()
        .post(f"/api/screening/visit/{token}", visitor(n), content_type="application/json", REMOTE_ADDR=address)
        .status_code
    )


def test_a_gate_set_for_its_shift_takes_every_worker_where_the_default_would_refuse(demo, settings):
    settings.PUBLIC_CHECKINS_PER_VENUE_PER_MINUTE = 30
    hall = open_hall()
    assert hall.checkins_per_minute == 30  # a new venue starts from the deployment's default
    token = venues.venue_token(hall)
    assert [check_in(token, n, f"10.0.0.{n}") for n in range(32)] == [201] * 30 + [429] * 2
    venues.open_venue(demo["qy_power"], hall.site, checkins_per_minute=100)
    assert [check_in(token, n, f"10.0.1.{n}") for n in range(32, 62)] == [201] * 30
    assert CheckIn.objects.count() == 60
    # One phone is still limited at a venue that allows many.
    settings.PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE = 2
    assert [check_in(token, n, "10.0.2.1") for n in range(62, 65)] == [201, 201, 429]


def test_the_site_manager_sets_the_limit_on_the_sites_page_and_staff_see_it(hall, client_for):
    url = reverse("screening:venue", args=[hall.pk])
    form = {"staff_check_times": "08:00, 14:00", "disinfection_times": "08:00, 14:00", "grace_minutes": 60}
    manager = client_for("qy_power")
    page = manager.post(url, form | {"checkins_per_minute": 0}).content.decode()
    assert 'data-field="checkins_per_minute"' in page and "has-error" in page
    assert manager.post(url, form | {"checkins_per_minute": 400}).status_code == 302
    hall.refresh_from_db()
    assert hall.checkins_per_minute == 400
    entry = AuditEntry.objects.filter(action="screening.venue_opened").latest("pk")
    assert entry.changes["checkins_per_minute"] == [30, 400]
    staff_page = client_for("hufenfen").get(url).content.decode()
    assert "data-checkins-per-minute" in staff_page and "400" in staff_page
    assert 'name="checkins_per_minute"' not in staff_page  # staff at the door do not set it
    assert client_for("hufenfen").post(url, form | {"checkins_per_minute": 5000}).status_code == 403
    listed = client_for("hufenfen").get("/api/screening/sites").json()
    assert [v["checkins_per_minute"] for v in listed] == [400]


def test_the_database_keeps_the_limit_in_range(demo):
    site = Site.objects.get(name="客户服务中心营业厅")
    for wrong in (0, 6001):
        with pytest.raises(IntegrityError), transaction.atomic():
            Venue.objects.create(site=site, checkins_per_minute=wrong)
