from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .audit import Origin, origin


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the reverse proxy described in the README, REMOTE_ADDR
    is the proxy, which sets X-Real-IP; the header is believed only from such a proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote in settings.TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP") or remote
    return remote


class AuditContextMiddleware:
    """Tells the audit log where this request's changes come from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        where = Origin(source, client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
        with origin(where):
            return self.get_response(request)
