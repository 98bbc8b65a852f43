"""The priority line: a call, a home visit, and the revisit that cannot be dropped."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from fugong.accounts.models import AuditEntry
from fugong.core import erasure
from fugong.directory.models import Region
from fugong.notify.models import Message
from fugong.power import queries
from fugong.power.models import CallStatus, Resident, Revisit
from fugong.power.services import priority

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def grandma(company):
    with time_machine.travel(local(date(2026, 3, 1)), tick=False):
        return register(company)


def register(company):
    return priority.save_resident(
        None,
        company,
        name="吴奶奶",
        kind="elderly_alone",
        phone="0578-6221234",
        address="百山祖镇某村12号",
        region=Region.objects.get(code="331126105"),
        contact_name="吴小明（儿子）",
        contact_phone="13905787777",
    )


def visited(grandma, demo, day):
    with time_machine.travel(local(day, 9), tick=False):
        call = priority.receive_call(demo["hufenfen"], grandma, need="家里没电了", urgency="urgent")
        priority.assign(demo["hufenfen"], call, user=demo["qy_power"])
    with time_machine.travel(local(day, 15), tick=False):
        _visit, revisit = priority.record_visit(
            demo["qy_power"], call, visited_at=local(day, 11), visitor="", findings="空开跳闸，已复位并检查线路"
        )
    return call, revisit


def test_a_call_brings_a_visit_and_a_revisit_a_fortnight_later(grandma, demo):
    assert grandma.phone == "+865786221234"  # a landline with its area code is accepted
    call, revisit = visited(grandma, demo, date(2026, 3, 2))
    call.refresh_from_db()
    assert call.status == CallStatus.VISITED
    assert revisit.due_on == date(2026, 3, 16)
    assert call.visits.get().visitor == "庆元供电管理员"


def test_a_visited_call_sends_nobody_and_an_opted_out_contact_is_not_counted_as_told(grandma, demo):
    from fugong.notify import services as notify

    call, _revisit = visited(grandma, demo, date(2026, 3, 2))
    with pytest.raises(ValidationError, match="已上门处理完毕"):
        priority.assign(demo["hufenfen"], call, user=demo["qy_power"])  # a stale page
    notify.opt_out(None, "13905787777")  # the son asked for no more messages
    again = priority.receive_call(demo["hufenfen"], grandma, need="又没电了")
    again = priority.assign(demo["hufenfen"], again, user=demo["qy_power"])
    assert (again.helper_told, again.resident_told) == (True, False)
    assert Message.objects.filter(kind="priority_on_the_way_contact", status="skipped").count() == 1


def test_a_residents_address_never_goes_to_a_group_robot(grandma, demo):
    from fugong.notify.models import Channel

    Channel.objects.filter(organisation=grandma.organisation).update(kind="wecom_robot")  # only a group chat
    call = priority.receive_call(demo["hufenfen"], grandma, need="家里没电了")
    call = priority.assign(demo["hufenfen"], call, user=demo["qy_power"])
    assert (call.helper_told, call.resident_told) == (False, False)
    assert not Message.objects.exists()


def test_a_revisit_shows_as_overdue_the_day_after_it_is_due(grandma, demo):
    _call, revisit = visited(grandma, demo, date(2026, 3, 2))
    with time_machine.travel(local(date(2026, 3, 16), 8), tick=False):
        assert not priority.is_overdue(revisit)
        assert list(queries.open_revisits(demo["hufenfen"])) == [revisit]
    with time_machine.travel(local(date(2026, 3, 17), 0, 1), tick=False):
        assert priority.is_overdue(revisit)


def test_a_revisit_cannot_be_deleted_only_done(grandma, demo):
    call, revisit = visited(grandma, demo, date(2026, 3, 2))
    with pytest.raises(ProtectedError):
        revisit.delete()
    with pytest.raises(ProtectedError):
        Revisit.objects.filter(pk=revisit.pk).delete()
    with pytest.raises(ProtectedError):
        grandma.delete()  # nor by taking the resident or the call away
    with pytest.raises(ProtectedError):
        call.delete()
    with time_machine.travel(local(date(2026, 3, 18), 10), tick=False):
        with pytest.raises(ValidationError):
            priority.complete_revisit(demo["hufenfen"], revisit, outcome=" ")
        done, following = priority.complete_revisit(
            demo["hufenfen"], revisit, outcome="线路正常，老人身体好", next_on=date(2026, 4, 1)
        )
        assert not priority.is_overdue(done)
        with pytest.raises(ValidationError):
            priority.complete_revisit(demo["hufenfen"], revisit, outcome="again")
    assert following is not None and following.due_on == date(2026, 4, 1)
    assert Revisit.objects.count() == 2


def test_assigning_a_volunteer_and_who_may_use_the_line(grandma, demo_volunteers):
    from fugong.volunteers.models import Member

    member = Member.objects.filter(left_on__isnull=True).exclude(mobile="").first()
    call = priority.receive_call(demo_volunteers["hufenfen"], grandma, need="想了解电费")
    priority.assign(demo_volunteers["hufenfen"], call, member=member)
    call.refresh_from_db()
    assert call.assignee == member and call.status == CallStatus.ASSIGNED
    # The volunteer learns where to go; grandma has a landline, so her son hears who is coming.
    to_volunteer = Message.objects.get(kind="priority_assigned")
    assert to_volunteer.recipient == member.mobile
    assert to_volunteer.body == "亲情2号键：请尽快上门帮助吴奶奶（百山祖镇某村12号，电话05786221234）。需要：想了解电费"
    to_son = Message.objects.get(kind="priority_on_the_way_contact")
    assert to_son.recipient == "+8613905787777"
    # Addressed to the son, about his mother (not "吴奶奶您好" to him).
    assert to_son.body == f"您好，您家人吴奶奶在亲情2号键的求助已安排{member.name}上门，联系电话{member.mobile[3:]}。"
    assert not Message.objects.filter(kind="priority_on_the_way").exists()
    assert (call.helper_told, call.resident_told) == (True, True)
    with pytest.raises(ValidationError):
        priority.assign(demo_volunteers["hufenfen"], call)
    with pytest.raises(PermissionDenied):
        priority.receive_call(demo_volunteers["wuyuanzi"], grandma, need="x")


def test_personal_data_is_never_logged_and_erased_after_the_registration_ends(grandma, demo, settings):
    priority.save_resident(demo["hufenfen"], grandma.organisation, grandma, phone="13905786666")
    entry = AuditEntry.objects.filter(action="power.resident.update").get()
    assert entry.changes == {"phone": ["***", "***"]}
    _call, revisit = visited(grandma, demo, date(2026, 3, 2))
    priority.end_registration(demo["hufenfen"], grandma, date(2026, 3, 20))
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"priority_residents": 365}
    residents = erasure.get("power.priority_residents")
    assert erasure.erase(residents, local(date(2027, 3, 20), 2, 30)) == 0
    assert erasure.erase(residents, local(date(2027, 3, 21), 2, 30)) == 1
    grandma.refresh_from_db()
    assert (grandma.name, grandma.phone, grandma.address, grandma.erased) == ("（已删除）", "", "", True)
    assert Revisit.objects.filter(pk=revisit.pk).exists()  # the promise stays on the books
    assert Resident.objects.count() == 1


def test_the_nearest_helpers_come_first_with_their_open_tickets(company, demo_volunteers, hall_venue, client_for):
    """A resident of 会溪村 (松源街道): the volunteer of her village first, then the town's
    people (staff on duty before those who are not), then the rest of the county."""
    from django.utils import timezone, translation

    from fugong.directory.models import Organisation
    from fugong.power.forms import helper_label
    from fugong.screening.models import StaffTemperature
    from fugong.volunteers.models import Member, Team

    demo = demo_volunteers
    village = Region.objects.get(code="331126003202")
    federation = Organisation.objects.get(short_name="县妇联")
    team = Team.objects.create(name="会溪村美丽帮帮团", kind="volunteer", organisation=federation, region=village)
    neighbour = Member.objects.create(team=team, name="会溪邻居", mobile="+8613905789001", village=village)
    resident = priority.save_resident(
        None,
        company,
        name="测试奶奶",
        kind="elderly_alone",
        phone="13905786666",
        address="会溪村8号",
        region=village,
    )
    # 胡芬芬 (the hall, in the town) took her temperature at work today and has a call open.
    StaffTemperature.objects.create(
        venue=hall_venue, staff=demo["hufenfen"], taken_at=timezone.now(), temperature="36.5"
    )
    earlier = priority.receive_call(None, register(company), need="电费")
    priority.assign(None, earlier, user=demo["hufenfen"])
    call = priority.receive_call(None, resident, need="家里停电", urgency="urgent")
    helpers = queries.helpers_for(call)
    keys = [h.key for h in helpers]
    assert keys[0] == f"member:{neighbour.pk}"
    town = [h for h in helpers if h.nearness == queries.SAME_TOWN]
    assert town[0].key == f"user:{demo['hufenfen'].pk}" and town[0].on_duty and town[0].open_today == 1
    assert f"user:{demo['yejianguo'].pk}" in [h.key for h in town]  # 城区供电所 is in 松源街道 too
    assert keys.index(f"user:{demo['yejianguo'].pk}") < keys.index(f"user:{demo['qy_power'].pk}")  # no site
    assert [h.nearness for h in helpers] == sorted(h.nearness for h in helpers)
    with translation.override("en"):
        assert helper_label(town[0]) == "胡芬芬 · 客户服务中心营业厅 · on duty · 1 open ticket"
    # The page offers them in that order.
    page = client_for("hufenfen").get(f"/power/priority/calls/{call.pk}/").content.decode()
    offered = page.split('name="assignee"')[1].split("</select>")[0]
    positions = [offered.index(f'value="{key}"') for key in keys[:5]]
    assert positions == sorted(positions)


def test_staff_with_a_fever_today_are_not_offered_for_a_home_visit(company, demo, hall_venue):
    """A colleague whose reading today is a fever, or who was sent home with one, is not sent
    into an elderly person's home; one measured again and normal is on duty."""
    from django.utils import timezone

    from fugong.screening.models import FeverAction, StaffTemperature

    now = timezone.now()
    feverish, sent_home, recovered = demo["hufenfen"], demo["yejianguo"], demo["qy_power"]
    StaffTemperature.objects.create(venue=hall_venue, staff=feverish, taken_at=now, temperature="38.2", fever=True)
    StaffTemperature.objects.create(
        venue=hall_venue,
        staff=sent_home,
        taken_at=now,
        temperature="37.9",
        fever=True,
        action=FeverAction.SENT_HOME,
        action_at=now,
    )
    earlier = now - timezone.timedelta(minutes=20)
    StaffTemperature.objects.create(
        venue=hall_venue,
        staff=recovered,
        taken_at=earlier,
        temperature="37.4",
        fever=True,
        action=FeverAction.REMEASURED,
        action_at=now,
    )
    StaffTemperature.objects.create(venue=hall_venue, staff=recovered, taken_at=now, temperature="36.6")
    call = priority.receive_call(None, register(company), need="家里停电", urgency="urgent")
    helpers = {h.key: h for h in queries.helpers_for(call)}
    assert f"user:{feverish.pk}" not in helpers and f"user:{sent_home.pk}" not in helpers
    assert helpers[f"user:{recovered.pk}"].on_duty


