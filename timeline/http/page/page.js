// The timeline page: a status card and a timeline for one subject, as of a date and as known at a
// log position, kept live by the server's event stream. Plain DOM, no build step; every text
// from the API goes in through textContent, never as HTML.

import { renderAxis } from "./axis.js";
import { inspectionsOf, renderGrades, renderNational } from "./charts.js";
import { dayInWords, edtfInWords, instantInWords } from "./words.js";

const $ = (id) => document.getElementById(id);
const TIMELINE_PAGE = 100;

const state = { subject: null, asOf: null, reportedBy: null, knownAt: null, head: 0, cursor: null, seen: new Set(), changesSince: null, changesUntil: null };
let generation = 0; // each render bumps it, so a slow older answer never overwrites a newer one
let refreshing = null;
let refreshAgain = false;
let subjectsStale = false;
let knownSubjects = new Set(); // the picker's subjects: only a fact naming another one reloads them

// --- talking to the API -------------------------------------------------------------------

async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (response.status === 503 && attempt < 20) {
      // The views are catching up with a write we already saw on the stream: ask again shortly.
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || `${response.status} ${response.statusText}`);
    }
    return response.json();
  }
}

function viewParams(extra = {}) {
  return { as_of: state.asOf, reported_by: state.reportedBy, known_at: state.knownAt, ...extra };
}

// --- words --------------------------------------------------------------------------------

const words = (slug) => slug.replaceAll("-", " ");
const titled = (text) => text.charAt(0).toUpperCase() + text.slice(1);

const names = {}; // subject id -> its recorded name (subject.named facts), as the views last said

function learnNames(map) {
  for (const [id, name] of Object.entries(map || {})) if (name) names[id] = name.name;
}

// A subject's recorded name; without one, its slug in words, each word capitalised but the small
// ones ("devon-and-cornwall": Devon and Cornwall), and its kind, so it reads as an id, not a name.
function subjectName(id) {
  if (names[id]) return names[id];
  const [kind, slug] = id.split("/");
  return `${slugWords(slug || id)} (${kind})`;
}

function slugWords(slug) {
  return slug.split("-").map((word, i) => (i && ["and", "of", "upon", "the"].includes(word) ? word : titled(word))).join(" ");
}

function personName(id) {
  if (!id) return "";
  return names[id] || id.split("/")[1].split("-").map(titled).join(" ");
}

const TYPE_LABELS = {
  "rating.published": "Rating",
  "report.published": "Report",
  "finding.reported": "Finding",
  "statement.made": "Statement",
  "decision.pending": "Decision pending",
  "decision.made": "Decision",
  "role.held": "Role",
};

// --- building elements ----------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function sourceLine(source) {
  if (!source) return null;
  const href = safeHref(source.url);
  const name = href ? el("a", { href, rel: "noopener noreferrer" }, source.publisher) : source.publisher;
  return el("span", { class: `source source-${source.kind}` }, name, ` (${source.kind})`, source.published ? `, ${edtfInWords(source.published)}` : "");
}

// A fact reported by several sources names them all, the first being `source`.
function sourcesOf(item) {
  return item.sources && item.sources.length > 1 ? item.sources : [item.source];
}

function sourcesLine(item) {
  const lines = sourcesOf(item).map(sourceLine);
  return el("span", { class: lines.length > 1 ? "sources corroborated" : "sources" }, ...lines.flatMap((line, i) => (i ? ["; ", line] : [line])));
}

function quote(source) {
  return source && source.quote ? el("blockquote", {}, `“${source.quote}”`) : null;
}

function claimLine(claim) {
  if (!claim.grade) {
    // Any other claim (a figure, a statement ...): what it says, when, and who says it.
    return el("span", { class: "claim" }, el("strong", {}, claim.headline), ` (${claim.occurred_label}) — `, sourcesLine(claim));
  }
  return el(
    "span",
    { class: "claim" },
    el("span", { class: `grade grade-${claim.grade}` }, words(claim.grade)),
    ` (${claim.inspection}, ${claim.occurred_label}) — `,
    sourcesLine(claim),
  );
}

