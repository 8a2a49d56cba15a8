// Places on Testament's offline maps (docs/map-timeline.md): drawing an area on a case's map to show only
// the incidents inside it, and picking an incident's point on its form, by a click on a small map or by
// a search of the gazetteer. Written with Leaflet's own API (no drawing plugin): a rectangle is dragged,
// a polygon clicked corner by corner; with the keyboard, Space puts a corner at the map's centre.
"use strict";

const AREA_STYLE = { color: "#8a6d00", weight: 2, fillOpacity: 0.08, interactive: false };

function rounded(value) {
  return Math.round(value * 1e5) / 1e5;
}

// The address with the area drawn: bbox=west,south,east,north or polygon=lon,lat;lon,lat;…
function showArea(param, value) {
  const target = new URL(window.location.href);
  target.searchParams.delete("bbox");
  target.searchParams.delete("polygon");
  target.searchParams.set(param, value);
  window.location.assign(target.toString());
}

function boxParam(bounds) {
  return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(rounded).join(",");
}

// The area the page was opened with, drawn over the map.
function drawnArea(map, element) {
  let shape = null;
  if (element.dataset.bbox) {
    const [west, south, east, north] = element.dataset.bbox.split(",").map(Number);
    shape = L.rectangle([[south, west], [north, east]], AREA_STYLE);
  } else if (element.dataset.polygon) {
    const corners = element.dataset.polygon.split(";").map((pair) => pair.split(",").map(Number));
    shape = L.polygon(corners.map(([lon, lat]) => [lat, lon]), AREA_STYLE);
  }
  if (shape) {
    shape.addTo(map);
    shape.getElement()?.classList.add("drawn-area");
    element.dataset.area = "shown";
  }
}

class AreaDrawing {
  constructor(map, element, tools) {
    this.map = map;
    this.element = element;
    this.tools = tools;
    this.shape = null;
    this.kind = null;
    this.corners = [];
  }

  start(kind) {
    this.cancel();
    this.kind = kind;
    this.map.dragging.disable();
    this.map.doubleClickZoom.disable();
    this.element.classList.add("drawing");
    this.buttons(true);
    this.element.focus();
  }

  buttons(drawing) {
    this.tools.querySelector("[data-draw=finish]").hidden = !drawing || this.kind !== "polygon";
    this.tools.querySelector("[data-draw=cancel]").hidden = !drawing;
  }

  cancel() {
    if (this.shape) {
      this.shape.remove();
    }
    this.shape = null;
    this.kind = null;
    this.corners = [];
    this.map.dragging.enable();
    this.map.doubleClickZoom.enable();
    this.element.classList.remove("drawing");
    this.buttons(false);
  }

  // A corner: the first and second of a rectangle, or the next of a polygon.
  corner(latlng) {
    if (!this.kind) {
      return;
    }
    this.corners.push(latlng);
    if (this.kind === "rectangle") {
      if (this.corners.length === 2) {
        this.finish();
      } else {
        this.shape = L.rectangle(L.latLngBounds(latlng, latlng), AREA_STYLE).addTo(this.map);
      }
      return;
    }
    if (this.shape) {
      this.shape.setLatLngs(this.corners);
    } else {
      this.shape = L.polygon(this.corners, AREA_STYLE).addTo(this.map);
    }
  }

  stretch(latlng) {
    if (this.kind === "rectangle" && this.corners.length === 1) {
      this.shape.setBounds(L.latLngBounds(this.corners[0], latlng));
    }
  }

  finish() {
    if (this.kind === "rectangle" && this.corners.length === 2) {
      const bounds = L.latLngBounds(this.corners[0], this.corners[1]);
      if (!bounds.getNorthEast().equals(bounds.getSouthWest())) {
        showArea("bbox", boxParam(bounds));
      }
    } else if (this.kind === "polygon" && this.corners.length >= 3) {
      showArea("polygon", this.corners.map((c) => rounded(c.lng) + "," + rounded(c.lat)).join(";"));
    }
  }

  listen() {
    const map = this.map;
    map.on("mousedown", (event) => {
      if (this.kind === "rectangle" && this.corners.length === 0) {
        this.corner(event.latlng);
      }
    });
    map.on("mousemove", (event) => this.stretch(event.latlng));
    map.on("mouseup", (event) => {
      if (this.kind === "rectangle" && this.corners.length === 1) {
        this.corner(event.latlng);
      }
    });
    map.on("click", (event) => {
      if (this.kind === "polygon") {
        this.corner(event.latlng);
      }
    });
    this.element.addEventListener("keydown", (event) => {
      if (!this.kind) {
        return;
      }
      if (event.key === " ") {
        event.preventDefault();
        this.corner(map.getCenter());
        this.stretch(map.getCenter());
      } else if (event.key === "Enter") {
        event.preventDefault();
        this.finish();
      } else if (event.key === "Escape") {
        this.cancel();
      }
    });
    map.on("move", () => this.stretch(map.getCenter()));
    for (const button of this.tools.querySelectorAll("button[data-draw]")) {
      button.addEventListener("click", () => {
        const what = button.dataset.draw;
        if (what === "finish") {
          this.finish();
        } else if (what === "cancel") {
          this.cancel();
        } else {
          this.start(what);
        }
      });
    }
  }
}

