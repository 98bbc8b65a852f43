"""What a visitor's check-in costs the database (#23): a morning rush at a 2,000-worker gate is
one check-in after another, and phones on a bad network resend. A resend is answered from its
stored record before anything else, so it costs less than a new check-in and counts against no
limit. Counted here so that a change adding a query to either is seen."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fugong.core.models import RateEvent
from fugong.screening.models import CheckIn, Venue
from fugong.screening.services import venues

from .conftest import GREEN

pytestmark = pytest.mark.django_db

# The venue; then the earlier record of the nonce or of the person; the limits (checked and
# counted in one statement); the policy in force and its checks; the insert.
NEW_CHECK_IN = 6
# The venue and the earlier record.
RESEND = 2


def statements(client: Client, token: str, body: dict[str, Any]) -> tuple[int, list[str]]:
    """The status and the SQL statements of one check-in (savepoints are the test's own)."""
    with CaptureQueriesContext(connection) as run:
        response = client.post(f"/api/screening/visit/{token}", body, content_type="application/json")
    return response.status_code, [q["sql"] for q in run.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_new_check_in_and_a_resend_cost_what_they_did(hall: Venue) -> None:
    token = venues.venue_token(hall)
    client = Client()
    visitor = {"nonce": "phone-12345678", "name": "访客", "mobile": "13905780128", "answers": GREEN}
    status, new = statements(client, token, visitor)
    assert status == 201 and len(new) == NEW_CHECK_IN, new
    counted = RateEvent.objects.count()
    status, resend = statements(client, token, visitor)
    assert status == 200 and len(resend) == RESEND, resend
    assert len(resend) < len(new)
    assert RateEvent.objects.count() == counted  # a resend takes nothing from the limits
    assert CheckIn.objects.count() == 1


def test_a_resend_is_answered_even_when_the_minute_is_used_up(hall: Venue) -> None:
    """A phone that lost the answer on a bad network is not told to wait for what was recorded."""
    hall.checkins_per_minute = 1
    hall.save()
    token = venues.venue_token(hall)
    first = {"nonce": "phone-00000001", "name": "访客", "mobile": "13905780128", "answers": GREEN}
    second = {"nonce": "phone-00000002", "name": "访客二", "mobile": "13905780129", "answers": GREEN}
    url = f"/api/screening/visit/{token}"
    assert Client().post(url, first, content_type="application/json").status_code == 201
    assert Client().post(url, second, content_type="application/json").status_code == 429
    again = Client().post(url, first, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["mobile"] == "139****0128"
    other = Client().post(url, first | {"name": "别人"}, content_type="application/json")
    assert other.status_code == 409  # the nonce is still someone's own
    assert CheckIn.objects.count() == 1
