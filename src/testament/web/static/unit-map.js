// A unit's placements on a map (unit.html): an area drawn from the outline Testament's own gazetteer
// holds, a point as a circle of its radius in metres. Tiles only when an administrator configured a
// tile URL, so the map works with no network at all. The table beside it says the same in words.
"use strict";

function placementPopup(element, placement) {
  const words = element.dataset;
  const box = document.createElement("div");
  const name = document.createElement("strong");
  name.textContent = placement.name || (placement.lat + ", " + placement.lon);
  const period = document.createElement("p");
  period.textContent = words.from + " " + (placement.from || words.unknown) + " " + words.to + " " + (placement.to || words.unknown);
  box.append(name, period);
  return box;
}

function drawUnitMap(element) {
  const placements = JSON.parse(element.dataset.placements);
  const map = L.map(element).setView([48.5, 31.5], 6);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18 }).addTo(map);
  }
  map.createPane("areas").style.zIndex = "350";
  const drawn = L.featureGroup().addTo(map);
  const style = { color: "#a61b1b", weight: 2, fillOpacity: 0.25 };
  for (const p of placements) {
    if (p.lat !== null && p.radius !== null) {
      L.circle([p.lat, p.lon], Object.assign({ radius: p.radius, className: "unit-placement" }, style))
        .bindPopup(placementPopup(element, p)).addTo(drawn);
    }
  }
  // The outlines of each level a placement names, and of the first level as context: faint, below the
  // placements, and never in the way of a click.
  const levels = [...new Set([1, ...placements.filter((p) => p.area).map((p) => p.level)])];
  const outlines = levels.map((level) => fetch(element.dataset.areas + encodeURIComponent(level), { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : { features: [] }))
    .then((areas) => {
      if (level === 1) {
        L.geoJSON(areas, { pane: "areas", interactive: false, style: { color: "#666", weight: 1, fillOpacity: 0.03 } }).addTo(map);
      }
      for (const p of placements.filter((q) => q.area && q.level === level)) {
        const feature = areas.features.find((f) => f.id === p.area);
        if (feature) {
          L.geoJSON(feature, { style: Object.assign({ className: "unit-placement" }, style) })
            .bindPopup(placementPopup(element, p)).addTo(drawn);
        }
      }
    }));
  Promise.all(outlines).then(() => {
    if (drawn.getLayers().length) {
      map.fitBounds(drawn.getBounds(), { maxZoom: 10, padding: [20, 20] });
    }
    element.dataset.drawn = String(drawn.getLayers().length);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("unit-map");
  if (element && window.L) {
    drawUnitMap(element);
  }
});
