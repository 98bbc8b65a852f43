"""The route map's background: which tile service draws the streets, from which hosts, with
whose copyright, and in which coordinate system.

Nothing is fetched from outside unless the deployment names a service (MAP_TILES): without one
the routes are drawn on a plain background. The presets are the Chinese services a county can
use: 天地图 (Tianditu, the national platform: a key per deployment, CGCS2000, which is WGS-84 to a
few centimetres, so our coordinates go on it as they are) and 高德 (Amap, GCJ-02: every point is
shifted with core.geo before it is drawn, or the shops sit a few hundred metres off their street).
"custom" is a county's own tile server (MAP_TILE_URL, MAP_TILE_ATTRIBUTION).
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext_lazy as _

PRESETS = ("", "tianditu", "amap", "custom")
LEAFLET_SUBDOMAINS = "abc"  # what Leaflet puts for {s} when a layer names none


@dataclass(frozen=True)
class TileLayer:
    url: str  # Leaflet's template: {s} a subdomain, {z}/{x}/{y} the tile
    subdomains: str = LEAFLET_SUBDOMAINS  # each character one value of {s}
    max_zoom: int = 18

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "subdomains": self.subdomains, "maxZoom": self.max_zoom}


@dataclass(frozen=True)
class TileService:
    preset: str
    layers: tuple[TileLayer, ...]
    credit: Any  # the service's own copyright line (translated when shown)
    extra: str = ""  # the deployment's MAP_TILE_ATTRIBUTION, after it
    gcj02: bool = False  # the tiles are drawn in GCJ-02: shift our WGS-84 points before drawing

    @property
    def attribution(self) -> str:
        """The map's corner line (Leaflet takes it as markup: it never comes from users)."""
        return " · ".join(filter(None, [str(self.credit), self.extra]))

    def image_sources(self) -> list[str]:
        """The Content-Security-Policy's img-src entries for exactly these tiles' hosts."""
        sources: list[str] = []
        for layer in self.layers:
            sources += [s for s in tile_source(layer.url, layer.subdomains) if s not in sources]
        return sources


def tile_source(url: str, subdomains: str = "") -> list[str]:
    """Where a layer's tiles come from, for the policy's img-src: its origin, one per subdomain
    when they are named ({s} as part of a host name, t{s}.tianditu.gov.cn), else {s} as a
    wildcard; nothing when the tiles come from this site."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "{s}" not in host:
        return [f"{parts.scheme}://{host}"]
    if not subdomains and host.startswith("{s}."):
        return [f"{parts.scheme}://{host.replace('{s}', '*')}"]
    return [f"{parts.scheme}://{host.replace('{s}', s)}" for s in subdomains or LEAFLET_SUBDOMAINS]


def _tianditu(layer: str, key: str) -> TileLayer:
    """One of Tianditu's WMTS layers in Web Mercator (the _w sets), as tiles by {z}/{y}/{x}."""
    return TileLayer(
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={quote(key, safe='')}",
        subdomains="01234567",
        max_zoom=18,
    )


AMAP_ROADS = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


class TileSettingError(ValueError):
    """A tile setting that cannot work; the message names the variable."""


def tile_service(preset: str, *, url: str = "", attribution: str = "", key: str = "") -> TileService | None:
    """The service the settings name, or None for a plain background. `attribution` (the
    deployment's MAP_TILE_ATTRIBUTION) is added after a preset's own, e.g. the map's approval
    number (审图号) of the year."""
    if preset not in PRESETS:
        choices = ", ".join(repr(p) for p in PRESETS)
        raise TileSettingError(f"MAP_TILES={preset!r} is not one of {choices}.")
    if not preset:
        return None
    if preset == "custom":
        if not url:
            raise TileSettingError("MAP_TILES='custom' needs MAP_TILE_URL, the tile server's {z}/{x}/{y} address.")
        return TileService("custom", (TileLayer(url),), "", attribution)
    if preset == "tianditu":
        if not key:
            raise TileSettingError("MAP_TILES='tianditu' needs MAP_TILE_KEY, the deployment's Tianditu key (tk).")
        # The vector base map, and its Chinese labels (cva) on top: the base has no names.
        layers = (_tianditu("vec", key), _tianditu("cva", key))
        credit = _("© Tianditu (National Platform for Common GeoSpatial Information Services)")
        return TileService("tianditu", layers, credit, attribution)
    return TileService("amap", (TileLayer(AMAP_ROADS, "1234"),), _("© AutoNavi (Amap)"), attribution, gcj02=True)