function disputes(list, label) {
  if (!list || list.length === 0) return null;
  return el(
    "div",
    { class: "disputes" },
    el("p", { class: "disputes-label" }, label),
    el("ul", {}, list.map((claim) => el("li", {}, claimLine(claim), quote(claim.source)))),
  );
}

// --- the status card ------------------------------------------------------------------------

const CHANGE_WORDS = { up: "up from", down: "down from", same: "same as", first: "first grade", "not-comparable": "on another scale than" };

function frameworkNote(framework) {
  if (!framework || framework.supported !== false) return null;
  return el("p", { class: "unsupported" }, el("strong", {}, "Not a grade the framework gives: "), framework.why);
}

function ratingCard(pillar, rating) {
  const previous = rating.previous;
  const change =
    rating.change === "first"
      ? el("p", { class: "change" }, "First grade on record")
      : el(
          "p",
          { class: `change change-${rating.change}` },
          `${titled(CHANGE_WORDS[rating.change])} `,
          el("span", { class: `grade grade-${previous.grade}` }, words(previous.grade)),
          ` (${previous.inspection}, ${previous.occurred_label}), `,
          sourceLine(previous.source),
        );
  return el(
    "article",
    { class: "rating", "data-pillar": pillar },
    el("h3", {}, titled(words(pillar))),
    el("p", { class: "current" }, el("span", { class: `grade grade-${rating.grade}` }, words(rating.grade))),
    el("p", { class: "meta" }, `${rating.inspection}, ${rating.occurred_label} — `, sourcesLine(rating)),
    frameworkNote(rating.framework),
    quote(rating.source),
    change,
    disputes(rating.disputed_by, "Disputed by:"),
    previous ? disputes(previous.disputed_by, `The previous grade (${words(previous.grade)}) is disputed by:`) : null,
  );
}

function summaryLine(fact) {
  const summary = fact.data && fact.data.summary;
  return summary && summary !== fact.headline ? el("p", { class: "summary" }, summary) : null;
}

// Each claim the record disputes, on arrival: what the source said, with its quote, and what the record says.
function renderDisputed(answer) {
  const list = $("disputed-body");
  list.replaceChildren(
    ...answer.disputes.map(({ claim, record }) =>
      el(
        "li",
        { class: "dispute", "data-fact": claim.id },
        el("p", { class: "said" }, el("strong", {}, claim.headline), ` (${claim.occurred_label}) — `, sourcesLine(claim)),
        summaryLine(claim),
        quote(claim.source),
        el("p", { class: "record" }, "The record: ", el("strong", {}, record.headline), ` (${record.occurred_label}) — `, sourcesLine(record)),
        summaryLine(record),
        quote(record.source),
      ),
    ),
  );
  $("disputed").hidden = answer.disputes.length === 0;
}

