from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from fugong.accounts import services
from fugong.accounts.models import ApiToken


def test_token_authenticates_api_calls(demo: Any) -> None:
    token, raw = services.create_api_token(demo["huyao"], name="巴邱网点的手机")
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "huyao"
    assert raw not in str(ApiToken.objects.values_list("key_hash", flat=True))  # only the hash is stored
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_and_expired_tokens_are_refused(demo: Any) -> None:
    token, raw = services.create_api_token(demo["huyao"], name="old phone")
    services.revoke_api_token(demo["huyao"], token)
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    _, raw2 = services.create_api_token(demo["huyao"], name="short", expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw2}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "token" in response.json()["message"].lower()


def test_token_page_shows_the_token_once(client_for: Any) -> None:
    client = client_for("huyao")
    response = client.post("/accounts/tokens/", {"name": "phone", "days": 30})
    raw = response.context["new_token"]
    assert raw.startswith("fg_") and f'id="new-token">{raw}<' in response.content.decode()
    assert raw not in client.get("/accounts/tokens/").content.decode()
