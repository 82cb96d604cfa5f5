// Two charts, hand-written SVG: a subject's grades across inspections (one panel per pillar or area,
// grades in the framework's order, best at the top), and the national picture for one inspection
// (how many forces hold each grade, which ones, and how many of the edition's forces are covered).
// Every point and every force links to the fact behind it.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const words = (slug) => String(slug).replaceAll("-", " ");
const titled = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// One order for the grades of several editions, best first: each edition's order kept, a grade only
// one edition has placed after the grade it follows there (PEEL 2021/22's "adequate" after "good").
export function gradeOrder(frameworks, editions) {
  const order = [];
  for (const edition of frameworks.filter((f) => editions.includes(f.id))) {
    edition.grades.forEach((grade, i) => {
      if (order.includes(grade)) return;
      const after = i ? order.indexOf(edition.grades[i - 1]) : -1;
      order.splice(after + 1, 0, grade);
    });
  }
  return order;
}

function areaName(frameworks, area) {
  for (const edition of frameworks) for (const a of edition.areas || []) if (a.id === area && a.name) return a.name;
  return titled(words(area));
}

// --- a subject's grades across inspections ------------------------------------------------------

// The standing grade per area and inspection, and the claims that dispute one, from the subject's ratings.
export function gradesByArea(facts, subject) {
  const areas = new Map();
  for (const fact of facts) {
    if (fact.type !== "rating.published" || fact.subject !== subject || fact.retracted || !fact.claim) continue;
    const standing = fact.claim.stands, disputing = !standing && fact.claim.disputes;
    if (!standing && !disputing) continue;
    const area = fact.data.pillar;
    if (!areas.has(area)) areas.set(area, []);
    areas.get(area).push({ fact: fact.id, grade: fact.data.grade, inspection: fact.data.inspection, day: fact.occurred_bounds[0], label: fact.occurred_label, standing, edition: fact.framework && fact.framework.edition });
  }
  return areas;
}

function gradePanel(area, points, frameworks, width) {
  const standing = points.filter((p) => p.standing);
  const inspections = [...new Set(points.map((p) => p.inspection))];
  const firstDay = (inspection) => points.filter((p) => p.inspection === inspection).map((p) => p.day).sort()[0];
  inspections.sort((a, b) => firstDay(a).localeCompare(firstDay(b)));
  const order = gradeOrder(frameworks, [...new Set(points.map((p) => p.edition))]);
  for (const point of points) if (!order.includes(point.grade)) order.push(point.grade); // off the scale, still shown

  const labelWidth = width < 420 ? 140 : 156; // room for "requires improvement", the longest grade, at any width
  const top = 10, row = 24;
  const columnWidth = (width - labelWidth - 16) / inspections.length;
  const stagger = columnWidth < 92;
  const height = top + order.length * row + (stagger ? 40 : 26);
  const x = (inspection) => labelWidth + columnWidth * (inspections.indexOf(inspection) + 0.5);
  const y = (grade) => top + row * (order.indexOf(grade) + 0.5);
  const name = areaName(frameworks, area);

  const rows = order.map((grade) =>
    svg("g", { class: "grade-row" },
      svg("line", { x1: labelWidth, x2: width - 8, y1: y(grade), y2: y(grade) }),
      svg("text", { x: labelWidth - 8, y: y(grade) + 4, "text-anchor": "end", class: `label grade-${grade}` }, words(grade))),
  );
  const columns = inspections.map((inspection, i) =>
    svg("text", { x: x(inspection), y: top + order.length * row + 16 + (stagger && i % 2 ? 14 : 0), "text-anchor": "middle", class: "label" }, inspection),
  );
  const path = standing.map((p) => `${x(p.inspection)},${y(p.grade)}`);
  const line = path.length > 1 ? svg("polyline", { class: "grade-line", points: path.join(" ") }) : null;
  const marks = points.map((p) => {
    const said = `${name}, ${p.inspection}: ${words(p.grade)}${p.standing ? "" : ", a claim the record disputes"} (${p.label})`;
    const cx = x(p.inspection) + (p.standing ? 0 : 12), cy = y(p.grade);
    const shape = p.standing
      ? svg("circle", { cx, cy, r: 7, class: `point grade-${p.grade}` })
      : svg("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12, transform: `rotate(45 ${cx} ${cy})`, class: "point claimed" });
    return svg("a", { href: `#fact-${p.fact}`, class: p.standing ? "grade-point" : "grade-point disputed", "data-fact": p.fact, "data-grade": p.grade, "data-inspection": p.inspection, "aria-label": said },
      svg("title", {}, said), shape);
  });
  const summary = standing.map((p) => `${words(p.grade)} in ${p.inspection}`).join(", then ");
  return el("figure", { class: "grade-panel", "data-area": area },
    el("figcaption", {}, name),
    svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": `${name}: ${summary || "no standing grade"}` },
      svg("g", { "aria-hidden": "true" }, rows, columns, line), svg("g", {}, marks)),
  );
}

