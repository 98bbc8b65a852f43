"""Calls for help: a coordinator asks, members answer on their phones through a signed link,
the coordinator confirms who goes. Nobody is booked twice for the same hours.

The call row is locked while answers and confirmations are counted, so two phones answering
at once cannot both take the last place.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core import links
from fugong.core.transactions import durable
from fugong.directory.models import Organisation, Site
from fugong.notify import kinds
from fugong.notify import services as notify
from fugong.notify.models import Channel, Message
from fugong.notify.queries import usable_channels

from ..access import may_coordinate_organisation
from ..models import (
    AnswerStatus,
    Availability,
    CallInvitation,
    CallNote,
    HelpAnswer,
    HelpCall,
    HelpCallStatus,
    Member,
    Offer,
    OfferKind,
    OfferState,
    ShiftAssignment,
    Team,
)

LINK_GRACE = timedelta(days=1)  # a link still opens for a day after the call, to see what happened
MESSAGE_KIND = kinds.register("volunteer_call", gettext_lazy("Call for help"))


def answer_token(call: HelpCall, member: Member) -> str:
    return links.make_token("answer", call.pk, member.pk)


def answer_link(call: HelpCall, member: Member) -> str:
    return links.absolute("volunteers:answer", answer_token(call, member))


def read_answer_token(token: str) -> tuple[HelpCall, Member]:
    """The call and member a link was made for; PermissionDenied if forged or long past."""
    try:
        call_id, member_id = links.read_token("answer", token, 2)
        call = HelpCall.objects.get(pk=call_id)
        member = Member.objects.select_related("team").get(pk=member_id)
    except (links.BadLink, HelpCall.DoesNotExist, Member.DoesNotExist):
        raise PermissionDenied(_("This link is not valid.")) from None
    if timezone.now() > call.ends_at + LINK_GRACE:
        raise PermissionDenied(_("This call for help is over."))
    return call, member


@durable
def open_call(
    actor: User | None,
    organisation: Organisation,
    *,
    title: str,
    needed: int,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    teams: list[Team],
    skill: str = "",
    vehicle_kind: str = "",
    needs_driver: bool = False,
    details: str = "",
    site: Site | None = None,
) -> HelpCall:
    require(actor is None or may_coordinate_organisation(actor, organisation.pk, organisation.region.code))
    if not teams:
        raise ValidationError({"teams": _("Choose at least one team to ask.")})
    foreign = [t.name for t in teams if t.organisation_id != organisation.pk]
    if foreign:
        raise ValidationError(
            {"teams": _("Not a team of this organisation: %(names)s") % {"names": ", ".join(foreign)}}
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if site is not None and site.organisation_id != organisation.pk:
        raise ValidationError({"site": _("Not a site of this organisation.")})
    call = HelpCall(
        site=site,
        organisation=organisation,
        title=title.strip(),
        needed=needed,
        skill=skill,
        vehicle_kind=vehicle_kind,
        needs_driver=needs_driver or bool(vehicle_kind),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip() or (site.name if site else ""),
        details=details,
        created_by=actor if actor and actor.pk else None,
    )
    call.full_clean()
    call.save()
    call.teams.set(teams)
    audit.record(actor, "help_call.open", call, organisation_id=organisation.pk, region_code=organisation.region.code)
    return call


def suitable_vehicles(call: HelpCall, member: Member) -> QuerySet[Offer]:
    """Vehicles of the kind the call asks for that this member owns or may drive."""
    if not call.vehicle_kind:
        return Offer.objects.none()
    return (
        Offer.objects.filter(kind=OfferKind.VEHICLE, vehicle_kind=call.vehicle_kind, is_active=True)
        .filter(state=OfferState.CONFIRMED)
        .filter(Q(member=member) | Q(drivers=member))
        .distinct()
    )


def invitees(call: HelpCall) -> list[Member]:
    """Current members of the asked teams who meet what the call needs."""
    members = Member.objects.filter(team__in=call.teams.all(), left_on__isnull=True).select_related("team")
    chosen = []
    for member in members.order_by("team__name", "name"):
        if call.needs_driver and not member.may_drive_a(call.vehicle_kind):
            continue
        if call.skill and call.skill not in member.skills:
            continue
        if call.vehicle_kind and not suitable_vehicles(call, member).exists():
            continue
        chosen.append(member)
    return chosen


@dataclass(frozen=True)
class InvitationPlan:
    """Who a sending would reach, and who it leaves out and why (one person per mobile)."""

    to_send: list[Member]
    booked: list[Member]  # confirmed elsewhere at these hours: their yes would be refused
    answered: list[Member]  # already said yes or no to this call
    invited: list[Member]  # asked before and not answered; a reminder reaches them

    @property
    def skipped(self) -> int:
        return len(self.booked) + len(self.answered) + len(self.invited)


def plan_invitations(call: HelpCall, *, remind: bool = False) -> InvitationPlan:
    """Those who meet what the call needs, less those who cannot or need not be asked.
    With `remind`, those asked before who have not answered are asked again."""
    answered = set(call.answers.exclude(member__mobile="").values_list("member__mobile", flat=True))
    invited = set(call.invitations.exclude(member__mobile="").values_list("member__mobile", flat=True))
    plan = InvitationPlan([], [], [], [])
    people: list[Member] = []
    seen: set[str] = set()
    for member in invitees(call):  # someone in two teams is one person: their first row
        if member.mobile and member.mobile not in seen:
            seen.add(member.mobile)
            people.append(member)
    booked = _booked_during(call, people)
    for member in people:
        if member.mobile in answered:
            plan.answered.append(member)
        elif member.pk in booked:
            plan.booked.append(member)
        elif member.mobile in invited and not remind:
            plan.invited.append(member)
        else:
            plan.to_send.append(member)
    return plan


@dataclass(frozen=True)
class Sending:
    sent: int
    plan: InvitationPlan


@durable
def send_call(actor: User | None, call: HelpCall, channel: Channel, *, remind: bool = False) -> Sending:
    """Each member who is free and has not answered gets a message with their own answer link;
    each message is recorded as an invitation (a reminder, when they were asked before)."""
    call = _locked(call)  # two clicks on Send do not ask anyone twice
    require(actor is None or may_coordinate_organisation(actor, call.organisation_id, call.organisation.region.code))
    require(actor is None or usable_channels(actor).filter(pk=channel.pk).exists())
    if call.status == HelpCallStatus.CANCELLED:
        raise ValidationError(_("This call for help was cancelled."))
    if call.status == HelpCallStatus.FULL:
        raise ValidationError(_("This call for help is full: an answer now could only be told it is too late."))
    plan = plan_invitations(call, remind=remind)
    if not (plan.to_send or plan.skipped):  # the plan holds everyone suitable with a mobile
        raise ValidationError(_("No member of these teams has a mobile number and meets what the call needs."))
    if plan.to_send:
        _invite(actor, call, channel, plan.to_send)
    audit.record(
        actor,
        "help_call.send",
        call,
        changes={"recipients": [None, len(plan.to_send)], "skipped": [None, plan.skipped]},
        organisation_id=call.organisation_id,
    )
    return Sending(len(plan.to_send), plan)


def _invite(actor: User | None, call: HelpCall, channel: Channel, people: list[Member]) -> None:
    per_recipient = {m.mobile: {"team": m.team.name, "link": answer_link(call, m)} for m in people}
    when = f"{timezone.localtime(call.starts_at):%m-%d %H:%M}–{timezone.localtime(call.ends_at):%H:%M}"
    before = Message.objects.aggregate(last=Max("pk"))["last"] or 0
    notify.enqueue(
        actor,
        channel,
        MESSAGE_KIND,
        list(per_recipient),
        {"task": call.title, "time": when, "place": call.place},
        per_recipient=per_recipient,
    )
    # The outbox inserts in bulk and returns no rows: find this sending's messages by recipient.
    messages = dict(
        Message.objects.filter(pk__gt=before, channel=channel, kind=MESSAGE_KIND).values_list("recipient", "pk")
    )
    asked = set(call.invitations.values_list("member_id", flat=True))
    now = timezone.now()
    CallInvitation.objects.bulk_create(
        CallInvitation(
            call=call,
            member=m,
            is_reminder=m.pk in asked,
            channel=channel,
            message_id=messages.get(notify.normalise_recipient(channel.kind, m.mobile)),
            sent_by=actor if actor is not None and actor.pk else None,
            sent_at=now,
        )
        for m in people
    )


@dataclass(frozen=True)
class AnswerResult:
    answer: HelpAnswer
    full: bool  # the call had no place left


def _locked(call: HelpCall) -> HelpCall:
    return HelpCall.objects.select_for_update().get(pk=call.pk)


def _confirmed_count(call: HelpCall) -> int:
    return call.answers.filter(status=AnswerStatus.CONFIRMED).count()


def _same_person(member: Member) -> Q:
    """The member, and the same person's rows in other teams (same mobile or account)."""
    same = Q(pk=member.pk)
    if member.mobile:
        same |= Q(mobile=member.mobile)
    if member.user_id:
        same |= Q(user_id=member.user_id)
    return same


