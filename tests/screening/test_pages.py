"""The pages: the visitor's phone page from the venue code, the console, lists, policies,
hygiene log, poster; and the API for scanners and visitors' apps."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from fugong.accounts.models import AuditEntry
from fugong.screening.models import AdmissionPolicy, CheckIn, Decision, PolicyCheck
from fugong.screening.services import venues

from .conftest import GREEN

pytestmark = pytest.mark.django_db


def visit_form(token, **fields):
    client = Client()
    page = client.get(reverse("screening:visit", args=[token]))
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page.content.decode()).group(1)
    data = {"nonce": nonce, "name": "张三", "mobile": "13812345678"} | {f"check_{k}": v for k, v in GREEN.items()}
    return client, data | fields


def test_visitor_checks_in_on_the_phone_and_a_double_tap_records_once(hall):
    token = venues.venue_token(hall)
    client, data = visit_form(token)
    response = client.post(reverse("screening:visit", args=[token]), data)
    assert response.status_code == 302
    again = client.post(reverse("screening:visit", args=[token]), data)
    assert again["Location"] == response["Location"]
    assert CheckIn.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "客户服务中心营业厅" in page and "张*" in page and 'class="result admit"' in page


def test_a_flood_of_check_ins_at_one_venue_is_stopped_and_told_to_wait(hall, settings):
    """Each admitted visitor may take a hall number: 30 made-up visitors in half a second must not."""
    hall.checkins_per_minute = 5
    hall.save()
    settings.PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE = 100
    token = venues.venue_token(hall)
    url = reverse("screening:visit", args=[token])
    statuses = []
    for n in range(8):
        client, data = visit_form(token, mobile=f"138123456{n:02d}")
        statuses.append(client.post(url, data, REMOTE_ADDR=f"10.0.0.{n}").status_code)
    assert statuses == [302] * 5 + [429] * 3 and CheckIn.objects.count() == 5
    client, data = visit_form(token, mobile="13812345699")
    page = client.post(url, data, REMOTE_ADDR="10.0.1.1")
    assert page.status_code == 429 and "请稍候" in page.content.decode()
    # Nothing typed is lost: the form comes back filled, to be sent again in a minute.
    assert 'value="13812345699"' in page.content.decode()
    visitor = {"nonce": "phone-12345678", "name": "访客", "mobile": "13905780128", "answers": GREEN}
    api = Client().post(f"/api/screening/visit/{token}", visitor, content_type="application/json")
    assert api.status_code == 429 and "一分钟" in api.json()["message"] and CheckIn.objects.count() == 5


def test_one_address_is_limited_across_venues(hall, settings):
    hall.checkins_per_minute = 100
    hall.save()
    settings.PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE = 3
    token = venues.venue_token(hall)
    url = reverse("screening:visit", args=[token])
    statuses = []
    for n in range(5):
        client, data = visit_form(token, mobile=f"138123456{n:02d}")
        statuses.append(client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code)
    assert statuses == [302, 302, 302, 429, 429]
    client, data = visit_form(token, mobile="13812345699")
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2").status_code == 302  # the next phone is not affected


def test_visitor_form_names_the_wrong_field(hall):
    token = venues.venue_token(hall)
    client, data = visit_form(token, mobile="12345", check_temperature="")
    page = client.post(reverse("screening:visit", args=[token]), data | {"check_health_code": ""}).content.decode()
    assert 'data-field="mobile"' in page and "has-error" in page
    assert CheckIn.objects.count() == 0


def test_a_rotated_code_stops_old_posters(hall, demo):
    old = venues.venue_token(hall)
    venues.rotate_code(demo["qy_power"], hall)
    response = Client().get(reverse("screening:visit", args=[old]))
    assert response.status_code == 403 and "已更换" in response.content.decode()
    assert Client().get(reverse("screening:visit", args=[venues.venue_token(hall)])).status_code == 200
    assert Client().get(reverse("screening:visit", args=["1.1:forged"])).status_code == 403


def test_console_records_and_lists_masked(hall, client_for):
    client = client_for("hufenfen")
    page = client.get(reverse("screening:console", args=[hall.pk])).content.decode()
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page).group(1)
    data = {"nonce": nonce, "name": "王小明", "mobile": "13905780123"} | {f"check_{k}": v for k, v in GREEN.items()}
    page = client.post(
        reverse("screening:console", args=[hall.pk]), data | {"check_temperature": "37.9"}
    ).content.decode()
    assert 'class="result refuse compact"' in page and "139****0123" in page and "13905780123" not in page
    record = CheckIn.objects.get()
    assert record.checked_by.username == "hufenfen" and record.channel == "console"


def test_referral_decided_from_the_console(hall, client_for):
    from fugong.screening.services import checkins

    record, _ = checkins.check_in(
        None, hall, checkins.Visitor("黄", mobile="13905780124"), GREEN | {"health_code": "yellow"}, channel="phone"
    )
    client = client_for("hufenfen")
    console = client.get(reverse("screening:console", args=[hall.pk])).content.decode()
    # Whoever waits is dealt with first: on a phone the referral comes before the door form.
    assert console.index(f'action="/screening/checkins/{record.pk}/decide/"') < console.index('class="door-form"')
    assert console.count('id="referrals"') == 1
    feed = client.get(reverse("screening:console_feed", args=[hall.pk])).content.decode()
    assert 'id="referrals" hx-swap-oob="true"' in feed and f'data-checkin="{record.pk}"' in feed
    client.post(reverse("screening:decide", args=[record.pk]), {"decision": "admit"})
    record.refresh_from_db()
    assert record.final_decision == Decision.ADMIT


def test_pages_in_scope_only(hall, client_for):
    for username, status in (
        ("hufenfen", 200),
        ("qy_power", 200),
        ("qingyuan", 200),
        ("huyao", 404),
        ("xiajiang", 404),
    ):
        response = client_for(username).get(reverse("screening:console", args=[hall.pk]))
        assert response.status_code == status, username
    assert client_for("laoyan").get(reverse("screening:index")).status_code == 403


def test_full_numbers_only_for_tracing_by_administrators(hall, client_for):
    from fugong.screening.services import checkins

    checkins.check_in(None, hall, checkins.Visitor("张三", mobile="13905780125"), GREEN, channel="phone")

    def table(username):
        page = client_for(username).post(reverse("screening:checkins", args=[hall.pk]), {"q": "13905780125"})
        return page.content.decode().split("<tbody>")[1].split("</tbody>")[0]

    assert "13905780125" not in table("hufenfen") and "139****0125" in table("hufenfen")
    assert "13905780125" in table("qy_power")


def test_tracing_search_never_puts_the_number_in_a_url(hall, client_for):
    """Numbers in a query string end up in browser history and every proxy's log: the search is posted."""
    from fugong.screening.services import checkins

    checkins.check_in(None, hall, checkins.Visitor("张三", mobile="13905780125"), GREEN, channel="phone")
    url = reverse("screening:checkins", args=[hall.pk])
    client = client_for("qy_power")
    by_link = client.get(url, {"q": "13905780125"}).content.decode().split("<tbody>")[1]
    assert "13905780125" not in by_link  # a query string does not search
    page = client.post(url, {"q": "13905780125"}).content.decode()
    assert '<form method="post" class="search">' in page and "13905780125" in page.split("<tbody>")[1]
    assert "返回当天的登记记录" in page  # a way back to the day's list (a reload would post again)
    # Who looked whom up is in the audit log, without the number.
    traced = AuditEntry.objects.get(action="screening.person_traced")
    assert traced.actor.username == "qy_power" and traced.changes == {"found": 1}
    assert "13905780125" not in str(traced.changes) + traced.object_repr


