"""A call's thread: who was asked and reminded, who answered what and when, who was confirmed
or stood down, and the coordinator's notes, in the order they happened, on one page.

Read from the rows that already say it (invitations, answers, notes, the audit trail of the
call), so nothing is written twice. Mobiles are masked: the thread is read by everyone who
may see the call.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from fugong.accounts.models import AuditEntry, User
from fugong.core.masking import mask_mobile

from .models import AnswerStatus, CallInvitation, CallNote, HelpCall, Member


@dataclass(frozen=True)
class ThreadEntry:
    at: datetime
    kind: str  # opened, invited, reminded, answered, confirmed, stood_down, cancelled, note
    who: str  # the member (masked mobile) or the coordinator
    text: str


def _member(member: Member) -> str:
    return f"{member.name}（{mask_mobile(member.mobile)}）" if member.mobile else member.name


def _person(user: User | None, label: str) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else label


def call_thread(call: HelpCall) -> list[ThreadEntry]:
    entries = [*_invitations(call), *_answers(call), *_coordination(call)]
    entries += [note_entry(n) for n in call.notes.select_related("author")]
    return sorted(entries, key=lambda e: e.at)


def note_entry(note: CallNote) -> ThreadEntry:
    return ThreadEntry(note.created_at, "note", _person(note.author, ""), note.text)


def _invitations(call: HelpCall) -> list[ThreadEntry]:
    """One entry per sending (those asked at once, through one channel), each person with
    what became of their message."""
    sendings: dict[tuple[datetime, bool, int | None], list[CallInvitation]] = {}
    rows = call.invitations.select_related("member", "channel", "message", "sent_by")
    for invitation in rows:
        sendings.setdefault((invitation.sent_at, invitation.is_reminder, invitation.channel_id), []).append(invitation)
    entries = []
    for (sent_at, is_reminder, _channel), group in sendings.items():
        first = group[0]
        values = {"n": len(group), "channel": first.channel.name if first.channel else "—"}
        if is_reminder:
            text = _("Reminded %(n)d through %(channel)s:") % values
        else:
            text = _("Invited %(n)d through %(channel)s:") % values
        people = "、".join(
            f"{_member(i.member)} {i.message.get_status_display()}" if i.message else _member(i.member) for i in group
        )
        kind = "reminded" if is_reminder else "invited"
        who = _person(first.sent_by, "")
        entries.append(ThreadEntry(sent_at, kind, who, f"{text} {people}"))
    return entries


def _answers(call: HelpCall) -> list[ThreadEntry]:
    entries = []
    for answer in call.answers.select_related("member__team", "vehicle"):
        said_yes = answer.status in (AnswerStatus.YES, AnswerStatus.CONFIRMED)
        text = str(AnswerStatus.YES.label) if said_yes else answer.get_status_display()
        if answer.vehicle is not None:
            text = f"{text} · {answer.vehicle}"
        entries.append(ThreadEntry(answer.answered_at, "answered", _member(answer.member), text))
    return entries


COORDINATION = {
    "help_call.open": "opened",
    "help_call.confirm": "confirmed",
    "help_call.release": "stood_down",
    "help_call.cancel": "cancelled",
}


def _members_named(entry: AuditEntry) -> list[int]:
    """The member ids an entry of the call's trail records (confirmed, stood down)."""
    for key in ("members", "member"):
        values = entry.changes.get(key)
        if isinstance(values, list) and len(values) == 2:
            named = values[1] if key == "members" else values[0]
            return [i for i in (named if isinstance(named, list) else [named]) if isinstance(i, int)]
    return []


def _coordination(call: HelpCall) -> list[ThreadEntry]:
    """Opening, confirming, standing someone down and cancelling, with who did it, from the
    call's audit trail (an answer row forgets its confirmation when the member is stood down)."""
    trail = list(
        AuditEntry.objects.filter(
            object_type=HelpCall._meta.label_lower, object_id=str(call.pk), action__in=list(COORDINATION)
        ).select_related("actor")
    )
    ids = {i for entry in trail for i in _members_named(entry)}
    named = {m.pk: _member(m) for m in Member.objects.filter(pk__in=ids).select_related("team")}
    entries = []
    for entry in trail:
        kind = COORDINATION[entry.action]
        people = "、".join(named.get(i, "—") for i in _members_named(entry))
        if kind == "opened":
            text = _("Opened the call")
        elif kind == "cancelled":
            text = _("Cancelled the call")
        elif kind == "confirmed":
            text = _("Confirmed %(members)s") % {"members": people}
        else:
            text = _("Stood down %(member)s") % {"member": people}
        # Done by the system (the demo, a task): no one to name.
        who = "" if entry.actor is None and entry.actor_label == entry.source else entry.actor_label
        entries.append(ThreadEntry(entry.created_at, kind, _person(entry.actor, who), text))
    return entries
