"""One person's visits as the contact-tracing page and its export show them.

The person searched is shown in full (that is the point of the search); anyone else on the
same records (whoever registered them, or the visitor they registered) stays masked, on the
page and in the file handed to the epidemic office.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.masking import mask_id_number, mask_mobile, mask_name
from fugong.core.spreadsheets import Column, write_workbook
from fugong.core.validators import national_mobile

from . import rules
from .models import CheckIn

COLUMNS = (
    Column("at", _("Time")),
    Column("site", _("Site")),
    Column("organisation", _("Organisation")),
    Column("address", _("Address")),
    Column("name", pgettext_lazy("person", "Name")),
    Column("number", _("Mobile or ID number")),
    Column("registered_by", _("Registered by")),
    Column("temperature", _("Temperature")),
    Column("decision", _("Decision")),
    Column("reasons", _("Checks not passed")),
)


def _number(mobile: str, id_number: str, full: bool) -> str:
    if full:
        return national_mobile(mobile) if mobile else id_number
    return mask_mobile(mobile) if mobile else mask_id_number(id_number)


def rows(records: list[CheckIn], wanted: str) -> list[dict[str, Any]]:
    """Each visit with the person searched (`wanted`, as `checkins.person_key` gives it) in full."""
    found = []
    for record in records:
        visitor = wanted in (record.mobile, record.id_number)
        registrar = bool(record.companion_mobile) and wanted == record.companion_mobile
        registered_by = ""
        if record.companion_name:
            name = record.companion_name if registrar else mask_name(record.companion_name)
            registered_by = f"{name} {_number(record.companion_mobile, '', registrar)}".strip()
        found.append(
            {
                "pk": record.pk,
                "at": timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M"),
                "site": record.venue.site.name,
                "organisation": str(record.venue.site.organisation),
                "address": record.venue.site.address,
                "name": record.name if visitor else mask_name(record.name),
                "number": _number(record.mobile, record.id_number, visitor),
                "registered_by": registered_by,
                "temperature": "" if record.temperature is None else f"{record.temperature}",
                "decision": str(record.get_final_decision_display()),
                "final_decision": record.final_decision,
                "reasons": "; ".join(f"{r['label']}: {r['answer']}" for r in rules.reasons(record.results)),
            }
        )
    return found


def workbook(found: list[dict[str, Any]]) -> bytes:
    return write_workbook(str(_("Contact tracing")), COLUMNS, found)
