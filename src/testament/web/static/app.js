// Testament's own script: no inline scripts (the pages' Content-Security-Policy forbids them).
"use strict";

// Every htmx request carries the session's CSRF token as a header.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.body.dataset.csrf;
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});

// A refused form (422, or 409 when someone else saved first) comes back as the form with the reason on
// top: show it, where htmx would otherwise leave the page as it was.
// A refusal that is not the form (an error page: too large, not allowed, not found) replaces the page's
// main part instead, so that a form never seems to do nothing.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const page = (event.detail.xhr.getResponseHeader("Content-Type") || "").startsWith("text/html");
  if (status < 400 || !page) {
    return;
  }
  event.detail.shouldSwap = true;
  event.detail.isError = false;
  const target = event.detail.target;
  if (!target.id || !event.detail.serverResponse.includes('id="' + target.id + '"')) {
    event.detail.target = document.querySelector("main");
    event.detail.selectOverride = "main";
    event.detail.swapOverride = "outerHTML";
  }
});

// The incident map: boundaries from Testament's own gazetteer, incidents as markers. Tiles only when an
// administrator configured a tile URL, so the page works with no network at all.
function drawMap(element) {
  const map = L.map(element).setView([48.5, 31.5], 6);
  // The area drawing (static/places.js) adds its tools to this map.
  element.dispatchEvent(new CustomEvent("testament:map", { detail: map }));
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
  // Up to 2,000 incidents in view come back as points; past that, as clusters of the view, fetched
  // again whenever the view changes. Clicking a cluster zooms into it.
  let layer = null;
  let asked = 0;
  const draw = (incidents) => {
    // SVG markers can be inspected and styled; past a few thousand, one canvas draws faster.
    const renderer = incidents.features.length > 2000 ? L.canvas() : L.svg();
    const next = L.geoJSON(incidents, {
      pointToLayer: (feature, latlng) => (feature.properties.cluster ? clusterMarker(map, feature, latlng)
        : L.circleMarker(latlng, {
          renderer, radius: 5, color: "#a61b1b", weight: 1, fillOpacity: 0.7, className: "incident-marker",
        })),
      onEachFeature: (feature, marker) => {
        if (feature.properties.cluster) {
          return;
        }
        const link = document.createElement("a");
        link.href = "/incidents/" + encodeURIComponent(feature.id);
        link.textContent = feature.properties.title + " (" + (feature.properties.date || "") + ")";
        marker.bindPopup(link);
      },
    });
    if (layer) {
      layer.remove();
    }
    layer = next.addTo(map);
    element.dataset.markers = String(incidents.total);
    element.dataset.clustered = String(incidents.clustered);
  };
  const load = (view) => {
    asked += 1;
    const mine = asked;
    const url = new URL(element.dataset.incidents, window.location.href);
    if (view) {
      const box = map.getBounds();
      const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
      url.searchParams.set("bbox", [clamp(box.getWest(), 180), clamp(box.getSouth(), 90),
        clamp(box.getEast(), 180), clamp(box.getNorth(), 90)].join(","));
      url.searchParams.set("zoom", String(Math.round(map.getZoom())));
    }
    return fetch(url, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((incidents) => {
        if (mine === asked) {  // a slower answer to an older view is dropped
          draw(incidents);
        }
        return incidents;
      });
  };
  load(false).then((incidents) => {
    const clustered = incidents.clustered;
    if (incidents.total) {
      map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [20, 20] });
    } else {
      const note = document.createElement("p");
      note.className = "empty";
      note.textContent = element.dataset.empty;
      element.after(note);
    }
    if (clustered) {
      map.on("moveend", () => load(true));
      load(true);
    }
  });
}

// A cluster: a disc with its count; a click zooms in on it.
function clusterMarker(map, feature, latlng) {
  const count = feature.properties.count;
  const label = document.createElement("span");
  label.textContent = count >= 10000 ? Math.round(count / 1000) + "k" : String(count);
  const size = Math.min(56, 24 + 6 * Math.log10(count));
  const marker = L.marker(latlng, {
    icon: L.divIcon({ html: label, className: "incident-cluster", iconSize: [size, size] }),
    title: String(count),
  });
  marker.on("click", () => map.setView(latlng, Math.min(map.getZoom() + 2, 18)));
  return marker;
}

// A file name as pages show it: each bidirectional control or control character written as its code point in brackets ([U+202E]),
// so that "photo\u202Egpj.exe" cannot pass for "photoexe.jpg". The page hands over the server's own list
// of those characters (testament.domain.display), so there is one list.
function shownName(form, name) {
  const hidden = new RegExp(form.dataset.hidden, "gu");
  return name.replace(hidden, (c) => "[U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");
}

