"""The service hall's queue: measure, register, then serve (一测温、二登记、三受理).

A number is taken after admission: where the hall screens its door, the ticket needs the
person's admitted check-in of today. A window calls the next number of the business it
takes, priority tickets first, then in the order they were taken.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core import links
from fugong.core.transactions import durable
from fugong.directory.models import Site
from fugong.screening.models import CheckIn, Decision, Venue
from fugong.screening.next_steps import NextStep
from fugong.screening.services.checkins import is_current

from ..access import may_administer, may_serve
from ..models import BusinessKind, HallScreen, PowerAccount, Ticket, TicketStatus, Window

NUMBER_ATTEMPTS = 5  # two people pressing at once: the loser takes the next number


def is_hall(site: Site) -> bool:
    return site.kind == Site.Kind.SERVICE_HALL and site.organisation.kind == site.organisation.Kind.POWER_SUPPLY


def screens_door(site: Site) -> bool:
    return Venue.objects.filter(site=site, is_active=True).exists()


@durable
def save_window(
    actor: User | None, site: Site, *, number: int, kinds: list[str], is_open: bool = True, window: Window | None = None
) -> Window:
    if not may_administer(actor, site.organisation):
        raise PermissionDenied
    if not is_hall(site):
        raise ValidationError(_("Windows belong to a power company's service hall."))
    unknown = sorted(set(kinds) - set(BusinessKind.values))
    if not kinds or unknown:
        raise ValidationError({"kinds": _("Choose the business this window takes.")})
    window = window or Window(site=site)
    before = {"number": window.number, "kinds": window.kinds, "is_open": window.is_open} if window.pk else {}
    window.number, window.kinds, window.is_open = number, [k for k in BusinessKind.values if k in kinds], is_open
    window.full_clean()
    window.save()
    audit.record(
        actor,
        "power.window.save",
        window,
        changes=audit.diff(before, {"number": number, "kinds": window.kinds, "is_open": is_open}),
        organisation_id=site.organisation_id,
    )
    return window


def _admission(site: Site, checkin: CheckIn | None) -> CheckIn | None:
    """The check-in that lets the person take a number; None where the door is not screened."""
    if not screens_door(site):
        return None
    if checkin is None:
        raise ValidationError(_("Check in at the door first: measure, register, then serve."))
    if checkin.venue.site_id != site.pk or not is_current(checkin):
        raise ValidationError(_("This check-in is not from today at this hall. Please check in again."))
    if checkin.final_decision != Decision.ADMIT:
        raise ValidationError(_("Only admitted visitors can take a number."))
    return checkin


@durable
def take_ticket(
    actor: User | None,
    site: Site,
    kind: str,
    *,
    checkin: CheckIn | None = None,
    priority: bool = False,
    nonce: str = "",
) -> tuple[Ticket, bool]:
    """A number for `kind`; (ticket, created). Resending the same nonce, or asking again with
    the same check-in while its number is open, returns that number."""
    if kind not in BusinessKind.values:
        raise ValidationError({"kind": _("Choose what you came for.")})
    if not _any_window_takes(site, kind):
        raise ValidationError({"kind": _("No window takes this business today.")})
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a number taken meanwhile fails only this try
                return _take(actor, site, kind, checkin, priority, nonce)
        except IntegrityError:
            existing = _existing(site, checkin, nonce)
            if existing is not None:
                return existing, False
    raise ValidationError(_("The hall is very busy; please press again."))


def _any_window_takes(site: Site, kind: str) -> bool:
    # JSON containment is not on every database: check in Python (a hall has a few windows).
    return any(kind in window.kinds for window in site.windows.filter(is_open=True))


def _existing(site: Site, checkin: CheckIn | None, nonce: str) -> Ticket | None:
    if nonce:
        found = Ticket.objects.filter(site=site, nonce=nonce).first()
        if found is not None:
            return found
    if checkin is not None:
        open_numbers = Ticket.objects.filter(checkin=checkin, status__in=[TicketStatus.WAITING, TicketStatus.CALLED])
        return open_numbers.filter(day=timezone.localdate()).first()
    return None


def _take(
    actor: User | None, site: Site, kind: str, checkin: CheckIn | None, priority: bool, nonce: str
) -> tuple[Ticket, bool]:
    existing = _existing(site, checkin, nonce)
    if existing is not None:
        return existing, False
    admitted = _admission(site, checkin)
    if actor is not None and not may_serve(actor, site.organisation) and admitted is None:
        raise PermissionDenied
    today = timezone.localdate()
    last = Ticket.objects.filter(site=site, day=today, kind=kind).aggregate(n=Max("number"))["n"] or 0
    ticket = Ticket.objects.create(
        site=site,
        day=today,
        kind=kind,
        number=last + 1,
        priority=priority,
        taken_at=timezone.now(),
        checkin=admitted,
        nonce=nonce,
    )
    return ticket, True


def waiting_before(ticket: Ticket) -> int:
    """How many are ahead of this number for its business (priority tickets go first)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    ahead = Ticket.objects.filter(site=ticket.site_id, day=ticket.day, kind=ticket.kind, status=TicketStatus.WAITING)
    if ticket.priority:
        return ahead.filter(priority=True, taken_at__lt=ticket.taken_at).count()
    return ahead.filter(priority=True).count() + ahead.filter(priority=False, taken_at__lt=ticket.taken_at).count()


def _window_for(actor: User | None, window: Window) -> Window:
    window = Window.objects.select_for_update().select_related("site__organisation").get(pk=window.pk)
    if not may_serve(actor, window.site.organisation):
        raise PermissionDenied
    return window


