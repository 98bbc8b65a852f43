"""Teams, their members and what members lend."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors, named_errors, service_kwargs
from fugong.core.http import AuthedRequest, posted_pk
from fugong.directory import queries as directory_queries

from .. import queries
from ..access import may_coordinate_organisation, may_run_team
from ..forms import ActivityForm, AidForm, MemberForm, OfferForm, TeamForm, WindowForm
from ..models import AidItem, Member, Offer, Team
from ..services import duty, ledger, offers
from ..services import teams as team_services
from .scoping import channels_for


@login_required
def teams(request: AuthedRequest) -> HttpResponse:
    listing = queries.visible_teams(request.user).annotate(
        size=Count("members", filter=Q(members__left_on__isnull=True), distinct=True)
    )
    query = request.GET.get("q", "").strip()
    listing = directory_queries.search(listing, query)
    context = {"teams": listing, "q": query, "may_found": bool(_team_organisations(request))}
    return render(request, "volunteers/teams.html", context)


@login_required
def team_detail(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(queries.visible_teams(request.user), pk=team_id)
    runs = may_run_team(request.user, team)
    activity_form = ActivityForm(request.POST if "record_activity" in request.POST else None, team=team)
    aid_form = AidForm(request.POST if "record_aid" in request.POST else None)
    if request.method == "POST":
        require(runs)
        if "confirm_offer" in request.POST or "decline_offer" in request.POST:
            return _decide_offer(request, team)
        try:
            if "record_activity" in request.POST and activity_form.is_valid():
                ledger.record_activity(request.user, team, **activity_form.cleaned_data)
                messages.success(request, _("Activity recorded."))
                return redirect("volunteers:team", team_id=team.pk)
            if "record_aid" in request.POST and aid_form.is_valid():
                data = aid_form.cleaned_data
                quantity = data["quantity"] if data["direction"] == "in" else -data["quantity"]
                ledger.record_aid(
                    request.user,
                    team,
                    item=data["item"],
                    quantity=quantity,
                    on=data["on"],
                    counterparty=data["counterparty"],
                )
                messages.success(request, _("Ledger updated."))
                return redirect("volunteers:team", team_id=team.pk)
        except ValidationError as error:
            apply_errors(activity_form if "record_activity" in request.POST else aid_form, error)
    members = team.members.filter(left_on__isnull=True).select_related("village").prefetch_related("offers")
    context = {
        "team": team,
        "runs": runs,
        "members": members,
        "stock": [(AidItem(item).label, n) for item, n in sorted(ledger.stock(team).items())],
        "activities": team.activities.prefetch_related("participants")[:20],
        "activity_form": activity_form,
        "aid_form": aid_form,
        "waiting": offers.waiting_offers([team]).prefetch_related("drivers", "windows") if runs else [],
    }
    return render(request, "volunteers/team.html", context)


def _decide_offer(request: AuthedRequest, team: Team) -> HttpResponse:
    """The leader (or the office) confirms or declines a member's offer from the team page."""
    confirm = "confirm_offer" in request.POST
    offer = get_object_or_404(
        offers.waiting_offers([team]), pk=posted_pk(request.POST, "confirm_offer" if confirm else "decline_offer")
    )
    try:
        offers.decide_offer(request.user, offer, confirm=confirm)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("%(name)s's offer is confirmed.") if confirm else _("%(name)s's offer is declined.")
        messages.success(request, done % {"name": offer.member.name})
    return redirect("volunteers:team", team_id=team.pk)


def _team_organisations(request: AuthedRequest) -> Any:
    """Organisations the user may found teams for."""
    return [
        org
        for org in directory_queries.visible_organisations(request.user)
        if may_coordinate_organisation(request.user, org.pk, org.region.code)
    ]


@login_required
def team_new(request: AuthedRequest) -> HttpResponse:
    organisations = _team_organisations(request)
    require(bool(organisations))
    org_qs = directory_queries.visible_organisations(request.user).filter(pk__in=[o.pk for o in organisations])
    form = TeamForm(request.POST or None, organisations=org_qs)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.save_team(request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Team created. Now add its members."))
            return redirect("volunteers:member_new", team_id=team.pk)
    return render(request, "volunteers/team_new.html", {"form": form})


MEMBER_FIELDS = ("name", "mobile", "village", "group", "skills", "licence", "e_tricycle_licence", "consent")


@login_required
def member_new(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(queries.visible_teams(request.user), pk=team_id)
    require(may_run_team(request.user, team))
    form = MemberForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            member = team_services.save_member(request.user, team, **service_kwargs(form, *MEMBER_FIELDS))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.name})
            return redirect(
                "volunteers:member_new" if "another" in request.POST else "volunteers:team", team_id=team.pk
            )
    return render(request, "volunteers/member_new.html", {"form": form, "team": team})


