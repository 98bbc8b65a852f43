"""Field work on the phone: a worker sees the restorations they are sent to, calls the
enterprise and records supply restored at the meter."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fugong.notify.models import Message
from fugong.power.models import ApplicationStatus, FieldOrder
from fugong.power.services import applications

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(changda, relaxed, demo):
    start = timezone.localdate() - timedelta(days=3)
    application = applications.apply(None, changda, kind="suspension", capacity_kva=1250, start_on=start)
    applications.approve(None, application)
    applications.request_restoration(None, application)
    order = FieldOrder.objects.get(application=application)
    return applications.dispatch_field_order(None, order, demo["hufenfen"])


def test_the_worker_sees_their_restoration_calls_and_restores_it(sent, client_for):
    worker = client_for("hufenfen")
    page = worker.get("/power/field/").content.decode()
    assert f'data-field-order="{sent.pk}"' in page
    assert 'href="tel:13905786001"' in page  # the enterprise, to call from the road
    done = worker.post(f"/power/applications/{sent.application_id}/complete/", {"note": "已送电", "back": "field"})
    assert done.status_code == 302 and done["Location"] == "/power/field/"
    sent.refresh_from_db()
    assert sent.done_at is not None and sent.application.status == ApplicationStatus.RESTORED
    assert Message.objects.filter(kind="restoration_done").count() == 1
    assert f'data-field-order="{sent.pk}"' not in worker.get("/power/field/").content.decode()


def test_only_the_companys_staff_and_only_the_workers_own_by_default(sent, client_for):
    administrator = client_for("qy_power")
    assert f'data-field-order="{sent.pk}"' not in administrator.get("/power/field/").content.decode()  # not theirs
    assert f'data-field-order="{sent.pk}"' in administrator.get("/power/field/?all=1").content.decode()
    assert client_for("qingyuan").get("/power/field/").status_code == 403  # a coordinator reads, does not go
    assert client_for("huyao").get("/power/field/").status_code == 403  # the tobacco bureau


@pytest.fixture
def requested(changda, relaxed):
    """浙江昌达 called to restore supply: a field order for 松源供电所, nobody sent yet."""
    start = timezone.localdate() - timedelta(days=3)
    application = applications.apply(None, changda, kind="suspension", capacity_kva=1250, start_on=start)
    applications.approve(None, application)
    applications.request_restoration(None, application)
    return FieldOrder.objects.get(application=application)


def crew_member(company, station: str, username: str, name: str, mobile: str):
    """Someone of a supply station's field crew: staff of the company's site of that name."""
    from fugong.accounts import services as account_services
    from fugong.accounts.models import Membership, Role
    from fugong.directory import services as directory_services
    from fugong.directory.models import Region, Site

    site = Site.objects.filter(organisation=company, name=station).first() or directory_services.create_site(
        None,
        organisation=company,
        name=station,
        kind=Site.Kind.SUPPLY_STATION,
        region=Region.objects.get(code="331126003"),
    )
    membership = Membership(role=Role.SITE_STAFF, organisation=company, site=site)
    return account_services.create_user(
        None, username=username, password="x-Long-enough-9", full_name=name, mobile=mobile, membership=membership
    )


def test_a_restoration_is_sent_to_the_field_crew_of_the_enterprises_station(requested, company, demo, client_for):
    electrician = crew_member(company, "松源供电所", "songyuan1", "周电工", "13905786101")
    crew_member(company, "黄田供电所", "huangtian1", "黄电工", "13905786102")  # another station's
    page = client_for("hufenfen").get(f"/power/applications/{requested.application_id}/").content.decode()
    offered = page.split('data-form="dispatch"')[1].split("</form>")[0]
    assert "周电工" in offered
    assert "胡芬芬" not in offered and "黄电工" not in offered  # not the hall's counter, not another station
    assert "松源供电所" in offered and 'data-offered="crew"' in offered
    # The service holds the same rule: the hall's staff cannot be sent to the meter.
    with pytest.raises(ValidationError):
        applications.dispatch_field_order(demo["hufenfen"], requested, demo["hufenfen"])
    refused = client_for("hufenfen").post(
        f"/power/applications/{requested.application_id}/dispatch/", {"worker": demo["hufenfen"].pk}
    )
    assert refused.status_code == 302
    requested.refresh_from_db()
    assert requested.assignee is None
    client_for("hufenfen").post(f"/power/applications/{requested.application_id}/dispatch/", {"worker": electrician.pk})
    requested.refresh_from_db()
    assert requested.assignee == electrician
    told = Message.objects.get(kind="restoration_dispatched")
    assert "松源供电所已安排周电工" in told.body


def test_the_field_worker_sees_where_the_enterprise_is(requested, company, changda):
    from django.test import Client

    changda.address = "庆元县松源街道工业园区18号"
    changda.save(update_fields=["address"])
    electrician = crew_member(company, "松源供电所", "songyuan1", "周电工", "13905786101")
    applications.dispatch_field_order(None, requested, electrician)
    worker = Client()
    worker.force_login(electrician)
    page = worker.get("/power/field/").content.decode()
    assert "庆元县松源街道工业园区18号" in page and "吴总" in page
    # His home page says he has work, first, and leads to it.
    home = worker.get("/").content.decode()
    card = home.split('<article class="card home-card')[1].split("</article>")[0]
    assert "我的现场工单" in card and 'href="/power/field/"' in card


def test_without_a_crew_on_the_platform_the_companys_people_are_offered(requested, client_for):
    page = client_for("hufenfen").get(f"/power/applications/{requested.application_id}/").content.decode()
    offered = page.split('data-form="dispatch"')[1].split("</form>")[0]
    assert "胡芬芬" in offered and 'data-offered="company"' in offered  # and the page says why


def test_a_field_workers_menu_has_the_power_pages_and_no_screening(demo, hall_venue):
    """叶建国 of 城区供电所 screens nobody: no screening page in his menu (it would answer 403)."""
    from fugong.site.navigation import menu_for

    names = {item["name"] for item in menu_for(demo["yejianguo"], "/")}
    assert "power:index" in names and "notify:outbox" in names
    assert "screening:index" not in names
    assert "screening:index" in {item["name"] for item in menu_for(demo["hufenfen"], "/")}
