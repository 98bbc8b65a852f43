import time

from fugong.screening.models import CheckIn, DailyCount, Venue


def test_demo_loads(demo_screening):
    assert Venue.objects.count() == 2
    assert CheckIn.objects.count() > 1000
    assert DailyCount.objects.exists()