// Evidence upload: each file is its own streamed request, one at a time, with its progress shown.
// Each stored file becomes a link to its item, under the name the server recorded.
function uploadFiles(form, files) {
  const rows = document.querySelector("table.uploads tbody");
  const source = form.querySelector("input[name=source]").value;
  let queue = Promise.resolve();
  for (const file of files) {
    const row = rows.insertRow();
    const name = row.insertCell();
    name.textContent = shownName(form, file.name);
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
          const link = document.createElement("a");
          link.href = "/evidence/" + encodeURIComponent(body.item.id);
          link.textContent = body.item.shown_name;
          name.replaceChildren(link);
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

// One cluster in place and time (docs/patterns.md, "Clusters"): a circle at its centre, its area
// growing with its count, whose popup gives the count, the first and last days and a link to the
// clusters analysis of the same scope.
function clusterCircle(element, cluster) {
  const [incidents, open] = element.dataset.clusterWords.split("|");
  const popup = document.createElement("div");
  const said = document.createElement("p");
  said.textContent = incidents + ": " + cluster.count + ", " + cluster.first + " – " + cluster.last;
  const link = document.createElement("a");
  link.href = element.dataset.clusters;
  link.textContent = open;
  popup.append(said, link);
  const radius = 6 + 3 * Math.sqrt(cluster.count);
  return L.circleMarker([cluster.latitude, cluster.longitude], { radius, color: "#5e3c99", weight: 2, fillOpacity: 0.35, className: "spacetime-cluster" })
    .bindTooltip(said.cloneNode(true)).bindPopup(popup);
}

// The patterns map: areas shaded by the selection's incidents (a click on an area chooses it), the
// incidents as points (or, past a few thousand, as clusters), a heat layer (leaflet.heat) and the
// clusters in place and time, each a layer that can be switched off. Everything comes from Testament
// itself.
function drawPatternsMap(element) {
  const map = L.map(element).setView([48.5, 31.5], 6);
  map.createPane("areas").style.zIndex = "350";
  const [areaName, pointName, heatName, clusterName] = element.dataset.layers.split("|");
  const chooser = L.control.layers(null, null, { collapsed: false }).addTo(map);
  Promise.all([
    fetch(element.dataset.data, { credentials: "same-origin" }).then((response) => response.json()),
    fetch(element.dataset.areas, { credentials: "same-origin" }).then((response) => response.json()),
  ]).then(([data, areas]) => {
    const most = Math.max(1, ...Object.values(data.areas));
    const shading = L.geoJSON(areas, {
      pane: "areas",
      style: (feature) => {
        const count = data.areas[feature.id] || 0;
        return { color: "#666", weight: 1, fillColor: "#b2182b", fillOpacity: count ? 0.1 + 0.6 * count / most : 0.02 };
      },
      onEachFeature: (feature, layer) => {
        layer.bindTooltip((feature.properties.name || feature.id) + ": " + (data.areas[feature.id] || 0));
        layer.on("click", () => {
          const target = new URL(element.dataset.page, window.location.href);
          target.searchParams.set("area", feature.id);
          target.hash = "incidents";
          window.location.assign(target.toString());
        });
      },
    }).addTo(map);
    chooser.addOverlay(shading, areaName);
    const markers = L.layerGroup(data.points.map(([lat, lon, id]) => {
      const link = document.createElement("a");
      link.href = "/incidents/" + encodeURIComponent(id);
      link.textContent = id.slice(0, 8);
      return L.circleMarker([lat, lon], { radius: 5, color: "#a61b1b", weight: 1, fillOpacity: 0.7, className: "incident-marker" }).bindPopup(link);
    }).concat(data.clusters.map(([lat, lon, count]) => clusterMarker(map, { properties: { count } }, L.latLng(lat, lon)))));
    markers.addTo(map);
    chooser.addOverlay(markers, pointName);
    const heat = L.heatLayer(data.points.map(([lat, lon]) => [lat, lon, 1]).concat(
      data.clusters.map(([lat, lon, count]) => [lat, lon, count])), { radius: 20, blur: 15 });
    heat.addTo(map);
    chooser.addOverlay(heat, heatName);
    const clustered = L.layerGroup(data.spacetime.map((cluster) => clusterCircle(element, cluster)));
    clustered.addTo(map);
    chooser.addOverlay(clustered, clusterName);
    const placed = data.points.map(([lat, lon]) => [lat, lon]).concat(data.clusters.map(([lat, lon]) => [lat, lon]));
    if (placed.length) {
      map.fitBounds(L.latLngBounds(placed), { maxZoom: 10, padding: [20, 20] });
    } else {
      const note = document.createElement("p");
      note.className = "empty";
      note.textContent = element.dataset.empty;
      element.after(note);
    }
    element.dataset.markers = String(data.points.length + data.clusters.length);
    element.dataset.spacetime = String(data.spacetime.length);
    element.dataset.ready = "true";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("map");
  if (element && window.L) {
    drawMap(element);
  }
  const patterns = document.getElementById("patterns-map");
  if (patterns && window.L) {
    drawPatternsMap(patterns);
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