def test_new_policy_version_from_the_page(hall, client_for):
    client = client_for("qy_power")
    url = reverse("screening:policies", args=[hall.pk])
    page = client.get(url).content.decode()
    assert "一测温二登记三受理" in page
    data = {
        "name": "加查行程",
        "effective_from": "2099-01-01T08:00",
        "temperature_on": "on",
        "temperature_parameter": "37.3",
        "risk_area_on": "on",
        "risk_area_parameter": "",
    }
    for kind in ("health_code", "risk_area", "test_result", "temperature", "mask", "vaccination"):
        data |= {f"{kind}_fail": "refuse", f"{kind}_doubt": "refer"}
    page = client.post(url, data).content.decode()
    assert 'data-field="risk_area_parameter"' in page or "needs its value" in page or "需要" in page
    assert PolicyCheck.objects.filter(kind="risk_area").count() == 0
    client.post(url, data | {"risk_area_parameter": "7"})
    assert PolicyCheck.objects.filter(kind="risk_area", within_days=7).count() == 1
    assert client_for("hufenfen").post(url, data | {"risk_area_parameter": "7"}).status_code == 403


def test_a_coordinator_reaches_the_county_wide_policy_from_the_screening_page(hall, client_for):
    client = client_for("qingyuan")
    page = client.get(reverse("screening:index")).content.decode()
    url = reverse("screening:region_policies", args=["331126"])
    assert f'href="{url}" data-region-policies="331126">庆元县' in page
    data = {"name": "全县统一", "effective_from": "2099-01-01T08:00", "temperature_on": "on",
            "temperature_parameter": "37.3"}  # fmt: skip
    for kind in ("health_code", "risk_area", "test_result", "temperature", "mask", "vaccination"):
        data |= {f"{kind}_fail": "refuse", f"{kind}_doubt": "refer"}
    assert client.post(url, data).status_code == 302
    assert AdmissionPolicy.objects.get(region__code="331126").name == "全县统一"
    other = client_for("xiajiang").get(reverse("screening:index"))
    assert other.status_code == 200 and url not in other.content.decode()  # another county's coordinator