function renderStatus(status) {
  learnNames(status.names);
  const body = $("status-body");
  const ratings = Object.entries(status.ratings);
  const parts = [];
  parts.push(
    ratings.length
      ? el("div", { class: "ratings" }, ratings.map(([pillar, rating]) => ratingCard(pillar, rating)))
      : el("p", { class: "empty" }, "No graded inspection on record for these dates."),
  );
  if (status.possible && status.possible.length) {
    parts.push(
      el("h3", {}, "May have happened by then"),
      el(
        "ul",
        { class: "possible" },
        status.possible.map((fact) =>
          el("li", {}, el("strong", {}, fact.headline), ` — dated ${fact.occurred_label}, so possibly by then, certainly by ${dayInWords(fact.possible_days[1])}. `, sourceLine(fact.source)),
        ),
      ),
    );
  }
  if (status.pending_decisions.length) {
    parts.push(
      el("h3", {}, "Pending decisions"),
      el(
        "ul",
        { class: "pending" },
        status.pending_decisions.map((decision) =>
          el(
            "li",
            {},
            el("strong", {}, decision.title),
            ` — by ${personName(decision.decider)}`,
            decision.expected_label ? `, expected ${decision.expected_label}` : "",
            decision.overdue ? el("span", { class: "badge badge-overdue" }, "overdue") : null,
            ". ",
            sourceLine(decision.source),
          ),
        ),
      ),
    );
  }
  if (status.decisions && status.decisions.length) {
    parts.push(
      el("h3", {}, "Decisions made"),
      el(
        "ul",
        { class: "decisions" },
        status.decisions.map((decision) => el("li", {}, el("strong", {}, decision.outcome), ` (${decision.decided_label}). `, sourceLine(decision.source))),
      ),
    );
  }
  if (status.monitoring) {
    const monitoring = status.monitoring;
    parts.push(
      el("h3", {}, "Monitoring"),
      el("p", { class: "monitoring" }, el("strong", {}, words(monitoring.state)), ` since ${monitoring.since_label}, by ${subjectName(monitoring.inspectorate)}. `, sourceLine(monitoring.source)),
    );
  }
  const roleLine = (role) =>
    el(
      "li",
      {},
      el("strong", {}, personName(role.person)),
      `, ${role.role}`,
      role.organisation !== status.subject ? ` (${subjectName(role.organisation)})` : "",
      role.from_label ? `, from ${role.from_label}` : "",
      role.to_label ? ` to ${role.to_label}` : "",
      role.ended ? ` (${words(role.ended)})` : "",
      ". ",
      sourceLine(role.source),
    );
  if (status.roles.length) {
    parts.push(el("h3", {}, "Roles"), el("ul", { class: "roles" }, status.roles.map(roleLine)));
  }
  if (status.former_roles && status.former_roles.length) {
    parts.push(el("h3", {}, "Former roles"), el("ul", { class: "roles former" }, status.former_roles.map(roleLine)));
  }
  body.replaceChildren(...parts);
  $("status-heading").textContent = `Status of ${subjectName(status.subject)}`;
}

// --- the timeline ---------------------------------------------------------------------------

// Each kind of change reads differently: our mistake, the source's revision, the source's retraction.
const CHANGE_KINDS = {
  "corrected:erred": "Corrected (our error)",
  "corrected:source-revised": "Revised by the source",
  "retracted:erred": "Retracted (recorded in error)",
  "retracted:source-retracted": "Retracted by the source",
};

function versionHistory(fact) {
  const changes = fact.history.filter((version) => version.change !== "recorded");
  if (!changes.length) return null;
  return el(
    "ul",
    { class: "history" },
    changes.map((version) =>
      el(
        "li",
        { class: `history-${version.change}` },
        el("strong", {}, CHANGE_KINDS[`${version.change}:${version.because}`] || (version.change === "retracted" ? "Retracted" : "Corrected")),
        ` (version ${version.version}, on record from ${instantInWords(version.recorded_at)}`,
        version.revised ? `; the source revised itself on ${edtfInWords(version.revised)})` : ")",
        version.reason ? `: ${version.reason}` : "",
      ),
    ),
  );
}

function claimNote(claim) {
  if (!claim) return null;
  if (claim.stands) {
    return claim.disputed_by.length
      ? el("p", { class: "claim-note stands disputed" }, "This stands; ", disputes(claim.disputed_by, "disputed by:"))
      : null;
  }
  const standing = claim.standing;
  return el(
    "p",
    { class: `claim-note ${claim.disputes ? "disputed" : "agrees"}` },
    el("strong", {}, claim.disputes ? "Disputed. " : "Agrees. "),
    "The standing claim is ",
    claimLine(standing),
  );
}

