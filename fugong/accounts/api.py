from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from fugong.core.api import ERRORS
from fugong.core.http import AuthedRequest
from fugong.core.masking import mask_mobile

from .models import User
from .permissions import scope_of
from .queries import can_see_personal_data, visible_users
from .services import authenticate_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer fg_…`, a token made on the “API tokens” page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser's session, CSRF-checked. A request without a session cookie has no
    session to check (an app whose token expired): it goes on to "sign in" (401), not to
    "CSRF check failed" (403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    organisation_id: int | None
    region_code: str | None
    site_id: int | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    mobile: str
    memberships: list[MembershipOut]


def user_out(viewer: User, user: User, *, in_list: bool = False) -> UserOut:
    """One user; a list masks every mobile, as the pages' lists do."""
    full = not in_list and can_see_personal_data(viewer, user)
    return UserOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        mobile=(user.mobile or "") if full else mask_mobile(user.mobile),
        memberships=[
            MembershipOut(
                role=m.role,
                organisation_id=m.organisation_id,
                region_code=m.region.code if m.region else None,
                site_id=m.site_id,
            )
            for m in user.memberships.all()
        ],
    )


class MeOut(UserOut):
    is_platform_admin: bool


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: AuthedRequest) -> MeOut:
    """Who the token or session belongs to, and their roles."""
    user = request.user
    assert isinstance(user, User)
    base = user_out(user, user)
    return MeOut(**base.model_dump(), is_platform_admin=scope_of(user).is_platform_admin)


@router.get("/users", response={200: list[UserOut], **ERRORS})
def users(request: AuthedRequest) -> list[UserOut]:
    """Users you manage, mobiles masked."""
    viewer = request.user
    assert isinstance(viewer, User)
    return [user_out(viewer, u, in_list=True) for u in visible_users(viewer).select_related(None)[:500]]