def _overlapping(
    people: QuerySet[Member], starts_at: datetime, ends_at: datetime, except_call: int
) -> tuple[QuerySet[HelpAnswer], QuerySet[ShiftAssignment]]:
    """Confirmed places in calls and shifts of these member rows between these times."""
    calls = HelpAnswer.objects.filter(
        member__in=people,
        status=AnswerStatus.CONFIRMED,
        call__starts_at__lt=ends_at,
        call__ends_at__gt=starts_at,
    ).exclude(call_id=except_call)
    shifts = ShiftAssignment.objects.filter(
        member__in=people, shift__starts_at__lt=ends_at, shift__ends_at__gt=starts_at
    )
    return calls, shifts


def bookings_overlapping(member: Member, starts_at: datetime, ends_at: datetime, *, except_call: int = 0) -> list[str]:
    """What this person is already confirmed for between these times (calls and shifts)."""
    calls, shifts = _overlapping(Member.objects.filter(_same_person(member)), starts_at, ends_at, except_call)
    return [a.call.title for a in calls.select_related("call")] + [
        str(s.shift) for s in shifts.select_related("shift__site")
    ]


def _booked_during(call: HelpCall, members: list[Member]) -> set[int]:
    """Those of these members booked elsewhere at the call's hours, found in two queries
    (a call to a federation's teams asks hundreds): by the row, the mobile or the account."""
    mobiles = {m.mobile for m in members if m.mobile}
    accounts = {m.user_id for m in members if m.user_id}
    people = Member.objects.filter(
        Q(pk__in=[m.pk for m in members]) | Q(mobile__in=sorted(mobiles)) | Q(user_id__in=sorted(accounts))
    )
    calls, shifts = _overlapping(people, call.starts_at, call.ends_at, call.pk)
    rows = [*calls.values_list("member_id", "member__mobile", "member__user_id")]
    rows += [*shifts.values_list("member_id", "member__mobile", "member__user_id")]
    booked_rows = {row for row, _mobile, _user in rows}
    booked_mobiles = {mobile for _row, mobile, _user in rows if mobile}
    booked_accounts = {user for _row, _mobile, user in rows if user}
    return {
        m.pk
        for m in members
        if m.pk in booked_rows or m.mobile in booked_mobiles or (m.user_id and m.user_id in booked_accounts)
    }


