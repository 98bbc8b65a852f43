"""The seed's yearly table, counted from the demo records for a chosen period and region."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from fugong.directory.models import Region
from fugong.volunteers import stats
from fugong.volunteers.models import Activity, AidEntry, MediationCase, Team
from fugong.volunteers.services import ledger

from .conftest import make_team


def test_the_table_adds_up_from_the_records(demo_volunteers: Any) -> None:
    county = Region.objects.get(code="331126")
    last = timezone.localdate()
    first = last - timedelta(days=365)
    report = stats.report(Team.objects.all(), county, first, last)
    in_period = Activity.objects.filter(team__region__code__startswith="331126", held_on__range=(first, last))
    handed = AidEntry.objects.filter(team__region__code__startswith="331126", on__range=(first, last), quantity__lt=0)
    expected = {
        "activities": in_period.count(),
        "person_times": sum(a.participants.count() for a in in_period),
        "mother_parcels": -(handed.filter(item="mother_parcel").aggregate(n=Sum("quantity"))["n"] or 0),
        "gift_packages": -(handed.filter(item="gift_package").aggregate(n=Sum("quantity"))["n"] or 0),
        "disputes_settled": MediationCase.objects.filter(
            outcome__in=["agreement", "resolved"], closed_on__range=(first, last)
        ).count(),
        "teams": Team.objects.filter(region__code__startswith="331126", is_active=True).count(),
    }
    assert {name: report.total.figures[name] for name in expected} == expected
    assert expected["activities"] > 100 and expected["gift_packages"] > expected["mother_parcels"] > 0  # a real year
    for name in stats.FIGURES:  # the towns add up to the county
        assert sum(line.figures[name] for line in report.lines) == report.total.figures[name]
    assert {line.area for line in report.lines} >= {"濛洲街道", "松源街道"}


def test_a_shorter_period_counts_less_and_a_town_lists_its_teams(demo_volunteers: Any) -> None:
    county = Region.objects.get(code="331126")
    last = timezone.localdate()
    year = stats.report(Team.objects.all(), county, last - timedelta(days=365), last)
    month = stats.report(Team.objects.all(), county, last - timedelta(days=30), last)
    assert 0 < month.total.figures["activities"] < year.total.figures["activities"]
    town = stats.report(Team.objects.all(), Region.objects.get(code="331126001"), last - timedelta(days=365), last)
    assert all(Team.objects.filter(name=line.area).exists() for line in town.lines)


def test_handing_out_more_than_in_stock_is_refused(federation: Any) -> None:
    team = make_team(federation, "库存测试队", "volunteer", "331126001", ["甲"])
    ledger.record_aid(None, team, item="mother_parcel", quantity=10, on=timezone.localdate())
    ledger.record_aid(None, team, item="mother_parcel", quantity=-8, on=timezone.localdate())
    with pytest.raises(ValidationError, match="2"):  # the message names what is left
        ledger.record_aid(None, team, item="mother_parcel", quantity=-3, on=timezone.localdate())
    assert ledger.stock(team) == {"mother_parcel": 2}


def test_the_page_shows_and_exports_the_table(client_for: Any, demo_volunteers: Any) -> None:
    client = client_for("wuyuanzi")
    last = timezone.localdate()
    query = {"region": Region.objects.get(code="331126").pk, "first_day": last - timedelta(days=365), "last_day": last}
    page = client.get("/volunteers/statistics/", query)
    assert page.status_code == 200
    total = page.context["report"].total
    assert f"<th>{total.figures['gift_packages']}</th>" in page.content.decode()
    export = client.get("/volunteers/statistics/", {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == total.area and rows[-1][7] == total.figures["gift_packages"]
