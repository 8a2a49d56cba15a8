// Testament's own script: no inline scripts (the pages' Content-Security-Policy forbids them).
"use strict";

// Every htmx request carries the session's CSRF token as a header.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.body.dataset.csrf;
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});

// The incident map: boundaries from Testament's own gazetteer, incidents as markers. Tiles only when an
// administrator configured a tile URL, so the page works with no network at all.
function drawMap(element) {
  const map = L.map(element).setView([48.5, 31.5], 6);
  map.createPane("areas").style.zIndex = "350";
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18 }).addTo(map);
  }
  fetch(element.dataset.areas, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((areas) => {
      // Boundaries are context: below the markers, and never in the way of a click.
      L.geoJSON(areas, {
        pane: "areas", interactive: false, style: { color: "#666", weight: 1, fillOpacity: 0.04 },
      }).addTo(map);
    });
  fetch(element.dataset.incidents, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((incidents) => {
      // SVG markers can be inspected and styled; past a few thousand, one canvas draws faster.
      const renderer = incidents.features.length > 2000 ? L.canvas() : L.svg();
      const layer = L.geoJSON(incidents, {
        pointToLayer: (feature, latlng) =>
          L.circleMarker(latlng, {
            renderer, radius: 5, color: "#a61b1b", weight: 1, fillOpacity: 0.7, className: "incident-marker",
          }),
        onEachFeature: (feature, marker) => {
          const link = document.createElement("a");
          link.href = "/incidents/" + encodeURIComponent(feature.id);
          link.textContent = feature.properties.title + " (" + (feature.properties.date || "") + ")";
          marker.bindPopup(link);
        },
      }).addTo(map);
      element.dataset.markers = String(incidents.features.length);
      if (incidents.features.length) {
        map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [20, 20] });
      } else {
        const note = document.createElement("p");
        note.className = "empty";
        note.textContent = element.dataset.empty;
        element.after(note);
      }
    });
}

// Evidence upload: each file is its own streamed request, one at a time, with its progress shown.
function uploadFiles(form, files) {
  const rows = document.querySelector("table.uploads tbody");
  const source = form.querySelector("input[name=source]").value;
  let queue = Promise.resolve();
  for (const file of files) {
    const row = rows.insertRow();
    row.insertCell().textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    row.insertCell().append(bar);
    const result = row.insertCell();
    queue = queue.then(() => new Promise((resolve) => {
      const request = new XMLHttpRequest();
      const query = new URLSearchParams({ filename: file.name });
      if (source) {
        query.set("source", source);
      }
      request.open("POST", form.dataset.target + "?" + query.toString());
      request.setRequestHeader("X-CSRF-Token", document.body.dataset.csrf || "");
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.onprogress = (event) => { bar.value = event.loaded; };
      request.onload = () => {
        let body = {};
        try { body = JSON.parse(request.responseText); } catch (error) { body = {}; }
        if (request.status === 201) {
          bar.value = bar.max;
          result.textContent = form.dataset.done + " · sha256:" + body.item.sha256.slice(0, 16) + "…";
          row.dataset.item = body.item.id;
        } else {
          result.textContent = form.dataset.failed + ": " + (body.error || request.status);
          result.className = "error";
        }
        resolve();
      };
      request.onerror = () => { result.textContent = form.dataset.failed; resolve(); };
      request.send(file);
    }));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("map");
  if (element && window.L) {
    drawMap(element);
  }
  // A blurred preview is revealed only when its viewer asks.
  for (const button of document.querySelectorAll("figure.graphic button.reveal")) {
    button.addEventListener("click", () => button.closest("figure").classList.add("revealed"));
  }
  const form = document.getElementById("upload");
  if (form) {
    const input = form.querySelector("input[type=file]");
    input.addEventListener("change", () => uploadFiles(form, input.files));
    const zone = form.querySelector(".drop");
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      uploadFiles(form, event.dataTransfer.files);
    });
  }
});
