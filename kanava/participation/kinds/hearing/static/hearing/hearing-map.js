/* The comment form's map (progressive enhancement): a point or an area drawn with Leaflet is written as
   GeoJSON into the hidden "geometry" field.  Without JavaScript, and for keyboard and screen-reader users,
   the list of named places and the address field next to the map do the same job. */
(function () {
  "use strict";

  function start(box) {
    if (!window.L) { return; }
    var form = box.closest("form");
    var field = form.querySelector("[data-hearing-geometry]");
    var select = form.querySelector("select[name=place]");
    var mode = box.dataset.mode;
    box.hidden = false;
    var map = L.map(box.querySelector(".hearing-map__canvas"), { keyboard: false })
      .setView([parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], parseInt(box.dataset.zoom, 10));
    if (box.dataset.tileUrl) {
      L.tileLayer(box.dataset.tileUrl, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
    }
    var placesNode = box.querySelector("#hearing-places");
    var places = placesNode ? JSON.parse(placesNode.textContent) : [];
    var placeLayers = {};
    places.forEach(function (place) {
      // The places are not keyboard stops: the list beside the map is the way to choose one without a mouse.
      placeLayers[place.id] = L.geoJSON(place.geometry, {
        style: { color: "#0000bf", weight: 2 },
        pointToLayer: function (feature, latlng) {
          return L.marker(latlng, { keyboard: false, alt: place.name, title: place.name });
        },
        onEachFeature: function (feature, layer) {
          layer.on("add", function () {
            var node = layer.getElement && layer.getElement();
            if (node) { node.setAttribute("tabindex", "-1"); node.setAttribute("aria-hidden", "true"); }
          });
        }
      }).bindTooltip(place.name).addTo(map);
    });
    var all = L.featureGroup(Object.keys(placeLayers).map(function (id) { return placeLayers[id]; }));
    if (places.length) { map.fitBounds(all.getBounds(), { maxZoom: 16, padding: [20, 20] }); }
    var drawn = null, corners = [];

    function write(geometry) {
      field.value = geometry ? JSON.stringify(geometry) : "";
    }
    function clear() {
      if (drawn) { map.removeLayer(drawn); drawn = null; }
      corners = [];
      write(null);
    }
    map.on("click", function (event) {
      var lon = Math.round(event.latlng.lng * 1e7) / 1e7, lat = Math.round(event.latlng.lat * 1e7) / 1e7;
      if (mode === "point") {
        clear();
        drawn = L.marker(event.latlng).addTo(map);
        write({ type: "Point", coordinates: [lon, lat] });
        return;
      }
      corners.push([lon, lat]);
      if (drawn) { map.removeLayer(drawn); }
      drawn = L.polygon(corners.map(function (c) { return [c[1], c[0]]; })).addTo(map);
      if (corners.length >= 3) {
        write({ type: "Polygon", coordinates: [corners.concat([corners[0]])] });
      }
    });
    if (select) {
      select.addEventListener("change", function () {
        var layer = placeLayers[select.value];
        if (layer) { map.fitBounds(layer.getBounds(), { maxZoom: 16 }); }
      });
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary button--small";
    button.textContent = box.dataset.clearLabel;
    button.addEventListener("click", clear);
    box.appendChild(button);
    if (field.value) {
      try { drawn = L.geoJSON(JSON.parse(field.value)).addTo(map); } catch (e) { write(null); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-hearing-map]").forEach(start);
  });
}());
