"""The audit trail: every service records its change here, after it is made.

Where a change came from (web request, API call, task, command) is set once per request
or job (fugong.core.origin), so services need not pass it around.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from fugong.core.origin import Origin, current_origin, origin  # noqa: F401 - audit.origin for callers

from .audit_words import CHANGE_CHOICES, CHANGE_LABELS
from .models import AuditEntry, User

# Field names whose values never go into the audit log, only the fact of a change.
SENSITIVE_FIELDS = frozenset({"mobile", "phone", "id_number", "password", "contact_phone"})


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Values of the named fields, as text, for a before/after comparison."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, getattr(field, "attname", name))  # parent -> parent_id
        values[name] = None if value is None else str(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{"field": [old, new]} for changed fields; personal fields show only that they changed."""
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = ["***", "***"] if name in SENSITIVE_FIELDS else [old, new]
    return changes


def record(
    actor: User | None,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    region_code: str = "",
) -> AuditEntry:
    return record_about(
        actor,
        action,
        obj._meta.label_lower,
        str(obj.pk),
        str(obj),
        changes=changes,
        organisation_id=organisation_id,
        region_code=region_code,
    )


def record_about(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    *,
    changes: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    region_code: str = "",
) -> AuditEntry:
    """An entry about something that is not one row, e.g. a purge of many ("screening.checkin", "")."""
    where = current_origin()
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.get_username() if actor is not None and actor.pk else where.source),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        organisation_id=organisation_id,
        region_code=region_code,
        source=where.source,
        ip_address=where.ip_address,
        user_agent=where.user_agent[:200],
    )


@dataclass(frozen=True)
class ReadableChange:
    field: str
    before: str
    after: str
    verbatim: bool = False  # prose someone typed (a message template, a note): shown as it was written
    recorded: bool = False  # a value recorded with the action (a count, what was exported), not a change


def readable_changes(entry: AuditEntry) -> list[ReadableChange]:
    """An entry's changes in the reader's words: a field by its verbose name, a choice by its
    label, a related row by its name, yes/no and empty for booleans and nothing (the entry
    keeps codes and ids, for searching). A model may name the choices of a key that is not a
    choice field (a list of codes, a role recorded on a user) in `audit_choices`."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        model = None
    extra_choices = getattr(model, "audit_choices", {})
    changes = []
    for name, values in (entry.changes or {}).items():
        field = _field(model, name)
        changed = isinstance(values, list) and len(values) == 2
        pair = values if changed else [None, values]
        verbose_name = getattr(field, "verbose_name", None) or CHANGE_LABELS.get(name)  # a reverse relation has none
        label = capfirst(verbose_name) if verbose_name else name.replace("_", " ")
        named = extra_choices.get(name) or (CHANGE_CHOICES.get(name) if field is None else None)
        choices = dict(named.choices) if named else _choices(field)
        before, after = (_value(field, choices, value) for value in pair)
        verbatim = isinstance(field, models.TextField)
        changes.append(ReadableChange(str(label), before, after, verbatim=verbatim, recorded=not changed))
    return changes


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _choices(field: Any) -> dict[Any, Any]:
    return dict(field.flatchoices) if getattr(field, "choices", None) else {}


def _value(field: Any, choices: dict[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True or value == "True":
        return str(_("yes"))
    if value is False or value == "False":
        return str(_("no"))
    if isinstance(value, list):  # codes some services record as a list
        return pgettext("list separator", ", ").join(str(choices.get(item, item)) for item in value)
    if not isinstance(value, str | int):  # a mapping some services record as it is
        return json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.ForeignKey) and str(value).isdigit():  # some services record the name itself
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    try:  # a moment some services record in ISO form
        moment = parse_datetime(value) if isinstance(value, str) and "T" in value else None
    except ValueError:  # shaped like one, but not a real date
        moment = None
    if moment is not None:
        return f"{timezone.localtime(moment) if timezone.is_aware(moment) else moment:%Y-%m-%d %H:%M}"
    return str(choices.get(value, value))
