"""Holes a review found, kept closed."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from fugong.accounts import services
from fugong.accounts.models import AuditEntry, Membership, Role
from fugong.directory import services as directory_services
from fugong.directory.models import Organisation, Region, Site


def test_coordinators_cannot_make_coordinators_outside_their_region(demo: Any) -> None:
    bureau = Organisation.objects.get(short_name="峡江县局")
    lishui = Membership(
        user=demo["huyao"], role=Role.COUNTY_COORDINATOR, organisation=bureau, region=Region.objects.get(code="331100")
    )
    assert not services.can_grant(demo["xiajiang"], lishui)
    baqiu = Membership(user=demo["huyao"], role=Role.COUNTY_COORDINATOR, region=Region.objects.get(code="360823100"))
    assert services.can_grant(demo["xiajiang"], baqiu)  # a town inside their county


def test_organisation_admins_cannot_touch_superusers(demo: Any) -> None:
    boss = demo["laoyan"]
    boss.is_superuser = True
    boss.save()
    assert not services.can_manage_user(demo["huanghuiyun"], boss)
    with pytest.raises(PermissionDenied):
        services.update_user(demo["huanghuiyun"], boss, is_active=False)


def test_staff_site_must_belong_to_their_organisation(demo: Any) -> None:
    membership = Membership(
        user=demo["laoyan"],
        role=Role.SITE_STAFF,
        organisation=Organisation.objects.get(short_name="峡江县局"),
        site=Site.objects.get(name="客户服务中心营业厅"),
    )
    with pytest.raises(ValidationError):
        services.grant_membership(demo["admin"], membership)


def test_volunteers_get_the_same_answer_from_pages_and_api(client_for: Any) -> None:
    volunteer = client_for("laoyan")
    org = Organisation.objects.get(short_name="峡江县局")
    assert volunteer.get("/directory/sites/").status_code == 403
    assert volunteer.get("/api/directory/sites").status_code == 403
    assert volunteer.get("/api/directory/organisations").status_code == 403
    # An object page answers those who may not open it as if it did not exist (the scope matrix).
    assert volunteer.get(f"/directory/organisations/{org.pk}/").status_code == 404
    assert volunteer.get(f"/api/directory/sites/{org.sites.first().pk}").status_code == 404


def test_sites_stay_inside_their_organisations_area(client_for: Any, demo: Any) -> None:
    bureau = Organisation.objects.get(short_name="峡江县局")
    admin = client_for("huanghuiyun")
    far = admin.post(
        "/api/directory/sites",
        {"organisation_id": bureau.pk, "name": "庆元网点", "kind": "network_point", "region_code": "331126"},
        content_type="application/json",
    )
    assert far.status_code == 422 and "region" in far.json()["errors"]
    near = admin.post(  # Xingan is in the same city: the bureau serves it
        "/api/directory/sites",
        {"organisation_id": bureau.pk, "name": "三湖网点", "kind": "network_point", "region_code": "360824101"},
        content_type="application/json",
    )
    assert near.status_code == 201


def test_org_admin_edits_their_own_organisation(client_for: Any) -> None:
    org = Organisation.objects.get(short_name="峡江县局")
    response = client_for("huanghuiyun").post(
        f"/directory/organisations/{org.pk}/edit/",
        {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "region": org.region_id,
            "credit_code": org.credit_code,
            "contact_phone": "0796-3660000",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.contact_phone == "0796-3660000"


def test_a_village_sits_under_its_town_not_its_county(demo: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        directory_services.save_region(
            demo["admin"], code="360823100999", name="跳级村", parent=Region.objects.get(code="360823")
        )
    assert "parent" in caught.value.message_dict


def test_scheduled_lockdown_change_takes_effect_when_due(demo: Any) -> None:
    county = Region.objects.get(code="360824")
    directory_services.set_zone_status(
        demo["admin"], county, "closed", effective_at=timezone.now() + timedelta(hours=2), note="明早封控"
    )
    assert directory_services.apply_due_zone_changes() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert directory_services.apply_due_zone_changes() == 1
        assert directory_services.apply_due_zone_changes() == 0
    county.refresh_from_db()
    assert county.zone_status == "closed"
    entry = AuditEntry.objects.filter(action="region.zone_status", object_id=str(county.pk)).latest("pk")
    assert entry.changes["zone_status"] == ["open", "closed"]


@override_settings(TRUSTED_PROXIES=frozenset({"10.0.0.2"}))
def test_client_address_header_is_believed_only_from_the_proxy(client_for: Any) -> None:
    site = Site.objects.get(name="巴邱网点")
    payload = {"phone": "0796-3669999"}
    client = client_for("huanghuiyun")
    client.patch(
        f"/api/directory/sites/{site.pk}",
        payload,
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REAL_IP="1.1.1.1",
    )
    assert AuditEntry.objects.filter(action="site.update").latest("pk").ip_address == "203.0.113.9"
    client.patch(
        f"/api/directory/sites/{site.pk}",
        {"phone": "0796-3668888"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="198.51.100.7",
    )
    assert AuditEntry.objects.filter(action="site.update").latest("pk").ip_address == "198.51.100.7"


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_repeated_failed_sign_ins_lock_the_account_for_a_while(demo: Any) -> None:
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "139-0796-0003", "password": "guess"})
    blocked = Client().post("/accounts/login/", {"username": "13907960003", "password": "fugong-demo-2026"})
    assert blocked.status_code == 200 and not blocked.context["user"].is_authenticated
    assert "Too many" in blocked.content.decode() or "次数过多" in blocked.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        later = Client().post("/accounts/login/", {"username": "huyao", "password": "fugong-demo-2026"})
        assert later.status_code == 302


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_the_sign_in_limit_counts_the_person_however_the_login_is_typed(demo: Any) -> None:
    """Failures by user name and by mobile add up for one account: alternating `huyao` and
    13907960003 no longer doubles the guesses."""
    for login in ("huyao", "13907960003", "HuYao"):
        Client().post("/accounts/login/", {"username": login, "password": "guess"})
    blocked = Client().post("/accounts/login/", {"username": "huyao", "password": "fugong-demo-2026"})
    assert blocked.status_code == 200 and not blocked.context["user"].is_authenticated
    other = Client().post("/accounts/login/", {"username": "wuziqiang", "password": "fugong-demo-2026"})
    assert other.status_code == 302  # another person is not held up