function factItem(fact) {
  const classes = ["fact", `type-${fact.type.replace(".", "-")}`];
  if (fact.retracted) classes.push("retracted");
  if (fact.in_effect === "possible") classes.push("possible");
  if (fact.claim && (fact.claim.disputes || (fact.claim.stands && fact.claim.disputed_by.length))) classes.push("is-disputed");
  const summary = fact.data.summary; // every kind's, reports' and figures' included: it says what the headline cannot
  return el(
    "li",
    { class: classes.join(" "), id: `fact-${fact.id}`, "data-fact": fact.id },
    el(
      "p",
      { class: "when" },
      el("time", { datetime: fact.occurred_bounds[0], title: `EDTF: ${fact.occurred}` }, fact.occurred_label),
      el("span", { class: "on-record" }, ` · on record from ${instantInWords(fact.recorded_at)}`),
      " · ",
      el("span", { class: "type" }, TYPE_LABELS[fact.type] || fact.type),
      fact.retracted ? el("span", { class: "badge" }, "retracted") : null,
      fact.discredited ? el("span", { class: "badge badge-withdrawn" }, "source withdrawn: no longer counts") : null,
      !fact.discredited && fact.withdrawn_sources && fact.withdrawn_sources.length ? el("span", { class: "badge badge-withdrawn" }, "one source withdrawn") : null,
      fact.version > 1 && !fact.retracted ? el("span", { class: "badge" }, "corrected") : null,
      fact.in_effect === "possible" ? el("span", { class: "badge badge-possible" }, `possibly by then (${dayInWords(fact.possible_days[0])} to ${dayInWords(fact.possible_days[1])})`) : null,
    ),
    el("h3", { class: "headline" }, fact.headline),
    summary && summary !== fact.headline ? el("p", { class: "summary" }, summary) : null,
    claimNote(fact.claim),
    frameworkNote(fact.framework),
    ...sourcesOf(fact).map(quote),
    el("p", { class: "source-line" }, sourcesOf(fact).length > 1 ? "Sources: " : "Source: ", sourcesLine(fact)),
    versionHistory(fact),
  );
}

function renderTimeline(timeline, append) {
  const list = $("facts");
  const items = timeline.facts.map((fact) => {
    const item = factItem(fact);
    if (state.seen.size && !state.seen.has(fact.id)) item.classList.add("new");
    return item;
  });
  if (append) list.append(...items);
  else list.replaceChildren(...items);
  if (!append && !timeline.facts.length) list.replaceChildren(el("li", { class: "empty" }, "No facts for these dates."));
  state.cursor = timeline.next_cursor;
  $("more").hidden = !state.cursor;
}

// --- the whole view -------------------------------------------------------------------------

async function render(minPosition = null) {
  if (!state.subject) return;
  const mine = ++generation;
  if (!knownSubjects.has(state.subject)) return renderUnknown(state.subject);
  document.body.dataset.subjectKnown = "true";
  const base = `/v1/subjects/${state.subject}`;
  const params = viewParams({ min_position: minPosition });
  const [status, timeline, disputed] = await Promise.all([
    api(`${base}/status`, params),
    api(`${base}/timeline`, { ...params, include_retracted: "true", limit: TIMELINE_PAGE }),
    // Disputes whatever the date: only what was known and reported by then limits them.
    api(`${base}/disputes`, { known_at: state.knownAt, reported_by: state.reportedBy, min_position: minPosition }),
  ]);
  if (mine !== generation) return null;
  renderDisputed(disputed);
  renderStatus(status);
  renderTimeline(timeline, false);
  const fresh = timeline.facts.filter((fact) => state.seen.size && !state.seen.has(fact.id));
  for (const fact of timeline.facts) state.seen.add(fact.id);
  updateExportLink();
  document.body.dataset.position = String(timeline.known_at);
  markLoaded(timeline.known_at);
  loadedFacts = timeline.facts;
  drawPictures(timeline.facts, disputed.disputes, mine).catch(showError);
  return fresh;
}

