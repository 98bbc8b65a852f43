"""The demo's Lishui index: Qingyuan as the seed published it on 4 March 2020."""

from datetime import date

import pytest

from fugong.demo.resumption import load_resumption
from fugong.resumption.models import IndexFigure, IndexSetup

pytestmark = pytest.mark.django_db


def test_qingyuan_comes_out_as_published_96_34_and_6th(demo, settings, tmp_path):
    settings.RESUMPTION_STORE = tmp_path
    load_resumption()
    setup = IndexSetup.objects.get(region__code="331100")
    last = IndexFigure.objects.filter(setup=setup, day=date(2020, 3, 4), industry="")
    qingyuan = last.get(county="331126")
    assert (round(qingyuan.account_ratio, 2), round(qingyuan.consumption_ratio, 2)) == (97.03, 95.66)
    assert (round(qingyuan.index, 2), qingyuan.rank) == (96.34, 6)
    by_accounts = sorted(last, key=lambda f: -f.account_ratio)
    by_consumption = sorted(last, key=lambda f: -f.consumption_ratio)
    assert by_accounts.index(qingyuan) + 1 == 5 and by_consumption.index(qingyuan) + 1 == 6
    assert last.count() == 9
    days = IndexFigure.objects.filter(setup=setup, industry="").values_list("day", flat=True).distinct()
    assert min(days) == date(2020, 2, 3)  # days without readings have no index
    load_resumption()  # loading again changes nothing
    assert IndexFigure.objects.filter(setup=setup, day=date(2020, 3, 4), industry="").count() == 9
