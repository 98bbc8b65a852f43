from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fugong.core.dashboard import Card

from .models import Membership
from .permissions import scope_of
from .queries import visible_users


def account_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    cards = []
    if scope.has_role("county_coordinator", "org_admin"):
        cards.append(
            Card(_("People"), str(visible_users(user).count()), _("users in your care"), reverse("accounts:users"))
        )
    roles = Membership.objects.filter(user=user).select_related("organisation", "region")
    cards.append(
        Card(
            _("My roles"),
            str(roles.count()),
            "; ".join(str(m) for m in roles) or _("No role yet: ask your administrator."),
        )
    )
    return cards
