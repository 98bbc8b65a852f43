from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest
from fugong.core.validators import national_mobile

from . import audit, services
from .audit_words import ACTIONS, SOURCES
from .forms import LoginForm, MembershipForm, PasswordForm, TokenForm, UserCreateForm, UserEditForm
from .models import ApiToken, AuditEntry, Membership
from .permissions import require, scope_of
from .queries import can_see_personal_data, can_view_audit, visible_audit_entries, visible_users


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _require_manager(request: AuthedRequest) -> None:
    require(scope_of(request.user).has_role("county_coordinator", "org_admin"))


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request.user, request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("site:home")
    return render(request, "accounts/password.html", {"form": form})


@login_required
def users(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    qs = visible_users(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(full_name__icontains=query) | Q(username__icontains=query))
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": query})


@login_required
def user_create(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                request.user,
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                mobile=data["mobile"],
                membership=form.membership(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            form.add_error("role", _("You may not grant this role here."))
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user})
            return redirect("accounts:user", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(visible_users(request.user), pk=user_id)
    may_edit = services.can_manage_user(request.user, subject) or subject.pk == request.user.pk
    edit_form = UserEditForm(
        request.POST if request.method == "POST" and "save_user" in request.POST else None,
        initial={
            "full_name": subject.full_name,
            "mobile": national_mobile(subject.mobile or ""),
            "email": subject.email,
            "is_active": subject.is_active,
        },
    )
    membership_form = MembershipForm(
        request.POST if request.method == "POST" and "grant" in request.POST else None, actor=request.user
    )
    if request.method == "POST":
        require(may_edit)
        try:
            if "save_user" in request.POST and edit_form.is_valid():
                services.update_user(request.user, subject, **edit_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("accounts:user", user_id=subject.pk)
            if "grant" in request.POST and membership_form.is_valid():
                membership = membership_form.membership()
                membership.user = subject
                services.grant_membership(request.user, membership)
                messages.success(request, _("Role granted."))
                return redirect("accounts:user", user_id=subject.pk)
        except ValidationError as error:
            apply_errors(membership_form if "grant" in request.POST else edit_form, error)
    context = {
        "subject": subject,
        "may_edit": may_edit,
        "full_personal_data": can_see_personal_data(request.user, subject),
        "memberships": subject.memberships.select_related("organisation", "region", "site"),
        "edit_form": edit_form,
        "membership_form": membership_form,
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@require_POST
def membership_revoke(request: AuthedRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    get_object_or_404(visible_users(request.user), pk=membership.user_id)
    try:
        services.revoke_membership(request.user, membership)
        messages.success(request, _("Role removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:user", user_id=membership.user_id)


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = timezone.now() + timedelta(days=form.cleaned_data["days"])
        _token, new_token = services.create_api_token(request.user, name=form.cleaned_data["name"], expires_at=expires)
        form = TokenForm()
    listing = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": listing, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(request.user, token)
    messages.success(request, _("Token revoked; phones using it must sign in again."))
    return redirect("accounts:tokens")


def _who(entry: AuditEntry) -> str:
    """A person by name with their user name (黄晖云（huanghuiyun）); no person: the job or
    command that made the change, in words."""
    if entry.actor is not None:
        name = entry.actor.full_name
        return f"{name}（{entry.actor_label}）" if name and name != entry.actor_label else entry.actor_label
    return str(SOURCES.get(entry.actor_label, entry.actor_label))


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    require(can_view_audit(request.user))
    qs = visible_audit_entries(request.user).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    who = request.GET.get("who", "").strip()
    if who:
        qs = qs.filter(Q(actor_label__icontains=who) | Q(actor__full_name__icontains=who))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            # No person: the job or command that made the change, in words.
            "who": _who(e),
            "action": ACTIONS.get(e.action, e.action),
            "changes": audit.readable_changes(e),
            "source": SOURCES.get(e.source, e.source),
        }
        for e in page
    ]
    actions = sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda pair: pair[1])
    context = {"page": page, "rows": rows, "action": action, "actions": actions, "who": who}
    return render(request, "accounts/audit.html", context)
