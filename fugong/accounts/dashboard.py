"""Home-page cards of accounts: the platform's people, for its administrators (a person's own
roles show under the greeting, not as a card)."""

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fugong.core.dashboard import Card

from .permissions import scope_of
from .queries import visible_users


def account_cards(user: Any) -> list[Card]:
    if not scope_of(user).is_platform_admin:
        return []
    counts = visible_users(user).aggregate(active=Count("pk", filter=Q(is_active=True)), all=Count("pk"))
    return [
        Card(
            _("People"),
            str(counts["active"]),
            # Sign-in accounts, not power accounts (户): the same English said 0 户暂停用电 here.
            pgettext("sign-in accounts", "%(n)d accounts switched off") % {"n": counts["all"] - counts["active"]},
            reverse("accounts:users"),
        )
    ]
