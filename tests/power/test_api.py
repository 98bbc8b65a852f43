"""The power API: one-call restoration from a call-centre system, resent safely; the hall's
queue for ticket machines and window terminals; revisits; masked personal data."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fugong.accounts import services as account_services
from fugong.directory.models import Site
from fugong.notify.models import Message
from fugong.power.models import FieldOrder, Ticket
from fugong.power.services import applications, hall

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, demo):
    def make(username):
        _token, raw = account_services.create_api_token(demo[username], name="test")
        return lambda method, path, **kw: getattr(client, method)(
            f"/api/power{path}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}", **kw
        )

    return make


def test_a_suspension_and_its_one_call_restoration_through_the_api(changda, relaxed, api):
    staff = api("hufenfen")
    start = timezone.localdate() - timedelta(days=3)
    application = applications.apply(None, changda, kind="suspension", capacity_kva=1250, start_on=start)
    applications.approve(None, application)
    listed = staff("get", f"/applications?account={changda.number}").json()
    assert listed[0]["status"] == "in_effect" and listed[0]["saving"]["days"] == 4

    url = f"/applications/{application.pk}/restoration"
    first = staff("post", url, data={"note": "来电"}, HTTP_IDEMPOTENCY_KEY="call-1")
    again = staff("post", url, data={"note": "来电"}, HTTP_IDEMPOTENCY_KEY="call-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "restoration_requested"
    assert FieldOrder.objects.filter(application=application).count() == 1
    assert Message.objects.filter(kind="restoration_received").count() == 1  # one SMS, not two
    done = staff("post", f"/applications/{application.pk}/restored")
    assert done.json()["status"] == "restored"


def test_applying_through_the_api_names_the_field_and_masks_mobiles(changda, company, api):
    staff = api("hufenfen")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = staff(
        "post",
        f"/accounts/{changda.pk}/applications",
        data={"kind": "suspension", "capacity_kva": 5000, "start_on": tomorrow},
    )
    assert bad.status_code == 422 and "capacity_kva" in bad.json()["errors"]
    accounts = api("qingyuan")("get", "/accounts?q=changda").json()
    assert accounts[0]["mobile"] == "139****6001"
    assert api("huyao")("get", "/accounts").json() == []


def test_a_ticket_machine_and_a_window_terminal(company, api):
    site = Site.objects.get(name="客户服务中心营业厅")
    window = hall.save_window(None, site, number=2, kinds=["pay_bill"])
    staff = api("hufenfen")
    taken = staff("post", f"/halls/{site.pk}/tickets", data={"kind": "pay_bill", "nonce": "m-1"})
    resent = staff("post", f"/halls/{site.pk}/tickets", data={"kind": "pay_bill", "nonce": "m-1"})
    assert (taken.status_code, resent.status_code) == (201, 200)
    assert taken.json()["code"] == resent.json()["code"] == "A001"
    called = staff("post", f"/windows/{window.pk}/next")
    assert called.json()["window"] == 2
    assert staff("get", f"/halls/{site.pk}/state").json()["windows"] == [{"number": 2, "current": "A001"}]
    assert staff("post", f"/windows/{window.pk}/finish").json()["status"] == "served"
    assert staff("post", f"/windows/{window.pk}/next").status_code == 204
    assert api("qingyuan")("post", f"/windows/{window.pk}/next").status_code == 403


def test_a_date_nobody_means_is_refused_and_an_old_one_breaks_no_page(changda, relaxed, api, client_for):
    """9999-12-30 as the first day used to answer 500 *and* save the application, after which
    the list and the page failed for every reader. Now it is a 422 naming the field, nothing is
    saved, and a row already stored with such a date (from before) still lists and shows."""
    from fugong.power.models import CapacityApplication

    staff = api("hufenfen")
    before = CapacityApplication.objects.count()
    for start in ("9999-12-30", "0202-02-10"):
        bad = staff(
            "post",
            f"/accounts/{changda.pk}/applications",
            data={"kind": "suspension", "capacity_kva": 500, "start_on": start},
        )
        assert bad.status_code == 422 and "start_on" in bad.text, start
    assert CapacityApplication.objects.count() == before

    application = applications.apply(None, changda, kind="suspension", capacity_kva=500, start_on=timezone.localdate())
    applications.approve(None, application)
    with pytest.raises(ValidationError) as refused:  # the last guard, whatever the path
        application.start_on = timezone.localdate().replace(year=9999)
        application.save()
    assert "start_on" in refused.value.message_dict
    CapacityApplication.objects.filter(pk=application.pk).update(
        start_on=date(9999, 12, 30), end_on=date(9999, 12, 31), status="in_effect"
    )
    assert staff("get", "/applications").status_code == 200
    assert client_for("hufenfen").get(f"/power/applications/{application.pk}/").status_code == 200


def test_text_longer_than_its_column_is_refused_naming_the_field(changda, relaxed, api):
    """A rejection reason, a restoration note or a ticket's nonce longer than the column holds
    answered 500 on PostgreSQL (SQLite stored it whole): now a 422 naming the field, and
    nothing changes."""
    staff = api("hufenfen")
    waiting = applications.apply(None, changda, kind="suspension", capacity_kva=500, start_on=timezone.localdate())
    rejected = staff("post", f"/applications/{waiting.pk}/reject", data={"reason": "长" * 201})
    in_effect = applications.apply(None, changda, kind="reduction", capacity_kva=250, start_on=timezone.localdate())
    applications.approve(None, in_effect)
    restored = staff("post", f"/applications/{in_effect.pk}/restoration", data={"note": "长" * 201})
    site = Site.objects.get(name="客户服务中心营业厅")
    hall.save_window(None, site, number=2, kinds=["pay_bill"])
    ticket = staff("post", f"/halls/{site.pk}/tickets", data={"kind": "pay_bill", "nonce": "n" * 65})
    for field, response in (("reason", rejected), ("note", restored), ("nonce", ticket)):
        assert response.status_code == 422, field
        assert list(response.json()["errors"]) == [f"payload.{field}"]
    waiting.refresh_from_db()
    in_effect.refresh_from_db()
    assert (waiting.status, in_effect.status) == ("applied", "in_effect")
    assert not Ticket.objects.filter(nonce__startswith="nnn").exists()


def test_a_revisit_done_resent_with_its_key_gets_the_first_answer(company, demo, api):
    """The lookup ran before the key's stored answer, among the revisits still open: the resend
    found none and answered 404 although the first had been recorded."""
    from .test_priority import register, visited

    _call, revisit = visited(register(company), demo, date(2026, 3, 2))
    staff = api("qy_power")
    url = f"/revisits/{revisit.pk}/done"
    first = staff("post", url, data={"outcome": "已恢复供电，老人安好"}, HTTP_IDEMPOTENCY_KEY="rv-1")
    again = staff("post", url, data={"outcome": "已恢复供电，老人安好"}, HTTP_IDEMPOTENCY_KEY="rv-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    other = staff("post", url, data={"outcome": "另一次"}, HTTP_IDEMPOTENCY_KEY="rv-2")
    assert other.status_code == 404  # done: no longer open