async function refresh(minPosition = null) {
  // One refresh at a time; writes that arrive meanwhile fold into one more.
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        if (subjectsStale) {
          subjectsStale = false;
          await loadSubjects();
        }
        const fresh = await render(minPosition);
        if (fresh && fresh.length) announce(`${fresh.length} new: ${fresh.map((fact) => fact.headline).join("; ")}`);
        minPosition = state.knownAt === null ? state.head : null;
      } while (refreshAgain);
    } catch (error) {
      showError(error);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function showMore() {
  if (!state.cursor) return;
  const timeline = await api(`/v1/subjects/${state.subject}/timeline`, { cursor: state.cursor, as_of: state.asOf, reported_by: state.reportedBy, include_retracted: "true", limit: TIMELINE_PAGE });
  for (const fact of timeline.facts) state.seen.add(fact.id);
  renderTimeline(timeline, true);
  loadedFacts = [...loadedFacts, ...timeline.facts];
  renderAxis($("axis-body"), loadedFacts, { onSelect: focusFact });
}

// --- pictures: the time axis and the charts -------------------------------------------------

let loadedFacts = []; // the timeline's facts on the page, which the axis places
const drawn = { grades: null, national: null }; // what the charts were last drawn from, to redraw on resize
let nationalPick = null; // the national chart's inspection and area, once the reader chose one

// Moves to a fact in the timeline (a mark's Enter or click); false when it is not on the page.
function focusFact(id) {
  const item = document.getElementById(`fact-${id}`);
  if (!item) return false;
  for (const other of document.querySelectorAll(".fact.selected")) other.classList.remove("selected");
  item.classList.add("selected");
  item.tabIndex = -1;
  item.focus();
  history.replaceState(null, "", `${location.pathname}${location.search}#fact-${id}`);
  return true;
}

// Where a force's fact is read: here when it is on this page, else on that subject's page.
function factLink(subject, id) {
  if (subject === state.subject && document.getElementById(`fact-${id}`)) return `#fact-${id}`;
  const url = pageUrl(state.knownAt);
  url.searchParams.set("subject", subject);
  url.searchParams.delete("changes_since");
  url.searchParams.delete("changes_until");
  return `${url.pathname}${url.search}#fact-${id}`;
}

// A force's recorded name, else its slug in words ("avon-and-somerset": Avon and Somerset).
function forceName(id) {
  if (names[id]) return names[id];
  return slugWords(id.split("/")[1] || id);
}

async function drawPictures(facts, disputed, mine) {
  $("pictures").hidden = false;
  renderAxis($("axis-body"), facts, { onSelect: focusFact });
  const [{ frameworks }, ratings] = await Promise.all([
    api("/v1/frameworks", { known_at: state.knownAt }),
    api(`/v1/subjects/${state.subject}/timeline`, viewParams({ type: "rating.published", limit: 1000 })),
  ]);
  if (mine !== generation) return;
  drawn.grades = [ratings.facts, state.subject, frameworks];
  renderGrades($("grades-body"), ...drawn.grades, { onSelect: focusFact });
  await drawNational(ratings.facts, disputed, frameworks, mine);
}

// The national picture for one of the inspections the subject was graded in: by default the one
// with the most forces on record (the latest on a tie), else the reader's choice.
async function drawNational(ratingFacts, disputed, frameworks, mine) {
  const candidates = inspectionsOf(ratingFacts, state.subject);
  $("national").hidden = candidates.length === 0;
  if (!candidates.length) return;
  // One answer per inspection (every area), then the chosen area's own, with its counts and coverage.
  const inspections = [...new Set(candidates.map((c) => c.inspection))];
  const answers = await Promise.all(inspections.map((inspection) => api("/v1/ratings", viewParams({ inspection }))));
  if (mine !== generation) return;
  const forces = (c) => new Set(answers[inspections.indexOf(c.inspection)].ratings.filter((r) => r.pillar === c.pillar).map((r) => r.subject)).size;
  const options = candidates.map((c) => ({ ...c, key: `${c.inspection}|${c.pillar}`, forces: forces(c) })).sort((a, b) => a.day.localeCompare(b.day) || a.pillar.localeCompare(b.pillar));
  const widest = [...options].sort((a, b) => b.forces - a.forces || b.day.localeCompare(a.day))[0];
  const chosen = options.find((o) => o.key === nationalPick) || widest;
  const answer = await api("/v1/ratings", viewParams({ inspection: chosen.inspection, pillar: chosen.pillar }));
  if (mine !== generation) return;
  const select = $("national-pick");
  select.replaceChildren(...options.map((o) => el("option", { value: o.key }, `${o.inspection}, ${titled(words(o.pillar))}: ${o.forces} forces on record`)));
  select.value = chosen.key;
  const figures = disputed.filter(({ claim }) => claim.type === "figure.reported" && claim.data.period === chosen.inspection);
  drawn.national = [answer, { frameworks, nameOf: forceName, linkTo: factLink, figures }];
  renderNational($("national-body"), ...drawn.national);
}

function redrawPictures() {
  if (!state.subject || !knownSubjects.has(state.subject)) return;
  renderAxis($("axis-body"), loadedFacts, { onSelect: focusFact });
  if (drawn.grades) renderGrades($("grades-body"), ...drawn.grades, { onSelect: focusFact });
  if (drawn.national) renderNational($("national-body"), ...drawn.national);
}

function wirePictures() {
  let width = window.innerWidth, pending = false;
  window.addEventListener("resize", () => {
    if (pending || window.innerWidth === width) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      width = window.innerWidth;
      redrawPictures();
    });
  });
  $("national-pick").addEventListener("change", (event) => {
    nationalPick = event.target.value;
    refresh();
  });
}

