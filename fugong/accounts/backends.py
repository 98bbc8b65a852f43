from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from fugong.core.validators import clean_mobile

from .models import User


def user_for_login(login: str, *, any_case: bool = False) -> User | None:
    """Whose sign-in this is: the owner of the mobile number (typed in any form) first, so a
    user name made to look like someone's number (before such names were refused) cannot take
    their sign-in; else the user name (`any_case` for counting failures: HuYao is huyao too)."""
    try:
        user = User.objects.filter(mobile=clean_mobile(login)).first()
    except ValidationError:
        user = None
    names = User.objects.filter(username__iexact=login) if any_case else User.objects.filter(username=login)
    return user or names.first()


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the user name or the mobile number (13812345678, +86 138 1234 5678)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
