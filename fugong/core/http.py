"""Request types for views that only run for a signed-in user (login_required or API auth),
reading the ids a page posts back, and the client's address."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # only a type: core sits below accounts
    from fugong.accounts.models import User


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the reverse proxy described in the README, REMOTE_ADDR
    is the proxy, which sets X-Real-IP; the header is believed only from such a proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote in settings.TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP") or remote
    return remote


class AuthedRequest(HttpRequest):
    user: "User"
    htmx: HtmxDetails


def posted_pk(data: Any, name: str) -> int:
    """The id posted in `name`; a missing or mangled one is a page that does not exist."""
    try:
        return int(data.get(name, ""))
    except (TypeError, ValueError):
        raise Http404 from None


def posted_pks(data: Any, name: str) -> list[int]:
    try:
        return [int(value) for value in data.getlist(name)]
    except ValueError:
        raise Http404 from None


def chosen[T](request: HttpRequest, options: Sequence[T], name: str) -> T:
    """The option a page is about (`?name=<pk>`, in the query or the form), by default the
    first; none to choose from is a page the user may not see."""
    if not options:
        raise PermissionDenied
    wanted = request.GET.get(name) or request.POST.get(name)
    found = next((o for o in options if str(o.pk) == wanted), None) if wanted else options[0]  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found