def test_poster_is_a_pdf_with_the_signed_link(hall, client_for):
    response = client_for("hufenfen").get(reverse("screening:poster", args=[hall.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_hygiene_page_records_a_round(hall, client_for):
    client = client_for("hufenfen")
    url = reverse("screening:hygiene", args=[hall.pk])
    response = client.post(url, {"form": "disinfection", "areas": "大厅", "disinfectant": "84", "done_by": "胡芬芬"})
    assert response.status_code == 302
    assert "大厅" in client.get(url).content.decode()
    response = client.post(url, {"form": "temperature", "staff": "", "temperature": "36.5"})
    assert response.status_code == 200  # the form says which field


def test_api_scanner_batch_resend_and_visitor_app(hall, client_for):
    client = client_for("hufenfen")
    url = f"/api/screening/sites/{hall.pk}/checkins"
    item = {"nonce": "scanner-0001", "name": "王五", "mobile": "13905780126", "answers": GREEN}
    first = client.post(url, item, content_type="application/json")
    again = client.post(url, item, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["mobile"] == "139****0126"
    conflict = client.post(url, item | {"mobile": "13905780127"}, content_type="application/json")
    assert conflict.status_code == 409
    batch = [
        item,
        item | {"nonce": "scanner-0002", "answers": GREEN | {"temperature": "hot"}},
        item | {"nonce": "scanner-0003"},
    ]
    answers = client.post(url + "/batch", json.dumps(batch), content_type="application/json").json()
    assert [a["status"] for a in answers] == [200, 422, 201]
    assert "check_temperature" in answers[1]["errors"]
    assert CheckIn.objects.count() == 2
    token = venues.venue_token(hall)
    public = Client()
    policy = public.get(f"/api/screening/visit/{token}").json()["policy"]
    assert [c["kind"] for c in policy["checks"]] == ["temperature", "health_code", "mask"]
    response = public.post(
        f"/api/screening/visit/{token}",
        {"nonce": "phone-12345678", "name": "访客", "mobile": "13905780128", "answers": GREEN},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["decision"] == "admit"
    assert Client().post(url, item, content_type="application/json").status_code == 401
