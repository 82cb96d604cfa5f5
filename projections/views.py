"""Reading the views: each read runs in one snapshot and answers `as_of` and `known_at`.

`as_of` (valid time) is a date: facts count once they have certainly happened by it, and
are listed as possible once they may have. `reported_by` (publication time) is a day: only
facts whose source had published them by then count, each as its source then had it.
`known_at` (record time) is a log position or a UTC instant: the views answer as the
log stood then. Left out, they mean "no limit" and "everything the view has seen".
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Any

import orjson

from projections import fact_queries, ready_status
from projections.citations import sources
from projections.claims import claims_in_effect, fact_json, names_in_force, rating_slot
from projections.documents import documents as document_rows
from projections.editions import Frameworks, judged
from projections.fact_queries import FactState, Seen
from projections.ratings import facts_for_ratings, ratings_across_forces
from projections.runner import generation_of, live_prefix
from projections.search import matching_documents, matching_facts
from projections.statements import statements
from projections.status import facts_for_status, status_answer, subject_status
from projections.store import Cursor, ViewStore
from projections.timeline import TimelineQuery, subject_timeline
from timeline.errors import UnknownSubject
from timeline.log_records import MAX_POSITION

KnownAt = int | dt.datetime | None


SEARCH_LISTED = 100  # subjects and documents a search lists, at most (facts come a page at a time)


class InvalidQuery(ValueError):
    """A query parameter the views cannot answer (e.g. a cursor that was not ours)."""


class Views:
    """Read access to every view, over one view store."""

    def __init__(self, store: ViewStore) -> None:
        self.store = store
        self._editions: dict[tuple[str, int], Frameworks] = {}  # by (tables, position): reads at one position share it
        self._facts_live: str | None = None  # the facts view's live table prefix as the last read found it

    def status(
        self, subject: str, as_of: dt.date | None = None, known_at: KnownAt = None, reported_by: dt.date | None = None
    ) -> dict[str, Any]:
        """A subject's status card. The default one (no times given) is the projection's ready answer while it is
        valid (`projections/ready_status.py`); otherwise, and with times, it is computed."""
        if as_of is None and known_at is None and reported_by is None:
            ready = self._ready_status(subject)
            if ready is not None:
                position, answer = ready
                return _envelope(position, Seen(position), None) | answer
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            _known(cursor, prefix, subject)
            subject = seen.subject_of(subject)  # an id merged into another answers for that one
            answer = status_answer(cursor, prefix, subject, seen, as_of, self._frameworks(cursor, prefix, seen.position))
        return _envelope(position, seen, as_of) | answer

    def timeline(
        self, subject: str, query: TimelineQuery, known_at: KnownAt = None, cursor_token: str | None = None,
        reported_by: dt.date | None = None,
    ) -> dict[str, Any]:
        pinned: int | None = None
        if cursor_token:
            after, pinned = decode_cursor(cursor_token)
            query = TimelineQuery(**{**vars(query), "after": after})
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, pinned if pinned is not None else known_at, reported_by)
            _known(cursor, prefix, subject)
            subject = seen.subject_of(subject)
            # One row past the page tells whether there is a next one.
            candidates = fact_queries.timeline_page(cursor, prefix, subject, seen, query, query.limit + 1)
            page, next_key = subject_timeline(candidates, query)
            versions = fact_queries.history(cursor, prefix, [s.id for s in page], seen.position)
            # Where each rating on the page stands: every claim about its slot, not just those on the page.
            slots = sorted({rating_slot(s) for s in page if s.type == "rating.published"})
            rivals = fact_queries.claims_in_slots(cursor, prefix, slots, seen, query.as_of)
            rivals += fact_queries.linked(cursor, prefix, [*page, *rivals], seen)
            frameworks = self._frameworks(cursor, prefix, seen.position)
            named = fact_queries.naming_facts(cursor, prefix, {name for s in [*page, *rivals] for name in s.refs} | {subject}, seen)
        claims = claims_in_effect([*page, *rivals], query.as_of)
        names = names_in_force(named, query.as_of)
        return _envelope(position, seen, query.as_of) | {
            "subject": subject,
            "name": names.get(subject),
            "names": names,
            "facts": [
                fact_json(s, query.as_of, names) | {"history": versions.get(s.id, [])} | _claim(claims, s.id) | _framework(s, frameworks)
                for s in page
            ],
            "next_cursor": encode_cursor(next_key, seen.position) if next_key else None,
        }

    def disputes(self, subject: str, known_at: KnownAt = None, reported_by: dt.date | None = None) -> dict[str, Any]:
        """Every claim naming a subject that disputes what stands, whatever date it is about: the claim, with its
        source and quote, beside the claim that stands (the record), with its own. Only `known_at` and
        `reported_by` limit it, so a reader meets the disputes on arrival."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            _known(cursor, prefix, subject)  # a typo is a 404, not "no disputes"
            subject = seen.subject_of(subject)
            names, disputed = _disputes(cursor, prefix, seen, subject)
        return _envelope(position, seen, None) | {"subject": subject, "name": names.get(subject), "disputes": disputed}

    def every_dispute(
        self, known_at: KnownAt = None, reported_by: dt.date | None = None, after: str = "", limit: int = 100
    ) -> dict[str, Any]:
        """The disputes of a page of subjects (in id order after `after`; `next_after` continues), each dispute once:
        under its claim's own subject. The same disputes as each subject's own, in one snapshot."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            page = fact_queries.subjects(cursor, prefix, None, seen, after, limit)
            disputed = []
            for subject, _ in page:
                if seen.subject_of(subject) == subject:  # a merged id's facts are its subject's
                    disputed += [d for d in _disputes(cursor, prefix, seen, subject)[1] if d["claim"]["subject"] == subject]
        return _envelope(position, seen, None) | {"disputes": disputed, "next_after": page[-1][0] if len(page) == limit else None}

    def search(
        self, terms: list[str], as_of: dt.date | None = None, known_at: KnownAt = None, reported_by: dt.date | None = None,
        cursor_token: str | None = None, limit: int = 20,
    ) -> dict[str, Any]:
        """Facts, subjects and documents holding every term, as seen: facts a page at a time, latest first in
        timeline order (a cursor pins `known_at`, as the timeline's does); subjects by a name, short name or alias
        (or an id merged into theirs); documents by title, publisher or text. Retracted facts are not found."""
        pinned, before = None, None
        if cursor_token:
            before, pinned = decode_cursor(cursor_token)
        with self.store.read() as cursor:
            texts_prefix, texts_position = live_prefix(cursor, "search")
            documents_prefix, documents_position = live_prefix(cursor, "documents")
            within = min(texts_position, documents_position)
            prefix, position, seen = self._facts(cursor, pinned if pinned is not None else known_at, reported_by, within)
            found = matching_facts(cursor, prefix, texts_prefix, terms, seen, as_of, limit + 1, before=before)
            page = found[:limit]
            naming = matching_facts(cursor, prefix, texts_prefix, terms, seen, as_of, SEARCH_LISTED, by="name")
            subjects = list(dict.fromkeys(seen.subject_of(s.subject) for s in naming))
            documents = matching_documents(cursor, documents_prefix, texts_prefix, terms, seen, SEARCH_LISTED)
            named = fact_queries.naming_facts(cursor, prefix, {name for s in page for name in s.refs} | set(subjects), seen)
        names = names_in_force(named, as_of)
        return _envelope(position, seen, as_of) | {
            "terms": terms,
            "subjects": [
                {"id": subject, "kind": subject.split("/")[0], "name": names.get(subject), "aliases": seen.names_of(subject)[1:]}
                for subject in subjects
            ],
            "documents": documents,
            "facts": [fact_json(s, as_of, names) for s in page],
            "next_cursor": encode_cursor(page[-1].sort_key, seen.position) if len(found) > limit else None,
        }

    def facts(self, subject: str | None = None, known_at: KnownAt = None, reported_by: dt.date | None = None) -> dict[str, Any]:
        """Every fact not retracted (naming a subject, if given), in log order, as its latest version seen says:
        each as the record that would record it again (its id and content, with its version beside)."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            if subject is not None:
                _known(cursor, prefix, subject)
            states = fact_queries.current_facts(cursor, prefix, seen, subject)
        return _envelope(position, seen, None) | {
            "subject": subject, "facts": [{"id": s.id, "version": s.version, **s.body} for s in states],
        }

    def ratings(
        self, pillar: str | None, as_of: dt.date | None = None, inspection: str | None = None, known_at: KnownAt = None,
        reported_by: dt.date | None = None,
    ) -> dict[str, Any]:
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            states = facts_for_ratings(cursor, prefix, pillar, inspection, seen, as_of)
            frameworks = self._frameworks(cursor, prefix, seen.position)
        return _envelope(position, seen, as_of) | ratings_across_forces(states, pillar, inspection, frameworks)

    def frameworks(self, known_at: KnownAt = None) -> dict[str, Any]:
        """Every framework edition's definition as known at `known_at`."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at)
            editions = self._frameworks(cursor, prefix, seen.position)
        return _envelope(position, seen, None) | {"frameworks": [{"id": edition} | editions[edition] for edition in sorted(editions)]}

    def statements(
        self, *, speaker: str | None = None, about: str | None = None, as_of: dt.date | None = None, known_at: KnownAt = None,
        reported_by: dt.date | None = None,
    ) -> dict[str, Any]:
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            if speaker or about:
                _known(cursor, prefix, speaker or about or "")
            speaker = seen.subject_of(speaker) if speaker else speaker
            about = seen.subject_of(about) if about else about
            states = fact_queries.states_referencing(cursor, prefix, speaker or about or "", seen)
        said = statements(states, speaker=speaker, about=about, as_of=as_of)
        return _envelope(position, seen, as_of) | {"speaker": speaker, "about": about, "statements": said}

    def sources(self, known_at: KnownAt = None, reported_by: dt.date | None = None) -> dict[str, Any]:
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            documents_prefix, documents_position = live_prefix(cursor, "documents")
            citing = fact_queries.states_citing(cursor, prefix, None, seen)
            documents = document_rows(cursor, documents_prefix, seen.position, reported_by)
        envelope = _envelope(min(position, documents_position), seen, None)
        return envelope | {"documents": sources(documents, citing)}

    def subjects(
        self, kind: str | None = None, known_at: KnownAt = None, reported_by: dt.date | None = None, after: str = "", limit: int = 1000
    ) -> dict[str, Any]:
        """A page of the subjects named by facts, in id order after `after`; `next_after` continues it."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            page = fact_queries.subjects(cursor, prefix, kind, seen, after, limit)
            next_after = page[-1][0] if len(page) == limit else None
            listed = dict(page)
            # A subject known by several ids is listed once, under the id that stays, counting each fact once,
            # and on the page its id falls in: an alias on a later page must not list it again.
            ends = next_after
            merged = {
                seen.subject_of(subject) for subject in listed
                if seen.subject_of(subject) != subject and after < seen.subject_of(subject) and (ends is None or seen.subject_of(subject) <= ends)
            }  # fmt: skip
            for subject in merged:
                listed[subject] = sum(not s.retracted for s in fact_queries.states_referencing(cursor, prefix, subject, seen))
            listed = {subject: count for subject, count in listed.items() if seen.subject_of(subject) == subject}
            names = names_in_force(fact_queries.naming_facts(cursor, prefix, set(listed), seen), None)
        return _envelope(position, seen, None) | {
            "subjects": [
                {"id": subject, "kind": subject.split("/")[0], "facts": count, "name": names.get(subject)}
                | ({"aliases": seen.names_of(subject)[1:]} if subject in merged else {})
                for subject, count in sorted(listed.items())
            ],
            "next_after": next_after,
        }

    def subject(
        self, subject: str, known_at: KnownAt = None, reported_by: dt.date | None = None, as_of: dt.date | None = None
    ) -> dict[str, Any]:
        """How many facts name a subject, and which types, and its name as of `as_of`: none of them (and no
        dates) at times before any fact named it, or once every one is retracted."""
        with self.store.read() as cursor:
            prefix, position, seen = self._facts(cursor, known_at, reported_by)
            _known(cursor, prefix, subject)
            subject = seen.subject_of(subject)
            states = [s for s in fact_queries.states_referencing(cursor, prefix, subject, seen) if not s.retracted]
        types: dict[str, int] = {}
        for state in states:
            types[state.type] = types.get(state.type, 0) + 1
        first = min(states, key=lambda s: s.sort_key).occurred.edtf if states else None
        last = max(states, key=lambda s: s.sort_key).occurred.edtf if states else None
        return _envelope(position, seen, as_of) | {
            "id": subject,
            "name": names_in_force(states, as_of).get(subject),
            "kind": subject.split("/")[0],
            "facts": len(states),
            "types": dict(sorted(types.items())),
            "first_occurred": first,
            "last_occurred": last,
            "aliases": seen.names_of(subject)[1:],  # other ids merged into it
        }

    def changes(
        self, since: KnownAt, until: KnownAt = None, subject: str | None = None, cursor_token: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        """Facts recorded, corrected and retracted after `since` up to `until` (positions or instants), in log
        order, a page at a time; and each subject they touch, with its ratings as they stood at both ends."""
        after = decode_position_cursor(cursor_token) if cursor_token else 0
        with self.store.read() as cursor:
            prefix, position, start = self._facts(cursor, since)
            _, _, end = self._facts(cursor, until)
            rows = fact_queries.changed_between(cursor, prefix, start.position, end.position, after, limit + 1, subject)
            page = rows[:limit]
            touched = sorted({name for s in page for name in s.refs} if subject is None else {subject})
            moves = [
                {"subject": name, "before": _ratings_at(cursor, prefix, name, start), "after": _ratings_at(cursor, prefix, name, end)}
                for name in touched
            ]
        return {
            "position": position,
            "since": start.position,
            "until": end.position,
            "subject": subject,
            "changes": [
                fact_json(s) | {"change": s.change, "reason": s.reason, "changed_at": s.known_from, "changed_at_time": s.known_from_at}
                for s in page
            ],
            "subjects": [move for move in moves if move["before"] != move["after"] or subject is not None],
            "next_cursor": encode_position_cursor(page[-1].known_from) if len(rows) > limit else None,
        }

    def _frameworks(self, cursor: Cursor, prefix: str, position: int) -> Frameworks:
        """The framework editions known at a position, read once per position (they are the same for every read there)."""
        key = (prefix, position)
        editions = self._editions.get(key)
        if editions is None:
            editions = fact_queries.frameworks(cursor, prefix, position)
            if len(self._editions) >= 64:
                self._editions.clear()  # positions move on: old ones are not asked again
            self._editions[key] = editions
        return editions

    def _ready_status(self, subject: str) -> tuple[int, dict[str, Any]] | None:
        """The facts view's position and a subject's ready default status, in one statement, while the generation the
        last read found is live and the answer valid. A rebuild may have dropped that generation's tables since (two
        swaps later): then the read that follows finds the live one."""
        prefix = self._facts_live
        if prefix is None:
            return None
        try:
            with self.store.read() as cursor:
                return ready_status.read(cursor, prefix, generation_of(prefix), subject)
        except self.store.missing_table:
            self._facts_live = None
            return None

    def _facts(
        self, cursor: Cursor, known_at: KnownAt, reported_by: dt.date | None = None, within: int | None = None
    ) -> tuple[str, int, Seen]:
        """The facts view's live tables, its position, and which versions the read sees (`known_at` as a
        position the view can answer, and no later than `within`, another view's position, if given)."""
        prefix, position = live_prefix(cursor, "facts")
        self._facts_live = prefix
        if within is not None:
            position = min(position, within)
        if known_at is None:
            at = position
        elif isinstance(known_at, dt.datetime):
            instant = known_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
            at = min(fact_queries.position_known_at(cursor, prefix, instant), position)
        else:
            at = min(known_at, position)
        seen = Seen(at, reported_by, fact_queries.withdrawn_documents(cursor, prefix, at, reported_by))
        return prefix, position, dataclasses.replace(seen, merged=fact_queries.merges(cursor, prefix, seen))


def _disputes(cursor: Cursor, prefix: str, seen: Seen, subject: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The one definition of a dispute: a claim naming the subject, in effect at any date, that disputes the claim
    that stands among those it competes with; each beside that record. With the names the two call the subjects."""
    states = [s for s in fact_queries.states_referencing(cursor, prefix, subject, seen) if not s.retracted]
    slots = sorted({rating_slot(s) for s in states if s.type == "rating.published"})
    rivals = fact_queries.claims_in_slots(cursor, prefix, slots, seen, None)
    rivals += fact_queries.linked(cursor, prefix, [*states, *rivals], seen)
    named = fact_queries.naming_facts(cursor, prefix, {name for s in [*states, *rivals] for name in s.refs} | {subject}, seen)
    claims = claims_in_effect([*states, *rivals], None)
    names = names_in_force(named, None)
    by_id = {s.id: s for s in [*rivals, *states]}
    disputed = [
        {"claim": fact_json(s, None, names), "record": fact_json(by_id[claims[s.id]["standing"]["fact"]], None, names)}
        for s in sorted({s.id: s for s in states}.values(), key=lambda s: s.sort_key)
        if claims.get(s.id, {}).get("disputes")
    ]
    return names, disputed


def _known(cursor: Cursor, prefix: str, subject: str) -> None:
    """Refuse a subject no fact has ever named: a typo (`force/clevland`) must not read as a subject with nothing
    recorded. One that the log names is known at every `as_of`, `known_at` and `reported_by`, even those before
    its first fact (it then has nothing to show), so that moving back in time never turns a subject into a 404."""
    if not fact_queries.is_named(cursor, prefix, subject):
        raise UnknownSubject(subject)


def _claim(claims: dict[str, dict[str, Any]], fact_id: str) -> dict[str, Any]:
    return {"claim": claims[fact_id]} if fact_id in claims else {}


def _framework(state: FactState, frameworks: Frameworks) -> dict[str, Any]:
    return {"framework": judged(state.data, frameworks)} if state.type == "rating.published" else {}


def _ratings_at(cursor: Cursor, prefix: str, subject: str, seen: Seen) -> dict[str, Any]:
    """A subject's standing grade per area as the log stood at `seen` (no `as_of`)."""
    frameworks = fact_queries.frameworks(cursor, prefix, seen.position)
    ratings = subject_status(facts_for_status(cursor, prefix, subject, seen, None), subject, None, frameworks)["ratings"]
    return {pillar: {"grade": r["grade"], "inspection": r["inspection"], "fact": r["fact"]} for pillar, r in ratings.items()}


def _envelope(position: int, seen: Seen, as_of: dt.date | None) -> dict[str, Any]:
    return {
        "position": position,
        "known_at": seen.position,
        "as_of": as_of.isoformat() if as_of else None,
        "reported_by": seen.reported_by.isoformat() if seen.reported_by else None,
    }


def encode_cursor(key: tuple[str, str, int], known_at: int) -> str:
    """An opaque cursor that pins `known_at`, so later writes neither shift nor repeat pages."""
    return base64.urlsafe_b64encode(orjson.dumps({"k": list(key), "p": known_at})).decode().rstrip("=")


def encode_position_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"a": position})).decode().rstrip("=")


def decode_position_cursor(token: str) -> int:
    try:
        after = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["a"]
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidQuery("cursor is not one this service issued") from None
    if type(after) is not int or not 0 <= after < 2**63:
        raise InvalidQuery("cursor is not one this service issued")
    return after


def decode_cursor(token: str) -> tuple[tuple[str, str, int], int]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        lower, upper, position = data["k"]
        known_at = data["p"]
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidQuery("cursor is not one this service issued") from None
    # Positions are 64-bit in both stores: a forged 1e29 would fail in the database, not here.
    if not all(type(n) is int and 0 <= n <= MAX_POSITION for n in (position, known_at)):
        raise InvalidQuery("cursor is not one this service issued")
    return (str(lower), str(upper), position), known_at


