// The case's timeline (docs/map-timeline.md): every dated incident drawn on one canvas, an incident
// known to the day as a point above the line, one known only to the month or the year, or as a range
// of days, as a range below it. Zoom from years to months to days; drag (or use the arrow keys) to
// choose dates, which narrow the list and the map through the address's date_from and date_to.
// The data are columns of day numbers (days since 1970-01-01) from /api/cases/{case}/timeline/spans.
// The month table beside the canvas is its text alternative, and what shows without JavaScript.
"use strict";

const DAY_MS = 86400000;
const AXIS = 22; // pixels under the plot for the axis's labels
const DETAIL = 400; // this many incidents in view or fewer: each drawn on its own
const LANE = 7; // pixels per lane when drawn one by one

function isoDay(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function dayOf(iso) {
  return iso ? Math.floor(Date.parse(iso + "T00:00:00Z") / DAY_MS) : null;
}

// The unit the axis and the arrow keys step by: years for a long view, then months, then days.
function unitFor(span) {
  if (span > 3 * 365) {
    return "year";
  }
  return span > 90 ? "month" : "day";
}

function stepDay(day, unit, by) {
  const d = new Date(day * DAY_MS);
  if (unit === "year") {
    d.setUTCFullYear(d.getUTCFullYear() + by);
  } else if (unit === "month") {
    d.setUTCMonth(d.getUTCMonth() + by);
  } else {
    d.setUTCDate(d.getUTCDate() + by);
  }
  return Math.floor(d.getTime() / DAY_MS);
}

// The first day of the unit that holds ``day``.
function unitStart(day, unit) {
  const d = new Date(day * DAY_MS);
  const start = unit === "year" ? Date.UTC(d.getUTCFullYear(), 0, 1)
    : unit === "month" ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : d.getTime();
  return Math.floor(start / DAY_MS);
}

function label(day, unit) {
  const iso = isoDay(day);
  return unit === "year" ? iso.slice(0, 4) : unit === "month" ? iso.slice(0, 7) : iso;
}

class Timeline {
  constructor(element, data) {
    this.element = element;
    this.canvas = element.querySelector("canvas");
    this.state = element.querySelector(".timeline-state");
    this.start = Int32Array.from(data.start);
    this.end = Int32Array.from(data.end);
    this.vague = Uint8Array.from(data.vague);
    this.n = this.start.length;
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < this.n; i += 1) {
      first = Math.min(first, this.start[i]);
      last = Math.max(last, this.end[i]);
    }
    this.whole = this.n ? this.padded(first, last + 1) : [0, 365];
    const kept = /#timeline=(-?\d+),(-?\d+)/.exec(window.location.hash);
    this.view = kept ? [Number(kept[1]), Number(kept[2])] : this.whole.slice();
    const from = dayOf(element.dataset.from);
    const to = dayOf(element.dataset.to);
    this.brush = from !== null || to !== null
      ? [from ?? this.whole[0], (to ?? this.whole[1]) + 1] : null;
    this.dragging = null;
  }

  padded(from, to) {
    const pad = Math.max(1, Math.round((to - from) * 0.02));
    return [from - pad, to + pad];
  }

  // Canvas pixels across, and the day at a CSS pixel's offset from the canvas's left edge.
  width() {
    return this.canvas.width;
  }

  dayAt(offsetX) {
    const [from, to] = this.view;
    return from + (offsetX / this.canvas.clientWidth) * (to - from);
  }

  x(day) {
    const [from, to] = this.view;
    return ((day - from) / (to - from)) * this.width();
  }

  fit() {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    this.canvas.height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
  }

  // One drawing of the view, measured by the Performance API as "timeline-draw".
  draw() {
    performance.mark("timeline-draw-start");
    const ctx = this.canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const plot = this.canvas.height - AXIS * ratio;
    const shown = this.inView();
    if (shown) {
      this.drawEach(ctx, shown, plot, ratio);
    } else {
      this.drawColumns(ctx, plot);
    }
    this.drawAxis(ctx, plot, ratio);
    this.drawBrush(ctx, plot);
    performance.mark("timeline-draw-end");
    const took = performance.measure("timeline-draw", "timeline-draw-start", "timeline-draw-end");
    this.element.dataset.drawn = String(this.n);
    this.element.dataset.inView = String(this.visible);
    this.element.dataset.drawMs = took.duration.toFixed(2);
    this.say();
  }

  // The incidents in view, as indices, when few enough to draw one by one (else null); ``visible``
  // counts them either way.
  inView() {
    const [from, to] = this.view;
    const found = [];
    let count = 0;
    for (let i = 0; i < this.n; i += 1) {
      if (this.start[i] < to && this.end[i] >= from) {
        count += 1;
        if (count <= DETAIL) {
          found.push(i);
        }
      }
    }
    this.visible = count;
    return count <= DETAIL ? found : null;
  }

  // Many in view: per pixel column, how many incidents known to the day fall in it (bars above the
  // middle line) and how many vaguer ones span it (a band below, from a running sum of starts and ends).
  drawColumns(ctx, plot) {
    const width = this.width();
    const points = new Float64Array(width);
    const spans = new Float64Array(width + 1);
    const [from, to] = this.view;
    const scale = width / (to - from);
    for (let i = 0; i < this.n; i += 1) {
      const s = this.start[i];
      const e = this.end[i] + 1;
      if (s >= to || e <= from) {
        continue;
      }
      const left = Math.max(0, Math.floor((s - from) * scale));
      if (this.vague[i]) {
        spans[left] += 1;
        spans[Math.min(width, Math.max(left + 1, Math.ceil((e - from) * scale)))] -= 1;
      } else if (left < width) {
        points[left] += 1;
      }
    }
    let most = 1;
    let widest = 1;
    let running = 0;
    for (let c = 0; c < width; c += 1) {
      running += spans[c];
      spans[c] = running;
      most = Math.max(most, points[c]);
      widest = Math.max(widest, running);
    }
    const middle = Math.round(plot / 2);
    ctx.fillStyle = "#a61b1b";
    for (let c = 0; c < width; c += 1) {
      if (points[c]) {
        const h = Math.max(1, (points[c] / most) * (middle - 2));
        ctx.fillRect(c, middle - h, 1, h);
      }
    }
    ctx.fillStyle = "rgba(31, 94, 160, 0.55)";
    for (let c = 0; c < width; c += 1) {
      if (spans[c]) {
        ctx.fillRect(c, middle + 1, 1, Math.max(1, (spans[c] / widest) * (plot - middle - 2)));
      }
    }
    ctx.fillStyle = "#333";
    ctx.fillRect(0, middle, width, 1);
  }

  // Few in view: each incident on a lane of its own, a dot for a day and a bar for a range.
  drawEach(ctx, shown, plot, ratio) {
    const lanes = [];
    const room = Math.max(1, Math.floor(plot / (LANE * ratio)));
    for (const i of shown) {
      const left = this.x(this.start[i]);
      const right = Math.max(left + 3 * ratio, this.x(this.end[i] + 1));
      let lane = lanes.findIndex((edge) => edge < left - 2 * ratio);
      if (lane < 0) {
        lane = lanes.length < room ? lanes.length : room - 1;
      }
      lanes[lane] = right;
      const y = plot - (lane + 1) * LANE * ratio;
      if (this.vague[i]) {
        ctx.fillStyle = "rgba(31, 94, 160, 0.75)";
        ctx.fillRect(left, y + ratio, right - left, (LANE - 3) * ratio);
      } else {
        ctx.fillStyle = "#a61b1b";
        ctx.beginPath();
        ctx.arc(left + 1.5 * ratio, y + (LANE / 2) * ratio, 2.5 * ratio, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  drawAxis(ctx, plot, ratio) {
    const [from, to] = this.view;
    const unit = unitFor(to - from);
    const minGap = 60 * ratio;
    ctx.fillStyle = "#333";
    ctx.font = `${11 * ratio}px sans-serif`;
    ctx.fillRect(0, plot, this.width(), ratio);
    let lastX = -Infinity;
    for (let day = unitStart(Math.floor(from), unit); day < to; day = stepDay(day, unit, 1)) {
      const at = this.x(day);
      if (at >= 0 && at - lastX >= minGap) {
        ctx.fillRect(at, plot, ratio, 5 * ratio);
        ctx.fillText(label(day, unit), at + 2 * ratio, plot + 15 * ratio);
        lastX = at;
      }
    }
  }

  drawBrush(ctx, plot) {
    if (!this.brush) {
      return;
    }
    const left = this.x(this.brush[0]);
    const right = this.x(this.brush[1]);
    ctx.fillStyle = "rgba(255, 200, 0, 0.25)";
    ctx.fillRect(left, 0, right - left, plot);
    ctx.fillStyle = "#8a6d00";
    ctx.fillRect(left, 0, 2, plot);
    ctx.fillRect(right - 2, 0, 2, plot);
  }

  // What the canvas shows, in words, for everyone (a live region: read out after each change).
  say() {
    const words = this.element.dataset;
    const [from, to] = this.view;
    let text = `${words.shown}: ${isoDay(Math.ceil(from))} – ${isoDay(Math.floor(to) - 1)}`;
    text += ` (${this.visible} ${words.incidents}).`;
    if (this.brush) {
      text += ` ${words.selected}: ${isoDay(this.brush[0])} – ${isoDay(this.brush[1] - 1)}`;
      text += ` (${this.count(this.brush)} ${words.incidents}).`;
    }
    this.state.textContent = text;
  }

  count([from, to]) {
    let found = 0;
    for (let i = 0; i < this.n; i += 1) {
      if (this.start[i] < to && this.end[i] >= from) {
        found += 1;
      }
    }
    return found;
  }

  zoom(factor) {
    const [from, to] = this.view;
    const centre = this.brush ? (this.brush[0] + this.brush[1]) / 2 : (from + to) / 2;
    const half = Math.max(3, ((to - from) * factor) / 2);
    this.view = [Math.round(centre - half), Math.round(centre + half)];
    this.redraw();
  }

  pan(share) {
    const [from, to] = this.view;
    const by = Math.round((to - from) * share);
    this.view = [from + by, to + by];
    this.redraw();
  }

  redraw() {
    const keep = `#timeline=${this.view[0]},${this.view[1]}`;
    window.history.replaceState(null, "", window.location.pathname + window.location.search + keep);
    this.draw();
  }

  // Arrow keys move the chosen dates by the axis's unit; with Shift they move only its end.
  step(by, endOnly) {
    const unit = unitFor(this.view[1] - this.view[0]);
    if (!this.brush) {
      const centre = unitStart(Math.round((this.view[0] + this.view[1]) / 2), unit);
      this.brush = [centre, stepDay(centre, unit, 1)];
    } else if (endOnly) {
      const end = stepDay(this.brush[1], unit, by);
      this.brush = [this.brush[0], Math.max(this.brush[0] + 1, end)];
    } else {
      this.brush = [stepDay(this.brush[0], unit, by), stepDay(this.brush[1], unit, by)];
    }
    if (this.brush[0] < this.view[0] || this.brush[1] > this.view[1]) {
      const span = this.view[1] - this.view[0];
      this.view = [this.brush[0] - Math.round(span / 4), this.brush[0] + span - Math.round(span / 4)];
    }
    this.redraw();
  }

  // The chosen dates go to the address: the list (or the map) below narrows to them.
  apply() {
    const target = new URL(window.location.href);
    target.searchParams.delete("offset");
    if (this.brush) {
      target.searchParams.set("date_from", isoDay(this.brush[0]));
      target.searchParams.set("date_to", isoDay(this.brush[1] - 1));
    } else {
      target.searchParams.delete("date_from");
      target.searchParams.delete("date_to");
    }
    target.hash = `timeline=${this.view[0]},${this.view[1]}`;
    window.location.assign(target.toString());
  }

  listen() {
    const canvas = this.canvas;
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.dragging = Math.round(this.dayAt(event.offsetX));
      this.moved = false;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (this.dragging === null) {
        return;
      }
      const here = Math.round(this.dayAt(event.offsetX));
      if (here !== this.dragging) {
        this.moved = true;
        this.brush = [Math.min(here, this.dragging), Math.max(here, this.dragging) + 1];
        this.draw();
      }
    });
    canvas.addEventListener("pointerup", () => {
      const dragged = this.dragging !== null && this.moved;
      this.dragging = null;
      if (dragged) {
        this.apply();
      }
    });
    canvas.addEventListener("keydown", (event) => this.key(event));
    for (const button of this.element.querySelectorAll("button[data-do]")) {
      button.addEventListener("click", () => this.act(button.dataset.do));
    }
    window.addEventListener("resize", () => { this.fit(); this.draw(); });
  }

  key(event) {
    const keys = {
      ArrowLeft: () => this.step(-1, event.shiftKey),
      ArrowRight: () => this.step(1, event.shiftKey),
      "+": () => this.zoom(0.25),
      "=": () => this.zoom(0.25),
      "-": () => this.zoom(4),
      Enter: () => this.apply(),
      Escape: () => { this.brush = null; this.draw(); },
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  }

  act(what) {
    const actions = {
      "zoom-in": () => this.zoom(0.25),
      "zoom-out": () => this.zoom(4),
      whole: () => { this.view = this.whole.slice(); this.redraw(); },
      earlier: () => this.pan(-0.5),
      later: () => this.pan(0.5),
      apply: () => this.apply(),
      clear: () => { this.brush = null; this.apply(); },
    };
    actions[what]();
  }
}

// Draw every incident as its own mark, whatever their number: the simple way, kept as the baseline
// that benchmarks/timeline_bench.py measures the drawing above against.
function drawEachIncident(timeline) {
  performance.mark("timeline-each-start");
  const ctx = timeline.canvas.getContext("2d");
  ctx.clearRect(0, 0, timeline.canvas.width, timeline.canvas.height);
  const plot = timeline.canvas.height - AXIS;
  const middle = plot / 2;
  for (let i = 0; i < timeline.n; i += 1) {
    const left = timeline.x(timeline.start[i]);
    const right = timeline.x(timeline.end[i] + 1);
    ctx.fillStyle = timeline.vague[i] ? "rgba(31, 94, 160, 0.05)" : "rgba(166, 27, 27, 0.05)";
    ctx.fillRect(left, timeline.vague[i] ? middle + 1 : 0, Math.max(1, right - left), middle - 1);
  }
  performance.mark("timeline-each-end");
  return performance.measure("timeline-each", "timeline-each-start", "timeline-each-end").duration;
}

function startTimeline(element) {
  performance.mark("timeline-fetch-start");
  fetch(element.dataset.spans, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      performance.mark("timeline-fetch-end");
      performance.measure("timeline-fetch", "timeline-fetch-start", "timeline-fetch-end");
      element.hidden = false;
      const timeline = new Timeline(element, data);
      timeline.fit();
      timeline.listen();
      timeline.draw();
      element.timeline = timeline;
      window.testamentTimeline = { timeline, drawEachIncident };
      element.dataset.ready = "true";
    });
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("timeline");
  if (element) {
    startTimeline(element);
  }
});
