"""Every link sent or printed starts with BASE_URL, and every signed link is made and read one way."""

from datetime import timedelta
from typing import Any

import pytest
import segno
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fugong.core import links
from fugong.core.checks import check_base_url
from fugong.directory.models import Organisation, Site
from fugong.notify.models import Channel, Message
from fugong.power.services import hall
from fugong.screening.services import venues
from fugong.volunteers.models import Member
from fugong.volunteers.services import calls, duty
from tests.volunteers.conftest import make_team

ELSEWHERE = "http://127.0.0.1:8123"


def test_a_token_gives_back_what_it_was_made_with() -> None:
    token = links.make_token("duty", 12, 3)
    assert links.read_token("duty", token, 2) == [12, 3]
    assert links.make_token("duty", 12, 3) == token  # the same link each time it is shown or printed
    assert links.make_token("duty", 12, 4) != token


@pytest.mark.parametrize(
    ("purpose", "token", "size"),
    [
        ("duty", links.make_token("duty", 12, 3)[:-2] + "xx", 2),  # tampered
        ("duty", links.make_token("duty", 12, 3)[:12], 2),  # cut short
        ("duty", "forged", 2),
        ("answer", links.make_token("duty", 12, 3), 2),  # a duty link is no answer link
        ("duty", links.make_token("duty", 12, 3), 3),  # not the shape this link has
        ("duty", signing.Signer(salt="fugong.link.duty").sign_object(["12", 3]), 2),
    ],
)
def test_a_token_that_is_not_ours_for_this_link_is_refused(purpose: str, token: str, size: int) -> None:
    with pytest.raises(links.BadLink):
        links.read_token(purpose, token, size)


def test_absolute_follows_base_url(settings: Any) -> None:
    settings.BASE_URL = ELSEWHERE + "/"
    assert links.absolute("/") == ELSEWHERE + "/"
    assert links.absolute("volunteers:duty", "abc") == ELSEWHERE + "/volunteers/duty/abc/"


def federation_member() -> tuple[Organisation, Member]:
    federation = Organisation.objects.get(short_name="县妇联")
    team = make_team(federation, "链接测试队", "volunteer", "331126001", ["甲"])
    return federation, team.members.get()


def test_a_renewed_link_no_longer_opens(demo: Any) -> None:
    _federation, member = federation_member()
    old = duty.duty_token(member)
    duty.renew_duty_link(None, member)
    with pytest.raises(PermissionDenied):
        duty.read_duty_token(old)
    assert duty.read_duty_token(duty.duty_token(member)) == member

    site = Site.objects.get(name="客户服务中心营业厅")
    venue = venues.open_venue(None, site)
    old = venues.venue_token(venue)
    venues.rotate_code(None, venue)
    with pytest.raises(PermissionDenied, match="已更换"):
        venues.read_venue_token(old)

    old = hall.screen_token(site)
    assert hall.read_screen_token(old) == site
    hall.renew_screen_link(None, site)
    with pytest.raises(PermissionDenied):
        hall.read_screen_token(old)


def test_links_sent_shown_and_printed_start_with_base_url(
    demo: Any, settings: Any, client_for: Any, monkeypatch: Any
) -> None:
    settings.BASE_URL = ELSEWHERE
    federation, member = federation_member()
    channel = Channel.objects.get(name="县妇联（演示控制台）")

    start = timezone.now() + timedelta(days=1)
    call = calls.open_call(
        None,
        federation,
        title="卡口值守",
        needed=1,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        place="西演村",
        teams=[member.team],
    )
    calls.send_call(None, call, channel)
    answer = Message.objects.get(kind=calls.MESSAGE_KIND, recipient=member.mobile).body
    assert ELSEWHERE + reverse("volunteers:answer", args=[calls.answer_token(call, member)]) in answer

    duty.send_duty_links(None, [member], channel)
    assert duty.duty_link(member).startswith(ELSEWHERE + "/volunteers/duty/")
    assert duty.duty_link(member) in Message.objects.get(kind=duty.MESSAGE_KIND, recipient=member.mobile).body

    site = Site.objects.get(name="客户服务中心营业厅")
    page = client_for("hufenfen").get(reverse("power:hall", args=[site.pk])).content.decode()
    assert f'href="{ELSEWHERE}/power/screen/{hall.screen_token(site)}/"' in page

    encoded = []
    make = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **options: encoded.append(content) or make(content, **options))
    venue = venues.open_venue(None, site)
    assert venues.poster_pdf(venue).startswith(b"%PDF")
    assert encoded == [ELSEWHERE + reverse("screening:visit", args=[venues.venue_token(venue)])]


@pytest.mark.parametrize(
    ("base_url", "in_environment", "warned"),
    [
        ("http://127.0.0.1:8000", False, True),  # unset: the development default
        ("http://localhost:8000", True, True),
        ("https://127.0.0.1", True, True),
        ("http://fugong.example.gov.cn", True, True),
        ("https://fugong.example.gov.cn", True, False),
    ],
)
def test_check_deploy_warns_until_base_url_is_public_https(
    base_url: str, in_environment: bool, warned: bool, settings: Any, monkeypatch: Any
) -> None:
    settings.BASE_URL = base_url
    if in_environment:
        monkeypatch.setenv("BASE_URL", base_url)
    else:
        monkeypatch.delenv("BASE_URL", raising=False)
    messages = check_base_url()
    assert [m.id for m in messages] == (["fugong.W001"] if warned else [])
    if not in_environment:
        assert "not set in the environment" in messages[0].msg
