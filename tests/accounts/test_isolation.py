"""A user of one organisation cannot see or change another organisation's sites or users."""

from typing import Any

import pytest

from fugong.directory.models import Site


@pytest.fixture
def power_hall(demo: Any) -> Site:
    return Site.objects.get(name="客户服务中心营业厅")


@pytest.fixture
def baqiu(demo: Any) -> Site:
    return Site.objects.get(name="巴邱网点")


def test_site_lists_are_scoped_to_the_organisation(client_for: Any) -> None:
    page = client_for("huanghuiyun").get("/directory/sites/").content.decode()
    assert "巴邱网点" in page and "客户服务中心营业厅" not in page
    page = client_for("qy_power").get("/directory/sites/").content.decode()
    assert "客户服务中心营业厅" in page and "巴邱网点" not in page


def test_another_organisations_site_is_not_found_not_forbidden(client_for: Any, power_hall: Site) -> None:
    tobacco = client_for("huanghuiyun")
    assert tobacco.get(f"/directory/sites/{power_hall.pk}/").status_code == 404
    assert tobacco.get(f"/directory/sites/{power_hall.pk}/edit/").status_code == 404
    response = tobacco.post(f"/directory/sites/{power_hall.pk}/edit/", {"name": "taken over"})
    assert response.status_code == 404
    power_hall.refresh_from_db()
    assert power_hall.name == "客户服务中心营业厅"


def test_site_form_offers_only_own_organisations(client_for: Any, baqiu: Site, power_hall: Site) -> None:
    response = client_for("huanghuiyun").post(
        f"/directory/sites/{baqiu.pk}/edit/",
        {
            "organisation": power_hall.organisation_id,
            "name": "巴邱网点",
            "kind": "network_point",
            "region": baqiu.region_id,
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    baqiu.refresh_from_db()
    assert baqiu.organisation.short_name == "峡江县局"


def test_api_hides_other_organisations_sites(client_for: Any, power_hall: Site, baqiu: Site) -> None:
    tobacco = client_for("huanghuiyun")
    names = [s["name"] for s in tobacco.get("/api/directory/sites").json()]
    assert "巴邱网点" in names and "客户服务中心营业厅" not in names
    assert tobacco.get(f"/api/directory/sites/{power_hall.pk}").status_code == 404
    response = tobacco.patch(
        f"/api/directory/sites/{power_hall.pk}", {"name": "taken over"}, content_type="application/json"
    )
    assert response.status_code == 404
    response = tobacco.post(
        "/api/directory/sites",
        {"organisation_id": power_hall.organisation_id, "name": "new", "kind": "office", "region_code": "331126"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Site.objects.filter(name="new").exists()


def test_users_of_other_organisations_are_invisible(client_for: Any, demo: Any) -> None:
    tobacco = client_for("huanghuiyun")
    page = tobacco.get("/accounts/users/").content.decode()
    assert "huyao" in page and "hufenfen" not in page
    assert tobacco.get(f"/accounts/users/{demo['hufenfen'].pk}/").status_code == 404
    usernames = [u["username"] for u in tobacco.get("/api/users").json()]
    assert "huyao" in usernames and "hufenfen" not in usernames


def test_org_admin_cannot_grant_roles_in_another_organisation(client_for: Any, demo: Any, power_hall: Site) -> None:
    response = client_for("huanghuiyun").post(
        f"/accounts/users/{demo['huyao'].pk}/",
        {"grant": "1", "role": "org_admin", "organisation": power_hall.organisation_id},
    )
    assert response.status_code == 200  # the form refuses: not an organisation they manage
    assert not demo["huyao"].memberships.filter(organisation=power_hall.organisation).exists()


def test_the_grant_form_offers_only_roles_the_person_may_grant(client_for: Any, demo: Any) -> None:
    """An organisation's administrator is not offered a coordinator role (and its empty region
    list) only to be refused on saving; a coordinator is, for their own county."""
    page = client_for("huanghuiyun").get(f"/accounts/users/{demo['huyao'].pk}/").content.decode()
    assert 'value="county_coordinator"' not in page and 'name="region"' not in page
    assert 'value="site_staff"' in page and 'value="platform_admin"' not in page
    page = client_for("xiajiang").get(f"/accounts/users/{demo['huyao'].pk}/").content.decode()
    mobile = demo["huyao"].mobile
    assert f'name="mobile" value="{mobile.removeprefix("+86")}"' in page  # as people write it, not +86…
    assert 'value="county_coordinator"' in page and 'name="region"' in page and 'value="platform_admin"' not in page


def test_county_coordinator_sees_only_their_county(client_for: Any) -> None:
    page = client_for("xiajiang").get("/directory/sites/").content.decode()
    # The Xiajiang bureau also serves Xingan: its Xingan site is a Xiajiang organisation's.
    assert "巴邱网点" in page and "新干金川网点" in page and "营业厅" not in page
    page = client_for("qingyuan").get("/directory/sites/").content.decode()
    assert "营业厅" in page and "西演村卡口" in page and "巴邱网点" not in page


def test_volunteers_and_staff_do_not_manage_users(client_for: Any) -> None:
    assert client_for("laoyan").get("/accounts/users/").status_code == 403
    assert client_for("huyao").get("/accounts/audit/").status_code == 403


def test_personal_data_is_masked_for_other_viewers(client_for: Any, demo: Any) -> None:
    listing = client_for("huanghuiyun").get("/accounts/users/").content.decode()
    assert "139****0003" in listing and "13907960003" not in listing
    api = client_for("laoyan").get("/api/me").json()
    assert api["mobile"] == "+8613907960005"  # your own number in full
