"""Collected static files: of the front-end packages, only the builds the pages use.

The packages' dist folders (STATICFILES_DIRS, straight from node_modules) hold every build of
each package with its source maps: ECharts alone brings 51 MB of unminified, ES-module and partial
builds, of which the pages load echarts.min.js (1 MB). Collected, each would be hashed and
compressed twice (gzip, brotli) at every deploy, minutes of a server's time, and then served to
nobody. A file a page does name and that is left out here fails loudly: the manifest has no
entry for it, so the page cannot render (tests/deploy/test_production_smoke.py opens them).
"""

from django.contrib.staticfiles.apps import StaticFilesConfig

UNUSED_BUILDS = [
    # echarts/dist: echarts.min.js is used.
    "echarts.js",
    "echarts.js.map",
    "echarts.esm.*",
    "echarts.common.*",
    "echarts.simple.*",
    "extension",
    # htmx.org/dist: htmx.min.js is used.
    "htmx.js",
    "htmx.amd.js",
    "htmx.cjs.js",
    "htmx.esm.*",
    "htmx.min.js.gz",
    "ext",
    # leaflet/dist: leaflet.js (with the map it names), leaflet.css and images are used.
    "leaflet-src.*",
]


class FugongStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, *UNUSED_BUILDS]
