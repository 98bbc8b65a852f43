import pytest
from django.db import transaction

from fugong.core.idempotency import IdempotencyConflict, act_once
from fugong.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_a_resent_request_acts_once_and_gets_the_first_answer() -> None:
    calls = []

    def action() -> tuple[int, dict[str, int]]:
        calls.append(1)
        return 201, {"id": len(calls)}

    first = act_once("user:1", "k-1", {"qty": 3}, action)
    again = act_once("user:1", "k-1", {"qty": 3}, action)
    assert calls == [1]
    assert (first.status, first.body, first.replayed) == (201, {"id": 1}, False)
    assert (again.status, again.body, again.replayed) == (201, {"id": 1}, True)


def test_same_key_with_other_payload_is_a_conflict() -> None:
    act_once("user:1", "k-2", {"qty": 3}, lambda: (200, {}))
    with pytest.raises(IdempotencyConflict):
        act_once("user:1", "k-2", {"qty": 4}, lambda: (200, {}))


def test_keys_are_per_scope() -> None:
    act_once("user:1", "same", {}, lambda: (200, {"who": 1}))
    other = act_once("user:2", "same", {}, lambda: (200, {"who": 2}))
    assert other.body == {"who": 2} and not other.replayed


def test_a_failed_action_keeps_no_key_so_the_retry_acts() -> None:
    def failing() -> tuple[int, dict[str, str]]:
        raise RuntimeError("network went away mid-write")

    with pytest.raises(RuntimeError):
        act_once("user:1", "k-3", {}, failing)
    assert not IdempotencyKey.objects.filter(key="k-3").exists()
    assert act_once("user:1", "k-3", {}, lambda: (200, {"ok": True})).body == {"ok": True}


def test_rolled_back_outer_transaction_forgets_the_key() -> None:
    with transaction.atomic():
        act_once("user:1", "k-4", {}, lambda: (200, {}))
        transaction.set_rollback(True)
    assert not IdempotencyKey.objects.filter(key="k-4").exists()
