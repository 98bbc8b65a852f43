"""The menu: which pages each role sees. Modules add their entries here."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fugong.accounts.models import Role
from fugong.accounts.permissions import scope_of
from fugong.delivery.queries import runs_deliveries
from fugong.power.access import works_with_power
from fugong.resumption.queries import has_figures_to_show
from fugong.screening.queries import has_screening_pages

MANAGERS = frozenset({Role.COUNTY_COORDINATOR, Role.ORG_ADMIN})


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user; platform admins see all
    personal: bool = False  # about the person's own duties: only for those who hold the role
    # A further check `user -> bool` of the module: the power pages only for people of a power
    # company or coordinators over one.
    when: Callable[[Any], bool] | None = None

    def visible_to(self, scope: Any, user: Any = None) -> bool:
        if self.personal:
            return bool(self.roles and scope.roles.intersection(self.roles))
        if self.roles is not None and not scope.has_role(*self.roles):
            return False
        return self.when is None or self.when(user)


NAV_ITEMS = [
    NavItem(_("Home"), "site:home", None),
    NavItem(_("Regions"), "directory:regions", MANAGERS),
    NavItem(_("Organisations"), "directory:organisations", MANAGERS),
    NavItem(_("Sites"), "directory:sites", MANAGERS | {Role.SITE_STAFF}),
    NavItem(_("Messages"), "notify:outbox", MANAGERS | {Role.SITE_STAFF}),
    NavItem(
        _("Deliveries"),
        "delivery:backlog",
        MANAGERS | {Role.SITE_STAFF},
        when=runs_deliveries,
    ),
    NavItem(_("Screening"), "screening:index", MANAGERS | {Role.SITE_STAFF}, when=has_screening_pages),
    NavItem(_("Power service"), "power:index", MANAGERS | {Role.SITE_STAFF}, when=works_with_power),
    NavItem(
        _("Resumption index"),
        "resumption:dashboard",
        MANAGERS | {Role.SITE_STAFF},
        when=has_figures_to_show,
    ),
    NavItem(_("Volunteers"), "volunteers:teams", MANAGERS | {Role.SITE_STAFF, Role.VOLUNTEER}),
    NavItem(_("My duties"), "volunteers:me", frozenset({Role.VOLUNTEER}), personal=True),
    NavItem(_("Users"), "accounts:users", MANAGERS),
    NavItem(_("Audit log"), "accounts:audit", MANAGERS),
]


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    scope = scope_of(user)
    items = []
    for item in NAV_ITEMS:
        if item.visible_to(scope, user):
            url = reverse(item.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "active": active, "name": item.url_name})
    return items
