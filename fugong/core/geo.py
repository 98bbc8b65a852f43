"""WGS-84 to GCJ-02, for Chinese map services that draw in GCJ-02 (高德 Amap, Tencent).

Fugong stores WGS-84, what a GPS gives and 天地图 draws (CGCS2000 lies within centimetres of
it). Amap's tiles and navigation are shifted by the national obfuscation (GCJ-02, "火星坐标"), so a
WGS-84 point drawn on them lands 300-700 m off in Jiangxi. The shift is the published algorithm
(Krasovsky ellipsoid a = 6378245 m, e² = 0.00669342162296594323, the same as coordtransform and
eviltransform); outside China's rough bounding box nothing is shifted.

Plain Python, no Django: the pages, the API and the engines may all use it.
"""

import math

A = 6378245.0  # Krasovsky 1940 semi-major axis, as the algorithm has it (not WGS-84's 6378137)
EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(latitude: float, longitude: float) -> bool:
    """The bounding box the algorithm uses: outside it GCJ-02 equals WGS-84."""
    return not (72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271)


def _shift_latitude(x: float, y: float) -> float:
    shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return shift


def _shift_longitude(x: float, y: float) -> float:
    shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return shift


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """(latitude, longitude) in WGS-84 -> (latitude, longitude) in GCJ-02."""
    if out_of_china(latitude, longitude):
        return latitude, longitude
    x, y = longitude - 105.0, latitude - 35.0
    radians = latitude / 180.0 * math.pi
    magic = 1 - EE * math.sin(radians) ** 2
    root = math.sqrt(magic)
    d_latitude = _shift_latitude(x, y) * 180.0 / ((A * (1 - EE)) / (magic * root) * math.pi)
    d_longitude = _shift_longitude(x, y) * 180.0 / (A / root * math.cos(radians) * math.pi)
    return latitude + d_latitude, longitude + d_longitude
