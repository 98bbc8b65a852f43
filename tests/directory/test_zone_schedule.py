"""A coordinator schedules a lockdown change ahead from the region's page, sees it among the
changes due, and withdraws it before it takes effect."""

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from fugong.accounts.models import AuditEntry
from fugong.directory import services
from fugong.directory.models import Region, ZoneStatus, ZoneStatusChange

BAQIU = "360823100"  # a town of 峡江县, partly open in the demo


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_the_demo_county_has_a_change_due(client_for: Any) -> None:
    html = client_for("xiajiang").get("/directory/regions/").content.decode()
    assert 'id="changes-due"' in html and "巴邱镇" in html
    assert 'id="changes-due"' not in client_for("qingyuan").get("/directory/regions/").content.decode()


def test_a_change_scheduled_from_the_page_waits_and_is_listed_as_due(client_for: Any) -> None:
    client = client_for("xiajiang")
    when = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        f"/directory/regions/{BAQIU}/", {"status": "open", "effective_at": _local(when), "note": "解除网格管理"}
    )
    assert response.status_code == 302
    region = Region.objects.get(code=BAQIU)
    assert region.zone_status == ZoneStatus.PARTLY_OPEN  # not yet
    change = ZoneStatusChange.objects.get(region=region, effective_at=when)
    assert change.status == "open" and change.note == "解除网格管理"

    assert "not yet in effect" in client.get(f"/directory/regions/{BAQIU}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for page in (f"/directory/regions/{BAQIU}/", "/directory/regions/", "/directory/regions/360823/"):
        html = client.get(page).content.decode()
        assert 'id="changes-due"' in html, page
        assert f"/directory/zone-changes/{change.pk}/withdraw/" in html, page

    with time_machine.travel(when + timedelta(minutes=1), tick=False):
        assert services.apply_due_zone_changes() == 1
    region.refresh_from_db()
    assert region.zone_status == ZoneStatus.OPEN


def test_the_same_form_sent_twice_schedules_one_change(client_for: Any) -> None:
    client = client_for("xiajiang")
    when = _local(timezone.now() + timedelta(hours=5))
    for _ in range(2):
        client.post(f"/directory/regions/{BAQIU}/", {"status": "closed", "effective_at": when})
    assert (
        ZoneStatusChange.objects.filter(region__code=BAQIU, status="closed", effective_at__gt=timezone.now()).count()
        == 1
    )


def test_a_time_already_past_is_refused_on_its_field(client_for: Any) -> None:
    client = client_for("xiajiang")
    before = ZoneStatusChange.objects.count()
    response = client.post(
        f"/directory/regions/{BAQIU}/",
        {"status": "closed", "effective_at": _local(timezone.now() - timedelta(hours=2))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "effective_at" in response.context["form"].errors
    assert ZoneStatusChange.objects.count() == before
    assert Region.objects.get(code=BAQIU).zone_status == ZoneStatus.PARTLY_OPEN


def test_a_withdrawn_change_never_takes_effect_and_stays_in_the_history(client_for: Any) -> None:
    client = client_for("xiajiang")
    region = Region.objects.get(code=BAQIU)
    when = timezone.now() + timedelta(hours=3)
    change = services.set_zone_status(None, region, "closed", effective_at=when)
    response = client.post(f"/directory/zone-changes/{change.pk}/withdraw/", {"back": "regions"})
    assert response.status_code == 302 and response["Location"] == "/directory/regions/"
    change.refresh_from_db()
    assert change.withdrawn_at is not None and change.withdrawn_by is not None
    assert AuditEntry.objects.filter(action="region.zone_status_withdrawn").count() == 1

    html = client.get(f"/directory/regions/{BAQIU}/").content.decode()
    assert f"/directory/zone-changes/{change.pk}/withdraw/" not in html  # no longer due
    assert "<s>" in html  # struck through in the history

    ZoneStatusChange.objects.filter(region=region, withdrawn_at__isnull=True, effective_at__gt=timezone.now()).delete()
    with time_machine.travel(when + timedelta(minutes=5), tick=False):  # the demo's own change removed above
        assert services.apply_due_zone_changes() == 0
        region.refresh_from_db()
        assert region.zone_status == ZoneStatus.PARTLY_OPEN
        # a status set by hand later is still worked out from the changes that stand
        services.set_zone_status(None, region, "open")
        region.refresh_from_db()
        assert region.zone_status == ZoneStatus.OPEN


def test_a_change_in_effect_cannot_be_withdrawn(client_for: Any) -> None:
    client = client_for("xiajiang")
    region = Region.objects.get(code=BAQIU)
    when = timezone.now() + timedelta(minutes=30)
    change = services.set_zone_status(None, region, "closed", effective_at=when)
    with time_machine.travel(when + timedelta(minutes=1), tick=False):
        services.apply_due_zone_changes()
        client.post(f"/directory/zone-changes/{change.pk}/withdraw/")
    change.refresh_from_db()
    assert change.withdrawn_at is None
    assert Region.objects.get(code=BAQIU).zone_status == ZoneStatus.CLOSED


def test_another_countys_coordinator_may_not_withdraw(client_for: Any) -> None:
    change = services.set_zone_status(
        None, Region.objects.get(code=BAQIU), "closed", effective_at=timezone.now() + timedelta(hours=3)
    )
    response = client_for("qingyuan").post(f"/directory/zone-changes/{change.pk}/withdraw/")
    assert response.status_code in (403, 404)
    change.refresh_from_db()
    assert change.withdrawn_at is None
    html = client_for("qingyuan").get("/directory/regions/").content.decode()
    assert f"/directory/zone-changes/{change.pk}/withdraw/" not in html


def test_the_api_schedules_lists_and_withdraws(client_for: Any) -> None:
    client = client_for("xiajiang")
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    payload = {"status": "closed", "effective_at": when.isoformat(), "note": "预防性管控"}
    made = client.post(
        f"/api/directory/regions/{BAQIU}/zone-changes",
        payload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="z1",
    )
    again = client.post(
        f"/api/directory/regions/{BAQIU}/zone-changes",
        payload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="z1",
    )
    assert made.status_code == again.status_code == 201 and made.json() == again.json()
    change_id = made.json()["id"]
    due = client.get("/api/directory/regions/360823/zone-changes?due=true").json()
    mine = [c for c in due if c["id"] == change_id]
    assert len(mine) == 1 and mine[0]["region_code"] == BAQIU and mine[0]["status"] == "closed"
    past = client.post(
        f"/api/directory/regions/{BAQIU}/zone-changes",
        {"status": "open", "effective_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert past.status_code == 422
    assert client_for("qingyuan").post(f"/api/directory/zone-changes/{change_id}/withdraw").status_code in (403, 404)
    withdrawn = client.post(f"/api/directory/zone-changes/{change_id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    due = client.get("/api/directory/regions/360823/zone-changes?due=true").json()
    assert change_id not in [c["id"] for c in due]
