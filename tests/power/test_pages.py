"""The power pages as the company's staff, its administrator, a coordinator and outsiders."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fugong.directory.models import Region, Site
from fugong.notify.models import Message
from fugong.power.models import ApplicationStatus, CapacityApplication, Ticket, TicketStatus
from fugong.power.services import applications, hall, priority

from .conftest import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, relaxed):
    account = make_account(company)
    tomorrow = timezone.localdate() + timedelta(days=1)
    application = applications.apply(None, account, kind="suspension", capacity_kva=630, start_on=tomorrow)
    site = Site.objects.get(name="客户服务中心营业厅")
    window = hall.save_window(None, site, number=2, kinds=["pay_bill", "suspension"])
    resident = priority.save_resident(
        None,
        company,
        name="吴奶奶",
        kind="elderly_alone",
        phone="13905787777",
        address="百山祖镇12号",
        region=Region.objects.get(code="331126105"),
    )
    call = priority.receive_call(None, resident, need="没电了", urgency="urgent")
    return {
        "account": account,
        "application": application,
        "site": site,
        "window": window,
        "resident": resident,
        "call": call,
    }


def test_every_page_opens_for_the_companys_administrator(world, client_for):
    client = client_for("qy_power")
    site = world["site"]
    pages = [
        "/power/",
        "/power/accounts/",
        "/power/accounts/new/",
        "/power/accounts/import/",
        f"/power/accounts/{world['account'].pk}/",
        f"/power/accounts/{world['account'].pk}/apply/",
        "/power/applications/?status=applied",
        f"/power/applications/{world['application'].pk}/",
        "/power/rules/",
        "/power/notices/",
        f"/power/halls/{site.pk}/",
        f"/power/windows/{world['window'].pk}/",
        f"/power/screen/{hall.screen_token(site)}/",
        f"/power/screen/{hall.screen_token(site)}/?window=2",
        "/power/priority/",
        "/power/priority/residents/new/",
        f"/power/priority/residents/{world['resident'].pk}/",
        f"/power/priority/calls/{world['call'].pk}/",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_rules_page_keeps_the_relaxations_first_day_in_its_date_field(world, client_for):
    # A date field shows nothing unless its value is ISO; saving the page would then lose it.
    page = client_for("qy_power").get("/power/rules/").content.decode()
    assert re.search(r'type="date" name="rules-epidemic_from" value="2020-02-01"', page)


def test_lists_mask_mobiles_and_the_account_page_shows_them_to_staff(world, client_for):
    listing = client_for("qy_power").get("/power/accounts/").content.decode()
    assert "139****6001" in listing and "13905786001" not in listing
    detail = client_for("hufenfen").get(f"/power/accounts/{world['account'].pk}/").content.decode()
    assert "13905786001" in detail
    coordinator = client_for("qingyuan").get(f"/power/accounts/{world['account'].pk}/").content.decode()
    assert "13905786001" not in coordinator and "139****6001" in coordinator


def test_approving_on_the_page_tells_the_enterprise(world, client_for):
    client = client_for("hufenfen")
    url = f"/power/applications/{world['application'].pk}/"
    response = client.post(url + "approve/", follow=True)
    assert response.status_code == 200
    assert CapacityApplication.objects.get(pk=world["application"].pk).status == ApplicationStatus.APPROVED
    assert Message.objects.filter(kind="application_approved", recipient="+8613905786001").exists()


def test_rejecting_without_a_reason_says_which_box_is_empty_and_changes_nothing(world, client_for):
    url = f"/power/applications/{world['application'].pk}/"
    page = client_for("hufenfen").post(url + "reject/", {"reason": "  "}, follow=True).content.decode()
    assert "原因（将告知企业）：这个字段是必填项。" in page
    assert 'class="inline-field" data-field="reason"><span>原因（将告知企业）</span>' in page  # named beside the box
    assert CapacityApplication.objects.get(pk=world["application"].pk).status == ApplicationStatus.APPLIED
    assert not Message.objects.filter(kind="application_rejected").exists()


def test_coordinators_read_but_do_not_act_and_outsiders_see_nothing(world, client_for):
    coordinator = client_for("qingyuan")
    assert coordinator.get("/power/applications/").status_code == 200
    assert coordinator.post(f"/power/applications/{world['application'].pk}/approve/").status_code == 403
    assert coordinator.get("/power/rules/").status_code == 403
    tobacco = client_for("huyao")
    assert tobacco.get("/power/").status_code == 403
    assert tobacco.get(f"/power/accounts/{world['account'].pk}/").status_code == 404
    menu = client_for("huyao").get("/").content.decode()
    assert 'data-nav="power:index"' not in menu
    assert 'data-nav="power:index"' in client_for("hufenfen").get("/").content.decode()


def test_sending_someone_from_the_call_page_tells_them_and_the_resident(world, client_for, demo):
    url = f"/power/priority/calls/{world['call'].pk}/"
    page = client_for("hufenfen").post(url + "assign/", {"assignee": f"user:{demo['qy_power'].pk}"}, follow=True)
    shown = page.content.decode()
    assert "庆元供电管理员" in shown and 'data-told="helper">已短信通知' in shown
    assert 'data-told="resident">已短信告知老人上门人员' in shown
    assert Message.objects.filter(kind="priority_assigned", recipient=demo["qy_power"].mobile).exists()


def test_a_new_hall_screen_link_stops_the_old_one(world, client_for):
    from django.test import Client

    site = world["site"]
    old = f"/power/screen/{hall.screen_token(site)}/"
    assert Client().get(old).status_code == 200  # the TV signs in as nobody
    assert client_for("hufenfen").post(f"/power/halls/{site.pk}/screen/renew/").status_code == 403  # staff
    page = client_for("qy_power").post(f"/power/halls/{site.pk}/screen/renew/", follow=True)
    assert "旧链接已失效" in page.content.decode()
    assert Client().get(old).status_code == 403
    assert Client().get(old, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"  # the TV's next refresh reloads
    assert Client().get(f"/power/screen/{hall.screen_token(site)}/").status_code == 200
    assert f"/power/screen/{hall.screen_token(site)}/" in page.content.decode()  # the hall page links the new one


def test_the_window_page_calls_and_serves(world, client_for):
    ticket, _ = hall.take_ticket(None, world["site"], "pay_bill")
    client = client_for("hufenfen")
    url = f"/power/windows/{world['window'].pk}/"
    page = client.post(url, {"action": "next"}, HTTP_HX_REQUEST="true").content.decode()
    assert "A001" in page
    client.post(url, {"action": "served"}, HTTP_HX_REQUEST="true")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.SERVED


def test_a_visitor_takes_a_number_from_the_admission_and_follows_it(world, hall_venue, client):
    from fugong.screening.models import Channel
    from fugong.screening.services import checkins
    from fugong.screening.services.checkins import Visitor

    from ..screening.conftest import GREEN

    record, _ = checkins.check_in(
        None, hall_venue, Visitor("王大伯", mobile="13905781234"), GREEN, channel=Channel.PHONE
    )
    page = client.get(f"/power/number/{record.public_id}/").content.decode()
    assert "pay_bill" in page and "installation" not in page  # only business a window takes
    response = client.post(f"/power/number/{record.public_id}/", {"kind": "pay_bill", "nonce": "abc"})
    ticket = Ticket.objects.get()
    assert response.url == f"/power/ticket/{ticket.public_id}/"
    mine = client.get(response.url).content.decode()
    assert "A001" in mine
    client.post(response.url, {"action": "cancel"})
    assert Ticket.objects.get().status == TicketStatus.CANCELLED


def test_the_admission_result_offers_a_number_where_a_window_is_open(world, hall_venue, client):
    from fugong.screening.models import Channel
    from fugong.screening.services import checkins
    from fugong.screening.services.checkins import Visitor

    from ..screening.conftest import GREEN

    record, _ = checkins.check_in(
        None, hall_venue, Visitor("王大伯", mobile="13905781234"), GREEN, channel=Channel.PHONE
    )
    page = client.get(f"/screening/r/{record.public_id}/").content.decode()
    assert f"/power/number/{record.public_id}/" in page
    fever, _ = checkins.check_in(
        None, hall_venue, Visitor("发热", mobile="13905780000"), GREEN | {"temperature": "38.4"}, channel=Channel.PHONE
    )
    assert "/power/number/" not in client.get(f"/screening/r/{fever.public_id}/").content.decode()
