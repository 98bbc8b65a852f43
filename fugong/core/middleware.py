"""A database outage answers 503 and a page that needs nothing from the database.

`DatabaseOutageMiddleware` catches an outage met by a view (the API's own, by its exception
handlers: fugong.core.api), and `server_error` (handler500) one met anywhere else (another
middleware saving a session). Both answer the same: 503 with Retry-After, the friendly page
(503.html, rendered without a request, so no context processor reads the session or the user) or
for the API the JSON error every API error has. One warning line per request, without a traceback
(the record factory redacts it, fugong.core.logging); Django's own line for the response is not
written again. Other errors keep their usual handling: 500.html, logged as an error.
"""

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from .outage import is_outage

logger = logging.getLogger("fugong.outage")

# Phones and browsers come back after this many seconds (the driver's page resends by itself).
RETRY_AFTER_SECONDS = 15
API_PREFIX = "/api/"


def outage_message() -> str:
    return _("The service cannot reach its records for a moment. Nothing was saved; please try again in a minute.")


def outage_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 for a request an outage interrupted: JSON under the API, the friendly page elsewhere."""
    logger.warning("Database unreachable: %s %s answered 503 (%s)", request.method, request.path, type(error).__name__)
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"message": outage_message()}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # the warning above is its line
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception) if is_outage(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage met outside a view is a 503 too; anything else is the usual 500."""
    error = sys.exception()
    if error is not None and is_outage(error):
        return outage_response(request, error)
    return defaults.server_error(request)