function announce(text) {
  $("announcer").textContent = text;
}

// A failed load leaves what was shown before in place, marked as stale, and says so.
function showError(error) {
  const shown = document.body.dataset.loadedAt;
  document.body.dataset.stale = "true";
  $("load-state").hidden = false;
  $("load-state").replaceChildren(
    el("strong", {}, "Could not load this view: "),
    error.message,
    shown ? `. What is shown below is out of date: it was loaded on ${shown}, and does not follow the dates chosen above.` : ". Nothing could be shown.",
  );
}

function markLoaded(position) {
  document.body.dataset.stale = "false";
  document.body.dataset.loadedAt = `${instantInWords(new Date().toISOString())} (log position ${position})`;
  $("load-state").hidden = true;
  $("load-state").replaceChildren();
}

// A subject no fact names, asked for in the URL: said so, never silently replaced by another one.
function renderUnknown(subject) {
  document.body.dataset.subjectKnown = "false";
  $("status-heading").textContent = `Unknown subject: ${subject}`;
  $("status-body").replaceChildren(
    el("p", { class: "unknown-subject", role: "alert" }, `Nothing on record names ${subject}. Check the address, or choose a subject from the list above.`),
  );
  $("disputed").hidden = true;
  $("facts").replaceChildren();
  $("more").hidden = true;
  for (const id of ["axis-body", "grades-body", "national-body"]) $(id).replaceChildren();
  $("pictures").hidden = true;
  markLoaded(state.head);
  return [];
}

function updateExportLink() {
  const url = new URL(`/v1/subjects/${state.subject}/timeline`, location.origin);
  url.searchParams.set("format", "timelinejs");
  if (state.asOf) url.searchParams.set("as_of", state.asOf);
  if (state.reportedBy) url.searchParams.set("reported_by", state.reportedBy);
  if (state.knownAt !== null) url.searchParams.set("known_at", state.knownAt);
  $("export-link").href = url.pathname + url.search;
  // A permalink pins the log too: it answers the same however much is recorded later.
  const permalink = pageUrl(state.knownAt ?? state.head);
  $("permalink").href = permalink.pathname + permalink.search;
}

function pageUrl(knownAt) {
  const url = new URL(location.href);
  url.search = "";
  if (state.subject) url.searchParams.set("subject", state.subject);
  if (state.asOf) url.searchParams.set("as_of", state.asOf);
  if (state.reportedBy) url.searchParams.set("reported_by", state.reportedBy);
  if (knownAt !== null) url.searchParams.set("known_at", knownAt);
  if (state.changesSince !== null) url.searchParams.set("changes_since", state.changesSince);
  if (state.changesUntil !== null) url.searchParams.set("changes_until", state.changesUntil);
  return url;
}

function saveLocation() {
  history.replaceState(null, "", pageUrl(state.knownAt));
  if (state.subject) updateExportLink();
}

// --- what changed ---------------------------------------------------------------------------

const CHANGE_LABELS = { recorded: "Recorded", corrected: "Corrected", retracted: "Retracted" };

async function showChanges() {
  if (state.changesSince === null || !state.subject) {
    $("changes-body").replaceChildren();
    return;
  }
  const until = state.changesUntil ?? state.knownAt ?? state.head;
  const changes = await api("/v1/changes", { since: state.changesSince, until, subject: state.subject, limit: 100 });
  state.changesUntil = changes.until;
  saveLocation();
  const moves = changes.subjects.flatMap((move) =>
    Object.keys({ ...move.before, ...move.after }).map((pillar) => {
      const before = move.before[pillar], after = move.after[pillar];
      return el("li", { class: "move" }, `${titled(pillar)}: `, before ? words(before.grade) : "no grade", " → ", after ? words(after.grade) : "no grade");
    }),
  );
  $("changes-body").replaceChildren(
    el("p", {}, `Between log positions ${changes.since} and ${changes.until}: ${changes.changes.length} change${changes.changes.length === 1 ? "" : "s"}.`),
    moves.length ? el("ul", { class: "moves" }, moves) : null,
    el(
      "ul",
      { class: "changes" },
      changes.changes.map((change) =>
        el("li", { class: `change-${change.change}` }, el("strong", {}, CHANGE_LABELS[change.change]), ` at position ${change.changed_at}: ${change.headline}`, change.reason ? ` (${change.reason})` : ""),
      ),
    ),
  );
}

