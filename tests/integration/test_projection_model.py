"""Views against a model: random record / correct / retract / restart / rebuild on real stores.

After every step each view, asked at a random `as_of` and `known_at`, must equal what
tests/oracle.py computes naively from the log. Rebuilding, re-delivering tracked events
and failing mid-batch must leave the views exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import tempfile
import uuid
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, precondition, rule

from projections import all_projections, fact_queries, fact_tables, ready_status, standing
from projections.fact_queries import Seen
from projections.runner import ProjectionRunner, live_prefix
from projections.status import LATEST_STATEMENTS, subject_status
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from tests import oracle
from tests.conftest import _POSTGRES_SKIP, POSTGRES_URL
from tests.tables import dump_view
from timeline.application import Timeline
from timeline.dates import parse_valid_time
from timeline.errors import Conflict, FactRetracted, StaleVersion, UnknownSubject
from timeline.fact_bodies import corrected_body, fact_body
from timeline.parsing import parse_record
from timeline.seed import sync_frameworks
from timeline.storage.postgres import conninfo

FORCES = ["force/alpha", "force/beta"]
PEOPLE = ["person/pat", "person/sam"]
DECISIONS = ["decision/formula"]
REPORTS = ["report/r1", "report/r2"]  # two, so that a status listing another report's findings is caught
ALL_SUBJECTS = {*FORCES, *PEOPLE, *DECISIONS, *REPORTS, "org/hmic", "org/home-office"}
DOCUMENT_TEXT = "The force was rated inadequate. Its chief said the rating was unfair. Funding is due this spring."
QUOTES = ["rated inadequate", "the rating was unfair", "Funding is due this spring"]
SEARCHED = ["unfair", "funding", "rated"]  # words only quotes hold (a search also reads data, subjects, publishers)
EDTF = ["2015", "2016-02-18", "2016", "2016~", "2017-03", "2017-03-02", "2017-21", "2018-03-22"]
AS_OF = [None, dt.date(2016, 1, 1), dt.date(2016, 6, 1), dt.date(2016, 12, 31), dt.date(2017, 3, 3), dt.date(2017, 6, 1), dt.date(2020, 1, 1)]
# Publication and revision days close together, so that reported_by often falls between them.
# Some are not days: an undated page known only to a month or a span is public from its last possible day.
PUBLISHED = ["2016-02-18", "2017-03-01", "2017-03-02", "2017-03-05", "2017-03-01/2017-03-03", "2017-02"]
REVISED = ["2017-03", "2017-03-02", "2017-03-04", "2017-03-06"]
ROLE_DATES = ["2015", "2016-06", "2016~", "2017-03-02", "2019"]
REPORTED_BY = [None, dt.date(2016, 2, 18), dt.date(2017, 3, 1), dt.date(2017, 3, 2), dt.date(2017, 3, 4), dt.date(2017, 3, 6), dt.date(2017, 4, 1)]


def source(kind: str, quote: str | None, published: str) -> dict:
    if quote:  # a source citing the document says what the document says of itself
        return {"publisher": "Somebody", "url": "https://example.org/x", "published": "2017-03-02", "kind": "press",
                "document": "doc", "quote": quote}  # fmt: skip
    return {"publisher": "Somebody", "url": "https://example.org/x", "published": published, "kind": kind}


facts = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("rating.published"),
            "subject": st.sampled_from(FORCES),
            "data": st.fixed_dictionaries(
                {
                    "pillar": st.sampled_from(["effectiveness", "legitimacy"]),
                    "grade": st.sampled_from(oracle.GRADES),
                    # More slots than a status shows (the latest two per pillar), so that its reads stop early.
                    "inspection": st.sampled_from(["PEEL 2014", "PEEL 2015", "PEEL 2016", "PEEL 2017"]),
                    "inspectorate": st.just("org/hmic"),
                }
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("statement.made"),
            "subject": st.sampled_from(FORCES),
            "data": st.fixed_dictionaries(
                {"speaker": st.sampled_from(PEOPLE), "stance": st.sampled_from(["disputes", "welcomes"]), "summary": st.just("said so")}
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["decision.pending", "decision.made"]),
            "subject": st.sampled_from(DECISIONS),
            "mentions": st.lists(st.sampled_from(FORCES), unique=True, max_size=2),
        }
    ).map(
        lambda f: f
        | {"data": {"title": "formula", "decider": "org/home-office"} if f["type"] == "decision.pending" else {"outcome": "decided"}}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("finding.reported"),
            "subject": st.sampled_from(FORCES),
            "data": st.fixed_dictionaries(
                {"report": st.sampled_from(REPORTS), "nature": st.sampled_from(["concern", "strength"]), "summary": st.just("found")}
            ),
            "mentions": st.lists(st.sampled_from(FORCES), unique=True, max_size=1),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("role.held"), "subject": st.sampled_from(PEOPLE), "data": st.fixed_dictionaries(
            {"role": st.sampled_from(["Chief", "Commissioner"]), "organisation": st.sampled_from(FORCES)},
            # A role runs from `from` to `to`, whatever day the source attests it on.
            optional={"from": st.sampled_from(ROLE_DATES[:3]), "to": st.sampled_from(ROLE_DATES[2:])},
        )}
    ),
).flatmap(
    lambda f: st.fixed_dictionaries(
        {
            "occurred": st.sampled_from(EDTF),
            "source": st.builds(
                source, st.sampled_from(["official", "press", "statement"]), st.none() | st.sampled_from(QUOTES), st.sampled_from(PUBLISHED)
            ),
        }
    ).map(lambda extra: f | extra | {"id": str(uuid.uuid4())})
)


# Facts without a slot: they compete only when a source links them.
unslotted = facts.filter(lambda f: f["type"] not in ("rating.published", "figure.reported"))


class ViewsMatchTheModel(RuleBasedStateMachine):
    database_factory = None  # set per backend below

    recorded = Bundle("recorded")

    def __init__(self):
        super().__init__()
        self.database, self.cleanup = type(self).database_factory()
        self.model = oracle.Model()  # what the rules wrote, kept apart from the system under test
        self.open()

    def open(self):
        self.timeline = Timeline(self.database)
        self.store = open_store(self.database)
        self.runner = ProjectionRunner(self.store, self.timeline.log, all_projections(), batch_size=7)
        self.runner.setup()
        self.views = Views(self.store)

    def close(self):
        self.store.close()
        self.timeline.close()

    def teardown(self):
        self.close()
        self.cleanup()

    @initialize(seed=st.integers(0, 2**32))
    def start(self, seed):
        self.random = random.Random(seed)
        sync_frameworks(self.timeline)
        self.document_position = self.timeline.record([parse_record({
            "type": "document", "id": "doc", "publisher": "Somebody", "url": "https://example.org/x",
            "published": "2017-03-02", "kind": "press", "text": DOCUMENT_TEXT,
        })])[0].position

    @rule(target=recorded, bodies=st.lists(facts, min_size=1, max_size=3))
    def record(self, bodies):
        return multiple(*self.record_in_both(bodies))

    def record_in_both(self, bodies):
        records = [parse_record(b) for b in bodies]
        receipts = self.timeline.record(records)
        for record, receipt in zip(records, receipts, strict=True):
            self.model.recorded(receipt.id, receipt.position, record.content)
        return [uuid.UUID(r.id) for r in receipts]

    @rule(
        target=recorded,
        slot=st.tuples(st.sampled_from(FORCES), st.sampled_from(["effectiveness", "legitimacy"]), st.sampled_from(["PEEL 2015", "PEEL 2016"])),
        claims=st.lists(
            st.tuples(
                st.lists(st.tuples(st.sampled_from(["official", "press", "statement"]), st.sampled_from(PUBLISHED)), min_size=1, max_size=2),
                st.sampled_from(oracle.GRADES),
            ),
            min_size=2, max_size=3,
        ),
        occurred=st.sampled_from(EDTF),
    )
    def rival_claims_about_one_slot(self, slot, claims, occurred):
        """Sources that disagree about one grade: the case the standing rule exists for, made common.
        A claim may be reported by several sources: it is as authoritative as the most authoritative,
        and public once the first has published it."""
        force, pillar, inspection = slot
        bodies = [
            {
                "id": str(uuid.uuid4()), "type": "rating.published", "subject": force, "occurred": occurred,
                "data": {"pillar": pillar, "grade": grade, "inspection": inspection, "inspectorate": "org/hmic"},
                "sources": [source(kind, None, published) for kind, published in reported],
            }
            for reported, grade in claims
        ]
        return multiple(*self.record_in_both(bodies))

    @rule(
        target=recorded, first=unslotted,
        others=st.lists(
            st.tuples(st.sampled_from(["disputes", "supports"]), st.sampled_from(["official", "press", "statement"]), st.integers(0, 2)),
            min_size=1, max_size=3,
        ),
        occurred=st.sampled_from(EDTF),
    )
    def sources_disagree_about_one_claim(self, first, others, occurred):
        """A statement, finding, role or decision, then other sources disputing or supporting it or one
        another: the groups the one standing rule decides for every kind of fact, made common."""
        bodies = [first | {"occurred": occurred}]
        for link, kind, to in others:
            linked = bodies[min(to, len(bodies) - 1)]
            bodies.append(first | {"id": str(uuid.uuid4()), "occurred": occurred, "source": source(kind, None, "2017-03-02"), link: [linked["id"]]})
        return multiple(*self.record_in_both(bodies))

    @rule(
        target=recorded, other=recorded, link=st.sampled_from(["disputes", "supports"]),
        kind=st.sampled_from(["official", "press", "statement"]), occurred=st.sampled_from(EDTF), published=st.sampled_from(PUBLISHED),
    )
    def link_a_claim(self, other, link, kind, occurred, published):
        """Another source disputes or supports a recorded statement, finding, role or decision (ratings
        and figures compete by slot already); chains of such links join claims into one group."""
        target = self.model.facts[str(other)][-1].content
        if target.type.value in ("rating.published", "figure.reported"):
            return multiple()
        body = {key: value for key, value in fact_body(target).items() if key not in ("disputes", "supports", "sources")}
        body |= {"id": str(uuid.uuid4()), "occurred": occurred, "source": source(kind, None, published), link: [str(other)]}
        return multiple(*self.record_in_both([body]))

    @rule(
        fact_id=recorded, grade=st.sampled_from(oracle.GRADES), occurred=st.sampled_from(EDTF), stale=st.booleans(),
        revised=st.none() | st.sampled_from(REVISED), published=st.none() | st.sampled_from(PUBLISHED),
    )
    def correct(self, fact_id, grade, occurred, stale, revised, published):
        """A correction mends our record (no `revised`), or follows the source's own revision on a day."""
        versions = self.model.facts[str(fact_id)]
        current = versions[-1]
        changes = {"occurred": occurred}
        if "grade" in current.content.data:
            changes["data"] = current.content.data | {"grade": grade}
        first, *others = fact_body(current.content).get("sources") or [fact_body(current.content)["source"]]
        # The first source's date changes (one citing the document keeps the document's); a fact reported by several keeps the rest.
        if published is not None and "document" not in first:
            changes["sources"] = [first | {"published": published}, *others]
        expected = len(versions) - 1 if stale else len(versions)
        when = parse_valid_time(revised) if revised else None
        if current.retracted:
            with pytest.raises(FactRetracted):
                self.timeline.correct(fact_id, expected, changes, "model correction", when)
        elif stale:
            with pytest.raises(StaleVersion):
                self.timeline.correct(fact_id, expected, changes, "model correction", when)
        else:
            receipt = self.timeline.correct(fact_id, expected, changes, "model correction", when)
            content = parse_record(corrected_body(current.content, changes)).content
            self.model.corrected(str(fact_id), receipt.position, content, when.upper if when else None)

    @rule(fact_id=recorded)
    def retract(self, fact_id):
        versions = self.model.facts[str(fact_id)]
        if versions[-1].retracted:
            with pytest.raises(Conflict):
                self.timeline.retract(fact_id, len(versions), "model retraction")
            return
        receipt = self.timeline.retract(fact_id, len(versions), "model retraction")
        self.model.retracted(str(fact_id), receipt.position)

    @rule(target=recorded, bodies=st.lists(facts, min_size=1, max_size=2))
    def record_then_retract_one(self, bodies):
        """A fact retracted soon after it is recorded: made common, so that every view meets retracted facts
        (left out, or listed when asked for) in most runs, not in a few."""
        fact_ids = self.record_in_both(bodies)
        self.retract(fact_ids[0])
        return multiple(*fact_ids)

    @rule()
    def catch_up(self):
        positions = self.runner.catch_up()
        assert set(positions.values()) == {self.timeline.head()}

    @rule(subject=st.sampled_from(FORCES), bodies=st.lists(facts, min_size=1, max_size=4))
    def paging_neither_skips_nor_repeats_while_facts_are_recorded(self, subject, bodies):
        self.runner.catch_up()
        if not self.model.ever_named(subject, ALL_SUBJECTS, self.runner.positions()["facts"]):
            with pytest.raises(UnknownSubject):
                self.views.timeline(subject, TimelineQuery(limit=2))
            self.record_in_both(bodies)
            return
        first = self.views.timeline(subject, TimelineQuery(limit=2))
        pinned = first["known_at"]
        self.record_in_both([b | {"subject": subject} if b["type"] == "rating.published" else b for b in bodies])
        self.runner.catch_up()
        ids, token = [f["id"] for f in first["facts"]], first["next_cursor"]
        while token:
            page = self.views.timeline(subject, TimelineQuery(limit=2), cursor_token=token)
            assert page["known_at"] == pinned
            ids, token = ids + [f["id"] for f in page["facts"]], page["next_cursor"]
        model = self.model.known_at(pinned)
        assert ids == [fact_id for fact_id, _ in oracle.timeline_ids(model, subject, None, ALL_SUBJECTS)]

    @rule()
    def refresh_the_ready_statuses(self):
        self.runner.refresh()

    @rule(bodies=st.lists(facts, min_size=1, max_size=2))
    def ready_statuses_computed_before_a_batch_are_kept_after_it(self, bodies):
        """The refresh computes in one transaction and keeps in another: a batch committed between the two must
        leave the answers it moved stale, however late the older answers arrive."""
        self.runner.catch_up()
        projection = self.runner.projections["facts"]
        with self.store.read() as cursor:
            prefix, position = live_prefix(cursor, "facts")
            recomputed, _ = projection.recompute(cursor, prefix, position)
        self.record_in_both(bodies)
        self.runner.catch_up()
        with self.store.write() as cursor:
            projection.store(cursor, prefix, position, recomputed)

    @rule()
    def restart(self):
        self.close()
        self.open()

    @rule(name=st.sampled_from(["facts", "documents", "search"]), part=st.sampled_from([1, 3, fact_tables.SETTLED_PER_PART]))
    def rebuild_equals_incremental_and_a_second_rebuild_changes_nothing(self, name, part):
        self.runner.catch_up()
        incremental = self.dump(name)
        # A rebuild judges standing a part of the facts at a time: small parts split groups of competing claims.
        with mock.patch.object(fact_tables, "SETTLED_PER_PART", part):
            self.runner.rebuild(name)
            assert self.dump(name) == incremental
            self.runner.rebuild(name)
            assert self.dump(name) == incremental

    @rule(name=st.sampled_from(["facts", "documents", "search"]))
    def redelivering_tracked_events_changes_nothing(self, name):
        before, position = self.dump(name), self.runner.positions()[name]
        entries = self.timeline.log(0, position) if position else []
        with self.store.read() as cursor:
            generation = int(live_prefix(cursor, name)[0].rsplit("_g", 1)[1])
        self.runner.apply(name, generation, entries)
        assert (self.dump(name), self.runner.positions()[name]) == (before, position)

    @precondition(lambda self: self.timeline.head() > self.runner.positions()["facts"])
    @rule(fail_after=st.integers(0, 6))
    def a_failure_mid_batch_leaves_view_and_tracking_as_they_were(self, fail_after):
        projection = self.runner.projections["facts"]
        before, position = self.dump("facts"), self.runner.positions()["facts"]
        # Fail inside the first batch, after `fail_after` of its events were applied.
        fail_after = min(fail_after, len(self.timeline.log(position, self.runner.batch_size)) - 1)
        original = projection.apply

        def failing(cursor, prefix, entries):
            original(cursor, prefix, entries[:fail_after])
            raise RuntimeError("injected failure")

        projection.apply = failing
        try:
            with pytest.raises(RuntimeError, match="injected"):
                self.runner.catch_up("facts")
        finally:
            projection.apply = original
        assert (self.dump("facts"), self.runner.positions()["facts"]) == (before, position)

    @invariant()
    def every_view_equals_the_model(self):
        if not hasattr(self, "random"):
            return
        entries = list(self.timeline.iter_log())
        view_position = self.runner.positions()["facts"]
        known = self.random.choice([None, self.random.randint(0, view_position)])
        as_of = self.random.choice(AS_OF)
        reported_by = self.random.choice(REPORTED_BY)
        position = view_position if known is None else known
        model = self.model.known_at(position, reported_by)

        for subject in [*FORCES, *PEOPLE]:
            if not self.model.ever_named(subject, ALL_SUBJECTS, view_position):
                # A subject no fact has named is a 404, at every time; one that is named is known at every time.
                with pytest.raises(UnknownSubject):
                    self.views.status(subject, as_of=as_of, known_at=known, reported_by=reported_by)
                with pytest.raises(UnknownSubject):
                    self.views.timeline(subject, TimelineQuery(as_of=as_of), known_at=known, reported_by=reported_by)
                continue
            status = self.views.status(subject, as_of=as_of, known_at=known, reported_by=reported_by)
            assert status["known_at"] == position
            got = {
                pillar: (r["grade"], r["inspection"], r["change"], r["previous"]["grade"] if r["previous"] else None,
                         sorted(d["grade"] for d in r["disputed_by"]),
                         sorted(d["grade"] for d in r["previous"]["disputed_by"]) if r["previous"] else None)
                for pillar, r in status["ratings"].items()
            }
            pending = sorted(d["decision"] for d in status["pending_decisions"])
            assert {"ratings": got, "pending": pending} == oracle.status_summary(model, subject, as_of, ALL_SUBJECTS)
            # The status reads a few rows; it must say exactly what every fact naming the subject says.
            envelope = {key: status[key] for key in ("position", "known_at", "as_of", "reported_by")}
            assert status == envelope | self.status_from_every_fact(subject, as_of, Seen(position, reported_by))
            include_retracted = self.random.random() < 0.3
            timeline, claims = self.timeline_ids(subject, as_of, known, reported_by, include_retracted)
            assert timeline == oracle.timeline_ids(model, subject, as_of, ALL_SUBJECTS, include_retracted)
            assert claims == oracle.linked_claims(model, subject, as_of, ALL_SUBJECTS)
            assert [s["id"] for s in status["statements"]] == oracle.latest_statements(model, subject, as_of, ALL_SUBJECTS, LATEST_STATEMENTS)
            findings = status["findings"] and (status["findings"]["report"], [f["id"] for f in status["findings"]["findings"]])
            assert findings == oracle.latest_findings(model, subject, as_of)
            held, ended = oracle.roles_held(model, subject, as_of, ALL_SUBJECTS)
            assert sorted((r["person"], r["role"]) for r in status["roles"]) == held
            if len(ended) <= LATEST_STATEMENTS:  # the status lists only the latest few ended roles
                assert sorted((r["person"], r["role"]) for r in status["former_roles"]) == ended

        for pillar in ["effectiveness", "legitimacy"]:
            ratings = self.views.ratings(pillar, as_of=as_of, known_at=known, reported_by=reported_by)
            grades = {row["subject"]: row["grade"] for row in ratings["ratings"]}
            assert (grades, ratings["counts"]) == oracle.ratings_summary(model, pillar, as_of)

        for speaker in PEOPLE:
            if not self.model.ever_named(speaker, ALL_SUBJECTS, view_position):
                with pytest.raises(UnknownSubject):
                    self.views.statements(speaker=speaker, as_of=as_of, known_at=known, reported_by=reported_by)
                continue
            said = self.views.statements(speaker=speaker, as_of=as_of, known_at=known, reported_by=reported_by)["statements"]
            assert [s["id"] for s in said] == oracle.statement_ids(model, speaker, as_of)

        if known is None and reported_by is None:
            # Where each claim stands, kept batch by batch, is what judging every fact again at once says.
            with self.store.read() as cursor:
                prefix, at = live_prefix(cursor, "facts")
                cursor.execute(f"SELECT fact_id, subject, stands, standing, disputes, disputed_by FROM {prefix}_standing")
                kept = {row[0]: tuple(row) for row in cursor.fetchall()}
                assert kept == standing.judged_anew(cursor, prefix, at)
                # Every valid ready default status is what computing it now says (stale ones are computed by reads).
                ready = ready_status.valid(cursor, prefix)
                anew = ready_status.answered_anew(cursor, prefix, at)
                assert ready == {subject: anew[subject] for subject in ready}
            for subject in sorted(anew):
                if anew[subject][0] is not None:  # known_at given, the status is computed
                    assert self.views.status(subject) == self.views.status(subject, known_at=view_position)
            cited = {d["id"]: d["cited_by"] for d in self.views.sources()["documents"]}
            document_known = min(position, self.runner.positions()["documents"]) >= self.document_position
            assert cited == ({"doc": oracle.citations(model).get("doc", [])} if document_known else {})

        word = self.random.choice(SEARCHED)
        assert self.search_ids(word, as_of, known, reported_by) == oracle.search_ids(model, word, as_of)

        # known_at as a record time answers as the log stood at the last event recorded by then.
        fact_entries = [e for e in entries if e.position <= view_position and hasattr(e.event, "fact_type")]
        if fact_entries:
            entry = self.random.choice(fact_entries)
            by_time = self.views.ratings("effectiveness", known_at=entry.event.timestamp)
            assert by_time["known_at"] == entry.position

    def status_from_every_fact(self, subject, as_of, seen):
        with self.store.read() as cursor:
            prefix, _ = live_prefix(cursor, "facts")
            states = fact_queries.states_referencing(cursor, prefix, subject, seen)
            for decision in sorted({s.subject for s in states if s.type.startswith("decision.")} - {subject}):
                states += fact_queries.states_referencing(cursor, prefix, decision, seen)
            frameworks = fact_queries.frameworks(cursor, prefix, seen.position)
            last_day = fact_queries.last_day(cursor, prefix, seen) if as_of is None else None
        return subject_status(states, subject, as_of, frameworks, last_day)

    def timeline_ids(self, subject, as_of, known, reported_by, include_retracted=False):
        """The timeline's (id, in_effect) pages, and what each unslotted claim on it says of its standing."""
        ids, claims, token = [], {}, None
        query = TimelineQuery(as_of=as_of, include_retracted=include_retracted, limit=2)
        while True:
            page = self.views.timeline(subject, query, known_at=known, cursor_token=token, reported_by=reported_by)
            ids += [(f["id"], f["in_effect"]) for f in page["facts"]]
            claims |= {
                f["id"]: (f["claim"]["stands"], f["claim"]["disputes"], sorted(d["fact"] for d in f["claim"]["disputed_by"]))
                for f in page["facts"] if "claim" in f and f["type"] not in ("rating.published", "figure.reported")
            }
            token = page["next_cursor"]
            if token is None:
                return ids, claims

    def search_ids(self, word, as_of, known, reported_by):
        """Every fact a search for the word finds, page after page."""
        ids, token = [], None
        while True:
            page = self.views.search([word], as_of=as_of, known_at=known, reported_by=reported_by, cursor_token=token, limit=2)
            ids += [f["id"] for f in page["facts"]]
            token = page["next_cursor"]
            if token is None:
                return ids

    def dump(self, name):
        return dump_view(self.runner, name)


