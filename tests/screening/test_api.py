"""The screening API refuses what it cannot record with a 422 naming the field, never a 500."""

from typing import Any

from fugong.accounts.models import User
from fugong.screening.models import CheckIn, StaffTemperature, Venue

from .conftest import GREEN


def test_a_companion_name_longer_than_its_column_is_refused(hall: Venue, client_for: Any) -> None:
    """The visitor's own name had its limit (40), the companion's none: PostgreSQL answered 500."""
    visitor = {"nonce": "scanner-0001", "name": "王五", "mobile": "13905780126", "answers": GREEN}
    response = client_for("hufenfen").post(
        f"/api/screening/sites/{hall.pk}/checkins",
        visitor | {"companion_name": "邻" * 41, "companion_mobile": "13905780127"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["companion_name"]
    assert not CheckIn.objects.exists()


def test_a_temperature_that_is_not_a_number_is_refused(hall: Venue, client_for: Any) -> None:
    """JSON as Python reads it takes NaN; comparing it with the allowed range raised (500)."""
    staff = User.objects.get(username="hufenfen")
    response = client_for("hufenfen").post(
        f"/api/screening/sites/{hall.pk}/staff-temperatures",
        f'{{"staff_id": {staff.pk}, "temperature": NaN}}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["temperature"]
    assert not StaffTemperature.objects.exists()


def test_a_day_nobody_means_is_refused_naming_it(hall: Venue, client_for: Any) -> None:
    """The last day of year 9999 has no next day to end it: the day's bounds overflowed (500)."""
    client = client_for("hufenfen")
    url = f"/api/screening/sites/{hall.pk}/checkins"
    for day in ("9999-12-31", "0001-01-01", "yesterday"):
        response = client.get(url, {"day": day})
        assert response.status_code == 422, day
        assert list(response.json()["errors"]) == ["day"], day
    assert client.get(url, {"day": "2020-02-10"}).json() == []
