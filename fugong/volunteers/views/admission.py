"""Whether the members on a duty passed admission at its site today (screening's check-ins)."""

from datetime import datetime

from django.utils import timezone

from fugong.directory.models import Site
from fugong.screening.models import CheckIn, Venue
from fugong.screening.queries import admissions_today

from ..models import Member


def admissions_on_duty(
    site: Site | None, starts_at: datetime, ends_at: datetime, members: list[Member]
) -> dict[int, CheckIn | None]:
    """{member id: their latest check-in at the site today, or None} when the duty is at a
    site that screens and runs today; empty otherwise (nothing to show)."""
    today = timezone.localdate()
    if site is None or not timezone.localdate(starts_at) <= today <= timezone.localdate(ends_at):
        return {}
    if not Venue.objects.filter(site=site, is_active=True).exists():
        return {}  # the site does not check people in: nothing to show
    found = admissions_today(site, [m.mobile for m in members if m.mobile])
    return {m.pk: found.get(m.mobile) for m in members}
