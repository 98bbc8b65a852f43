"""The same person is not checked in twice by sending the phone form again after Back (#21
item 3): Back reloads the page with a new nonce, so a repeat within minutes is caught by who it
is, and returns the first result."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.screening.models import CheckIn
from fugong.screening.services import venues

from .conftest import GREEN
from .test_pages import visit_form

pytestmark = pytest.mark.django_db


def test_the_phone_form_sent_again_from_a_reloaded_page_returns_the_first_result(hall):
    token = venues.venue_token(hall)
    url = reverse("screening:visit", args=[token])
    client, data = visit_form(token)
    first = client.post(url, data)
    assert first.status_code == 302
    # Back: the page is loaded again, with a nonce of its own; the same answers are sent.
    again_client, again = visit_form(token)
    assert again["nonce"] != data["nonce"]
    repeat = again_client.post(url, again)
    assert repeat["Location"] == first["Location"] and CheckIn.objects.count() == 1
    # Even with another answer (a yellow code now): the first result stands.
    _client, changed = visit_form(token, check_health_code="yellow")
    assert Client().post(url, changed)["Location"] == first["Location"] and CheckIn.objects.count() == 1
    # The same phone for another person (a couple sharing one) is another check-in.
    _client, spouse = visit_form(token, name="李四")
    assert Client().post(url, spouse)["Location"] != first["Location"] and CheckIn.objects.count() == 2


def test_the_same_person_later_in_the_day_checks_in_again(hall):
    token = venues.venue_token(hall)
    url = reverse("screening:visit", args=[token])
    client, data = visit_form(token)
    client.post(url, data)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        _client, later = visit_form(token)
        Client().post(url, later)
    assert CheckIn.objects.count() == 2


def test_the_visitors_app_gets_the_first_result_for_a_repeat_too(hall):
    token = venues.venue_token(hall)
    visitor = {"name": "访客", "mobile": "13905780128", "answers": GREEN}
    first = Client().post(
        f"/api/screening/visit/{token}", visitor | {"nonce": "phone-00000001"}, content_type="application/json"
    )
    again = Client().post(
        f"/api/screening/visit/{token}", visitor | {"nonce": "phone-00000002"}, content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
