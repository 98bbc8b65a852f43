/* The plan's routes on a Leaflet map. Tiles only when the deployment names a tile server
 * (MAP_TILE_URL); otherwise the routes are drawn on a plain background, nothing fetched. */
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("route-map"), source = document.getElementById("route-map-data");
    if (!box || !source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    // Names come from imported files and volunteers: tooltips get them as text, never as HTML.
    function label(text) { var span = document.createElement("span"); span.textContent = text; return span; }
    var map = L.map(box, { attributionControl: Boolean(data.attribution) });
    if (data.tiles) { L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map); }
    else if (data.attribution) { map.attributionControl.addAttribution(data.attribution); }  // roads credited, no tiles
    var bounds = L.latLngBounds([]);
    data.hubs.forEach(function (hub) {
      L.marker(hub.at, { title: hub.name }).addTo(map).bindTooltip(label(hub.name));
      bounds.extend(hub.at);
    });
    data.routes.forEach(function (route) {
      L.polyline(route.path, { color: route.colour, weight: route.trunk ? 4 : 2, dashArray: route.trunk ? "8 6" : null })
        .addTo(map).bindTooltip(label(route.label));
      route.stops.forEach(function (stop) {
        L.circleMarker(stop.at, { radius: 5, color: route.colour, fillOpacity: stop.done ? 0.2 : 0.9 })
          .addTo(map).bindTooltip(label(route.label + " · " + stop.position + ". " + stop.name));
        bounds.extend(stop.at);
      });
    });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