// --- controls -------------------------------------------------------------------------------

async function loadSubjects() {
  const subjects = [];
  for (let after = ""; after !== null; ) {
    const page = await api("/v1/subjects", after ? { after } : {});
    subjects.push(...page.subjects);
    after = page.next_after;
  }
  knownSubjects = new Set(subjects.map((subject) => subject.id));
  learnNames(Object.fromEntries(subjects.map((subject) => [subject.id, subject.name])));
  const select = $("subject");
  const current = state.subject;
  select.replaceChildren(...subjects.map((subject) => el("option", { value: subject.id }, `${subjectName(subject.id)} — ${subject.facts} ${subject.facts === 1 ? "fact" : "facts"}`)));
  // With none asked for, a force a story names (it has a recorded name) before one only a table lists.
  const forces = subjects.filter((subject) => subject.kind === "force").sort((a, b) => Boolean(b.name) - Boolean(a.name));
  state.subject = current || (forces[0] || subjects[0] || {}).id || null;
  if (state.subject && !knownSubjects.has(state.subject)) select.prepend(el("option", { value: state.subject }, `${state.subject} (not on record)`));
  if (state.subject) select.value = state.subject;
}

function showKnownAt(described = "") {
  const slider = $("known-at");
  slider.max = String(Math.max(state.head, 1));
  slider.value = String(state.knownAt ?? state.head);
  const where = state.knownAt === null ? `everything known now (log position ${state.head})` : `as the log stood at position ${state.knownAt} of ${state.head}`;
  $("known-at-text").textContent = described ? `${where}: ${described}` : where;
  slider.setAttribute("aria-valuetext", $("known-at-text").textContent);
}

// What arrived at a log position, in words: "a rating about Bedfordshire Police".
function arrival(event) {
  if (event.fact) return `${(TYPE_LABELS[event.fact.type] || words(event.fact.type.replace(".", " "))).toLowerCase()} about ${subjectName(event.fact.subject)}`;
  if (event.document) return `the document “${event.document.title || event.id}”`;
  if (event.event === "framework.defined") return `the framework edition ${event.id}`;
  return words(event.event.replace(".", " "));
}

// The moment the log stood at, in words: when the last event then was recorded, and what it was.
async function describeKnownAt() {
  const position = state.knownAt ?? state.head;
  if (!position) return;
  const { events } = await api("/v1/events", { after: position - 1, limit: 1 });
  if (!events.length || (state.knownAt ?? state.head) !== events[0].position) return;
  showKnownAt(`last recorded ${instantInWords(events[0].recorded_at)}, ${arrival(events[0])}`);
}

// The date controls follow the browser's locale; their dates are also said in words beside them.
function showDateWords() {
  $("as-of-words").textContent = state.asOf ? `as of ${dayInWords(state.asOf)}` : "any date";
  $("reported-by-words").textContent = state.reportedBy ? `published by ${dayInWords(state.reportedBy)}` : "whenever published";
}

function wireControls() {
  $("subject").addEventListener("change", (event) => {
    state.subject = event.target.value;
    state.seen.clear();
    saveLocation();
    refresh();
  });
  // A date control and its clear button set one of the times (as of, reported by) and show the view again.
  for (const [id, key] of [["as-of", "asOf"], ["reported-by", "reportedBy"]]) {
    const setTo = (value) => {
      state[key] = value || null;
      showDateWords();
      saveLocation();
      refresh();
    };
    $(id).addEventListener("change", (event) => setTo(event.target.value));
    $(`${id}-clear`).addEventListener("click", () => {
      $(id).value = "";
      setTo(null);
    });
  }
  $("changes-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const since = $("changes-since").value;
    state.changesSince = /^\d+$/.test(since) ? Number(since) : null;
    state.changesUntil = null;
    showChanges().catch(showError);
  });
  $("known-at").addEventListener("input", (event) => {
    state.knownAt = Number(event.target.value) >= state.head ? null : Number(event.target.value);
    showKnownAt();
  });
  $("known-at").addEventListener("change", () => {
    saveLocation();
    refresh();
    describeKnownAt().catch(showError);
  });
  $("known-at-clear").addEventListener("click", () => {
    state.knownAt = null;
    showKnownAt();
    saveLocation();
    refresh();
    describeKnownAt().catch(showError);
  });
  $("more").addEventListener("click", () => showMore().catch(showError));
  $("controls").addEventListener("submit", (event) => event.preventDefault());
}

// --- live updates ---------------------------------------------------------------------------

// Whether a recorded fact names a subject the picker does not list (its subject, mentions, or a subject id in its data).
function namesNewSubject(data) {
  let fact;
  try {
    fact = JSON.parse(data).fact;
  } catch {
    return true;
  }
  if (!fact) return true;
  const values = [fact.subject, ...(fact.mentions || []), ...Object.values(fact.data || {})];
  return values.some((value) => typeof value === "string" && /^[a-z]+\/[a-z0-9-]+$/.test(value) && !knownSubjects.has(value));
}

function listen() {
  const stream = new EventSource("/v1/events/stream");
  const onEvent = (event) => {
    const position = Number(event.lastEventId);
    if (position > state.head) state.head = position;
    showKnownAt();
    // Time travel keeps its view; only the live view follows the log.
    if (state.knownAt === null) {
      if (event.type === "fact.recorded" && namesNewSubject(event.data)) subjectsStale = true;
      if (event.type === "fact.redacted") subjectsStale = true; // the subject it named may name no fact now
      refresh(state.head);
    }
  };
  // A redaction takes content off the page as soon as it is stored, as a new fact appears.
  const liveEvents = ["fact.recorded", "fact.corrected", "fact.retracted", "fact.redacted", "document.recorded", "document.redacted"];
  for (const name of liveEvents) stream.addEventListener(name, onEvent);
  stream.addEventListener("open", () => {
    $("live-state").textContent = "Live: new facts appear as they are recorded";
    document.body.dataset.live = "true";
    $("live-lost").hidden = true; // the stream resumes from the last event seen, so what was missed arrives
  });
  stream.addEventListener("error", () => {
    $("live-state").textContent = "Reconnecting to the live log…";
    document.body.dataset.live = "false";
    // The live view stops following the log: say so where it is read, not only in the footer.
    $("live-lost").hidden = state.knownAt !== null;
  });
}

async function start() {
  const query = new URLSearchParams(location.search);
  state.subject = query.get("subject");
  state.asOf = query.get("as_of") || null;
  state.reportedBy = query.get("reported_by") || null;
  state.knownAt = /^\d+$/.test(query.get("known_at") || "") ? Number(query.get("known_at")) : null;
  state.changesSince = /^\d+$/.test(query.get("changes_since") || "") ? Number(query.get("changes_since")) : null;
  state.changesUntil = /^\d+$/.test(query.get("changes_until") || "") ? Number(query.get("changes_until")) : null;
  $("as-of").value = state.asOf || "";
  $("reported-by").value = state.reportedBy || "";
  $("changes-since").value = state.changesSince ?? "";
  showDateWords();
  wireControls();
  wirePictures();
  try {
    const [{ head }] = await Promise.all([api("/v1/events", { limit: 1 }), loadSubjects()]);
    state.head = head;
    if (state.knownAt !== null && state.knownAt >= head) state.knownAt = null;
    showKnownAt();
    saveLocation();
    await refresh();
    if (location.hash.startsWith("#fact-")) focusFact(location.hash.slice("#fact-".length));
    describeKnownAt().catch(showError);
    await showChanges();
  } catch (error) {
    showError(error);
  }
  listen();
  document.body.dataset.ready = "true";
}

start();
