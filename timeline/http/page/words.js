// Dates in words on the page, as the server says them (timeline/date_words.py): "2 March 2017",
// "March 2017", "spring 2017", "2016 (approximate)". The views label valid times themselves; these
// are for the dates they give as EDTF or ISO text: sources' publication, record times, the log's moments.

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const SEASONS = { 21: "spring", 22: "summer", 23: "autumn", 24: "winter" };
const QUALIFIERS = { "~": "approximate", "?": "uncertain", "%": "uncertain, approximate" };

// An EDTF date (a day, a month, a year, a season, qualified or not) in words; any other form as it is.
export function edtfInWords(text) {
  if (typeof text !== "string" || !text) return "";
  const qualifiers = [...new Set(text.replace(/[^~?%]/g, ""))];
  const core = text.replace(/[~?%]/g, "");
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(core);
  if (!match) return text;
  const [, year, month, day] = match;
  let words;
  if (month && SEASONS[month]) words = day ? null : `${SEASONS[month]} ${Number(year)}`;
  else if (month && (Number(month) < 1 || Number(month) > 12)) words = null;
  else if (day) words = `${Number(day)} ${MONTHS[Number(month) - 1]} ${Number(year)}`;
  else if (month) words = `${MONTHS[Number(month) - 1]} ${Number(year)}`;
  else words = String(Number(year));
  if (!words) return text;
  const qualifier = qualifiers.length === 2 || qualifiers.includes("%") ? QUALIFIERS["%"] : QUALIFIERS[qualifiers[0]];
  return qualifier ? `${words} (${qualifier})` : words;
}

// An ISO day (2016-01-01) in words.
export function dayInWords(iso) {
  return edtfInWords(String(iso).slice(0, 10));
}

// A record time (a UTC instant) in words, to the minute: "26 November 2026 at 11:12 UTC".
export function instantInWords(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const clock = `${String(when.getUTCHours()).padStart(2, "0")}:${String(when.getUTCMinutes()).padStart(2, "0")}`;
  return `${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()} at ${clock} UTC`;
}

// A span of possible days in words: one day, or "any day from 1 January 2016 to 31 December 2016".
export function spanInWords(first, last) {
  return first === last ? dayInWords(first) : `any day from ${dayInWords(first)} to ${dayInWords(last)}`;
}
