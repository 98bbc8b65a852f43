from decimal import Decimal
from typing import Any

from fugong.accounts.models import AuditEntry
from fugong.directory.models import Organisation, Site


def site_payload(**extra: Any) -> dict[str, Any]:
    org = Organisation.objects.get(short_name="峡江县局")
    return {"organisation_id": org.pk, "name": "仁和网点", "kind": "network_point", "region_code": "360823101", **extra}


def test_resending_a_create_with_the_same_key_creates_one_site(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    first = client.post(
        "/api/directory/sites", site_payload(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    again = client.post(
        "/api/directory/sites", site_payload(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Site.objects.filter(name="仁和网点").count() == 1
    assert AuditEntry.objects.filter(action="site.create", object_repr="仁和网点").count() == 1


def test_same_key_other_body_is_a_conflict(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    client.post("/api/directory/sites", site_payload(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = client.post(
        "/api/directory/sites", site_payload(name="别的"), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    assert response.status_code == 409 and "message" in response.json()


def test_validation_errors_are_json_in_the_callers_language(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    bad = site_payload(opening_hours="早上")
    zh = client.post("/api/directory/sites", bad, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.post("/api/directory/sites", bad, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 422
    assert "opening_hours" in zh.json()["errors"] and "opening_hours" in en.json()["errors"]
    assert zh.json()["message"] != en.json()["message"]
    assert "correct" in en.json()["message"]


def test_schema_errors_are_json_too(client_for: Any) -> None:
    response = client_for("huanghuiyun").post(
        "/api/directory/sites", {"name": "x", "kind": "spaceport"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "kind" in str(response.json()["errors"])


def test_regions_api_searches_pinyin(client_for: Any) -> None:
    body = client_for("laoyan").get("/api/directory/regions?q=xjx").json()
    assert [r["name"] for r in body] == ["峡江县"]
    assert body[0]["zone_status"] == "partly_open"


def test_openapi_schema_is_published(client: Any, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/directory/sites" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_patching_a_text_field_to_null_clears_it(client_for: Any) -> None:
    """The phone, address and opening hours are text that may be empty: `null` empties them
    (it answered 500, the column takes no NULL)."""
    site = Site.objects.get(name="巴邱网点")
    site.phone, site.address = "0796-1234567", "巴邱镇"
    site.save()
    response = client_for("huanghuiyun").patch(
        f"/api/directory/sites/{site.pk}", {"phone": None, "address": None}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["address"]) == ("", "")
    site.refresh_from_db()
    assert (site.phone, site.address) == ("", "")


def test_patching_a_required_field_to_null_names_the_field(client_for: Any) -> None:
    site = Site.objects.get(name="巴邱网点")
    client = client_for("huanghuiyun")
    for field in ("name", "kind", "is_active"):
        response = client.patch(f"/api/directory/sites/{site.pk}", {field: None}, content_type="application/json")
        assert response.status_code == 422, field
        assert field in response.json()["errors"]
    site.refresh_from_db()
    assert site.name == "巴邱网点" and site.is_active


def test_coordinates_outside_the_globe_are_refused_naming_the_field(client_for: Any) -> None:
    """A latitude of 1e112 could not be rounded to the column's six decimals (it answered 500)."""
    site = Site.objects.get(name="巴邱网点")
    client = client_for("huanghuiyun")
    for field, value in (("latitude", 1e112), ("latitude", -90.5), ("longitude", 180.5)):
        patch = {"latitude": 27.5, "longitude": 115.2, field: value}
        response = client.patch(f"/api/directory/sites/{site.pk}", patch, content_type="application/json")
        assert response.status_code == 422, (field, value)
        assert list(response.json()["errors"]) == [f"payload.{field}"]
        created = client.post("/api/directory/sites", site_payload(**patch), content_type="application/json")
        assert created.status_code == 422, (field, value)
    site.refresh_from_db()
    assert site.latitude != Decimal("27.5")
