from datetime import date
from itertools import count
from typing import Any

import pytest

from fugong.directory.models import Organisation, Region
from fugong.volunteers.models import Member, Team
from fugong.volunteers.services import teams


@pytest.fixture
def federation(demo: Any) -> Organisation:
    return Organisation.objects.get(short_name="县妇联")


_numbers = count(1)  # each test member gets a number of their own: the same number means the same person


def make_team(org: Organisation, name: str, kind: str, region_code: str, people: list[str]) -> Team:
    team = teams.save_team(None, name=name, kind=kind, organisation=org, region=Region.objects.get(code=region_code))
    for person in people:
        teams.save_member(
            None,
            team,
            name=person,
            mobile=f"1390578{next(_numbers):04d}",
            consent=True,
            joined_on=date(2020, 1, 1),
        )
    return team


def member(team: Team, name: str) -> Member:
    return team.members.get(name=name)
