"""What every API router shares: JSON errors, idempotent writes. How callers sign in is
accounts' (fugong.accounts.api), handed to make_api by fugong.api."""

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Router, Schema, Status, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security.base import AuthBase
from pydantic import BaseModel

from .http import AuthedRequest
from .idempotency import IdempotencyConflict, act_once
from .middleware import outage_response
from .models import Job
from .outage import is_outage
from .storage import UploadNotKept


class ErrorOut(Schema):
    """Every error's answer: what went wrong, in the caller's language, and for refused input
    the messages per field ("__all__" for the request as a whole)."""

    message: str
    errors: dict[str, list[str]] | None = None


# The errors an operation may answer besides its result, as the handlers below make them; each
# operation merges one of these into its `response=`, so the document lists them.
# Behind sign-in: no or a bad token (401), not yours to do (403), not there or not yours to
# see (404), input refused (422); and for every operation, the database unreachable for a moment
# (503, with Retry-After: nothing was done, send it again then).
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 503: ErrorOut}
# A write may also meet a body that is not JSON (400), or an Idempotency-Key or a nonce used
# before for another request (409).
WRITE_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, **ERRORS, 409: ErrorOut}
# Through a signed link (a driver's route, a call's answer, a venue code), without sign-in: a
# forged or expired link is a 403.
LINK_ERRORS: dict[int, type[ErrorOut]] = {code: out for code, out in WRITE_ERRORS.items() if code != 401}
# An operation that keeps an uploaded file: the server's disk for uploads is full or cannot be
# written (507, naming the file); nothing was recorded, the same request may be sent again later.
UPLOAD_ERRORS: dict[int, type[ErrorOut]] = {507: ErrorOut}


# The header of the operations that act once per key (respond_once), in the document.
IDEMPOTENT: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 100},
            "description": gettext_lazy(
                "Your own name for this action, new for each one: a resend with the same key and body "
                "gets the first answer instead of acting again; the same key with another body is a 409."
            ),
        }
    ]
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Errors as {"message": ..., "errors": {...}} in the language the caller asked for."""

    def reply(request: HttpRequest, status: int, message: str, errors: Any = None) -> HttpResponse:
        body: dict[str, Any] = {"message": message}
        if errors:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return reply(request, 422, _("Please correct the errors below."), errors)

    @api.exception_handler(NinjaValidationError)
    def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            field = ".".join(str(part) for part in error.get("loc", [])[1:]) or "__all__"
            # A validator's own words, without the "Value error, " pydantic puts before them.
            cause = error.get("ctx", {}).get("error") if error.get("type") == "value_error" else None
            errors.setdefault(field, []).append(str(cause or error.get("msg", "")))
        return reply(request, 422, _("Please correct the errors below."), errors)

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return reply(request, 403, str(exc) or _("You may not do this here."))

    @api.exception_handler(Http404)
    def on_missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, _("Not found, or not yours to see."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, 401, _("Sign in or send a valid API token."))

    @api.exception_handler(IdempotencyConflict)
    def on_conflict(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
        return reply(request, 409, _("This Idempotency-Key was already used for a different request."))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, exc.status_code, str(exc))

    @api.exception_handler(UploadNotKept)
    def on_upload_not_kept(request: HttpRequest, exc: UploadNotKept) -> HttpResponse:
        return reply(request, 507, exc.reason, exc.message_dict)

    @api.exception_handler(DatabaseError)
    def on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        if is_outage(exc):
            return outage_response(request, exc)
        raise exc  # a unique key, a deadlock...: Django's 500 as before

    @api.exception_handler(MultiPartParserError)
    def on_unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A multipart body without its boundary (or otherwise broken) cannot be read: the
        # caller's mistake, answered in JSON like every other error here, not a server error.
        return reply(request, 400, _("The request body cannot be read: send multipart/form-data with its boundary."))


def _nul_fields(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Where a value holds text with a NUL character: in a string, a dictionary's key, or
    anything inside a list, a dictionary or an input schema (files are not text)."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _nul_fields(getattr(value, name), (*path, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_fields(key, (*path, str(key)))
            yield from _nul_fields(item, (*path, str(key)))
    elif isinstance(value, list | tuple | set):
        for index, item in enumerate(value):
            yield from _nul_fields(item, (*path, str(index)))


def refuse_nul(view: Callable[..., Any]) -> Callable[..., Any]:
    """Text with a NUL character is refused (422, naming the field) before the operation runs:
    PostgreSQL stores none, and a NUL that reached a query was a 500 there."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        errors = [
            {"loc": ("request", *path), "msg": _("Text may not contain the NUL character.")}
            for name, value in values.items()
            for path in _nul_fields(value, (name,))
        ]
        if errors:
            raise NinjaValidationError(errors)
        return view(request, *args, **values)

    return checked


def respond_once(
    request: HttpRequest, payload: Any, action: Callable[[], tuple[int, Any]], *, scope: str = ""
) -> Status[Any]:
    """Run a write unless a request with the same Idempotency-Key already did; the retry
    gets the first answer. Keys are the signed-in user's, or `scope`'s (a signed link's)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return Status(*action())
    if len(key) > 100:
        raise HttpError(422, _("An Idempotency-Key has at most 100 characters."))
    request_payload = {"method": request.method, "path": request.path, "body": payload}
    outcome = act_once(scope or f"user:{request.user.pk}", key, request_payload, action)
    return Status(outcome.status, outcome.body)


def make_api(auth: list[AuthBase]) -> NinjaAPI:
    api = NinjaAPI(
        title="Fugong API",
        version="1",
        description=_("Fugong (复工) API. Authenticate with `Authorization: Bearer <token>`."),
        auth=auth,
        urls_namespace="api",
        # Swagger UI from ninja's own static files (ninja is an installed app); no badge fetched
        # from validator.swagger.io, which would send it the schema's address.
        docs=Swagger(settings={"validatorUrl": None}),
    )
    install_error_handlers(api)
    api.add_decorator(refuse_nul)  # every operation, after ninja has read its parameters
    return api


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int | None
    percent: int
    message: str
    result: dict[str, Any]


router = Router(tags=["jobs"])


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS})
def job_status(request: AuthedRequest, job_id: int) -> Job:
    """Progress of a background job you started."""
    job = Job.objects.filter(pk=job_id, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job
