"""Power accounts: one place that checks an account's fields, used by the form, the API and
the Excel import (which checks every row this way, then writes them in bulk)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.pinyin import search_key
from fugong.core.transactions import durable
from fugong.core.validators import clean_credit_code, clean_mobile
from fugong.directory.models import Organisation, Region

from ..access import may_administer
from ..models import AccountKind, Billing, PowerAccount

ACCOUNT_FIELDS = (
    "number",
    "holder",
    "kind",
    "voltage",
    "billing",
    "industry",
    "capacity_kva",
    "region",
    "supply_station",
    "address",
    "contact_name",
    "mobile",
    "credit_code",
    "is_active",
)


def prepare_account(organisation: Organisation, account: PowerAccount | None, fields: dict[str, Any]) -> PowerAccount:
    """The account with `fields` applied and checked (not saved); ValidationError by field."""
    account = account or PowerAccount(organisation=organisation)
    for name, value in fields.items():
        if name not in ACCOUNT_FIELDS:
            raise TypeError(name)
        setattr(account, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    for name, cleaner in (("mobile", clean_mobile), ("credit_code", clean_credit_code)):
        if getattr(account, name):
            try:
                setattr(account, name, cleaner(getattr(account, name)))
            except ValidationError as invalid:
                errors[name] = invalid.messages
    if account.kind == AccountKind.ENTERPRISE and not account.industry:
        errors["industry"] = [_("An enterprise needs its industry.")]
    if account.kind == AccountKind.RESIDENT:
        if account.industry:
            errors["industry"] = [_("A household has no industry.")]
        if account.billing == Billing.TWO_PART:
            errors["billing"] = [_("A household pays no capacity charge.")]
        if account.credit_code:
            errors["credit_code"] = [_("A household has no credit code.")]
    region: Region | None = fields.get("region") or (account.region if account.region_id else None)
    if region is not None and not region.code.startswith(organisation.region.prefix):
        errors["region"] = [_("The town lies outside the company's county.")]
    try:
        account.full_clean(exclude=["organisation", *errors], validate_unique=False, validate_constraints=False)
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    account.search_key = search_key(account.holder, account.number, account.contact_name)
    return account


@durable
def save_account(
    actor: User | None, organisation: Organisation, account: PowerAccount | None = None, **fields: Any
) -> PowerAccount:
    if not may_administer(actor, organisation):
        raise PermissionDenied
    creating = account is None
    before = {} if creating else audit.snapshot(account, ACCOUNT_FIELDS)  # type: ignore[arg-type]
    account = prepare_account(organisation, account, fields)
    duplicate = PowerAccount.objects.filter(organisation=organisation, number=account.number).exclude(pk=account.pk)
    if duplicate.exists():
        raise ValidationError({"number": _("The company already has an account numbered %s.") % account.number})
    account.save()
    after = audit.snapshot(account, ACCOUNT_FIELDS)
    changes = audit.diff(before, after)  # masks the mobile: personal data never goes into the log
    audit.record(
        actor,
        "power.account.create" if creating else "power.account.update",
        account,
        changes=changes,
        organisation_id=organisation.pk,
    )
    return account
