import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require, scope_of
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest
from fugong.core.masking import mask_mobile

from . import crypto, queries, recipients, services
from .forms import BroadcastForm, ChannelForm, OptOutForm, OutboxFilter, TemplateForm, TestForm
from .models import Broadcast, Channel, ChannelKind, MessageStatus, MessageTemplate, OptOut
from .rendering import render as render_message


def _may_use_outbox(request: AuthedRequest) -> None:
    require(queries.may_send(request.user))


@login_required
def outbox(request: AuthedRequest) -> HttpResponse:
    require(queries.may_read_outbox(request.user))
    qs = queries.visible_messages(request.user)
    form = OutboxFilter(request.GET or None, **queries.outbox_choices(qs))
    if form.is_valid():
        qs = queries.filter_outbox(qs, **form.cleaned_data)
    managed = set(queries.manageable_channels(request.user).values_list("pk", flat=True))
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "form": form,
        "managed": managed,
        "uncertain": qs.filter(status=MessageStatus.UNCERTAIN).count(),
        "paused": queries.usable_channels(request.user).filter(paused_until__gt=timezone.now()),
        "may_send": queries.may_send(request.user),
        "page_query": _filters_query(request),
    }
    return render(request, "notify/outbox.html", context)


def _filters_query(request: AuthedRequest) -> str:
    """The chosen filters as a query string, kept by the pages' links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def message_detail(request: AuthedRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(queries.visible_messages(request.user), pk=message_id)
    manages = queries.manageable_channels(request.user).filter(pk=message.channel_id).exists()
    if request.method == "POST":
        if not manages and message.created_by_id != request.user.pk:
            raise Http404  # read on the organisation's behalf (its staff): no message of theirs to resend
        require(manages)
        try:
            services.resend(request.user, message)
            messages.success(request, _("The message is queued again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("notify:message", message_id=message.pk)
    return render(request, "notify/message.html", {"message": message, "manages": manages})


@login_required
def opt_outs(request: AuthedRequest) -> HttpResponse:
    """Who asked for no messages: recorded here, honoured by every channel. Numbers are masked;
    searching by a full number finds its entry."""
    require(services.may_keep_opt_outs(request.user))
    # A search by full number is posted, so the number never sits in a URL (history, proxy logs).
    searched = request.POST.get("q", "").strip() if request.method == "POST" else ""
    recording = request.method == "POST" and "q" not in request.POST
    form = OptOutForm(request.POST if recording else None)
    if recording and form.is_valid():
        try:
            services.opt_out(request.user, **form.cleaned_data)
            messages.success(request, _("Recorded: nothing more is sent there."))
            return redirect("notify:opt_outs")
        except ValidationError as error:
            apply_errors(form, error)
    listing = OptOut.objects.filter(services.q_visible_opt_outs(request.user)).order_by("-created_at")
    if searched:
        try:
            listing = listing.filter(recipient=services.opt_out_address(searched))
        except ValidationError:
            listing = listing.none()
    page = Paginator(listing, 50).get_page(1 if searched else request.GET.get("page"))
    liftable = {entry.pk for entry in page if services.may_lift_opt_out(request.user, entry)}
    context = {"form": form, "page": page, "searched": searched, "liftable": liftable}
    return render(request, "notify/opt_outs.html", context)


@login_required
@require_POST
def opt_out_cancel(request: AuthedRequest, opt_out_id: int) -> HttpResponse:
    entry = get_object_or_404(OptOut.objects.filter(services.q_visible_opt_outs(request.user)), pk=opt_out_id)
    services.cancel_opt_out(request.user, entry)
    messages.success(request, _("Messages will be sent there again."))
    return redirect("notify:opt_outs")


@login_required
def channels(request: AuthedRequest) -> HttpResponse:
    _may_use_outbox(request)
    listing = queries.manageable_channels(request.user).select_related("organisation", "region")
    context = {"channels": listing, "may_create": queries.may_create_channel(request.user)}
    return render(request, "notify/channels.html", context)


@login_required
def channel_edit(request: AuthedRequest, channel_id: int | None = None) -> HttpResponse:
    channel = get_object_or_404(queries.manageable_channels(request.user), pk=channel_id) if channel_id else None
    if channel is None:
        require(queries.may_create_channel(request.user))
    initial: dict[str, Any] = {"kind": ChannelKind.CONSOLE, "options": "{}"}
    if channel is not None:
        initial = {
            "name": channel.name,
            "kind": channel.kind,
            "options": json.dumps(crypto.redact_options(channel.options), ensure_ascii=False),
            "rate_per_minute": channel.rate_per_minute,
            "daily_quota_per_recipient": channel.daily_quota_per_recipient,
            "is_active": channel.is_active,
            "region": channel.region_id,
            "is_default": channel.is_default,
        }
    # The county and the default are for the platform's own channels, set by its administrator.
    platform = scope_of(request.user).is_platform_admin and (channel is None or channel.organisation_id is None)
    form = ChannelForm(request.POST or None, initial=initial, platform=platform)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("secret") or None
        if channel is None and not scope_of(request.user).is_platform_admin:
            data["organisation_id"] = min(scope_of(request.user).admin_org_ids)
        try:
            channel = services.save_channel(request.user, channel, secret=secret, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notify:channel", channel_id=channel.pk)
    return render(request, "notify/channel_form.html", {"form": form, "channel": channel})


@login_required
def channel_detail(request: AuthedRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(queries.manageable_channels(request.user), pk=channel_id)
    template_form = TemplateForm(request.POST if "save_template" in request.POST else None)
    test_form = TestForm(request.POST if "send_test" in request.POST else None)
    if request.method == "POST":
        if "resume" in request.POST:
            services.resume_channel(request.user, channel)
            messages.success(request, _("Sending resumed."))
            return redirect("notify:channel", channel_id=channel.pk)
        try:
            if "save_template" in request.POST and template_form.is_valid():
                services.save_template(request.user, channel, **template_form.cleaned_data)
                messages.success(request, _("Template saved."))
                return redirect("notify:channel", channel_id=channel.pk)
            if "send_test" in request.POST and test_form.is_valid():
                services.send_test(request.user, channel, test_form.cleaned_data["recipient"])
                messages.success(request, _("Test message queued; it appears in the outbox."))
                return redirect("notify:channel", channel_id=channel.pk)
        except ValidationError as error:
            apply_errors(template_form if "save_template" in request.POST else test_form, error)
    secret = (
        crypto.channel_secret(channel.options, channel.secret)
        if channel.secret or channel.options.get("secret_env")
        else ""
    )
    context = {
        "channel": channel,
        "templates": channel.templates.order_by("kind"),
        "template_form": template_form,
        "test_form": test_form,
        "secret_hint": crypto.hint(secret) if secret else "",
    }
    return render(request, "notify/channel_detail.html", context)


@login_required
@require_POST
def channel_delete_template(request: AuthedRequest, channel_id: int, kind: str) -> HttpResponse:
    channel: Channel = get_object_or_404(queries.manageable_channels(request.user), pk=channel_id)
    services.delete_template(request.user, channel, kind)
    return redirect("notify:channel", channel_id=channel.pk)


def _broadcast_form(request: AuthedRequest) -> BroadcastForm:
    """Bound to what was posted, except when the person only picked a template or an
    audience: then its filters and parameters are shown, without errors yet."""
    templates = MessageTemplate.objects.filter(channel__in=queries.usable_channels(request.user))
    options: dict[str, Any] = {
        "templates": list(templates.select_related("channel").order_by("channel__name", "kind")),
        "audiences": recipients.offered_to(request.user),
        "user": request.user,
    }
    if request.method == "POST" and "choose" not in request.POST:
        return BroadcastForm(request.POST, **options)
    initial = request.POST.dict() if request.method == "POST" else request.GET.dict()
    return BroadcastForm(initial=initial, **options)


@login_required
def broadcast_new(request: AuthedRequest) -> HttpResponse:
    """Choose, preview, confirm: nothing is sent before the person has seen who and what."""
    _may_use_outbox(request)
    form = _broadcast_form(request)
    preview = None
    if form.is_bound and form.is_valid():
        template, audience = form.chosen_template, form.chosen_audience
        assert template is not None and audience is not None  # both are required choices
        parameters = form.parameters()
        try:
            if "confirm" in request.POST:
                broadcast = services.start_broadcast(
                    request.user,
                    template.channel,
                    template.kind,
                    audience.key,
                    parameters,
                    title=form.cleaned_data["title"],
                    filters=form.filters(),
                )
                return redirect("notify:broadcast", broadcast_id=broadcast.pk)
            found = recipients.resolve(request.user, audience.key, form.filters())
            if not found:
                raise ValidationError({"audience": _("This list has nobody to send to.")})
            first = found[0]
            preview = {
                "count": len(found),
                "first": mask_mobile(first.address),
                "text": render_message(template.text, {**parameters, **first.values}),
                "sample": [mask_mobile(r.address) for r in found[1:5]],
            }
        except ValidationError as error:
            apply_errors(form, error)
    return render(request, "notify/broadcast_new.html", {"form": form, "preview": preview})


@login_required
def broadcast_detail(request: AuthedRequest, broadcast_id: int) -> HttpResponse:
    broadcast = get_object_or_404(
        Broadcast.objects.filter(Q(channel__in=queries.manageable_channels(request.user)) | Q(created_by=request.user)),
        pk=broadcast_id,
    )
    counts = dict(broadcast.messages.values_list("status").annotate(n=Count("pk")))
    pending = counts.get(MessageStatus.QUEUED, 0) + counts.get(MessageStatus.SENDING, 0)
    done = broadcast.total - pending
    audience, filters = recipients.describe(request.user, broadcast.source, broadcast.filters)
    context = {
        "broadcast": broadcast,
        "audience": audience,
        "audience_filters": filters,
        "counts": [(label, counts.get(value, 0), value) for value, label in MessageStatus.choices],
        "pending": pending,
        "percent": round(100 * done / broadcast.total) if broadcast.total else 100,
    }
    template = "notify/_broadcast_progress.html" if request.htmx else "notify/broadcast.html"
    return render(request, template, context)
