"""Contact tracing across sites (#21 item 4): a coordinator or an administrator finds one
person's visits at every screened site they manage, by full number posted (never in a URL),
with the sites, times and decisions, and exports them for the epidemic office with only that
person in full."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.models import AuditEntry
from fugong.directory.models import Site
from fugong.screening.models import Channel, CheckIn
from fugong.screening.services import checkins, policies, venues

from .conftest import GREEN, HALL_RULES

pytestmark = pytest.mark.django_db

URL = "/screening/trace/"


@pytest.fixture
def visits(hall):
    """叶桂兰 (13905787777) went to the hall and the women's federation office in Qingyuan and to
    the Baqiu network point in Xiajiang; at the hall she also registered her mother, who has no phone."""
    office = venues.open_venue(None, Site.objects.get(name="县妇联办公室"))
    baqiu = venues.open_venue(None, Site.objects.get(name="巴邱网点"))
    for venue in (office, baqiu):
        policies.create_policy(
            None, site=venue.site, name="测温", checks=HALL_RULES, effective_from=timezone.now() - timedelta(days=1)
        )
    her = checkins.Visitor("叶桂兰", mobile="13905787777")
    mother = checkins.Visitor("吴阿婆", id_number="11010519491231002X", companion_name="叶桂兰",
                              companion_mobile="13905787777")  # fmt: skip
    at = timezone.now() - timedelta(hours=3)
    checkins.check_in(None, hall, her, GREEN | {"health_code": "yellow"}, channel=Channel.PHONE, at=at)
    checkins.check_in(None, hall, mother, GREEN, channel=Channel.PHONE, at=at)
    checkins.check_in(None, office, her, GREEN, channel=Channel.PHONE, at=at + timedelta(hours=1))
    checkins.check_in(None, baqiu, her, GREEN, channel=Channel.PHONE, at=at + timedelta(hours=2))
    checkins.check_in(None, hall, checkins.Visitor("别人", mobile="13905786666"), GREEN, channel=Channel.PHONE)
    return {"hall": hall, "office": office, "baqiu": baqiu}


def found(client, number="13905787777"):
    page = client.post(URL, {"q": number}).content.decode()
    return [row.split("</tr>")[0] for row in page.split("<tr data-visit=")[1:]]


def test_a_coordinator_finds_one_persons_visits_at_every_site_of_the_county(visits, client_for):
    rows = found(client_for("qingyuan"))
    assert len(rows) == 3  # the hall twice (her own visit, her mother's), the federation office; not Baqiu
    assert sum("客户服务中心营业厅" in r for r in rows) == 2 and sum("县妇联办公室" in r for r in rows) == 1
    assert not any("巴邱网点" in r for r in rows)
    own = next(r for r in rows if "叶桂兰" in r and "13905787777" in r and "转工作人员核验" in r)
    assert "健康码: 黄码" in own
    registered = next(r for r in rows if "吴**" in r)
    # Her mother was registered by her: the mother masked, she herself in full.
    assert "1101**********002X" in registered and "11010519491231002X" not in registered
    assert "叶桂兰 13905787777" in registered
    assert not any("别人" in r or "6666" in r for r in rows)
    # An administrator finds her at their organisation's sites only; the platform everywhere.
    assert len(found(client_for("qy_power"))) == 2
    assert len(found(client_for("huanghuiyun"))) == 1
    assert len(found(client_for("admin"))) == 4
    entry = AuditEntry.objects.filter(action="screening.person_traced", actor__username="qingyuan").get()
    assert entry.changes == {"found": 3, "sites": 2} and "13905787777" not in str(entry.changes) + entry.object_repr


def test_the_number_is_never_in_a_url_and_outsiders_are_refused(visits, client_for):
    page = client_for("qingyuan").get(URL, {"q": "13905787777"}).content.decode()
    assert "<tr data-visit=" not in page and '<form method="post" class="search">' in page
    for username in ("hufenfen", "huyao", "laoyan", "yezeyun"):
        assert client_for(username).post(URL, {"q": "13905787777"}).status_code == 403, username
        assert client_for(username).get(URL).status_code == 403, username
    assert client_for("qingyuan").get(reverse("screening:index")).content.decode().count(f'href="{URL}"') == 1
    assert f'href="{URL}"' not in client_for("hufenfen").get(reverse("screening:index")).content.decode()


def test_the_export_for_the_epidemic_office_masks_everyone_but_the_person(visits, client_for):
    response = client_for("qingyuan").post(URL, {"q": "139 0578 7777", "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[str(c or "") for c in row] for row in sheet.iter_rows(values_only=True)]
    header, rows = table[0], table[1:]
    assert header[:2] == ["时间", "场所"] and len(rows) == 3
    text = "\n".join("|".join(r) for r in rows)
    assert "13905787777" in text and "11010519491231002X" not in text and "吴**" in text
    assert {r[header.index("场所")] for r in rows} == {"客户服务中心营业厅", "县妇联办公室"}
    assert "转工作人员核验" in text and "准予入场" in text
    assert AuditEntry.objects.get(action="screening.person_traced").changes["exported"] is True


def test_searching_by_id_number_finds_the_person_without_a_phone(visits, client_for):
    rows = found(client_for("qingyuan"), "11010519491231002x")
    assert len(rows) == 1 and "吴阿婆" in rows[0] and "11010519491231002X" in rows[0]
    assert "叶** 139****7777" in rows[0]  # whoever registered her is masked now
    assert CheckIn.objects.count() == 5
