from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import Origin, origin


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy described in the README, REMOTE_ADDR is the proxy;
    # the proxy sets X-Real-IP to the client address.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Tells the audit log where this request's changes come from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        where = Origin(source, client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
        with origin(where):
            return self.get_response(request)