function areaTools(element, map) {
  const tools = document.getElementById("map-tools");
  element.leafletMap = map;  // for the browser tests, which point at places on it
  drawnArea(map, element);
  if (!tools) {
    return;
  }
  tools.hidden = false;
  document.getElementById("draw-help").hidden = false;
  new AreaDrawing(map, element, tools).listen();
}

// --- The incident form: the point from a click on the map or a place in the gazetteer -----------------

class LocationPicker {
  constructor(picker) {
    this.picker = picker;
    this.form = picker.closest("form");
    this.field = (name) => this.form.querySelector(`[name=${name}]`);
    this.results = picker.querySelector(".place-results");
    this.state = picker.querySelector(".place-state");
    this.marker = null;
    this.asked = 0;
  }

  start() {
    this.picker.hidden = false;
    const element = this.picker.querySelector("#place-map");
    const map = L.map(element, { keyboard: true }).setView([48.5, 31.5], 5);
    this.map = map;
    if (this.picker.dataset.tiles) {
      L.tileLayer(this.picker.dataset.tiles, { maxZoom: 18 }).addTo(map);
    }
    fetch(this.picker.dataset.areas, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((areas) => {
        const layer = L.geoJSON(areas, { interactive: false, style: { color: "#666", weight: 1, fillOpacity: 0.04 } }).addTo(map);
        // A case's situation (Syria, say) has its own areas: with no point yet, the map shows them.
        const situated = new URL(this.picker.dataset.areas, window.location.href).searchParams.has("situation");
        if (situated && !this.marker && layer.getBounds().isValid()) {
          map.fitBounds(layer.getBounds(), { animate: false });
        }
        this.picker.dataset.ready = "true";
      });
    const lat = parseFloat(this.field("latitude").value);
    const lon = parseFloat(this.field("longitude").value);
    if (Number.isFinite(lat) && Number.isFinite(lon)) {
      this.place(lat, lon, false);
      map.setView([lat, lon], 9);
    }
    map.on("click", (event) => this.place(event.latlng.lat, event.latlng.lng, true));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const centre = map.getCenter();
        this.place(centre.lat, centre.lng, true);
      }
    });
    this.search();
  }

  // The point: the marker moves there and the fields take it.
  place(lat, lon, typed) {
    if (this.marker) {
      this.marker.setLatLng([lat, lon]);
    } else {
      this.marker = L.circleMarker([lat, lon], { radius: 7, color: "#a61b1b", weight: 2, className: "picked-point" }).addTo(this.map);
    }
    if (typed) {
      this.field("latitude").value = String(rounded(lat));
      this.field("longitude").value = String(rounded(lon));
      this.state.textContent = this.picker.dataset.chosen + " " + rounded(lat) + ", " + rounded(lon) + ".";
    }
  }

  search() {
    const box = this.picker.querySelector("#place-search");
    let timer = null;
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {  // the search box is not the form: Enter looks the name up now
        event.preventDefault();
        clearTimeout(timer);
        this.lookUp(box.value);
      }
    });
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.lookUp(box.value), 250);
    });
  }

  lookUp(text) {
    this.asked += 1;
    const mine = this.asked;
    if (text.trim().length < 2) {
      this.results.replaceChildren();
      this.state.textContent = text.trim() ? this.picker.dataset.short : "";
      return;
    }
    // The address may already name the case's situation: the parameters are added to it, not pasted on.
    const url = new URL(this.picker.dataset.search, window.location.href);
    url.searchParams.set("q", text);
    url.searchParams.set("limit", "10");
    fetch(url, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((body) => {
        if (mine === this.asked) {
          this.show(body.items || []);
        }
      });
  }

  show(places) {
    const items = places.map((found) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = found.name + " (" + found.code + ")";
      button.addEventListener("click", () => this.choose(found));
      item.append(button);
      return item;
    });
    this.results.replaceChildren(...items);
    this.state.textContent = places.length ? "" : this.picker.dataset.none;
  }

  // A place chosen: its name, its point and the radius that covers it, stated as an area.
  choose(found) {
    const place = this.field("place_text");
    if (!place.value.trim()) {
      place.value = found.name;
    }
    this.place(found.latitude, found.longitude, true);
    this.field("uncertainty_m").value = String(found.radius_m);
    this.field("precision").value = "area";
    this.map.setView([found.latitude, found.longitude], 7);
    this.results.replaceChildren();
    this.state.textContent += " " + found.name + " (± " + Math.round(found.radius_m / 1000) + " km).";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("map");
  if (element && window.L) {
    element.addEventListener("testament:map", (event) => areaTools(element, event.detail));
  }
  startPicker();
});

// The form comes back refused (htmx swaps it in with what was typed): its picker starts again.
document.addEventListener("htmx:afterSwap", startPicker);

function startPicker() {
  const picker = document.getElementById("location-picker");
  if (picker && picker.hidden && window.L) {
    new LocationPicker(picker).start();
  }
}
