"""Excel/CSV import and export of power accounts, all rows or none, errors by row.

A county has tens of thousands of accounts: every row is checked by the same rules as the
form (`customers.prepare_account`), then all are written in bulk in one transaction.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.imports import ROW_FAILURES, Cells, choice, row_errors
from fugong.core.jobs import Progress
from fugong.core.masking import mask_mobile
from fugong.core.spreadsheets import Column, ImportRejected, Problems, Row, RowError
from fugong.core.transactions import service_transaction
from fugong.core.validators import national_mobile
from fugong.directory.models import Organisation, Region

from ..access import may_administer
from ..models import AccountKind, Billing, Industry, PowerAccount, Voltage
from .customers import ACCOUNT_FIELDS, prepare_account

COLUMNS = (
    Column("number", gettext_lazy("Account number"), ("户号", "用户编号", "account"), required=True),
    Column("holder", gettext_lazy("Account holder"), ("户名", "用户名称", "holder"), required=True),
    Column("kind", gettext_lazy("Kind"), ("用户类别", "类别"), required=True),
    Column("voltage", gettext_lazy("Voltage"), ("电压等级", "高低压"), required=True),
    Column("billing", gettext_lazy("Billing"), ("计费方式", "电价制度")),
    Column("industry", gettext_lazy("Industry"), ("行业", "行业分类")),
    Column("capacity_kva", gettext_lazy("Contracted capacity (kVA)"), ("合同容量", "容量", "kVA"), required=True),
    Column("region_code", gettext_lazy("Town code"), ("乡镇代码", "区划代码"), required=True),
    Column("supply_station", gettext_lazy("Supply station"), ("供电所", "所属供电所"), required=True),
    Column("address", gettext_lazy("Address"), ("用电地址", "地址")),
    Column("contact_name", gettext_lazy("Contact person"), ("联系人",)),
    Column("mobile", gettext_lazy("Mobile"), ("手机", "手机号", "联系电话")),
    Column("credit_code", gettext_lazy("Unified social credit code"), ("统一社会信用代码", "信用代码")),
    Column("is_active", gettext_lazy("Active"), ("在用", "状态")),
)
FIELD_TO_COLUMN = {"region": "region_code"}
YES = {"1", "yes", "y", "true", "是", "在用", "正常"}
NO = {"0", "no", "n", "false", "否", "销户", "停用"}


# Words offices use besides the labels.
ALIASES = {"billing": {"两部制": Billing.TWO_PART, "单一制": Billing.SINGLE}}


@cache
def _lookup(name: str) -> dict[str, str]:
    """Both languages' labels, the codes and the aliases, lower-cased, for reading a column."""
    choices: Any = {"kind": AccountKind, "voltage": Voltage, "billing": Billing, "industry": Industry}[name]
    found: dict[str, str] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            found.update({str(label).lower(): value for value, label in choices.choices})
    found.update({value.lower(): value for value in choices.values})
    found.update({alias.lower(): str(value) for alias, value in ALIASES.get(name, {}).items()})
    return found


def _fields(values: Cells, regions: dict[str, Region]) -> dict[str, Any]:
    """The row's account fields, every bad cell noted (`Cells.check` raises them together)."""
    region = regions.get(values["region_code"].strip())
    if region is None:
        values.note("region_code", _("No region has the code “%(code)s”.") % {"code": values["region_code"]})
    capacity = values["capacity_kva"].strip()
    if not capacity.isdigit():
        values.note("capacity_kva", _("“%(value)s” is not a whole number.") % {"value": capacity})
    active = values.get("is_active", "").strip().lower()
    if active and active not in YES | NO:
        values.note("is_active", _("“%(value)s” is not one of the allowed values.") % {"value": active})
    industry = values.get("industry", "").strip()
    fields = {
        "number": values["number"].strip(),
        "holder": values["holder"],
        "kind": values.read(choice, values["kind"], _lookup("kind"), "kind"),
        "voltage": values.read(choice, values["voltage"], _lookup("voltage"), "voltage"),
        "billing": values.read(
            choice, values.get("billing", ""), _lookup("billing"), "billing", default=Billing.SINGLE
        ),
        "industry": values.read(choice, industry, _lookup("industry"), "industry") if industry else "",
        "capacity_kva": int(capacity) if capacity.isdigit() else None,
        "region": region,
        "supply_station": values["supply_station"],
        "address": values.get("address", ""),
        "contact_name": values.get("contact_name", ""),
        "mobile": values.get("mobile", ""),
        "credit_code": values.get("credit_code", ""),
        "is_active": active not in NO,
    }
    values.check()
    return fields


def import_accounts(
    actor: User | None, organisation: Organisation, rows: list[Row], progress: Progress | None = None
) -> dict[str, Any]:
    """New account numbers are added, known ones updated; any problem and nothing changes."""
    if not may_administer(actor, organisation):
        raise ImportRejected([RowError(1, "", _("You may not import accounts for this company."))])
    existing = {a.number: a for a in PowerAccount.objects.filter(organisation=organisation)}
    regions = {r.code: r for r in Region.objects.filter(code__startswith=organisation.region.prefix)}
    errors = Problems()
    seen: dict[str, int] = {}
    created: list[PowerAccount] = []
    updated: list[PowerAccount] = []
    if progress:
        progress.update(0, len(rows), _("Checking %d rows…") % len(rows))
    for done, row in enumerate(rows, start=1):
        values = Cells(row.values, COLUMNS)
        try:
            number = values["number"].strip()
            if number in seen:
                values.note("number", _("The account number is also in row %(row)d.") % {"row": seen[number]})
            elif number:
                seen[number] = row.number
            fields = _fields(values, regions)
            account = prepare_account(organisation, existing.get(number), fields)
            (updated if account.pk else created).append(account)
        except ROW_FAILURES as failure:
            errors.extend(row_errors(row.number, COLUMNS, failure, FIELD_TO_COLUMN, values))
        if progress and done % 1000 == 0:
            progress.update(done)
    if errors:
        raise errors.rejected()
    with service_transaction("power.import_accounts"):
        PowerAccount.objects.bulk_create(created, batch_size=1000)
        fields_to_update = [name for name in ACCOUNT_FIELDS if name != "number"] + ["search_key"]
        PowerAccount.objects.bulk_update(updated, fields_to_update, batch_size=1000)
        audit.record_about(
            actor,
            "power.accounts.import",
            "power.poweraccount",
            "",
            str(organisation),
            changes={"created": [None, len(created)], "updated": [None, len(updated)]},
            organisation_id=organisation.pk,
        )
    if progress:
        progress.update(len(rows), len(rows))
    return {"rows": len(rows), "created": len(created), "updated": len(updated), "unchanged": 0}


def account_rows(qs: QuerySet[PowerAccount], *, full_mobile: bool) -> Iterable[dict[str, Any]]:
    """Rows `import_accounts` reads back (labels in the person's language)."""
    for account in qs.select_related("region").order_by("number").iterator(chunk_size=2000):
        yield {
            "number": account.number,
            "holder": account.holder,
            "kind": account.get_kind_display(),
            "voltage": account.get_voltage_display(),
            "billing": account.get_billing_display(),
            "industry": account.get_industry_display() if account.industry else "",
            "capacity_kva": account.capacity_kva,
            "region_code": account.region.code,
            "supply_station": account.supply_station,
            "address": account.address,
            "contact_name": account.contact_name,
            "mobile": (national_mobile(account.mobile) if full_mobile else mask_mobile(account.mobile)),
            "credit_code": account.credit_code,
            "is_active": _("yes") if account.is_active else _("no"),
        }
