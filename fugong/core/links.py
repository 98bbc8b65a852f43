"""Links that leave the site: in SMS, robot and e-mail messages, on QR codes and paper.

Their address is settings.BASE_URL joined with a path here and nowhere else, so one setting
decides whether a poster or a message opens from outside. The signed ones (a driver's route, a
venue code, a hall's TV, a member's duty page, an answer to a call for help) carry a token made
and read here, with one encoding; the salt names the link's purpose, so a token of one kind never
opens another. What a token holds (ids, a version number the model can renew) and how long the
link lasts are the caller's: the caller checks them against its models.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse


class BadLink(ValueError):
    """A token we did not make for this purpose: forged, cut short, or of another kind of link."""


def absolute(path_or_url_name: str, *args: Any) -> str:
    """The address people outside open: a path ("/…"), or a URL name reversed with args."""
    path = path_or_url_name if path_or_url_name.startswith("/") else reverse(path_or_url_name, args=args)
    return settings.BASE_URL.rstrip("/") + path


def make_token(purpose: str, *values: int) -> str:
    """signing.dumps' encoding (compressed JSON, URL-safe) without its timestamp: the same values
    give the same link every time it is shown (a QR on screen, a message, a printed poster) until
    a new version number among them renews it. No link's lifetime is the token's age."""
    return _signer(purpose).sign_object(list(values), compress=True)


def read_token(purpose: str, token: str, size: int) -> list[int]:
    """The `size` values a token of this purpose was made with; BadLink otherwise."""
    try:
        values = _signer(purpose).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise BadLink from None
    if not (isinstance(values, list) and len(values) == size and all(type(v) is int for v in values)):
        raise BadLink
    return values


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"fugong.link.{purpose}")
