"""Check-ins per minute for /metrics (registered in ScreeningConfig.ready): the doors' pace,
counted from the records, so every web process and scanner is included. No venue or person."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily

from fugong.core import metrics

from .models import CheckIn

MINUTE = timedelta(minutes=1)


def checkin_metrics(now: datetime) -> Iterable[GaugeMetricFamily]:
    recent = CheckIn.objects.filter(at__gt=now - MINUTE, at__lte=now).count()
    return [
        GaugeMetricFamily(
            "fugong_checkins_last_minute", "Check-ins recorded in the last minute, all sites.", value=recent
        )
    ]


def register() -> None:
    metrics.register("checkins", checkin_metrics)
