// The page's search box: facts, subjects (by name) and documents holding every word, at the times the page
// shows (read from its URL, which the page keeps current). Plain DOM; every text from the API goes in through
// textContent, never as HTML.

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

let generation = 0; // a slower older answer never overwrites a newer one

async function fetchSearch(q, cursor) {
  const url = new URL("/v1/search", location.origin);
  const shown = new URLSearchParams(location.search);
  url.searchParams.set("q", q);
  for (const name of ["as_of", "reported_by", "known_at"]) if (shown.get(name)) url.searchParams.set(name, shown.get(name));
  if (cursor) url.searchParams.set("cursor", cursor);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

function showSubject(id) {
  const select = $("subject");
  if (![...select.options].some((option) => option.value === id)) return false;
  select.value = id;
  select.dispatchEvent(new Event("change"));
  $("status-heading").scrollIntoView();
  return true;
}

function subjectItem(subject) {
  const label = subject.name ? `${subject.name.name} (${subject.id})` : subject.id;
  const button = el("button", { type: "button" }, `Show ${label}`);
  button.addEventListener("click", () => {
    if (!showSubject(subject.id)) button.replaceWith(label);
  });
  const aliases = subject.name && subject.name.aliases.length ? el("span", { class: "hint" }, ` also ${subject.name.aliases.join(", ")}`) : null;
  return el("li", {}, button, aliases);
}

function factItem(fact) {
  const source = fact.source;
  return el(
    "li",
    { class: "fact" },
    el("p", {}, el("strong", { class: "headline" }, fact.headline), " ", el("span", { class: "when" }, fact.occurred_label)),
    source.quote ? el("blockquote", {}, source.quote) : null,
    el("p", { class: "source-line" }, el("a", { href: source.url, rel: "noopener noreferrer" }, source.publisher), `, ${source.published}`),
  );
}

function documentItem(doc) {
  const title = doc.title || doc.id;
  return el("li", {}, el("a", { href: doc.url, rel: "noopener noreferrer" }, title), ` (${doc.publisher}, ${doc.published})`);
}

const counted = (n, noun, more = "") => `${n} ${noun}${n === 1 ? "" : "s"}${more}`;

function section(title, items) {
  if (!items.length) return null;
  return el("div", {}, el("h3", {}, title), el("ul", { class: "search-list" }, ...items));
}

async function run(q, cursor = null) {
  const mine = ++generation;
  const results = $("search-results");
  const more = $("search-more");
  results.setAttribute("aria-busy", "true");
  try {
    const found = await fetchSearch(q, cursor);
    if (mine !== generation) return;
    const facts = found.facts.map(factItem);
    if (cursor) {
      $("search-facts").append(...facts);
    } else {
      const factsFound = counted(found.facts.length, "fact", found.next_cursor ? " (and more)" : "");
      const summary = `${factsFound}, ${counted(found.subjects.length, "subject")} and ${counted(found.documents.length, "document")} hold every word of “${q}”.`;
      const parts = [
        el("p", {}, summary),
        section("Subjects", found.subjects.map(subjectItem)),
        found.facts.length ? el("h3", {}, "Facts") : null,
        el("ol", { id: "search-facts", class: "facts" }, ...facts),
        section("Documents", found.documents.map(documentItem)),
      ];
      results.replaceChildren(...parts.filter((part) => part !== null));
    }
    more.hidden = !found.next_cursor;
    more.onclick = () => run(q, found.next_cursor);
  } catch (error) {
    if (mine !== generation) return;
    results.replaceChildren(el("p", { class: "error" }, `Search failed: ${error.message}`));
    more.hidden = true;
  } finally {
    if (mine === generation) results.removeAttribute("aria-busy");
  }
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("search-q").value.trim();
  if (q) run(q);
});
