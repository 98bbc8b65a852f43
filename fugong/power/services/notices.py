"""Notices to enterprise accounts picked by filters ("every account with a suspension in
effect"), through notify: the company's SMS template, a preview of who gets what, then the
broadcast. Each message may name the holder and the account ({holder}, {account})."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts.models import User
from fugong.core.masking import mask_mobile
from fugong.directory.models import Organisation
from fugong.notify import kinds
from fugong.notify import recipients as notify_recipients
from fugong.notify import services as notify
from fugong.notify.models import Channel, MessageTemplate
from fugong.notify.rendering import render

from ..access import may_administer, readable_companies
from ..models import AccountKind, ApplicationStatus, CapacityApplication, PowerAccount

PER_ACCOUNT = ("holder", "account")  # parameters every message can use, filled per account

# The notice the demo company sends about the epidemic relaxation of suspension rules.
RELAXATION_NOTICE = kinds.register("epidemic_relaxation", gettext_lazy("Relaxation notice"))


class Standing:
    """Which accounts by their applications."""

    ANY = ""
    IN_EFFECT = "in_effect"
    RESTORATION_REQUESTED = "restoration_requested"
    NONE = "none"

    CHOICES = (
        (ANY, gettext_lazy("Any")),
        (IN_EFFECT, gettext_lazy("Suspension or reduction in effect")),
        (RESTORATION_REQUESTED, gettext_lazy("Restoration requested")),
        (NONE, gettext_lazy("Nothing suspended or reduced")),
    )


@dataclass(frozen=True)
class Filters:
    voltage: str = ""
    industry: str = ""
    region_code: str = ""  # a town: accounts whose town code starts with it
    supply_station: str = ""
    standing: str = Standing.ANY


def select_accounts(organisation: Organisation, filters: Filters) -> QuerySet[PowerAccount]:
    """Active enterprise accounts with a mobile, matching every filter given."""
    qs = PowerAccount.objects.filter(organisation=organisation, kind=AccountKind.ENTERPRISE, is_active=True).exclude(
        mobile=""
    )
    if filters.voltage:
        qs = qs.filter(voltage=filters.voltage)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.region_code:
        qs = qs.filter(region__code__startswith=filters.region_code)
    if filters.supply_station:
        qs = qs.filter(supply_station=filters.supply_station)
    if filters.standing:
        statuses = {
            Standing.IN_EFFECT: [ApplicationStatus.IN_EFFECT],
            Standing.RESTORATION_REQUESTED: [ApplicationStatus.RESTORATION_REQUESTED],
            Standing.NONE: [ApplicationStatus.IN_EFFECT, ApplicationStatus.RESTORATION_REQUESTED],
        }[filters.standing]
        holding = Exists(CapacityApplication.objects.filter(account=OuterRef("pk"), status__in=statuses))
        qs = qs.filter(~holding if filters.standing == Standing.NONE else holding)
    return qs.order_by("number")


def templates_for(organisation: Organisation) -> QuerySet[MessageTemplate]:
    """The company's templates that a notice can fill: those using only {holder} and {account}."""
    qs = MessageTemplate.objects.filter(channel__organisation=organisation, channel__is_active=True)
    usable = [t.pk for t in qs if set(t.parameters) <= set(PER_ACCOUNT)]
    return qs.filter(pk__in=usable).select_related("channel").order_by("channel__name", "kind")


@dataclass(frozen=True)
class Preview:
    count: int
    sample_text: str
    sample: list[dict[str, str]]  # the first accounts, mobiles masked


def _values(account: PowerAccount) -> dict[str, str]:
    return {"holder": account.holder, "account": account.number}


def preview(actor: User | None, organisation: Organisation, template: MessageTemplate, filters: Filters) -> Preview:
    _require(actor, organisation, template)
    accounts = select_accounts(organisation, filters)
    first = list(accounts[:5])
    text = render(template.text, _values(first[0])) if first else ""
    sample = [{"number": a.number, "holder": a.holder, "mobile": mask_mobile(a.mobile)} for a in first]
    return Preview(count=accounts.count(), sample_text=text, sample=sample)


def send_notice(
    actor: User, organisation: Organisation, template: MessageTemplate, filters: Filters, *, title: str
) -> Any:
    """Queue the notice to every selected account; returns the notify broadcast."""
    return send_to_accounts(actor, organisation, template, select_accounts(organisation, filters), title=title)


def send_to_accounts(
    actor: User, organisation: Organisation, template: MessageTemplate, accounts: QuerySet[PowerAccount], *, title: str
) -> Any:
    """Queue the notice to these accounts of the company (those with a mobile), one message
    per mobile; returns the notify broadcast."""
    _require(actor, organisation, template)
    if not title.strip():
        raise ValidationError({"title": _("Give the notice a title, for the outbox.")})
    accounts = accounts.filter(organisation=organisation).exclude(mobile="")
    per_recipient: dict[str, dict[str, str]] = {}
    for account in accounts.select_related(None).only("holder", "number", "mobile").iterator(2000):
        per_recipient.setdefault(account.mobile, _values(account))  # one message per mobile
    if not per_recipient:
        raise ValidationError(_("No enterprise account with a mobile matches these filters."))
    return notify.broadcast(
        actor,
        template.channel,
        template.kind,
        list(per_recipient),
        {},
        title=title.strip(),
        source="power_accounts",
        per_recipient=per_recipient,
    )


def _require(actor: User | None, organisation: Organisation, template: MessageTemplate) -> None:
    if not may_administer(actor, organisation):
        raise PermissionDenied(_("Only the company's administrators send notices."))
    channel: Channel = template.channel
    if channel.organisation_id != organisation.pk:
        raise ValidationError({"template": _("Choose one of the company's own templates.")})


def _suspended_enterprises(user: Any, chosen: Any) -> list[notify_recipients.Recipient]:
    """The same accounts as the notices page's "suspension in effect" filter, each message
    naming its holder and account (the first account of a mobile with several)."""
    in_effect = Filters(standing=Standing.IN_EFFECT)
    found: list[notify_recipients.Recipient] = []
    for company in readable_companies(user):
        if may_administer(user, company):
            accounts = select_accounts(company, in_effect).only("holder", "number", "mobile")
            found += [notify_recipients.Recipient(a.mobile, _values(a)) for a in accounts]
    return found


def _administers_a_company(user: Any) -> bool:
    return any(may_administer(user, company) for company in readable_companies(user))


def register_recipient_lists() -> None:
    """The notify broadcast page offers this audience too."""
    notify_recipients.register(
        notify_recipients.Audience(
            "power_suspended",
            gettext_lazy("Enterprise accounts with a suspension or reduction in effect"),
            _suspended_enterprises,
            fills=PER_ACCOUNT,
            may_use=_administers_a_company,
        )
    )
