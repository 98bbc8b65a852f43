"""Acting once on requests that phones on poor networks resend.

The key row and the action's writes commit in one transaction: if the action fails, the
key is not kept and a retry may act; if it succeeded, every retry gets the stored answer.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from .models import IdempotencyKey
from .transactions import services_join


class IdempotencyConflict(Exception):
    """The same key came back with a different request body."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool


def fingerprint(payload: Any) -> str:
    encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def act_once(scope: str, key: str, payload: Any, action: Callable[[], tuple[int, Any]]) -> Outcome:
    """Run `action` unless this (scope, key) already ran; return its (status, JSON body)."""
    digest = fingerprint(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=digest)
        except IntegrityError:
            # Another request with this key committed first (on PostgreSQL a concurrent one
            # waits on the unique index until the first commits, then lands here).
            stored = IdempotencyKey.objects.get(scope=scope, key=key)
            if stored.fingerprint != digest:
                raise IdempotencyConflict(key) from None
            return Outcome(stored.response_status or 200, stored.response_body, replayed=True)
        with services_join():  # the action's one service commits with the key, or neither does
            status, body = action()
        # Stored as JSON: dates and amounts become text now, so a retry gets the same answer.
        body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
        record.response_status = status
        record.response_body = body
        record.save(update_fields=["response_status", "response_body"])
        return Outcome(status, body, replayed=False)
