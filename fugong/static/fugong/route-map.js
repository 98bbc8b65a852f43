/* The plan's routes on a Leaflet map. Streets only when the deployment names a tile service
 * (MAP_TILES: Tianditu's roads and Chinese labels, Amap, or its own server); otherwise the routes
 * are drawn on a plain background, nothing fetched. The server sends the points already in the
 * tiles' coordinate system (GCJ-02 for Amap). Each stop is its number on the route's colour. */
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("route-map"), source = document.getElementById("route-map-data");
    if (!box || !source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    // Names come from imported files and volunteers: tooltips and markers get them as text, never as HTML.
    function label(text) { var span = document.createElement("span"); span.textContent = text; return span; }
    function numbered(stop, colour) {
      var badge = label(String(stop.position));
      badge.style.backgroundColor = colour;  // CSSOM, not a style attribute: the policy allows it
      return L.divIcon({ className: "stop-number" + (stop.done ? " done" : ""), html: badge, iconSize: [26, 26] });
    }
    var map = L.map(box, { attributionControl: Boolean(data.attribution) });
    (data.tiles || []).forEach(function (layer, index) {
      L.tileLayer(layer.url, {
        subdomains: layer.subdomains, maxZoom: layer.maxZoom, attribution: index === 0 ? data.attribution : ""
      }).addTo(map);
    });
    if (!(data.tiles || []).length && data.attribution) { map.attributionControl.addAttribution(data.attribution); }  // roads credited, no tiles
    var bounds = L.latLngBounds([]);
    data.hubs.forEach(function (hub) {
      L.marker(hub.at, { title: hub.name }).addTo(map).bindTooltip(label(hub.name));
      bounds.extend(hub.at);
    });
    data.routes.forEach(function (route) {
      L.polyline(route.path, { color: route.colour, weight: route.trunk ? 4 : 2, dashArray: route.trunk ? "8 6" : null })
        .addTo(map).bindTooltip(label(route.label));
      route.stops.forEach(function (stop) {
        L.marker(stop.at, { icon: numbered(stop, route.colour), keyboard: false })
          .addTo(map).bindTooltip(label(route.label + " · " + stop.position + ". " + stop.name));
        bounds.extend(stop.at);
      });
    });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
