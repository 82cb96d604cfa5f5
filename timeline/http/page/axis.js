// The time axis: the timeline's facts placed by date on hand-written SVG. A date known to the day is
// a dot; an uncertain one (a season, a year, an approximate day) is a bar over every day it may be,
// as the views give them (occurred_bounds; expected_bounds for a pending decision). A claim the record
// disputes is marked and joined by a dashed line to what disputes it. Each mark is a link: Tab
// reaches it, Enter moves to the fact in the timeline below.

import { dayInWords, spanInWords } from "./words.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY_MS = 86400000;
const LANE = 22; // px between rows of marks
const MAX_LANES = 16; // past this, marks share rows rather than make the axis taller than a screen
const DOT = 6;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const dayNumber = (iso) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

// What to draw for each fact: its valid time, and a pending decision's expected date beside it.
export function axisMarks(facts) {
  const marks = [];
  for (const fact of facts) {
    const claim = fact.claim || {};
    const disputedBy = claim.disputes ? (claim.disputed_by || []).map((c) => c.fact) : [];
    const [first, last] = fact.possible_days || fact.occurred_bounds; // an approximate date spans every day it may mean
    marks.push({ fact: fact.id, kind: "occurred", first, last, label: fact.occurred_label, headline: fact.headline, disputedBy, retracted: fact.retracted });
    if (fact.expected_bounds) {
      const [from, to] = fact.expected_bounds;
      marks.push({ fact: fact.id, kind: "expected", first: from, last: to, label: `expected ${fact.expected_label}`, headline: fact.headline, disputedBy: [], retracted: fact.retracted });
    }
  }
  return marks;
}

function describe(mark) {
  const when = mark.first === mark.last ? mark.label : `${mark.label}: ${spanInWords(mark.first, mark.last)}`;
  const disputed = mark.disputedBy.length ? "; disputed by the record" : "";
  return `${mark.headline} — ${when}${disputed}${mark.retracted ? "; retracted" : ""}`;
}

// Rows so that no two marks overlap while there is room; the widest axis stays a screen tall.
function assignLanes(placed) {
  const ends = [];
  for (const mark of [...placed].sort((a, b) => a.x0 - b.x0 || a.x1 - b.x1)) {
    let lane = ends.findIndex((end) => end + 3 <= mark.x0);
    if (lane === -1) lane = ends.length < MAX_LANES ? ends.length : ends.indexOf(Math.min(...ends));
    ends[lane] = Math.max(ends[lane] ?? -Infinity, mark.x1);
    mark.lane = lane;
  }
  return Math.max(ends.length, 1);
}

function ticks(from, to, width) {
  // Years, labelled no closer than ~56px; months too when the axis spans little more than a year.
  const first = new Date(from * DAY_MS).getUTCFullYear(), last = new Date(to * DAY_MS).getUTCFullYear() + 1;
  const years = [];
  for (let year = first; year <= last; year++) years.push({ day: Date.UTC(year, 0, 1) / DAY_MS, label: String(year), major: true });
  const pxPerYear = (width * 365) / Math.max(to - from, 1);
  const every = Math.max(1, Math.ceil(56 / pxPerYear));
  const labelled = years.map((tick) => ({ ...tick, label: Number(tick.label) % every === 0 ? tick.label : "" }));
  if (pxPerYear < 300) return labelled;
  const months = [];
  for (let year = first; year <= last; year++) {
    for (let month = 1; month < 12; month++) months.push({ day: Date.UTC(year, month, 1) / DAY_MS, label: "", major: false });
  }
  return [...labelled, ...months];
}