@durable
def answer_call(call: HelpCall, member: Member, *, yes: bool, vehicle: Offer | None = None) -> AnswerResult:
    """A member says yes or no through their link. Saying it again changes nothing."""
    call = _locked(call)
    if call.status == HelpCallStatus.CANCELLED:
        raise ValidationError(_("This call for help was cancelled."))
    if timezone.now() >= call.ends_at:
        raise ValidationError(_("This call for help is over."))
    if not member.is_active or not call.teams.filter(pk=member.team_id).exists():
        raise PermissionDenied(_("This call was not sent to you."))
    existing = HelpAnswer.objects.filter(call=call, member=member).first()
    answer = existing or HelpAnswer(call=call, member=member)
    if not yes:
        was_confirmed = answer.status == AnswerStatus.CONFIRMED
        answer.status, answer.confirmed_at, answer.vehicle = AnswerStatus.NO, None, None
        answer.answered_at = timezone.now()
        answer.save()
        if was_confirmed:
            _release_booking(call, member)
        return AnswerResult(answer, full=False)
    if existing and existing.status in (AnswerStatus.YES, AnswerStatus.CONFIRMED):
        return AnswerResult(existing, full=False)
    if call.status == HelpCallStatus.FULL or _confirmed_count(call) >= call.needed:
        answer.status, answer.answered_at = AnswerStatus.TOO_LATE, timezone.now()
        answer.save()
        return AnswerResult(answer, full=True)
    clashes = bookings_overlapping(member, call.starts_at, call.ends_at, except_call=call.pk)
    if clashes:
        raise ValidationError(_("You are already booked at that time: %(what)s") % {"what": "; ".join(clashes)})
    if call.vehicle_kind:
        vehicles = suitable_vehicles(call, member)
        vehicle = vehicle or (vehicles.first() if vehicles.count() == 1 else None)
        if vehicle is None or not vehicles.filter(pk=vehicle.pk).exists():
            raise ValidationError({"vehicle": _("Choose the vehicle you will bring.")})
    elif vehicle is not None:  # nothing vouches for it: it would join the fleet without its owner's offer
        raise ValidationError({"vehicle": _("This call asks for no vehicle.")})
    answer.status, answer.vehicle, answer.answered_at = AnswerStatus.YES, vehicle, timezone.now()
    answer.save()
    return AnswerResult(answer, full=False)


