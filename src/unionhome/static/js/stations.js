/* Stations: "use my location" on the near-me page, and the Leaflet map of stations or coverage.
   The list is rendered by the server and works without this script, without tiles and offline.
   Coordinates in #station-map-data are already in the tiles' datum (GCJ-02 for Chinese tiles). */
(function () {
  "use strict";

  function setUpLocate() {
    var form = document.getElementById("near-form");
    var button = document.getElementById("locate-me");
    if (!form || !button || !("geolocation" in navigator)) return;
    var lat = form.querySelector("[name=lat]");
    var lng = form.querySelector("[name=lng]");
    var status = document.getElementById("locate-status");
    var q = form.querySelector("[name=q]");
    button.hidden = false;
    if (q) {
      q.addEventListener("input", function () { lat.value = ""; lng.value = ""; });
    }
    button.addEventListener("click", function () {
      status.textContent = button.dataset.busy || "…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        // The W3C Geolocation API reports WGS-84, which is what the server stores.
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        if (q) q.value = "";
        form.submit();
      }, function () {
        button.disabled = false;
        status.textContent = button.dataset.failed || "";
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function pin(n, className) {
    // Only a number goes into the HTML; names go in through attributes and textContent.
    return L.divIcon({ className: className, html: "<span>" + Number(n) + "</span>",
                       iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12] });
  }

  function boundsOf(data) {
    var bounds = [];
    if (data.origin) bounds.push(data.origin);
    (data.stations || []).concat(data.suggestions || []).forEach(function (s) {
      bounds.push([s.lat, s.lng]);
    });
    (data.hexagons || []).forEach(function (h) { bounds = bounds.concat(h.ring); });
    return bounds;
  }

  function setUpMap() {
    var el = document.getElementById("station-map");
    var source = document.getElementById("station-map-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    // Leaflet draws layers only once the map has a view: set it first.
    var bounds = boundsOf(data);
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    else if (bounds.length === 1) map.setView(bounds[0], 15);
    else map.setView([35, 105], 4);
    if (data.tiles && data.tiles.url) {
      L.tileLayer(data.tiles.url, { maxZoom: 18, attribution: data.tiles.attribution || "",
                                    subdomains: data.tiles.subdomains || "abc" }).addTo(map);
    }
    if (data.origin) {
      L.circle(data.origin, { radius: data.reach, weight: 1, fillOpacity: 0.06 }).addTo(map);
      L.circleMarker(data.origin, { radius: 7, weight: 2, fillOpacity: 0.9, className: "me" })
        .addTo(map);
    }
    (data.stations || []).forEach(function (s) {
      var marker = L.marker([s.lat, s.lng], { icon: pin(s.n, "station-pin"), title: s.name,
                                               alt: s.name }).addTo(map);
      var icon = marker.getElement();
      if (icon) icon.dataset.code = s.code;
      var popup = document.createElement("div");
      popup.textContent = s.n + ". " + s.name;
      marker.bindPopup(popup);
    });
    var top = 1;
    (data.hexagons || []).forEach(function (h) { top = Math.max(top, h.n); });
    (data.hexagons || []).forEach(function (h) {
      L.polygon(h.ring, { weight: 1, color: "#9e1016", fillColor: "#c8161d",
                          fillOpacity: 0.15 + 0.55 * h.n / top, className: "gap" })
        .bindTooltip(String(h.n)).addTo(map);
    });
    (data.suggestions || []).forEach(function (s) {
      L.marker([s.lat, s.lng], { icon: pin(s.n, "station-pin suggest") }).addTo(map);
      L.circle([s.lat, s.lng], { radius: data.reach, weight: 1, dashArray: "4",
                                 fillOpacity: 0.03 }).addTo(map);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpLocate();
    setUpMap();
  });
})();