def test_the_urgency_follows_the_kind_of_call_unless_said_otherwise(grandma, demo, client_for):
    from fugong.power.models import PriorityCall

    assert priority.receive_call(None, grandma, need="家里没电了", kind="power_cut").urgency == "urgent"
    assert priority.receive_call(None, grandma, need="插座冒火花", kind="hazard").urgency == "urgent"
    assert priority.receive_call(None, grandma, need="电费怎么交", kind="bill").urgency == "normal"
    assert priority.receive_call(None, grandma, need="灯不亮", kind="power_cut", urgency="normal").urgency == "normal"
    # On the resident's page, the urgency is left as the kind says.
    page = client_for("hufenfen").get(f"/power/priority/residents/{grandma.pk}/").content.decode()
    assert 'name="kind"' in page
    taken = client_for("hufenfen").post(
        f"/power/priority/residents/{grandma.pk}/call/", {"kind": "power_cut", "need": "全屋停电", "urgency": ""}
    )
    call = PriorityCall.objects.get(need="全屋停电")
    assert taken["Location"] == f"/power/priority/calls/{call.pk}/"
    assert (call.kind, call.urgency) == ("power_cut", "urgent")


def test_an_urgent_power_cut_becomes_a_repair_order_for_the_station_in_one_step(company, demo, client_for):
    """会溪村 is served by 松源供电所 (its account says so): the call page offers that
    station's crew; one press makes the repair order and sends the electrician, who sees the
    address on the field page and records supply back, which records the visit."""
    from django.test import Client

    from fugong.power.models import FieldOrder, PowerAccount

    from .test_field import crew_member

    village = Region.objects.get(code="331126003202")
    account = PowerAccount.objects.create(
        organisation=company,
        number="3312609001",
        holder="测试奶奶",
        kind="resident",
        voltage="low",
        billing="single",
        capacity_kva=6,
        region=village,
        supply_station="松源供电所",
        search_key="测试奶奶",
    )
    electrician = crew_member(company, "松源供电所", "songyuan1", "周电工", "13905786101")
    resident = priority.save_resident(
        None,
        company,
        name="测试奶奶",
        kind="elderly_alone",
        phone="0578-6229999",
        address="会溪村8号",
        region=village,
        contact_name="测试儿子",
        contact_phone="13905788888",
        account=account,
    )
    call = priority.receive_call(None, resident, need="家里停电", kind="power_cut")
    supervisor = client_for("hufenfen")
    page = supervisor.get(f"/power/priority/calls/{call.pk}/").content.decode()
    form = page.split('data-form="repair"')[1].split("</form>")[0]
    assert "松源供电所" in form and "周电工" in form and "胡芬芬" not in form
    sent = supervisor.post(f"/power/priority/calls/{call.pk}/repair/", {"worker": electrician.pk})
    assert sent.status_code == 302
    order = FieldOrder.objects.get(call=call)
    assert (order.station, order.assignee) == ("松源供电所", electrician)
    call.refresh_from_db()
    assert call.status == CallStatus.ASSIGNED and call.assigned_user == electrician
    assert Message.objects.get(kind="priority_assigned").recipient == "+8613905786101"
    # Pressed twice (a double click): still one order.
    supervisor.post(f"/power/priority/calls/{call.pk}/repair/", {"worker": electrician.pk})
    assert FieldOrder.objects.filter(call=call).count() == 1
    worker = Client()
    worker.force_login(electrician)
    field = worker.get("/power/field/").content.decode()
    assert f'data-field-order="{order.pk}"' in field and "会溪村8号" in field and "tel:13905788888" in field
    done = worker.post(f"/power/priority/calls/{call.pk}/repaired/", {"note": "更换熔丝，已送电", "back": "field"})
    assert done["Location"] == "/power/field/"
    call.refresh_from_db()
    assert call.status == CallStatus.VISITED and call.visits.get().findings == "更换熔丝，已送电"
    assert call.revisits.filter(done_at__isnull=True).count() == 1
    assert f'data-field-order="{order.pk}"' not in worker.get("/power/field/").content.decode()


def test_only_a_no_power_or_hazard_call_becomes_a_repair_order(grandma, demo):
    call = priority.receive_call(None, grandma, need="电费怎么交", kind="bill")
    with pytest.raises(ValidationError):
        priority.order_repair(demo["hufenfen"], call, demo["hufenfen"])
