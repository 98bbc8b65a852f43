"""WGS-84 -> GCJ-02 against published reference values and a second, independently arranged
formulation of the algorithm (eviltransform's: one `transform` for both axes, the sums in another
order), so a slip in one transcription does not hide behind its own tests."""

import math

import pytest

from fugong.core.geo import out_of_china, wgs84_to_gcj02

# (WGS-84 lat, lng) -> (GCJ-02 lat, lng) as the reference libraries publish them in their tests.
PUBLISHED = [
    # wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915)
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
    # googollee/eviltransform python tests: Shanghai, Shenzhen, Beijing
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED)
def test_published_reference_points(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    latitude, longitude = wgs84_to_gcj02(*wgs)
    assert latitude == pytest.approx(gcj[0], abs=1e-9)
    assert longitude == pytest.approx(gcj[1], abs=1e-9)


def evil_transform(latitude: float, longitude: float) -> tuple[float, float]:
    """eviltransform's arrangement (with the Krasovsky radius the published values need)."""
    x, y = longitude - 105.0, latitude - 35.0
    x_pi, y_pi = x * math.pi, y * math.pi
    d = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)
    lat, lng = d, d
    lat += 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    lng += 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    lat += 160.0 * math.sin(y_pi / 12.0) + 320 * math.sin(y_pi / 30.0)
    lng += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    lat *= 2.0 / 3.0
    lng *= 2.0 / 3.0
    lat += -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    lng += 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ee, radius = 0.00669342162296594323, 6378245.0
    rad = latitude / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) * math.sin(rad)
    sqrt_magic = math.sqrt(magic)
    lat = (lat * 180.0) / ((radius * (1 - ee)) / (magic * sqrt_magic) * math.pi)
    lng = (lng * 180.0) / (radius / sqrt_magic * math.cos(rad) * math.pi)
    return latitude + lat, longitude + lng


@pytest.mark.parametrize(
    "wgs",
    [
        (27.5823, 115.3167),  # 巴邱网点, Xiajiang county, Jiangxi (the demo's network point)
        (27.6312, 115.2893),  # 仁和镇工业园, the demo's transfer station
        (27.117, 115.0),  # Ji'an
        (28.1, 119.06),  # Qingyuan county, Zhejiang
    ],
)
def test_jiangxi_and_zhejiang_points_agree_with_a_second_formulation(wgs: tuple[float, float]) -> None:
    latitude, longitude = wgs84_to_gcj02(*wgs)
    other = evil_transform(*wgs)
    assert latitude == pytest.approx(other[0], abs=1e-12) and longitude == pytest.approx(other[1], abs=1e-12)
    # Amap's shift in Jiangxi is a few hundred metres, east and a little south here.
    assert 0.002 < longitude - wgs[1] < 0.007 and -0.004 < latitude - wgs[0] < 0.0


BAQIU_GCJ02 = (27.579122, 115.321875)


def test_the_baqiu_network_point_in_gcj02() -> None:
    """Computed once from the reference algorithm and kept, so a later change shows."""
    latitude, longitude = wgs84_to_gcj02(27.5823, 115.3167)
    assert (round(latitude, 6), round(longitude, 6)) == BAQIU_GCJ02


@pytest.mark.parametrize("wgs", [(51.5074, -0.1278), (35.6812, 139.7671), (0.0, 0.0), (-33.86, 151.21)])
def test_no_shift_outside_china(wgs: tuple[float, float]) -> None:
    assert out_of_china(*wgs)
    assert wgs84_to_gcj02(*wgs) == wgs
