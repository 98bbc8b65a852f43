"""Home-page cards of the power service (power.access):

- service-hall staff: the queue now, window by window;
- the company's administrators: applications to decide, restorations waiting for field work;
- everyone who reads a company (its staff, coordinators over it): the priority line's calls
  waiting and revisits overdue; platform admins also its number of accounts.
"""

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fugong.accounts.permissions import scope_of
from fugong.core.dashboard import Card, Line
from fugong.directory.models import Organisation, Site

from . import queries
from .access import may_administer, may_serve, readable_companies
from .models import ApplicationStatus

COMPANIES = 5  # cards for at most this many companies (a platform admin reads them all)
HALLS = 3


def power_cards(user: Any) -> list[Card]:
    companies = list(readable_companies(user)[:COMPANIES])
    if not companies:
        return []
    scope = scope_of(user)
    cards = [_queue(hall) for hall in queries.hall_sites(user).filter(pk__in=sorted(scope.staff_site_ids))[:HALLS]]
    mine = _my_field_work(user, companies)
    if mine is not None:
        cards.insert(0, mine)
    for company in companies:
        where = f" · {company.short_name}" if len(companies) > 1 else ""
        if may_administer(user, company):
            cards.extend(_office(user, company, where))
        cards.append(_priority_line(user, company, where))
    return cards


def _my_field_work(user: Any, companies: list[Organisation]) -> Card | None:
    """A field worker's own orders, first thing on their home page: restorations and repairs
    sent to them, the urgent repairs and those past their day said."""
    today = timezone.localdate()
    counts = queries.open_field_orders(companies, worker=user).aggregate(
        open=Count("pk"),
        repairs=Count("pk", filter=Q(call__isnull=False)),
        late=Count("pk", filter=Q(due_on__lt=today)),
    )
    if not counts["open"]:
        return None
    note = _("%(repairs)d repairs at homes, %(late)d past their day") % counts
    tone = "alert" if counts["late"] or counts["repairs"] else "warn"
    return Card(_("My field work"), str(counts["open"]), note, reverse("power:field_work"), tone)


def _queue(hall: Site) -> Card:
    state = queries.hall_state(hall)
    lines = []
    for ws in state.windows:
        if ws.current is not None:
            value = f"{ws.current.code} {ws.current.get_kind_display()}"
        else:
            value = pgettext("hall window", "free") if ws.window.is_open else pgettext("hall window", "closed")
        lines.append(Line(str(ws.window), value))
    return Card(
        _("Queue now") + f" · {hall.name}",
        str(state.waiting_total),
        _("waiting for a window; %(n)d served today") % {"n": state.served_today},
        reverse("power:hall", args=[hall.pk]),
        lines=tuple(lines),
    )


def _office(user: Any, company: Organisation, where: str) -> list[Card]:
    today = timezone.localdate()
    company_query = f"?company={company.pk}"
    applications = reverse("power:applications") + company_query
    to_decide = queries.application_counts(company.pk)[ApplicationStatus.APPLIED]
    field = queries.field_order_counts([company], today)
    cards = [
        Card(
            _("Applications to decide") + where,
            str(to_decide),
            _("suspensions and capacity reductions applied for"),
            f"{applications}&status={ApplicationStatus.APPLIED}",
            "warn" if to_decide else "",
        ),
        Card(
            _("Restorations open") + where,
            str(field["open"]),
            _("waiting for field work; %(n)d past their day") % {"n": field["late"]},
            f"{reverse('power:field_work')}?all=1"
            if may_serve(user, company)
            else f"{applications}&status={ApplicationStatus.RESTORATION_REQUESTED}",
            "alert" if field["late"] else ("warn" if field["open"] else ""),
        ),
    ]
    if scope_of(user).is_platform_admin:
        accounts = queries.account_counts(company.pk)
        cards.append(
            Card(
                _("Power accounts") + where,
                str(accounts["total"]),
                _("%(n)d enterprises") % {"n": accounts["enterprises"]},
                reverse("power:accounts") + company_query,
            )
        )
    return cards


def _priority_line(user: Any, company: Organisation, where: str) -> Card:
    counts = queries.priority_counts(user, company, timezone.localdate())
    return Card(
        _("Revisits overdue") + where,
        str(counts["overdue"]),
        _("priority line: %(waiting)d calls waiting for a visit (%(urgent)d urgent), %(due)d revisits due by today")
        % counts,
        f"{reverse('power:priority')}?company={company.pk}",
        "alert" if counts["overdue"] or counts["urgent"] else ("warn" if counts["waiting"] or counts["due"] else ""),
    )
