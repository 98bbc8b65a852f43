from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.directory import queries, services
from fugong.directory.models import Organisation, Region, Site, ZoneStatus


def test_region_code_must_sit_under_its_parent(demo: Any) -> None:
    county = Region.objects.get(code="360823")
    with pytest.raises(ValidationError) as caught:
        services.save_region(demo["admin"], code="331126999", name="错位乡", parent=county)
    assert "code" in caught.value.message_dict


def test_zone_status_history_and_strictest_status_applies(demo: Any) -> None:
    baqiu = Region.objects.get(code="360823100")
    county = Region.objects.get(code="360823")
    assert baqiu.zone_status == ZoneStatus.PARTLY_OPEN  # the demo: grid management since 2 days
    services.set_zone_status(demo["xiajiang"], baqiu, ZoneStatus.OPEN, note="解封")
    baqiu.refresh_from_db()
    assert baqiu.zone_status == ZoneStatus.OPEN
    assert queries.effective_zone_status(baqiu) == ZoneStatus.PARTLY_OPEN  # county still in grid
    services.set_zone_status(demo["xiajiang"], county, ZoneStatus.OPEN)
    assert queries.effective_zone_status(Region.objects.get(code="360823100")) == ZoneStatus.OPEN
    in_effect = baqiu.zone_history.filter(effective_at__lte=timezone.now())  # the demo has one due tomorrow
    assert [h.status for h in in_effect][:3] == ["open", "partly_open", "closed"]


def test_a_future_status_change_waits_for_its_time(demo: Any) -> None:
    county = Region.objects.get(code="360824")
    services.set_zone_status(demo["admin"], county, "closed", effective_at=timezone.now() + timedelta(days=1))
    county.refresh_from_db()
    assert county.zone_status == ZoneStatus.OPEN


def test_coordinators_only_change_their_own_county(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.set_zone_status(demo["xiajiang"], Region.objects.get(code="331126"), "closed")
    with pytest.raises(PermissionDenied):
        services.set_zone_status(demo["huanghuiyun"], Region.objects.get(code="360823"), "closed")


def test_site_needs_both_coordinates_and_valid_hours(demo: Any) -> None:
    org = Organisation.objects.get(short_name="峡江县局")
    region = Region.objects.get(code="360823100")
    with pytest.raises(ValidationError) as caught:
        services.create_site(
            demo["huanghuiyun"], organisation=org, name="x", kind="office", region=region, latitude=Decimal("27.5")
        )
    assert "longitude" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.create_site(
            demo["huanghuiyun"], organisation=org, name="x", kind="office", region=region, opening_hours="17:00-08:00"
        )
    assert "opening_hours" in caught.value.message_dict


def test_database_constraints_hold_without_the_service(demo: Any) -> None:
    org = Organisation.objects.get(short_name="峡江县局")
    region = Region.objects.get(code="360823100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(
            organisation=org, name="y", kind="office", region=region, latitude=Decimal("95"), longitude=Decimal("1")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(organisation=org, name="y", kind="office", region=region, latitude=Decimal("27"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="36082", name="bad", level=3, parent=Region.objects.get(code="360800"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="dup", kind="other", region=region, credit_code="11360823MB17365120")


def test_search_matches_pinyin_and_initials(demo: Any) -> None:
    for query in ["巴邱", "baqiu", "bqz", "BaQiu Zhen"]:
        assert "巴邱镇" in [r.name for r in queries.search(Region.objects.all(), query)], query
    assert [s.name for s in queries.search(Site.objects.all(), "yyt")] == ["客户服务中心营业厅"]


def test_search_from_the_page_with_htmx(client_for: Any) -> None:
    response = client_for("admin").get("/directory/regions/?q=qyx", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "庆元县" in body and "<html" not in body  # only the results table is swapped in


def test_coordinator_adds_a_village_from_the_region_page(client_for: Any, demo: Any) -> None:
    client = client_for("xiajiang")
    response = client.post(
        "/directory/regions/360823100/", {"add_child": "1", "code": "360823100001", "name": "人民北路社区"}
    )
    assert response.status_code == 302
    village = Region.objects.get(code="360823100001")
    assert (village.level, village.parent.code) == (Region.Level.VILLAGE, "360823100")
    bad = client.post("/directory/regions/360823100/", {"add_child": "1", "code": "331126001999", "name": "别县的村"})
    assert bad.status_code == 200 and "code" in bad.context["child_form"].errors
    other_county = client.post("/directory/regions/331126001/", {"add_child": "1", "code": "331126001999", "name": "x"})
    assert other_county.status_code == 403


def test_the_region_list_starts_where_the_user_works(client_for: Any, demo: Any) -> None:
    """Xiajiang's coordinator lands on 峡江县, the bureau's administrator on their bureau's
    county; neither starts in another province. Search still reaches any region."""
    for username in ("xiajiang", "huanghuiyun"):
        page = client_for(username).get("/directory/regions/").content.decode()
        assert "峡江县" in page and "浙江省" not in page, username
    found = client_for("xiajiang").get("/directory/regions/", {"q": "庆元"}).content.decode()
    assert "庆元县" in found
    assert "浙江省" in client_for("admin").get("/directory/regions/").content.decode()
