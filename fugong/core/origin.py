"""Where a change came from (web request, API call, task, command): set once per request or
job in a context variable and read by the audit log (fugong.accounts.audit), so services
need not pass it around."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    source: str  # web, api, task, command
    ip_address: str | None = None
    user_agent: str = ""


_COMMAND = Origin("command")
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("audit_origin")


@contextmanager
def origin(value: Origin) -> Iterator[None]:
    token = _origin.set(value)
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> Origin:
    return _origin.get(_COMMAND)