// Draws one panel per area the subject was graded on; returns how many.
export function renderGrades(container, facts, subject, frameworks, { onSelect } = {}) {
  const areas = gradesByArea(facts, subject);
  const width = Math.max(container.clientWidth || 0, 280);
  const panels = [...areas.entries()].filter(([, points]) => points.some((p) => p.standing)).map(([area, points]) => gradePanel(area, points, frameworks, width));
  container.replaceChildren(...(panels.length ? panels : [el("p", { class: "empty" }, "No grades on record for this subject.")]));
  for (const link of container.querySelectorAll("a.grade-point")) {
    link.addEventListener("click", (event) => {
      if (onSelect && onSelect(link.dataset.fact)) event.preventDefault();
    });
  }
  return panels.length;
}

// --- the national picture for one inspection ----------------------------------------------------

// The inspections and areas a subject's own ratings name: where a national picture may be drawn.
export function inspectionsOf(facts, subject) {
  const seen = new Map();
  for (const fact of facts) {
    if (fact.type !== "rating.published" || fact.subject !== subject || fact.retracted) continue;
    const key = `${fact.data.inspection}\u0000${fact.data.pillar}`;
    if (!seen.has(key) || fact.occurred_bounds[0] < seen.get(key).day) seen.set(key, { inspection: fact.data.inspection, pillar: fact.data.pillar, day: fact.occurred_bounds[0] });
  }
  return [...seen.values()];
}

// `ratings` is GET /v1/ratings for one inspection and pillar; `figures` the subject's disputes whose
// claim is a count about this inspection (the article's 28 forces against the record's 43).
export function renderNational(container, ratings, { frameworks, nameOf, linkTo, figures = [] }) {
  const edition = ratings.framework ? frameworks.find((f) => f.id === ratings.framework.edition) : null;
  const scale = edition ? edition.grades : [];
  const grades = Object.entries(ratings.counts).filter(([grade, count]) => count > 0 || scale.includes(grade));
  const total = ratings.covers || ratings.covered || 1;
  const width = Math.max(container.clientWidth || 0, 280);
  const labelWidth = Math.min(170, Math.round(width * 0.42)), row = 28, top = 4;
  const barSpace = width - labelWidth - 44;
  const height = top + grades.length * row + 4;
  const bars = grades.map(([grade, count], i) => {
    const y = top + i * row;
    return svg("g", { class: "bar", "data-grade": grade },
      svg("text", { x: labelWidth - 8, y: y + row / 2 + 4, "text-anchor": "end", class: `label grade-${grade}` }, words(grade)),
      svg("rect", { x: labelWidth, y: y + 5, width: Math.max((count / total) * barSpace, count ? 2 : 0), height: row - 10, class: `bar-${grade}` }),
      svg("text", { x: labelWidth + (count / total) * barSpace + 6, y: y + row / 2 + 4, class: "count" }, String(count)));
  });
  const pillar = ratings.pillar ? areaName(frameworks, ratings.pillar) : "every area";
  const summary = grades.map(([grade, count]) => `${count} ${words(grade)}`).join(", ");
  const coverage = ratings.covers
    ? `${ratings.covered} of the ${ratings.covers} forces ${edition ? edition.name : "the edition"} covers are graded on record`
    : `${ratings.covered} forces graded on record`;
  const lists = grades.filter(([, count]) => count > 0).map(([grade, count]) => {
    const rows = ratings.ratings.filter((r) => r.grade === grade).sort((a, b) => nameOf(a.subject).localeCompare(nameOf(b.subject)));
    return el("li", { class: "grade-forces", "data-grade": grade },
      el("span", { class: `grade grade-${grade}` }, `${titled(words(grade))} (${count}): `),
      ...rows.flatMap((r, i) => [i ? ", " : "", el("a", { href: linkTo(r.subject, r.fact), "data-fact": r.fact, "data-subject": r.subject }, nameOf(r.subject)), r.disputed_by.length ? " (disputed)" : ""]));
  });
  const figureNotes = figures.map(({ claim, record }) =>
    el("p", { class: "figure-dispute" },
      el("a", { href: linkTo(claim.subject, claim.id) }, `${claim.source.publisher} says ${claim.data.value} ${claim.data.unit}`),
      ` (${claim.source.kind}); the record says `,
      el("a", { href: linkTo(record.subject, record.id) }, `${record.data.value} ${record.data.unit}`),
      ` (${record.source.publisher}, ${record.source.kind}); ${ratings.covered} are on record here.`),
  );
  container.replaceChildren(
    el("h3", { class: "national-title" }, `${ratings.inspection}: ${pillar}`),
    el("p", { class: "coverage" }, `${coverage}.`),
    ...figureNotes,
    svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${ratings.inspection}, ${pillar}: ${summary}` }, bars),
    el("ul", { class: "national-forces" }, lists),
  );
}
