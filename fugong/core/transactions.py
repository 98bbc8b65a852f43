"""One service, one transaction.

A service that views, the API, tasks or commands call is `@durable`: it runs in a durable
transaction of its own, so code that wraps two of them fails loudly (Django raises RuntimeError
on a durable block inside another atomic block) instead of silently merging them into one.
The helpers such a service calls open no transaction of their own.

Some machinery must commit rows of its own together with services' writes. The API's
idempotency key (`core.idempotency.act_once`) is kept only if its one action was, and a job's
task that the immediate backend runs inside `core.jobs.start_job` runs one service: they open
`services_join()`, the first service inside runs in the enclosing transaction (as a savepoint)
and a second one fails. A file import applies one service per row, all rows or none
(`core.imports`), and the demo loads all of itself or nothing (`all_or_nothing`): they open
`services_join(many=True)`. A service called inside a joined one is durable again, so it
fails as any nested service does.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction


@dataclass
class _Carrier:
    many: bool
    joined: list[str] = field(default_factory=list)


_carrier: ContextVar[_Carrier | None] = ContextVar("service_carrier", default=None)


@contextmanager
def services_join(*, many: bool = False) -> Iterator[None]:
    """Let the first service called inside (every one, with `many`) join the open transaction."""
    token = _carrier.set(_Carrier(many))
    try:
        yield
    finally:
        _carrier.reset(token)


@contextmanager
def service_transaction(name: str) -> Iterator[None]:
    """The transaction of the service `name`: durable, unless a carrier lets it join."""
    carrier = _carrier.get()
    if carrier is None:
        with transaction.atomic(durable=True):
            yield
        return
    if carrier.joined and not carrier.many:
        raise RuntimeError(f"{name} was called after {carrier.joined[0]}: one service, one transaction.")
    carrier.joined.append(name)
    token = _carrier.set(None)
    try:
        with transaction.atomic():
            yield
    finally:
        _carrier.reset(token)


def durable[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run the service `func` in its own durable transaction (see the module's docstring)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with service_transaction(f"{func.__module__}.{func.__qualname__}"):
            return func(*args, **kwargs)

    return run


def all_or_nothing[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run `func`, which calls many services, in one transaction that every one of them joins."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), services_join(many=True):
            return func(*args, **kwargs)

    return run
