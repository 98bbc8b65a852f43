"""Former members and mediation parties as kinds of kept data (core.erasure). Their rows stay,
anonymous, so the teams' and the federation's figures still add up."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure
from fugong.core.erasure import ERASED_NAME

from .models import CaseOutcome, MediationParty, Member, Offer

FORMER_MEMBERS = erasure.Period("former_members", "RETENTION_FORMER_MEMBERS_DAYS")
MEDIATION_PARTIES = erasure.Period("mediation_parties", "RETENTION_MEDIATION_DAYS")


def _former_members(now: datetime) -> QuerySet[Any]:
    return Member.objects.filter(left_on__lt=FORMER_MEMBERS.before_day(now)).exclude(name=ERASED_NAME)


def _erase_members(due: QuerySet[Any], limit: int) -> int:
    """Name, mobile, village and account link go, and the plates and notes of what they lent."""
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    Offer.objects.filter(member_id__in=ids).update(plate="", note="")
    return Member.objects.filter(pk__in=ids).update(name=ERASED_NAME, mobile="", user=None, village=None, search_key="")


def _parties_of_closed_cases(now: datetime) -> QuerySet[Any]:
    return (
        MediationParty.objects.filter(case__closed_on__lt=MEDIATION_PARTIES.before_day(now))
        .exclude(case__outcome=CaseOutcome.OPEN)
        .exclude(name=ERASED_NAME)
    )


erasure.register(
    erasure.Kind(
        code="volunteers.former_members",
        label=_("members who left their team"),
        holds=_("name, mobile, village, sign-in link, and the plates of vehicles they lent"),
        kept=FORMER_MEMBERS,
        counted_from=_("the day they left"),
        action=erasure.Action.ANONYMISE,
        models=("volunteers.member", "volunteers.offer"),
        due=_former_members,
        erase=_erase_members,
    ),
    erasure.Kind(
        code="volunteers.mediation_parties",
        label=_("parties to mediation cases"),
        holds=_("the names and mobiles of the family members in a dispute"),
        kept=MEDIATION_PARTIES,
        counted_from=_("the case closed"),
        action=erasure.Action.ANONYMISE,
        models=("volunteers.mediationparty",),
        due=_parties_of_closed_cases,
        erase=erasure.clear_fields(name=ERASED_NAME, mobile=""),
    ),
)
