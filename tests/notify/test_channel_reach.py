"""Who may send through a channel: an organisation's staff through its own; a county's
coordinators through the county's; everyone who may send through the platform default. A call
for help can be sent by whoever may open it, or its page says why not and who can fix it."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fugong.directory.models import Organisation, Region
from fugong.notify import services
from fugong.notify.models import Channel
from fugong.notify.queries import usable_channels
from fugong.volunteers.services import calls, teams


def county(code: str) -> Channel:
    return Channel.objects.get(region__code=code)


def test_a_county_channel_serves_its_coordinators_and_no_one_elsewhere(demo: Any) -> None:
    xiajiang, qingyuan = county("360823"), county("331126")
    assert set(usable_channels(demo["xiajiang"])) >= {xiajiang} and qingyuan not in usable_channels(demo["xiajiang"])
    assert qingyuan in usable_channels(demo["qingyuan"]) and xiajiang not in usable_channels(demo["qingyuan"])
    assert qingyuan in usable_channels(demo["lishui"])  # the city's coordinator, over its counties
    assert xiajiang not in usable_channels(demo["huyao"])  # a network point's clerk: the bureau's own channel


def test_the_platform_administrator_sets_the_county_and_the_one_default(client_for: Any, demo: Any) -> None:
    client = client_for("admin")
    form = {"kind": "console", "options": "{}", "rate_per_minute": 600, "daily_quota_per_recipient": 20}
    form |= {"is_active": "on"}
    client.post(
        "/notify/channels/new/", form | {"name": "新干县控制台", "region": Region.objects.get(code="331126").pk}
    )
    assert Channel.objects.get(name="新干县控制台").region.code == "331126"
    client.post("/notify/channels/new/", form | {"name": "平台短信一", "is_default": "on"})
    client.post("/notify/channels/new/", form | {"name": "平台短信二", "is_default": "on"})
    assert list(Channel.objects.filter(is_default=True).values_list("name", flat=True)) == ["平台短信二"]
    default = Channel.objects.get(name="平台短信二")
    assert default in usable_channels(demo["huyao"]) and default in usable_channels(demo["xiajiang"])
    assert default not in usable_channels(demo["laoyan"])  # a volunteer sends nothing
    refused = client.post("/notify/channels/new/", form | {"name": "县里的默认", "is_default": "on", "region": 1})
    assert refused.status_code == 200 and not Channel.objects.filter(name="县里的默认").exists()
    # An organisation's administrator sets neither: the fields are not on the form.
    page = client_for("huanghuiyun").get("/notify/channels/new/").content.decode()
    assert 'name="region"' not in page and 'name="is_default"' not in page


def call_of_the_bureau() -> Any:
    bureau = Organisation.objects.get(short_name="峡江县局")
    team = teams.save_team(
        None, name="巴邱通道测试组", kind="mutual_aid", organisation=bureau, region=Region.objects.get(code="360823100")
    )
    teams.save_member(None, team, name="甲", mobile="13907961234", consent=True)
    start = timezone.now() + timedelta(days=1)
    return calls.open_call(
        None,
        bureau,
        title="装车",
        needed=1,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="网点",
        teams=[team],
    )


def test_a_county_coordinator_sends_a_call_or_is_told_who_sets_up_a_channel(client_for: Any, demo: Any) -> None:
    call = call_of_the_bureau()
    client = client_for("xiajiang")
    page = client.get(f"/volunteers/calls/{call.pk}/").content.decode()
    assert f'value="{county("360823").pk}"' in page and 'id="no-channel"' not in page
    sent = client.post(f"/volunteers/calls/{call.pk}/", {"send": "1", "channel": county("360823").pk})
    assert sent.status_code == 302 and call.invitations.get().channel == county("360823")

    services.save_channel(None, county("360823"), is_active=False)
    page = client.get(f"/volunteers/calls/{call.pk}/").content.decode()
    assert 'id="no-channel"' in page and "峡江县" in page and 'name="channel"' not in page