def current_ticket(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, status=TicketStatus.CALLED).first()


@durable
def call_next(actor: User | None, window: Window) -> Ticket | None:
    """Call the next number this window takes; None when nobody is waiting. The window
    finishes its current number first (served or did not come)."""
    window = _window_for(actor, window)
    if not window.is_open:
        raise ValidationError(_("Open the window before calling."))
    current = current_ticket(window)
    if current is not None:
        raise ValidationError(_("Finish %(code)s first: served, or did not come.") % {"code": current.code})
    waiting = Ticket.objects.filter(
        site=window.site, day=timezone.localdate(), status=TicketStatus.WAITING, kind__in=window.kinds
    )
    # Two windows calling at once each get a different person.
    ticket = waiting.order_by("-priority", "taken_at", "pk").select_for_update(skip_locked=True).first()
    if ticket is None:
        return None
    now = timezone.now()
    ticket.status, ticket.window, ticket.called_at, ticket.announced_at, ticket.calls = (
        TicketStatus.CALLED,
        window,
        now,
        now,
        1,
    )
    ticket.save(update_fields=["status", "window", "called_at", "announced_at", "calls"])
    if window.staff_id != getattr(actor, "pk", None) and actor is not None:
        window.staff = actor
        window.save(update_fields=["staff"])
    return ticket


@durable
def recall(actor: User | None, ticket: Ticket) -> Ticket:
    """Call the same number again (the hall screen announces it once more)."""
    ticket = Ticket.objects.select_for_update().select_related("site__organisation").get(pk=ticket.pk)
    if not may_serve(actor, ticket.site.organisation):
        raise PermissionDenied
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError(_("Only a called number can be called again."))
    ticket.calls += 1
    ticket.announced_at = timezone.now()
    ticket.save(update_fields=["calls", "announced_at"])
    return ticket


@durable
def finish(actor: User | None, ticket: Ticket, *, served: bool = True, account: PowerAccount | None = None) -> Ticket:
    """Served, or did not come; the window is free for the next number."""
    ticket = Ticket.objects.select_for_update().select_related("site__organisation").get(pk=ticket.pk)
    if not may_serve(actor, ticket.site.organisation):
        raise PermissionDenied
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError(_("%(code)s is not at a window.") % {"code": ticket.code})
    if account is not None and account.organisation_id != ticket.site.organisation_id:
        raise ValidationError({"account": _("This account belongs to another company.")})
    ticket.status = TicketStatus.SERVED if served else TicketStatus.NO_SHOW
    ticket.finished_at, ticket.served_by, ticket.account = timezone.now(), actor, account
    ticket.save(update_fields=["status", "finished_at", "served_by", "account"])
    return ticket


@durable
def cancel(ticket: Ticket) -> Ticket:
    """The visitor gives up their number (from their own ticket page)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != TicketStatus.WAITING:
        raise ValidationError(_("Only a waiting number can be given up."))
    ticket.status, ticket.finished_at = TicketStatus.CANCELLED, timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    return ticket


def offer_number(checkin: CheckIn) -> NextStep | None:
    """On an admitted visitor's result screen at a hall with open windows: take a number."""
    site = checkin.venue.site
    if not is_hall(site) or not site.windows.filter(is_open=True).exists():
        return None
    return NextStep(gettext_lazy("Take a queue number"), reverse("power:take_after_checkin", args=[checkin.public_id]))


@durable
def lapse_old_tickets() -> int:
    """Numbers of earlier days still open lapse: waiting ones are cancelled, called ones did
    not come. Run daily, so yesterday's queue never shows on today's screens."""
    now, today = timezone.now(), timezone.localdate()
    open_before = Ticket.objects.filter(day__lt=today)
    lapsed = open_before.filter(status=TicketStatus.WAITING).update(status=TicketStatus.CANCELLED, finished_at=now)
    lapsed += open_before.filter(status=TicketStatus.CALLED).update(status=TicketStatus.NO_SHOW, finished_at=now)
    return lapsed


def _screen_version(site_id: int) -> int:
    return HallScreen.objects.filter(site_id=site_id).values_list("version", flat=True).first() or 1


def screen_token(site: Site) -> str:
    """The hall screen's address: a TV in the hall shows it without signing in."""
    return links.make_token("hall-screen", site.pk, _screen_version(site.pk))


def screen_link(site: Site) -> str:
    return links.absolute("power:screen", screen_token(site))


def read_screen_token(token: str) -> Site:
    """The hall a TV's link was made for; PermissionDenied if forged or renewed since."""
    try:
        site_id, version = links.read_token("hall-screen", token, 2)
        site = Site.objects.select_related("organisation").get(pk=site_id)
    except (links.BadLink, Site.DoesNotExist):
        raise PermissionDenied(_("This screen link is not valid.")) from None
    if version != _screen_version(site.pk):
        raise PermissionDenied(_("This screen link is not valid."))
    return site


@durable
def renew_screen_link(actor: User | None, site: Site) -> str:
    """A new link for the hall's TV; the old one stops opening (on the TV's next refresh)."""
    if not may_administer(actor, site.organisation):
        raise PermissionDenied(_("Only the company's administrators may do this."))
    screen, created = HallScreen.objects.select_for_update().get_or_create(site=site)
    screen.version = 2 if created else screen.version + 1  # the link in use before any renewal is 1
    screen.renewed_at = timezone.now()
    screen.save()
    audit.record(actor, "power.hall.screen_renewed", site, organisation_id=site.organisation_id)
    return screen_token(site)
