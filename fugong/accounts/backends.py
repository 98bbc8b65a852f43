from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from fugong.core.validators import clean_mobile

from .models import User


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
        # A mobile number first: it is the person's own, and a user name made to look like one
        # (before such names were refused) must not take their sign-in.
        try:
            user = User.objects.filter(mobile=clean_mobile(username)).first()
        except ValidationError:
            user = None
        if user is None:
            user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
