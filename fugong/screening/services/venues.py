"""Screened sites: opening screening at a site, its hygiene schedule, its venue code (场所码)
and the printable poster that carries it."""

import re
from datetime import time
from typing import Any

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core import links
from fugong.core.transactions import durable
from fugong.directory.models import Site

from .. import rules
from ..access import may_manage_site
from ..models import Venue
from . import policies

TWICE_A_DAY = ["08:00", "14:00"]  # the seed's hall: staff temperatures and disinfection twice a day
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_times(text: str, field: str) -> list[str]:
    """ "08:00, 14:00" -> ["08:00", "14:00"], sorted; ValidationError naming the field."""
    parts = [p for p in re.split(r"[,，;；\s]+", text.strip()) if p]
    bad = [p for p in parts if not TIME_RE.match(p)]
    if bad:
        raise ValidationError({field: _("Not a time of day: %(value)s (use 08:00)") % {"value": bad[0]}})
    if len(set(parts)) != len(parts):
        raise ValidationError({field: _("Each time can appear once.")})
    return sorted(parts)


def slot_times(values: list[str]) -> list[time]:
    return [time.fromisoformat(v) for v in values]


@durable
def open_venue(
    actor: User | None,
    site: Site,
    *,
    staff_check_times: list[str] | None = None,
    disinfection_times: list[str] | None = None,
    grace_minutes: int = 60,
    checkins_per_minute: int | None = None,
) -> Venue:
    """Start screening at a site (or resume it); it gets its venue code. The phone check-ins
    it takes per minute stay as they were unless given (a new venue: the deployment's default)."""
    require(may_manage_site(actor, site))
    venue = Venue.objects.select_for_update().filter(site=site).first()
    if venue is None:
        venue = Venue(site=site)
    limit_before = None if venue.pk is None else venue.checkins_per_minute
    if checkins_per_minute is not None:
        venue.checkins_per_minute = checkins_per_minute
    venue.staff_check_times = staff_check_times if staff_check_times is not None else TWICE_A_DAY
    venue.disinfection_times = disinfection_times if disinfection_times is not None else TWICE_A_DAY
    venue.grace_minutes = grace_minutes
    venue.is_active = True
    venue.full_clean()
    venue.save()
    audit.record(
        actor,
        "screening.venue_opened",
        venue,
        changes={
            "staff_check_times": [None, venue.staff_check_times],
            "disinfection_times": [None, venue.disinfection_times],
        }
        | (
            {"checkins_per_minute": [limit_before, venue.checkins_per_minute]}
            if limit_before != venue.checkins_per_minute
            else {}
        ),
        organisation_id=site.organisation_id,
        region_code=site.region.code,
    )
    return venue


@durable
def close_venue(actor: User | None, venue: Venue) -> Venue:
    """Stop screening (the epidemic rules lifted); records stay until their retention ends."""
    require(may_manage_site(actor, venue.site))
    Venue.objects.filter(pk=venue.pk).update(is_active=False)
    venue.is_active = False
    audit.record(actor, "screening.venue_closed", venue, organisation_id=venue.site.organisation_id)
    return venue


@durable
def rotate_code(actor: User | None, venue: Venue) -> Venue:
    """A new venue code: posters printed before stop working (reprint them)."""
    require(may_manage_site(actor, venue.site))
    Venue.objects.filter(pk=venue.pk).update(code_version=F("code_version") + 1)
    venue.refresh_from_db(fields=["code_version"])
    audit.record(
        actor,
        "screening.venue_code_rotated",
        venue,
        changes={"code_version": [venue.code_version - 1, venue.code_version]},
        organisation_id=venue.site.organisation_id,
    )
    return venue


def venue_token(venue: Venue) -> str:
    return links.make_token("venue", venue.pk, venue.code_version)


def venue_link(venue: Venue) -> str:
    """What the QR code says: the public check-in page of this version of the code."""
    return links.absolute("screening:visit", venue_token(venue))


def read_venue_token(token: str) -> Venue:
    """The venue a scanned code belongs to; PermissionDenied (in words a visitor understands)
    if the code is forged, replaced by a newer poster, or screening has stopped there."""
    try:
        venue_id, version = links.read_token("venue", token, 2)
        venue = Venue.objects.select_related("site__region", "site__organisation").get(pk=venue_id)
    except (links.BadLink, Venue.DoesNotExist):
        raise PermissionDenied(_("This venue code is not valid.")) from None
    if version != venue.code_version:
        raise PermissionDenied(_("This venue code has been replaced. Scan the new poster at the entrance."))
    if not venue.is_active:
        raise PermissionDenied(_("This site is not checking visitors now. Ask the staff at the entrance."))
    return venue


def poster_pdf(venue: Venue) -> bytes:
    """An A4 poster: the site, the QR code, the rules in force in words (Noto CJK)."""
    link = venue_link(venue)
    policy = policies.in_force(venue.site)
    qr = segno.make(link, error="q").svg_inline(scale=10, dark="#000")
    context: dict[str, Any] = {
        "venue": venue,
        "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own link
        "link": link,
        "policy": policy,
        "rules": [rules.describe(c) for c in policy.checks.all()] if policy else [],
        "printed_at": timezone.localtime(),
    }
    return HTML(string=render_to_string("screening/print/poster.html", context)).write_pdf()