@durable
def confirm(actor: User | None, call: HelpCall, members: list[Member]) -> int:
    """The coordinator picks who goes among those who said yes; the call is full at N."""
    call = _locked(call)
    require(actor is None or may_coordinate_organisation(actor, call.organisation_id, call.organisation.region.code))
    answers = {a.member_id: a for a in call.answers.filter(member__in=members, status=AnswerStatus.YES)}
    missing = [m.name for m in members if m.pk not in answers]
    if missing:
        raise ValidationError(
            _("Only members who said yes can be confirmed: %(names)s") % {"names": ", ".join(missing)}
        )
    room = call.needed - _confirmed_count(call)
    if len(answers) > room:
        raise ValidationError(_("Only %(room)d place(s) left.") % {"room": room})
    now = timezone.now()
    for member in members:
        clashes = bookings_overlapping(member, call.starts_at, call.ends_at, except_call=call.pk)
        if clashes:
            raise ValidationError(
                _("%(name)s is already booked at that time: %(what)s")
                % {"name": member.name, "what": "; ".join(clashes)}
            )
        answer = answers[member.pk]
        answer.status, answer.confirmed_at = AnswerStatus.CONFIRMED, now
        answer.save(update_fields=["status", "confirmed_at"])
        if answer.vehicle_id:  # the vehicle joins the fleet for the call's hours
            Availability.objects.create(
                offer_id=answer.vehicle_id, starts_at=call.starts_at, ends_at=call.ends_at, call=call
            )
    if _confirmed_count(call) >= call.needed:
        call.status = HelpCallStatus.FULL
        call.save(update_fields=["status"])
    audit.record(
        actor,
        "help_call.confirm",
        call,
        # Ids, not names: the call's thread names them, even after one is stood down.
        changes={"confirmed": [None, len(members)], "members": [None, [m.pk for m in members]]},
        organisation_id=call.organisation_id,
    )
    return len(members)


def _release_booking(call: HelpCall, member: Member) -> None:
    Availability.objects.filter(
        call=call, offer__in=Offer.objects.filter(Q(member=member) | Q(drivers=member))
    ).delete()
    if call.status == HelpCallStatus.FULL:
        call.status = HelpCallStatus.OPEN
        call.save(update_fields=["status"])


@durable
def release(actor: User | None, call: HelpCall, member: Member) -> None:
    """The coordinator stands a confirmed member down; the place opens again."""
    call = _locked(call)
    require(actor is None or may_coordinate_organisation(actor, call.organisation_id, call.organisation.region.code))
    updated = HelpAnswer.objects.filter(call=call, member=member, status=AnswerStatus.CONFIRMED).update(
        status=AnswerStatus.YES, confirmed_at=None
    )
    if updated:
        _release_booking(call, member)
        # The member's id (not their name) says whom: the call's thread names them.
        audit.record(
            actor,
            "help_call.release",
            call,
            changes={"member": [member.pk, None]},
            organisation_id=call.organisation_id,
        )


@durable
def cancel_call(actor: User | None, call: HelpCall) -> None:
    call = _locked(call)
    require(actor is None or may_coordinate_organisation(actor, call.organisation_id, call.organisation.region.code))
    call.status = HelpCallStatus.CANCELLED
    call.save(update_fields=["status"])
    Availability.objects.filter(call=call).delete()
    audit.record(actor, "help_call.cancel", call, organisation_id=call.organisation_id)


NOTE_LENGTH = CallNote._meta.get_field("text").max_length or 1000


@durable
def add_note(actor: User | None, call: HelpCall, text: str) -> CallNote:
    """The coordinator writes on the call's thread (who phoned back, what changed)."""
    require(actor is None or may_coordinate_organisation(actor, call.organisation_id, call.organisation.region.code))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > NOTE_LENGTH:
        raise ValidationError({"text": _("A note has at most %(n)d characters.") % {"n": NOTE_LENGTH}})
    note = CallNote.objects.create(call=call, author=actor if actor is not None and actor.pk else None, text=text)
    audit.record(actor, "help_call.note", call, organisation_id=call.organisation_id)
    return note