def _member_initial(member: Member) -> dict[str, Any]:
    initial = {name: getattr(member, name) for name in MEMBER_FIELDS if name != "consent"}
    return initial | {"consent": member.consent_given_at is not None}


@login_required
def member_detail(request: AuthedRequest, member_id: int) -> HttpResponse:
    """A member's details, what they lend and when, and (for whoever runs the team) their duty
    link to pass on: a QR code to scan from the leader's phone, or a message."""
    member = get_object_or_404(
        Member.objects.filter(team__in=queries.visible_teams(request.user)).select_related("team__region", "village"),
        pk=member_id,
    )
    team = member.team
    runs = may_run_team(request.user, team)
    posted = request.POST if request.method == "POST" else {}
    member_form = MemberForm(posted if "save" in posted else None, team=team, initial=_member_initial(member))
    offer_form = OfferForm(posted if "offer" in posted else None, team=team)
    channels = channels_for(request, duty.MESSAGE_KIND)
    if request.method == "POST":
        require(runs)
        try:
            if _member_action(request, member, member_form, offer_form, channels):
                return redirect("volunteers:member", member_id=member.pk)
        except ValidationError as error:
            form = member_form if "save" in posted else offer_form if "offer" in posted else None
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("volunteers:member", member_id=member.pk)
            apply_errors(form, error)
    link = duty.duty_link(member) if runs and member.is_active else ""
    context = {
        "member": member,
        "team": team,
        "runs": runs,
        "appoints": may_coordinate_organisation(request.user, team.organisation_id, team.region.code),
        "offers": member.offers.prefetch_related("drivers", "windows").order_by("-is_active", "pk"),
        "member_form": member_form,
        "offer_form": offer_form,
        "window_form": WindowForm(),
        "channels": channels,
        "duty_link": link,
    }
    return render(request, "volunteers/member.html", context)


def _member_action(
    request: AuthedRequest, member: Member, member_form: MemberForm, offer_form: OfferForm, channels: Any
) -> bool:
    """Carry out the posted action; False when a form has errors to show."""
    post, user = request.POST, request.user
    if "save" in post:
        if not member_form.is_valid():
            return False
        team_services.save_member(user, member.team, member, **service_kwargs(member_form, *MEMBER_FIELDS))
        messages.success(request, _("Saved."))
    elif "offer" in post:
        if not offer_form.is_valid():
            return False
        data = offer_form.cleaned_data
        team_services.save_offer(
            user,
            member,
            kind=data["kind"],
            vehicle_kind=data["vehicle_kind"],
            capacity_cartons=data["capacity_cartons"] or 0,
            plate=data["plate"],
            drivers=list(data["drivers"]) or None,
            skill=data["skill"],
            note=data["note"],
            window=(data["available_from"], data["available_until"]) if data["available_from"] else None,
        )
        messages.success(request, _("Offer recorded."))
    elif "window" in post:
        offer = get_object_or_404(member.offers, pk=posted_pk(post, "window"), is_active=True)
        window = WindowForm(post)
        if not window.is_valid():
            raise named_errors(window)
        try:
            team_services.add_availability(
                user, offer, window.cleaned_data["starts_at"], window.cleaned_data["ends_at"]
            )
        except ValidationError as error:
            raise named_errors(window, error) from error
        messages.success(request, _("Window added."))
    elif "withdraw" in post:
        team_services.withdraw_offer(user, get_object_or_404(Offer, pk=posted_pk(post, "withdraw"), member=member))
    elif "leader" in post:
        team_services.set_leader(user, member.team, member)
        messages.success(request, _("%(name)s now leads the team.") % {"name": member.name})
    elif "leaves" in post:
        team_services.member_leaves(user, member)
        messages.success(request, _("%(name)s has left the team.") % {"name": member.name})
    elif "renew_link" in post:
        duty.renew_duty_link(user, member)
        messages.success(request, _("A new duty link was made; the old one no longer works."))
    elif "send_link" in post:
        channel = get_object_or_404(channels, pk=posted_pk(post, "send_link"))
        duty.send_duty_links(user, [member], channel)
        messages.success(request, _("The duty link is on its way."))
    return True
