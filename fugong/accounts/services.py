"""Every change to users, memberships and API tokens, audited."""

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import throttle
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile

from . import audit
from .backends import user_for_login
from .models import ApiToken, Membership, Role, User, hash_token
from .permissions import forget_scope, require, scope_of

USER_FIELDS = ("username", "full_name", "mobile", "email", "is_active")


def _membership_scope_codes(membership: Membership) -> tuple[int | None, str]:
    """(organisation id, region code) a membership applies to; a coordinator's is their region."""
    if membership.role == Role.COUNTY_COORDINATOR and membership.region is not None:
        return None, membership.region.code
    if membership.organisation is not None:
        return membership.organisation.pk, membership.organisation.region.code
    return None, ""


def can_grant(actor: User | None, membership: Membership) -> bool:
    """Platform admins grant anything. Coordinators grant roles inside their region, a
    coordinator role only for a region inside their own. Organisation administrators grant
    staff, volunteer and administrator roles of their organisation."""
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_platform_admin:
        return True
    if membership.role == Role.PLATFORM_ADMIN:
        return False
    org_id, code = _membership_scope_codes(membership)
    if code and any(code.startswith(p) for p in scope.region_prefixes):
        return True
    return org_id is not None and org_id in scope.admin_org_ids and membership.role != Role.COUNTY_COORDINATOR


@durable
def create_user(
    actor: User | None,
    *,
    username: str,
    password: str,
    full_name: str = "",
    mobile: str = "",
    email: str = "",
    membership: Membership | None = None,
) -> User:
    """A new person with a first role; whoever creates them must be allowed to grant it."""
    if actor is not None:
        require(membership is not None and can_grant(actor, membership))
    user = User(username=username, full_name=full_name, email=email)
    user.mobile = clean_mobile(mobile) if mobile else None
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor, "user.create", user, changes=audit.diff({}, audit.snapshot(user, USER_FIELDS)))
    if membership is not None:
        membership.user = user
        _grant_membership(actor, membership)
    return user


@durable
def update_user(actor: User | None, user: User, **fields: Any) -> User:
    if actor is not None and actor.pk != user.pk:
        require(can_manage_user(actor, user))
    before = audit.snapshot(user, USER_FIELDS)
    if "mobile" in fields:
        fields["mobile"] = clean_mobile(fields["mobile"]) if fields["mobile"] else None
    if "is_active" in fields and actor is not None and actor.pk == user.pk and not fields["is_active"]:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save()
    audit.record(actor, "user.update", user, changes=audit.diff(before, audit.snapshot(user, USER_FIELDS)))
    return user


def can_manage_user(actor: User, user: User) -> bool:
    """Allowed when every role the user holds is one the actor could grant; only platform
    administrators manage platform administrators (superusers included)."""
    if scope_of(actor).is_platform_admin:
        return True
    if scope_of(user).is_platform_admin:
        return False
    memberships = list(user.memberships.select_related("organisation__region", "region"))
    return bool(memberships) and all(can_grant(actor, m) for m in memberships)


@durable
def grant_membership(actor: User | None, membership: Membership) -> Membership:
    return _grant_membership(actor, membership)


def _grant_membership(actor: User | None, membership: Membership) -> Membership:
    """The work of the service above, inside the caller's transaction."""
    require(can_grant(actor, membership))
    if membership.site is not None and membership.site.organisation_id != membership.organisation_id:
        raise ValidationError({"site": _("This site belongs to another organisation.")})
    membership.full_clean()
    membership.save()
    forget_scope(membership.user)
    org_id, code = _membership_scope_codes(membership)
    audit.record(
        actor,
        "membership.grant",
        membership.user,
        changes={"role": [None, membership.role], "where": [None, str(membership)]},
        organisation_id=org_id,
        region_code=code,
    )
    return membership


@durable
def revoke_membership(actor: User | None, membership: Membership) -> None:
    require(can_grant(actor, membership))
    if (
        actor is not None
        and membership.user_id == actor.pk
        and membership.role
        in {
            Role.PLATFORM_ADMIN,
            Role.ORG_ADMIN,
        }
    ):
        raise ValidationError(_("You cannot remove your own administrator role."))
    org_id, code = _membership_scope_codes(membership)
    audit.record(
        actor,
        "membership.revoke",
        membership.user,
        changes={"role": [membership.role, None], "where": [str(membership), None]},
        organisation_id=org_id,
        region_code=code,
    )
    membership.delete()
    forget_scope(membership.user)


@durable
def change_password(actor: User, user: User, new_password: str) -> None:
    if actor.pk != user.pk:
        require(can_manage_user(actor, user))
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor, "user.password", user, changes={"password": ["***", "***"]})


@durable
def create_api_token(actor: User, *, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor; the raw value is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name, such as the phone it is for.")})
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), key_hash=hash_token(raw), hint=raw[:8], expires_at=expires_at
    )
    audit.record(actor, "api_token.create", token)
    return token, raw


@durable
def revoke_api_token(actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        require(scope_of(actor).is_platform_admin)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "api_token.revoke", token)


@durable
def authenticate_token(raw: str) -> User | None:
    """The user behind a bearer token, or None; marks the token used (at most once a minute)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _login_keys(login: str, address: str | None) -> tuple[str, str | None]:
    """One key per account however it is typed: its user name or its mobile in any form
    (huyao, 139-0796-0003, +86 13907960003) count against the same person. A login that is
    nobody's counts by what was typed (normalised), so guessing names is limited too."""
    text = login.strip()
    user = user_for_login(text, any_case=True)
    if user is not None:
        account = f"user:{user.pk}"
    else:
        try:
            account = clean_mobile(text)
        except ValidationError:
            account = text.lower()
    return f"account:{account}"[:80], f"address:{address}" if address else None


def _login_limits(login: str, address: str | None) -> list[throttle.Limit]:
    account_key, address_key = _login_keys(login, address)
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    limits = [throttle.Limit(account_key, settings.LOGIN_FAILURES_PER_ACCOUNT, window)]
    if address_key is not None:
        limits.append(throttle.Limit(address_key, settings.LOGIN_FAILURES_PER_ADDRESS, window))
    return limits


def login_blocked(login: str, address: str | None) -> bool:
    return throttle.over(*_login_limits(login, address))


def record_login_failure(login: str, address: str | None) -> None:
    throttle.count(*_login_limits(login, address))


def clear_login_failures(login: str) -> None:
    throttle.forget(_login_keys(login, None)[0])