// Draws the axis into `container` (replacing what was there) for the facts given.
export function renderAxis(container, facts, { onSelect } = {}) {
  const marks = axisMarks(facts);
  if (!marks.length) {
    container.replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: "No dated facts to place." }));
    return;
  }
  const width = Math.max(container.clientWidth || 0, 280);
  const margin = { left: 12, right: 12, top: 10, bottom: 30 };
  let from = Math.min(...marks.map((m) => dayNumber(m.first)));
  let to = Math.max(...marks.map((m) => dayNumber(m.last) + 1));
  const pad = Math.max((to - from) * 0.04, 15);
  from -= pad;
  to += pad;
  const inner = width - margin.left - margin.right;
  const x = (day) => margin.left + ((day - from) / (to - from)) * inner;

  const placed = marks.map((mark) => {
    const start = x(dayNumber(mark.first)), end = x(dayNumber(mark.last) + 1);
    const range = mark.first !== mark.last;
    const x0 = range ? start : (start + end) / 2 - DOT, x1 = range ? Math.max(end, start + 2 * DOT) : (start + end) / 2 + DOT;
    return { ...mark, range, x0, x1 };
  });
  const lanes = assignLanes(placed);
  const height = margin.top + lanes * LANE + margin.bottom;
  const y = (lane) => margin.top + lane * LANE + LANE / 2;
  const axisY = margin.top + lanes * LANE + 4;

  const grid = ticks(from, to, inner).filter((tick) => tick.day >= from && tick.day <= to).map((tick) =>
    svg("g", { class: tick.major ? "tick major" : "tick" },
      svg("line", { x1: x(tick.day), x2: x(tick.day), y1: margin.top - 4, y2: axisY + (tick.major ? 6 : 3) }),
      tick.label ? svg("text", { x: x(tick.day) + 3, y: axisY + 18 }, tick.label) : null),
  );

  const centre = new Map();
  for (const mark of placed) if (!centre.has(mark.fact) || mark.kind === "occurred") centre.set(mark.fact, { x: (mark.x0 + mark.x1) / 2, y: y(mark.lane) });
  const links = placed.flatMap((mark) =>
    mark.disputedBy.filter((id) => centre.has(id)).map((id) => {
      const a = { x: (mark.x0 + mark.x1) / 2, y: y(mark.lane) }, b = centre.get(id);
      const bend = Math.min(a.y, b.y) - LANE * 0.8;
      return svg("path", { class: "dispute-link", d: `M${a.x},${a.y} C${a.x},${bend} ${b.x},${bend} ${b.x},${b.y}`, "data-from": mark.fact, "data-to": id });
    }),
  );

  const drawn = placed.map((mark) => {
    const classes = ["mark", mark.range ? "range" : "day", mark.kind];
    if (mark.disputedBy.length) classes.push("disputed");
    if (mark.retracted) classes.push("retracted");
    const shape = mark.range
      ? svg("rect", { x: mark.x0, y: y(mark.lane) - 6, width: mark.x1 - mark.x0, height: 12, rx: 4 })
      : svg("circle", { cx: (mark.x0 + mark.x1) / 2, cy: y(mark.lane), r: DOT - 1 });
    const text = describe(mark);
    const link = svg("a", { href: `#fact-${mark.fact}`, class: classes.join(" "), "data-fact": mark.fact, "data-first": mark.first, "data-last": mark.last, "aria-label": text },
      svg("title", {}, text), shape);
    link.addEventListener("click", (event) => {
      if (onSelect && onSelect(mark.fact)) event.preventDefault();
    });
    return link;
  });

  const first = dayInWords(marks.reduce((a, m) => (m.first < a ? m.first : a), marks[0].first));
  const last = dayInWords(marks.reduce((a, m) => (m.last > a ? m.last : a), marks[0].last));
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": `${marks.length} facts placed in time, from ${first} to ${last}`, class: "axis-svg" },
    svg("g", { class: "grid", "aria-hidden": "true" }, grid, svg("line", { class: "baseline", x1: margin.left, x2: width - margin.right, y1: axisY, y2: axisY })),
    svg("g", { class: "links", "aria-hidden": "true" }, links),
    svg("g", { class: "marks" }, drawn),
  );
  container.replaceChildren(chart);
}
