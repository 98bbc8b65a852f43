"""A call's thread: invitations, answers, reminders, confirmations, stand-downs and the
coordinator's notes, in order, on the call's page and in the API; mobiles masked."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fugong.core.masking import mask_mobile
from fugong.volunteers.models import Team
from fugong.volunteers.services import calls
from fugong.volunteers.thread import call_thread

from .conftest import member
from .test_call_invitations import bureau_channel
from .test_calls import open_call, riders  # noqa: F401 - the fixture


def test_the_thread_tells_the_call_in_order(riders: Team, demo: Any, client_for: Any) -> None:  # noqa: F811
    call = open_call(riders)
    first, second, third = (member(riders, name) for name in ["甲", "乙", "丙"])
    calls.send_call(demo["huanghuiyun"], call, bureau_channel())
    calls.answer_call(call, first, yes=True)
    calls.answer_call(call, second, yes=False)
    calls.confirm(demo["huanghuiyun"], call, [first])
    calls.send_call(demo["huanghuiyun"], call, bureau_channel(), remind=True)
    calls.release(demo["huanghuiyun"], call, first)
    calls.add_note(demo["huanghuiyun"], call, "甲的车坏了，已另找人。")

    thread = call_thread(call)
    kinds = [e.kind for e in thread]
    assert kinds == ["opened", "invited", "answered", "answered", "confirmed", "reminded", "stood_down", "note"]
    assert thread[-1].who == "黄晖云" and thread[-1].text == "甲的车坏了，已另找人。"
    assert thread[1].who == "黄晖云" and all(mask_mobile(m.mobile) in thread[1].text for m in (first, second, third))
    assert "甲" not in thread[-3].text and f"丙（{mask_mobile(third.mobile)}）" in thread[-3].text
    assert "甲" in thread[-2].text

    page = client_for("huanghuiyun").get(f"/volunteers/calls/{call.pk}/").content.decode()
    assert page.count('data-kind="invited"') == 1 and 'data-kind="note"' in page
    assert mask_mobile(first.mobile) in page
    assert first.mobile.removeprefix("+86") not in page  # never the whole number

    api = client_for("xiajiang").get(f"/api/volunteers/calls/{call.pk}/thread").json()
    assert [e["kind"] for e in api] == kinds
    assert client_for("qingyuan").get(f"/api/volunteers/calls/{call.pk}/thread").status_code == 404


def test_only_the_coordinators_write_notes(riders: Team, demo: Any, client_for: Any) -> None:  # noqa: F811
    call = open_call(riders)
    with pytest.raises(ValidationError) as blank:
        calls.add_note(demo["xiajiang"], call, "   ")
    assert "text" in blank.value.message_dict
    with pytest.raises(PermissionDenied):
        calls.add_note(demo["qingyuan"], call, "不是我县的召集")
    client = client_for("xiajiang")
    client.post(f"/volunteers/calls/{call.pk}/", {"note": "1", "text": "明早再确认人数"})
    answer = client.post(
        f"/api/volunteers/calls/{call.pk}/notes", {"text": "已通知网点"}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["who"] == "峡江县复工办"
    assert [n.text for n in call.notes.all()] == ["明早再确认人数", "已通知网点"]
