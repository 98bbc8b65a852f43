"""Mediation cases (美丽舅妈): parties, sessions, outcome and follow-up.

Cases hold the most private data in the app. Only the case's team and coordinators see them
(access.q_visible_cases); the parties' names and numbers are never written to the audit log.
A follow-up, once due, cannot be dropped, only done (as Sahana Eden does).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile

from ..access import may_see_case, may_work_case
from ..models import SETTLED, CaseOutcome, MediationCase, MediationParty, MediationSession, Member, Team, TeamKind

FOLLOW_UP_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Party:
    name: str
    mobile: str = ""
    role: str = ""


@durable
def open_case(
    actor: User | None, team: Team, *, kind: str, summary: str, opened_on: date, parties: list[Party]
) -> MediationCase:
    require(may_work_case(actor, team))
    if team.kind != TeamKind.MEDIATION:
        raise ValidationError({"team": _("Cases belong to a mediation team.")})
    if len(parties) < 1:
        raise ValidationError({"parties": _("Name at least one party.")})
    case = MediationCase(
        team=team, kind=kind, summary=summary, opened_on=opened_on, created_by=actor if actor and actor.pk else None
    )
    case.full_clean()
    case.save()
    for index, party in enumerate(parties):
        mobile = ""
        if party.mobile:
            try:
                mobile = clean_mobile(party.mobile)
            except ValidationError as error:
                raise ValidationError({f"parties.{index}.mobile": error.messages}) from None
        MediationParty.objects.create(case=case, name=party.name.strip(), mobile=mobile, role=party.role)
    audit.record(
        actor, "case.open", case, changes={"parties": [None, len(parties)]}, organisation_id=team.organisation_id
    )
    return case


@durable
def record_session(
    actor: User | None, case: MediationCase, *, held_on: date, mediators: list[Member], notes: str = ""
) -> MediationSession:
    require(may_see_case(actor, case) and may_work_case(actor, case.team))
    strangers = [m.name for m in mediators if m.team_id != case.team_id]
    if strangers or not mediators:
        raise ValidationError({"mediators": _("Mediators must be members of the case's team.")})
    session = MediationSession.objects.create(case=case, held_on=held_on, notes=notes)
    session.mediators.set(mediators)
    audit.record(actor, "case.session", case, organisation_id=case.team.organisation_id)
    return session


@durable
def close_case(actor: User | None, case: MediationCase, *, outcome: str, closed_on: date, note: str = "") -> None:
    """Record the outcome; a settled case is followed up two weeks later."""
    require(may_see_case(actor, case) and may_work_case(actor, case.team))
    if outcome == CaseOutcome.OPEN or outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": _("Choose how the case ended.")})
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": _("A case cannot close before it opened.")})
    before = case.outcome
    case.outcome, case.closed_on, case.outcome_note = outcome, closed_on, note
    if outcome in SETTLED:
        case.follow_up_on = closed_on + FOLLOW_UP_AFTER
    case.full_clean()
    case.save()
    audit.record(
        actor, "case.close", case, changes={"outcome": [before, outcome]}, organisation_id=case.team.organisation_id
    )


@durable
def follow_up(actor: User | None, case: MediationCase, *, note: str) -> None:
    require(may_see_case(actor, case) and may_work_case(actor, case.team))
    if case.follow_up_on is None:
        raise ValidationError(_("This case has no follow-up due."))
    if not note.strip():
        raise ValidationError({"note": _("Say how the parties are doing.")})
    case.followed_up_at, case.follow_up_note = timezone.now(), note
    case.save(update_fields=["followed_up_at", "follow_up_note"])
    audit.record(actor, "case.follow_up", case, organisation_id=case.team.organisation_id)
