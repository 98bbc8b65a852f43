"""Error reports to Sentry (or a compatible service such as GlitchTip), only when SENTRY_DSN is set.

A report carries what a log line would, redacted the same way (fugong.core.logging.redact): no
signed link's token, no mobile, no ID number, anywhere in it (message, exception values, the
request's URL and query, breadcrumbs, tags). What redaction cannot recognise stays out: no
cookies, no headers that authenticate, no posted form (names, addresses), no local variables of
the failing frames, no signed-in user (send_default_pii off).
"""

from typing import TYPE_CHECKING, cast

from .logging import redact_value

if TYPE_CHECKING:  # settings import this module: sentry_sdk itself only when a DSN is set
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

# Request headers that open a session or an account; the rest (user agent, language) are kept.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-csrftoken", "x-api-key"})


def scrub_event(event: "Event", hint: "Hint | None" = None) -> "Event | None":
    """Sentry's before_send: the event without secrets, every text in it redacted. A database
    outage is not reported: every request meets it, and /readyz and a warning a request say it."""
    from .outage import is_outage  # not at import: the settings import this module

    error = (hint or {}).get("exc_info", (None, None, None))[1]
    if error is not None and is_outage(error):
        return None
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
    event.pop("user", None)
    return cast("Event", redact_value(event))


def scrub_breadcrumb(crumb: "Breadcrumb", hint: "BreadcrumbHint | None" = None) -> "Breadcrumb":
    """Sentry's before_breadcrumb: a log line, a query or a request made along the way, redacted."""
    return cast("Breadcrumb", redact_value(crumb))


def start_error_reporting(dsn: str, *, environment: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )
