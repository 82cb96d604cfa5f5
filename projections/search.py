"""The `search` projection: the words of every fact version and document version, for full-text search.

Words are folded here, in Python (case and accents dropped, split on anything not a letter or digit),
both when a text is indexed and when a query is read, so that SQLite's FTS5 and PostgreSQL's text
search see the same plain words and match alike. A query is only ever words: each one is quoted (FTS5)
or joined with `&` (tsquery), so no `q` a reader types can be a query-syntax error.

Which versions a read sees is not decided here: a match is joined to the facts view's rows and
filtered by `Seen`, and to the documents view's rows by their own rule, as every other read is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from eventsourcing.utils import get_topic

from projections.base import Projection
from projections.documents import documents
from projections.fact_queries import FactState, Seen, fact_state, version_columns
from projections.fact_tables import CORRECTED, RECORDED, fact_id_of
from projections.store import Cursor, dialect_of
from timeline.codec import stored_value
from timeline.redactions import DOCUMENT_REDACTED, FACT_REDACTED, is_tombstone
from timeline.sources import Document

_DOCUMENT = {get_topic(Document.Recorded), get_topic(Document.Revised)}
_WORD = re.compile(r"[^\W_]+")
# PostgreSQL refuses a tsvector over 1 MB: long texts are indexed in parts, each of its distinct words,
# well under that (a few bytes of overhead per distinct word).
PART_CHARACTERS = 200_000
NAMING = ("subject.named", "subject.merged")  # the facts that name a subject, or give it another id
_NAMES = ("name", "short_name", "aliases", "into")  # what of their data names the subject (not a summary)
MAX_QUERY_CHARACTERS = 200
MAX_TERMS = 16


def folded_words(text: str) -> list[str]:
    """A text's words as the index holds them: without case or accents, split on what is not a letter or digit."""
    if text.isascii():
        return _WORD.findall(text.casefold())
    # A document is up to 5 MB: split it first, then fold each distinct word once (they are far fewer).
    words = _WORD.findall(unicodedata.normalize("NFC", text))
    folds = {word: _fold(word) for word in dict.fromkeys(words)}
    return [part for word in words for part in folds[word]]


def _fold(word: str) -> list[str]:
    """One word without case, accents and compatibility forms (a ligature, a superscript): one word or, rarely, several."""
    word = word.casefold()
    if word.isascii():
        return [word]
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return _WORD.findall(plain.casefold())


def search_terms(q: str) -> list[str]:
    """The distinct words of a query, in order: what every match must contain (the last one as a prefix)."""
    return list(dict.fromkeys(folded_words(q)))


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 query for every term, each quoted (so AND, NEAR or a stray `"` are words, never syntax)."""
    return " ".join(f'"{term}"' for term in terms[:-1]) + f' "{terms[-1]}"*'


def tsquery(terms: Sequence[str]) -> str:
    """A to_tsquery('simple', ...) for every term: words hold no tsquery operator, so joining them is safe."""
    return " & ".join([*terms[:-1], f"{terms[-1]}:*"])


class SearchProjection(Projection):
    """One row per fact version (recorded or corrected) and per document version (in parts): its words; and for
    a version naming a subject, one more of the names and ids alone."""

    name = "search"
    shape = 1

    def table_names(self, prefix: str) -> list[str]:
        return [f"{prefix}_texts"]

    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        if dialect_of(cursor) == "sqlite":
            # Words arrive folded: unicode61 then only splits them on the spaces between.
            cursor.execute(
                f"CREATE VIRTUAL TABLE {prefix}_texts USING fts5("
                "words, kind UNINDEXED, key UNINDEXED, version UNINDEXED, part UNINDEXED, tokenize = 'unicode61')"
            )
        else:
            cursor.execute(
                f"CREATE TABLE {prefix}_texts (words TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, "
                "version INTEGER NOT NULL, part INTEGER NOT NULL, PRIMARY KEY (kind, key, version, part))"
            )

    def create_indexes(self, cursor: Cursor, prefix: str) -> None:
        if dialect_of(cursor) == "postgres":
            # The expression every search repeats: 'simple' neither stems nor drops words, as FTS5's unicode61.
            cursor.execute(f"CREATE INDEX {prefix}_texts_words ON {prefix}_texts USING GIN (to_tsvector('simple', words))")

    def apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        rows: list[tuple[str, str, str, int, int]] = []
        for entry in entries:
            if is_tombstone(entry.state):
                continue  # purged by a later redaction (timeline.redactions): nothing of it is searchable
            if entry.topic in (FACT_REDACTED, DOCUMENT_REDACTED):
                # A takedown leaves no words to find, as of any position; rows of this batch may hold some.
                _insert(cursor, prefix, rows)
                rows = []
                kinds = ("fact", "name") if entry.topic == FACT_REDACTED else ("document",)
                key = fact_id_of(entry) if entry.topic == FACT_REDACTED else entry.event.slug
                cursor.execute(f"DELETE FROM {prefix}_texts WHERE kind IN ({', '.join('?' for _ in kinds)}) AND key = ?", (*kinds, key))
            elif entry.topic in (RECORDED, CORRECTED):
                state, fact_id = orjson.loads(entry.state), fact_id_of(entry)
                words = " ".join(folded_words(" ".join(_fact_texts(state))))
                rows.append((words, "fact", fact_id, entry.originator_version, 0))
                if stored_value(state["fact_type"]) in NAMING:
                    # A subject is found by its names and ids alone, not by the words of their sources.
                    named = {k: v for k, v in state["data"].items() if k in _NAMES}
                    names = " ".join(folded_words(" ".join([state["subject"], *_values(named)])))
                    rows.append((names, "name", fact_id, entry.originator_version, 0))
            elif entry.topic in _DOCUMENT:
                event = entry.event
                texts = (event.slug, event.title or "", event.publisher, event.text)
                for part, words in enumerate(_parts(folded_words(" ".join(texts)))):
                    rows.append((words, "document", event.slug, event.originator_version, part))
        _insert(cursor, prefix, rows)


def _insert(cursor: Cursor, prefix: str, rows: list[tuple[str, str, str, int, int]]) -> None:
    if rows:
        cursor.executemany(f"INSERT INTO {prefix}_texts (words, kind, key, version, part) VALUES (?, ?, ?, ?, ?)", rows)


def _fact_texts(state: dict[str, Any]) -> Iterator[str]:
    """What a fact is found by: the subjects it names, every text and number of its data (a name and its
    aliases too), and each source's publisher and quote."""
    yield state["subject"]
    yield from state["mentions"]
    yield from _values(state["data"])
    for source in (state["source"], *state.get("further_sources", ())):
        body = stored_value(source)
        yield body["publisher"]
        if body.get("quote"):
            yield body["quote"]


def _values(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    elif isinstance(data, str | int | float) and not isinstance(data, bool):
        yield str(data)


def _parts(words: list[str]) -> Iterator[str]:
    """A long text's distinct words in parts of about PART_CHARACTERS each (a short one in one part)."""
    if sum(map(len, words)) + len(words) <= PART_CHARACTERS:
        yield " ".join(words)
        return
    part: list[str] = []
    size = 0
    for word in dict.fromkeys(words):
        if size + len(word) + 1 > PART_CHARACTERS and part:
            yield " ".join(part)
            part, size = [], 0
        part.append(word)
        size += len(word) + 1
    if part:
        yield " ".join(part)


# Reading


def _matches(dialect: str, prefix: str, kind: str, terms: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """SQL for (key, version) of every `kind` row holding all the terms, and its parameters: run once, not per row."""
    if dialect == "sqlite":
        return f"SELECT key, version FROM {prefix}_texts WHERE {prefix}_texts MATCH ? AND kind = ?", (fts5_query(terms), kind)
    return (
        f"SELECT key, version FROM {prefix}_texts WHERE to_tsvector('simple', words) @@ to_tsquery('simple', ?) AND kind = ?",
        (tsquery(terms), kind),
    )


def matching_facts(
    cursor: Cursor, prefix: str, texts_prefix: str, terms: Sequence[str], seen: Seen, as_of: dt.date | None,
    limit: int, before: tuple[str, str, int] | None = None, by: str = "fact",
) -> list[FactState]:
    """Up to `limit` facts holding every term, as seen (not retracted; possibly in effect by `as_of`, if given),
    latest first in timeline order, before the timeline key `before`. By "fact", every word of a fact counts; by
    "name", only the names and ids of those naming a subject."""
    matches, match_params = _matches(dialect_of(cursor), texts_prefix, by, terms)
    known, known_params = seen.where()
    where, params = [f"(v.fact_id, v.version) IN ({matches})", known, "v.retracted = 0"], [*match_params, *known_params]
    if as_of is not None:
        where.append("v.earliest <= ?")
        params.append(as_of.isoformat())
    if before is not None:
        where.append("(v.occurred_lower, v.occurred_upper, v.first_position) < (?, ?, ?)")
        params.extend(before)
    cursor.execute(
        f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE {' AND '.join(where)} "
        "ORDER BY v.occurred_lower DESC, v.occurred_upper DESC, v.first_position DESC LIMIT ?",
        (*params, limit),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def matching_documents(
    cursor: Cursor, prefix: str, texts_prefix: str, terms: Sequence[str], seen: Seen, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` documents whose version a read sees holds every term (its title, publisher or text)."""
    matches, match_params = _matches(dialect_of(cursor), texts_prefix, "document", terms)
    where = (f"(d.slug, d.version) IN ({matches})", match_params)
    return documents(cursor, prefix, seen.position, seen.reported_by, where=where, limit=limit)
