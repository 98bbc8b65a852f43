import io
from typing import Any

import pytest
from django.core.management import call_command

from fugong.accounts.models import Membership, Role, User
from fugong.directory.models import Organisation, Region, Site


def _counts() -> dict[str, int]:
    from fugong.power.models import PowerAccount
    from fugong.resumption.models import IndexFigure
    from fugong.volunteers.models import Team

    models = (Region, Site, User, Membership, PowerAccount, IndexFigure, Team)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_demo_builds_the_seeds_world_prints_logins_and_loads_again_unchanged() -> None:
    # One test, not two: the whole demo takes half a minute to load.
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "fugong-demo-2026" in text and "huyao" in text
    assert Region.objects.get(code="360823100").name == "巴邱镇"
    assert Region.objects.filter(parent__code="331100").count() == 9  # Lishui's nine counties
    assert {o.kind for o in Organisation.objects.all()} >= {"tobacco_bureau", "power_supply", "womens_federation"}
    assert Site.objects.get(name="巴邱网点").kind == "network_point"
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for user in User.objects.all():
        assert user.check_password("fugong-demo-2026")
    counts = _counts()
    call_command("demo", stdout=io.StringIO())
    assert _counts() == counts


def test_every_role_lands_on_a_home_page_with_its_cards(client_for: Any) -> None:
    for username in ["admin", "xiajiang", "huanghuiyun", "huyao", "laoyan"]:
        page = client_for(username).get("/").content.decode()
        assert 'class="cards"' in page, username
    assert (
        "受管控区域" in client_for("xiajiang").get("/").content.decode()
        or "管控" in client_for("xiajiang").get("/").content.decode()
    )