def sqlite_database():
    folder = tempfile.mkdtemp(prefix="timeline-model-")
    return str(Path(folder) / "timeline.sqlite3"), lambda: shutil.rmtree(folder, ignore_errors=True)


def postgres_database():
    import psycopg

    schema = f"model_{uuid.uuid4().hex[:12]}"

    def drop():
        with psycopg.connect(conninfo(POSTGRES_URL), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return f"{POSTGRES_URL}?schema={schema}", drop


class SQLiteViewsMatchTheModel(ViewsMatchTheModel):
    database_factory = staticmethod(sqlite_database)


class PostgresViewsMatchTheModel(ViewsMatchTheModel):
    database_factory = staticmethod(postgres_database)


# Under the mutation profile (TIMELINE_HYPOTHESIS_PROFILE=mutation, scripts/mutation.sh) the profile's fewer,
# fixed examples: each hand-made SQL mutant runs this test once.
MUTATION = os.environ.get("TIMELINE_HYPOTHESIS_PROFILE") == "mutation"

TestViewsOnSQLite = SQLiteViewsMatchTheModel.TestCase
TestViewsOnSQLite.settings = settings(
    max_examples=settings.get_profile("mutation").max_examples if MUTATION else 30, derandomize=MUTATION,
    stateful_step_count=20, deadline=None,
)

TestViewsOnPostgres = pytest.mark.skipif(bool(_POSTGRES_SKIP), reason=_POSTGRES_SKIP or "")(PostgresViewsMatchTheModel.TestCase)
TestViewsOnPostgres.settings = settings(max_examples=10, stateful_step_count=15, deadline=None)
