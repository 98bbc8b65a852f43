"""Telling people by SMS through the company's channel that has the template: enterprises at
each step of their application, and on the priority line the person sent to a resident and
the resident. The texts here are the defaults a company starts with (the demo installs them);
each company may word its own."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fugong.accounts.models import User
from fugong.core.validators import clean_mobile
from fugong.directory.models import Organisation
from fugong.notify import kinds
from fugong.notify import services as notify
from fugong.notify.models import Channel
from fugong.notify.queries import opted_out_among

from ..models import CapacityApplication

RECEIVED = kinds.register("application_received", _("Application received"))
APPROVED = kinds.register("application_approved", _("Application approved"))
REJECTED = kinds.register("application_rejected", _("Application rejected"))
EXTENDED = kinds.register("suspension_extended", _("Suspension extended"))
ENDED = kinds.register("suspension_ended", _("Suspension ended"))
RESTORATION_RECEIVED = kinds.register("restoration_received", _("Restoration requested"))
RESTORATION_DISPATCHED = kinds.register("restoration_dispatched", _("Field worker sent"))
RESTORED = kinds.register("restoration_done", _("Supply restored"))
PRIORITY_ASSIGNED = kinds.register("priority_assigned", _("Priority call: who goes"))  # to the helper
PRIORITY_ON_THE_WAY = kinds.register("priority_on_the_way", _("Priority call: help is coming"))  # to the resident
# to the family contact of a resident who has only a landline
PRIORITY_ON_THE_WAY_CONTACT = kinds.register(
    "priority_on_the_way_contact", _("Priority call: help is coming (to the family)")
)

_WHO = "{holder}（户号{account}）："
DEFAULT_TEMPLATES: dict[str, tuple[str, list[str]]] = {
    RECEIVED: (_WHO + "您的{what}申请已受理：{start}起停用{kva}kVA，{until}。", ["start", "kva", "until"]),
    APPROVED: (
        _WHO + "您的{what}申请已批准：{start}起{kva}kVA不计收基本电费，{until}。复工时一个电话即可恢复用电。",
        ["start", "kva", "until"],
    ),
    REJECTED: (_WHO + "您的{what}申请未获批准：{reason}。", ["reason"]),
    EXTENDED: (
        _WHO + "根据疫情防控期间的政策，您已办理的{what}已自动续期至{end}，无需到厅办理。复工时一个电话即可恢复用电。",
        ["end"],
    ),
    ENDED: (_WHO + "您的{what}已于{end}到期，{restore}起恢复计收基本电费。", ["end", "restore"]),
    RESTORATION_RECEIVED: (
        _WHO + "已收到您恢复用电的申请，{station}将于{day}为您恢复送电。",
        ["station", "day"],
    ),
    RESTORATION_DISPATCHED: (_WHO + "{station}已安排{worker}于{day}上门为您恢复送电。", ["station", "worker", "day"]),
    RESTORED: (
        _WHO + "已为您恢复送电。{start}至{last}共{days}天、{kva}kVA不计收基本电费{amount}。",
        ["start", "last", "days", "kva", "amount"],
    ),
}
COMMON = ["holder", "account", "what"]  # every application template's
PRIORITY_TEMPLATES: dict[str, tuple[str, list[str]]] = {
    PRIORITY_ASSIGNED: (
        "亲情2号键：请{when}上门帮助{resident}（{address}，电话{phone}）。需要：{need}",
        ["when", "resident", "address", "phone", "need"],
    ),
    PRIORITY_ON_THE_WAY: (
        "{resident}您好，您在亲情2号键的求助已安排{helper}上门，联系电话{helper_phone}。",
        ["resident", "helper", "helper_phone"],
    ),
    PRIORITY_ON_THE_WAY_CONTACT: (
        "您好，您家人{resident}在亲情2号键的求助已安排{helper}上门，联系电话{helper_phone}。",
        ["resident", "helper", "helper_phone"],
    ),
}


def template_parameters(kind: str) -> list[str]:
    if kind in PRIORITY_TEMPLATES:
        return PRIORITY_TEMPLATES[kind][1]
    return COMMON + DEFAULT_TEMPLATES[kind][1]


def install_templates(actor: User | None, channel: Channel) -> int:
    """Give a channel the default texts it does not have yet; returns how many were added."""
    added = 0
    for kind, (text, _parameters) in {**DEFAULT_TEMPLATES, **PRIORITY_TEMPLATES}.items():
        if not channel.templates.filter(kind=kind).exists():
            notify.save_template(actor, channel, kind=kind, text=text, parameters=template_parameters(kind))
            added += 1
    return added


def channel_for(organisation: Organisation, kind: str) -> Channel | None:
    """The company's SMS channel with this template (never a group robot or e-mail: these
    messages carry a person's address and phone)."""
    channels = Channel.objects.filter(
        organisation=organisation, is_active=True, kind__in=notify.SMS_KINDS, templates__kind=kind
    )
    return channels.order_by("pk").first()


def day_text(day: date | None) -> str:
    """2026-03-01 -> 3月1日 (SMS are read in Chinese)."""
    return f"{day.month}月{day.day}日" if day else ""


def tell(actor: User | None, application: CapacityApplication, kind: str, **values: Any) -> bool:
    """Queue the step's SMS to the enterprise; False when it has no mobile or the company no
    channel with this template (the step still happens; the page shows it was not sent)."""
    account = application.account
    with translation.override(settings.LANGUAGE_CODE):
        common = {"holder": account.holder, "account": account.number, "what": application.get_kind_display()}
    return tell_mobile(actor, account.organisation, kind, account.mobile, {**common, **values})


def tell_mobile(actor: User | None, organisation: Organisation, kind: str, phone: str, values: dict[str, Any]) -> bool:
    """Queue one SMS; False when the number is no mobile (a landline), the company has no
    channel with this template, or the person opted out (the outbox records it as skipped)."""
    channel = channel_for(organisation, kind)
    if channel is None:
        return False
    try:
        mobile = clean_mobile(phone)
    except ValidationError:
        return False  # a landline, or no number
    notify.enqueue(actor, channel, kind, [mobile], values)
    return not opted_out_among([mobile], channel.kind)
