"""The tile presets: what each draws, from exactly which hosts, and what a wrong setting says."""

import pytest

from fugong.core.map_tiles import TileSettingError, tile_service, tile_source


def test_no_preset_fetches_nothing() -> None:
    assert tile_service("") is None


def test_tianditu_is_roads_and_chinese_labels_from_its_eight_hosts_with_the_key() -> None:
    service = tile_service("tianditu", key="k3y&1")
    assert service is not None and not service.gcj02
    base, labels = (layer.url for layer in service.layers)
    assert base.startswith(
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&"
    )
    assert labels.startswith("https://t{s}.tianditu.gov.cn/cva_w/wmts?") and "&LAYER=cva&" in labels
    for url in (base, labels):
        assert "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k3y%261" in url
    assert service.image_sources() == [f"https://t{n}.tianditu.gov.cn" for n in range(8)]
    assert "天地图" in service.attribution  # in the language of the page: Chinese first


def test_amap_is_gcj02_from_its_four_hosts() -> None:
    service = tile_service("amap", attribution="GS(2024)0000号")
    assert service is not None and service.gcj02
    assert service.layers[0].url == (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
    )
    assert service.image_sources() == [f"https://webrd0{n}.is.autonavi.com" for n in range(1, 5)]
    assert service.attribution.endswith(" · GS(2024)0000号") and "高德地图" in service.attribution


def test_custom_is_the_deployments_own_server_and_line() -> None:
    service = tile_service("custom", url="https://tiles.lishui.example.cn/{z}/{x}/{y}.png", attribution="© 丽水")
    assert service is not None and not service.gcj02
    assert service.image_sources() == ["https://tiles.lishui.example.cn"] and service.attribution == "© 丽水"


@pytest.mark.parametrize(
    ("preset", "options", "says"),
    [
        ("google", {}, "MAP_TILES='google' is not one of"),
        ("tianditu", {}, "needs MAP_TILE_KEY"),
        ("custom", {}, "needs MAP_TILE_URL"),
    ],
)
def test_a_setting_that_cannot_work_says_which(preset: str, options: dict[str, str], says: str) -> None:
    with pytest.raises(TileSettingError, match=says):
        tile_service(preset, **options)


def test_a_tile_source_names_exactly_its_hosts() -> None:
    assert tile_source("") == []
    assert tile_source("/tiles/{z}/{x}/{y}.png") == []  # this site: 'self' already
    assert tile_source("https://tiles.lishui.example.cn/{z}/{x}/{y}.png") == ["https://tiles.lishui.example.cn"]
    assert tile_source("https://{s}.tile.example.cn:8443/{z}/{x}/{y}.png") == ["https://*.tile.example.cn:8443"]
    # {s} inside a host name cannot be a wildcard: Leaflet's own a, b, c.
    assert tile_source("https://t{s}.example.cn/{z}/{x}/{y}.png") == [f"https://t{s}.example.cn" for s in "abc"]
    assert tile_source("https://t{s}.example.cn/{z}", "01") == ["https://t0.example.cn", "https://t1.example.cn"]
