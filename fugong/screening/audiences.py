"""The staff of the sites a person manages (network points, service halls, checkpoints), as a
broadcast audience (notify's registry), by site. Each message can name the person and the site."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.accounts.models import Membership, Role
from fugong.directory.models import Site
from fugong.notify.recipients import Audience, AudienceFilter, Recipient, register

from .access import q_managed_sites


def _sites(user: Any) -> QuerySet[Site]:
    """Managed sites that have staff (q_managed_sites: never a site's own staff, who manage none)."""
    staffed = Membership.objects.filter(role=Role.SITE_STAFF, site__isnull=False).values("site_id")
    return Site.objects.filter(q_managed_sites(user), pk__in=staffed).order_by("name")


def _site_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(site.pk), site.name) for site in _sites(user)]


def _recipients(user: Any, chosen: Mapping[str, str]) -> list[Recipient]:
    sites = _sites(user)
    if chosen.get("site"):
        sites = sites.filter(pk=int(chosen["site"]))
    staff = (
        Membership.objects.filter(role=Role.SITE_STAFF, site__in=sites, user__is_active=True)
        .exclude(user__mobile__isnull=True)
        .exclude(user__mobile="")
        .select_related("user", "site")
        .order_by("site__name", "user__full_name")
    )
    return [Recipient(m.user.mobile or "", {"name": str(m.user), "site": m.site.name if m.site else ""}) for m in staff]


def register_audiences() -> None:
    register(
        Audience(
            "site_staff",
            _("Staff of my sites"),
            _recipients,
            filters=(AudienceFilter("site", _("Site"), _site_choices),),
            fills=("name", "site"),
            may_use=lambda user: _sites(user).exists(),
        )
    )
