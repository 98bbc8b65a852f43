"""What teams did (activities) and the aid they received and handed out (the ledger).
The yearly figures are counted from these rows, never typed in."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.transactions import durable
from fugong.directory.models import Region

from ..access import may_run_team
from ..models import Activity, AidEntry, AidItem, Member, Team


@durable
def record_activity(
    actor: User | None,
    team: Team,
    *,
    kind: str,
    title: str,
    held_on: date,
    region: Region | None = None,
    place: str = "",
    participants: list[Member] | None = None,
    people_served: int = 0,
    note: str = "",
) -> Activity:
    require(may_run_team(actor, team))
    participants = participants or []
    strangers = [m.name for m in participants if m.team_id != team.pk]
    if strangers:
        raise ValidationError(
            {"participants": _("Not members of this team: %(names)s") % {"names": ", ".join(strangers)}}
        )
    if not participants:
        raise ValidationError({"participants": _("Who took part?")})
    activity = Activity(
        team=team,
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        region=region or team.region,
        place=place,
        people_served=people_served,
        note=note,
        recorded_by=actor if actor and actor.pk else None,
    )
    activity.full_clean()
    activity.save()
    activity.participants.set(participants)
    audit.record(actor, "activity.record", activity, organisation_id=team.organisation_id, region_code=team.region.code)
    return activity


def stock(team: Team) -> dict[str, int]:
    """What the team holds now, per item."""
    rows = AidEntry.objects.filter(team=team).values_list("item").annotate(total=Sum("quantity"))
    return {item: total for item, total in rows if total}


@durable
def record_aid(
    actor: User | None,
    team: Team,
    *,
    item: str,
    quantity: int,
    on: date,
    counterparty: str = "",
    activity: Activity | None = None,
    note: str = "",
) -> AidEntry:
    """Received (positive) or handed out (negative). A team cannot hand out what it does not hold:
    the team row is locked so two clerks cannot both give away the last parcels."""
    require(may_run_team(actor, team))
    Team.objects.select_for_update().get(pk=team.pk)
    if item not in AidItem.values:
        raise ValidationError({"item": _("Unknown item.")})
    if quantity == 0:
        raise ValidationError({"quantity": _("Enter a quantity other than zero.")})
    if activity is not None and activity.team_id != team.pk:
        raise ValidationError({"activity": _("The activity belongs to another team.")})
    held = stock(team).get(item, 0)
    if quantity < 0 and held + quantity < 0:
        raise ValidationError(
            {"quantity": _("Only %(held)d in stock; cannot hand out %(wanted)d.") % {"held": held, "wanted": -quantity}}
        )
    entry = AidEntry(
        team=team,
        item=item,
        quantity=quantity,
        on=on,
        counterparty=counterparty,
        activity=activity,
        note=note,
        recorded_by=actor if actor and actor.pk else None,
    )
    entry.full_clean()
    entry.save()
    audit.record(
        actor,
        "aid.record",
        entry,
        changes={"item": [None, item], "quantity": [None, quantity]},
        organisation_id=team.organisation_id,
    )
    return entry
