"""What the API refuses before any service runs, and how it says so."""

from typing import Any

from django.test import Client

from fugong.directory.models import Site


def test_text_with_a_nul_character_is_refused_naming_the_field(client_for: Any) -> None:
    """PostgreSQL stores no NUL in text: a NUL that reached a query answered 500 there (SQLite
    took it). Wherever it comes (query, body, a dictionary's key, the path), it is a 422."""
    client = client_for("admin")
    site = Site.objects.get(name="巴邱网点")
    answers = {
        "status": client.get("/api/power/applications?status=new%00"),
        "payload.name": client.patch(
            f"/api/directory/sites/{site.pk}", {"name": "巴邱\x00网点"}, content_type="application/json"
        ),
        "payload.parameters.na\x00me": client.post(
            "/api/notify/messages",
            {"channel_id": 1, "kind": "test", "recipients": ["13800000000"], "parameters": {"na\x00me": "x"}},
            content_type="application/json",
        ),
        "code": client.get("/api/directory/regions/360823%00"),
    }
    for field, response in answers.items():
        assert response.status_code == 422, field
        assert list(response.json()["errors"]) == [field]
        assert "NUL" in response.json()["errors"][field][0]
    site.refresh_from_db()
    assert site.name == "巴邱网点"


def test_a_refused_value_reads_as_the_validator_wrote_it(client_for: Any) -> None:
    """Pydantic puts "Value error, " before a validator's own words: not for the caller's eyes."""
    response = client_for("admin").get("/api/volunteers/fleet?day=1900-01-01")
    assert response.status_code == 422
    assert response.json()["errors"]["day"] == ["请填写 2000-01-01 至 2099-12-31 之间的日期。"]


def test_a_write_without_credentials_is_told_to_sign_in(db: Any) -> None:
    """An app whose token was revoked got "CSRF check Failed" (403) on every write: the session
    check ran although it sent no session. Without a session cookie it is a 401 like a read."""
    app = Client(enforce_csrf_checks=True)
    for method, path in (("post", "/api/directory/sites"), ("patch", "/api/directory/sites/1")):
        response = getattr(app, method)(path, {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer fg_old")
        assert response.status_code == 401, method
        assert response.json() == {"message": "请登录或提供有效的 API 令牌。"}


def test_a_signed_in_browser_still_needs_its_csrf_token(client_for: Any) -> None:
    browser = client_for("admin")
    browser.handler.enforce_csrf_checks = True
    response = browser.post("/api/directory/sites", {}, content_type="application/json")
    assert response.status_code == 403
