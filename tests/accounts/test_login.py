from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize("login", ["huyao", "13907960003", "+86 139 0796 0003", "139-0796-0003"])
def test_sign_in_by_username_or_mobile(demo: Any, login: str) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": login, "password": "fugong-demo-2026"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").context["user"].username == "huyao"


def test_wrong_password_or_unknown_mobile_is_refused(demo: Any) -> None:
    client = Client()
    for login, password in [("huyao", "wrong"), ("13900000099", "fugong-demo-2026")]:
        response = client.post("/accounts/login/", {"username": login, "password": password})
        assert response.status_code == 200 and not response.context["user"].is_authenticated


def test_inactive_user_cannot_sign_in(demo: Any) -> None:
    demo["laoyan"].is_active = False
    demo["laoyan"].save()
    response = Client().post("/accounts/login/", {"username": "laoyan", "password": "fugong-demo-2026"})
    assert response.status_code == 200


def test_pages_require_sign_in(db: Any) -> None:
    response = Client().get("/directory/sites/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_password_change_goes_through_the_service_and_is_audited(demo: Any, client_for: Any) -> None:
    client = client_for("laoyan")
    response = client.post(
        "/accounts/password/",
        {"old_password": "fugong-demo-2026", "new_password1": "Tricycle-2022-ok", "new_password2": "Tricycle-2022-ok"},
    )
    assert response.status_code == 302
    demo["laoyan"].refresh_from_db()
    assert demo["laoyan"].check_password("Tricycle-2022-ok")
    entry = demo["laoyan"].auditentry_set.model.objects.filter(action="user.password").get()
    assert entry.changes == {"password": ["***", "***"]}


def test_a_user_name_cannot_take_someone_elses_mobile_sign_in(demo: Any, client_for: Any) -> None:
    """An administrator naming a new user 13907960003 (huyao's mobile) is refused on the form;
    and a user so named before keeps nobody from signing in with their own number."""
    from django.core.exceptions import ValidationError

    from fugong.accounts import services
    from fugong.accounts.models import Membership, Role, User
    from fugong.directory.models import Organisation

    bureau = Organisation.objects.get(short_name="峡江县局")
    with pytest.raises(ValidationError) as refused:
        services.create_user(
            demo["huanghuiyun"],
            username="13907960003",
            password="Xinshiji-2022",
            membership=Membership(role=Role.VOLUNTEER, organisation=bureau),
        )
    assert "username" in refused.value.message_dict
    page = client_for("huanghuiyun").post(
        "/accounts/users/new/",
        {
            "username": "139 0796 0003",
            "full_name": "冒名",
            "password": "Xinshiji-2022",
            "role": "volunteer",
            "organisation": bureau.pk,
        },
    )
    assert page.status_code == 200 and not User.objects.filter(full_name="冒名").exists()
    assert "手机号" in str(page.context["form"].errors["username"])

    squatter = User.objects.create(username="13907960003", full_name="冒名")  # made before the rule
    squatter.set_password("fugong-demo-2026")
    squatter.save()
    client = Client()
    client.post("/accounts/login/", {"username": "13907960003", "password": "fugong-demo-2026"})
    assert client.get("/").context["user"].username == "huyao"
