"""Excel exports mask mobiles; the full-number download is for the organisation's administrators
and each one is in the audit log."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from fugong.accounts.models import AuditEntry
from fugong.delivery.models import Shop


def cells(response: Any) -> str:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)


@pytest.fixture
def shop(demo_delivery: Any) -> Shop:
    return Shop.objects.filter(mobile__gt="").first()


def test_the_shops_export_is_masked_for_everyone(client_for: Any, shop: Shop) -> None:
    for username in ("huyao", "huanghuiyun", "xiajiang"):
        response = client_for(username).get("/delivery/shops/", {"bureau": shop.organisation_id, "export": "1"})
        text = cells(response)
        assert shop.mobile[-11:] not in text and f"{shop.mobile[-11:][:3]}****{shop.mobile[-4:]}" in text, username
    assert not AuditEntry.objects.filter(action="export.full_numbers").exists()


def test_full_mobiles_only_for_the_bureaus_administrator_and_audited(client_for: Any, shop: Shop) -> None:
    asked = {"bureau": shop.organisation_id, "export": "full"}
    assert client_for("huyao").get("/delivery/shops/", asked).status_code == 403  # network-point staff
    assert client_for("xiajiang").get("/delivery/shops/", asked).status_code == 403  # the county coordinator
    listing = client_for("huyao").get("/delivery/shops/", {"bureau": shop.organisation_id}).content.decode()
    assert "export=full" not in listing and 'value="full"' not in listing
    admin = client_for("huanghuiyun")
    assert 'value="full"' in admin.get("/delivery/shops/", {"bureau": shop.organisation_id}).content.decode()
    full = admin.get("/delivery/shops/", asked)
    assert shop.mobile[-11:] in cells(full) and 'filename="shops-full-mobiles-' in full["Content-Disposition"]
    entry = AuditEntry.objects.get(action="export.full_numbers")
    log = admin.get("/accounts/audit/").content.decode()
    rows = Shop.objects.filter(organisation=shop.organisation).count()
    assert "导出完整手机号清单" in log and f"行数</strong>: {rows}" in log  # a count recorded, not a change
    assert "黄晖云（huanghuiyun）" in log  # who, by name
    assert "导出完整手机号清单" in admin.get("/accounts/audit/", {"who": "黄晖云"}).content.decode()
    assert (
        entry.actor.username == "huanghuiyun"
        and entry.changes["rows"] == Shop.objects.filter(organisation=shop.organisation).count()
    )
