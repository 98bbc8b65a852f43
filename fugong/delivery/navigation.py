"""Tap-to-navigate links for the driver's phone: they open the Amap or Baidu app (or its mobile
web page) with the stop as the destination and the phone's own position as the start.

Amap's URI takes GCJ-02 (coordinate=gaode), so our WGS-84 is shifted with core.geo; Baidu's
takes WGS-84 as it is (coord_type=wgs84) and shifts it itself. Documented at
https://lbs.amap.com/api/uri-api/guide/travel/route and Baidu's URI API (web: /direction).
"""

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fugong.core import geo

SOURCE = "fugong"  # who asks, as both services want it named


def _name(text: str) -> str:
    # The name rides inside the destination parameter, after a comma (Amap) or a "|name:" (Baidu).
    return " ".join(text.replace(",", " ").replace("，", " ").replace("|", " ").split())


def _where(place: Any) -> tuple[float, float] | None:
    latitude: Decimal | None = getattr(place, "latitude", None)
    longitude: Decimal | None = getattr(place, "longitude", None)
    if latitude is None or longitude is None:
        return None
    return float(latitude), float(longitude)


def amap(place: Any) -> str:
    """https://uri.amap.com/navigation to the place by car, in GCJ-02; the app when installed."""
    where = _where(place)
    if where is None:
        return ""
    latitude, longitude = geo.wgs84_to_gcj02(*where)
    to = f"{longitude:.6f},{latitude:.6f},{_name(place.name)}"
    return (
        f"https://uri.amap.com/navigation?to={quote(to, safe=',')}"
        f"&mode=car&policy=0&src={SOURCE}&coordinate=gaode&callnative=1"
    )


def baidu(place: Any) -> str:
    """Baidu's web direction page by car to the place, given in WGS-84."""
    where = _where(place)
    if where is None:
        return ""
    latitude, longitude = where
    destination = f"latlng:{latitude:.6f},{longitude:.6f}|name:{_name(place.name)}"
    return (
        f"https://api.map.baidu.com/direction?destination={quote(destination, safe=':,')}"
        f"&coord_type=wgs84&mode=driving&output=html&src=webapp.{SOURCE}.delivery"
    )
