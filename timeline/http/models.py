"""The shapes of what the API answers, as typed models: the OpenAPI document's response schemas come from them.

Rendering stays plain dicts serialised by orjson (a model per answer would cost every read; see docs/api.md,
"Models"); these models are what those dicts promise, and tests/e2e/test_response_models.py checks every
route's real answers against the schemas generated from them. Request bodies are the vocabulary's JSON
Schemas (timeline/schemas.py), which also validate them.

`Closed` shapes list every field a rendering writes; `Open` ones (facts' content, sources as recorded) list
what is always there and may carry more, as the records they come from may.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from timeline.facts import FactType, SourceKind


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


Because = Literal["erred", "source-revised", "source-retracted"]
InEffect = Literal["certain", "possible"]
Day = str  # an ISO 8601 day, 2017-03-02
EDTF = str  # an EDTF date, 2017-03 or 2016~


class Source(Open):
    """A fact's source as recorded: who published it, where, when, and the quote."""

    publisher: str
    url: str
    published: EDTF
    kind: SourceKind
    document: str | None = Field(default=None, description="slug of the stored document holding the quote")
    document_version: int | None = None
    quote: str | None = None


class Problem(Closed):
    """RFC 9457 problem details; `errors` names each failing field of a refused body."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "type": "about:blank", "title": "Unprocessable Content", "status": 422,
            "detail": "the record is invalid; nothing was stored",
            "errors": [{"field": "occurred", "message": "'2017-13' is not a valid EDTF date"}],
        }]},
    )

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = Field(default=None, description="422 and some 400s: every failing field")
    subject: str | None = Field(default=None, description="404: the subject no fact names")
    available: list[str] | None = Field(default=None, description="406: the media types the resource is available as")
    index: int | None = Field(default=None, description="409 in a batch: which record")
    current_version: int | None = Field(default=None, description="409 for a stale version: the fact's current one")
    redaction: RedactionNote | None = Field(default=None, description="410: the redaction that took the record's content down")


class RedactionNote(Open):
    position: int
    reason: str


class FieldProblem(Closed):
    field: str = Field(description="the field's path, e.g. data.grade, or (record)")
    message: str
    index: int | None = Field(default=None, description="the record's index in a batch")


class Receipt(Closed):
    """What a write answers: where the record now is in the log."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "fact", "id": "7529703d-525c-53c7-b8c6-a41120c7ebdd", "version": 1, "position": 31,
        "recorded_at": "2026-11-26T10:00:00.000000+00:00", "created": True,
    }]})

    kind: Literal["fact", "document"]
    id: str
    version: int
    position: int = Field(description="the log position of the write: pass it as min_position to another server")
    recorded_at: str = Field(description="record time, assigned by the store (UTC)")
    created: bool = Field(description="false: a re-send, answered with the original")


class Receipts(Closed):
    receipts: list[Receipt]


class Version(Closed):
    version: int
    position: int
    recorded_at: str
    change: Literal["recorded", "corrected", "retracted"]
    reason: str | None
    because: Because | None


class FactContent(Closed):
    """A fact's content as it was recorded (see the Fact request schema)."""

    type: FactType
    subject: str
    occurred: EDTF
    data: dict[str, Any]
    mentions: list[str]
    source: Source
    sources: list[Source] | None = Field(default=None, description="every source, when there are several")
    disputes: list[str] | None = None
    supports: list[str] | None = None


class StoredFact(FactContent):
    """A fact as it stands, with every version's position, record time and reason."""

    id: str
    version: int
    retracted: bool
    occurred_bounds: list[Day] = Field(min_length=2, max_length=2)
    history: list[Version]


class DocumentVersion(Closed):
    version: int
    position: int
    recorded_at: str
    reason: str | None
    revised: EDTF | None
    because: Because | None
    sha256: str


class DocumentWithdrawal(Closed):
    reason: str
    position: int
    recorded_at: str
    withdrawn: EDTF | None


class StoredDocument(Closed):
    """A document's version with its text, and the history of its versions."""

    id: str
    version: int
    title: str | None
    publisher: str
    url: str
    archived_url: str | None
    published: EDTF
    kind: SourceKind
    sha256: str
    text: str
    versions: list[DocumentVersion]
    withdrawn: DocumentWithdrawal | None


class Name(Closed):
    """A subject's name as of the date, from its latest subject.named fact."""

    name: str
    short_name: str | None
    aliases: list[str]
    fact: str


class ViewAt(BaseModel):
    """The times a view answers at."""

    position: int = Field(description="the log position the answer reflects")
    known_at: int = Field(description="record time: the log position the view was read at")
    as_of: Day | None = Field(description="valid time asked, as a day")
    reported_by: Day | None = Field(description="publication time asked, as a day")


class SubjectEntry(Closed):
    id: str
    kind: str
    facts: int
    name: Name | None
    aliases: list[str] | None = Field(default=None, description="other ids merged into it")


class Subjects(ViewAt, Closed):
    subjects: list[SubjectEntry]
    next_after: str | None = Field(description="the last id of this page, when more follow")


class SubjectLinks(Closed):
    status: str
    timeline: str
    statements: str


class Subject(ViewAt, Closed):
    id: str
    kind: str
    name: Name | None
    facts: int
    types: dict[str, int] = Field(description="how many facts of each type name it")
    first_occurred: EDTF | None
    last_occurred: EDTF | None
    aliases: list[str]
    links: SubjectLinks


class Claim(Closed):
    """A claim in brief, with its source: a rating's grade and inspection, a figure's value and unit."""

    headline: str
    occurred: EDTF
    occurred_label: str
    fact: str
    source: Source
    sources: list[Source]
    grade: str | None = None
    inspection: str | None = None
    value: float | None = None
    unit: str | None = None


class ClaimStanding(Closed):
    """Where a fact stands among the claims it competes with."""

    stands: bool
    disputes: bool
    disputed_by: list[Claim]
    standing: Claim | None = Field(default=None, description="the claim that stands, when this one does not")


class Judgement(Closed):
    """Whether a rating's framework edition knows its area and grade."""

    edition: str | None
    name: str | None
    scale: str | None = None
    supported: bool | None
    why: str | None


class ViewFact(FactContent):
    """A fact as views show it: its content, where it stands in the log, and whether it is in effect."""

    id: str
    version: int
    headline: str
    occurred_bounds: list[Day]
    occurred_label: str
    possible_days: list[Day]
    expected_bounds: list[Day] | None = Field(default=None, description="a pending decision's expected date: its first and last possible day")
    expected_label: str | None = Field(default=None, description="a pending decision's expected date in words, e.g. spring 2017")
    in_effect: InEffect | None = Field(description="certain, possible, or null: not yet in effect as of the date, or retracted")
    position: int
    recorded_at: str
    version_position: int
    retracted: bool
    withdrawn_sources: list[str]
    discredited: bool
    history: list[Version] | None = None
    claim: ClaimStanding | None = None
    framework: Judgement | None = None


class PreviousRating(Claim):
    disputed_by: list[Claim]


class Rating(Claim):
    """A graded area's standing grade on a status card."""

    framework: Judgement
    disputed_by: list[Claim]
    change: Literal["up", "down", "same", "first", "not-comparable"]
    previous: PreviousRating | None


class PendingDecision(Closed):
    decision: str
    title: str
    decider: str
    expected: EDTF | None
    expected_label: str | None
    overdue: bool
    fact: str
    source: Source
    sources: list[Source]


class Decision(Closed):
    decision: str
    outcome: str
    decider: str | None
    decided: EDTF
    decided_label: str
    fact: str
    source: Source
    sources: list[Source]


class Findings(Closed):
    report: str
    findings: list[ViewFact]


class Role(Closed):
    person: str
    role: str
    organisation: str
    governs: str | None
    from_: EDTF | None = Field(alias="from")
    to: EDTF | None
    from_label: str | None
    to_label: str | None
    ended: str | None
    attested: EDTF
    fact: str
    source: Source
    sources: list[Source]
    disputed_by: list[Claim] = Field(description="claims that dispute it")


class MonitoringChange(Closed):
    state: str
    occurred: EDTF
    fact: str


class Monitoring(Closed):
    state: str
    since: EDTF
    since_label: str
    inspectorate: str
    fact: str
    source: Source
    sources: list[Source]
    history: list[MonitoringChange]


class Status(ViewAt, Closed):
    """A subject's status card as of a date."""

    subject: str
    name: Name | None
    names: dict[str, Name] = Field(description="the name of each subject named, by id")
    ratings: dict[str, Rating] = Field(description="the standing grade per graded area, by area")
    pending_decisions: list[PendingDecision]
    decisions: list[Decision]
    statements: list[ViewFact]
    findings: Findings | None
    roles: list[Role]
    former_roles: list[Role]
    monitoring: Monitoring | None
    possible: list[ViewFact] = Field(description="facts that may, but need not yet, have happened by as_of")


class Timeline(ViewAt, Closed):
    subject: str
    name: Name | None
    names: dict[str, Name]
    facts: list[ViewFact]
    next_cursor: str | None = Field(description="pass as cursor for the next page")


class TimelineJSDate(Open):
    year: int


class TimelineJSText(Open):
    headline: str | None = None
    text: str | None = None


class TimelineJSEvent(Open):
    start_date: TimelineJSDate
    text: TimelineJSText


class TimelineJSTitle(Open):
    text: TimelineJSText


class TimelineJS(Open):
    """A timeline as TimelineJS 3 JSON (format=timelinejs)."""

    title: TimelineJSTitle | None = None
    events: list[TimelineJSEvent]


class Statement(Closed):
    id: str
    speaker: str
    role: str | None
    stance: str
    summary: str
    quote: str | None
    about: str
    mentions: list[str]
    occurred: EDTF
    source: Source
    sources: list[Source]
    position: int


class Statements(ViewAt, Closed):
    subject: str
    by: list[Statement] = Field(description="what the subject said")
    about: list[Statement] = Field(description="what was said about it")


class Dispute(Closed):
    claim: ViewFact = Field(description="a claim that disputes what stands")
    record: ViewFact = Field(description="the claim that stands")


class Disputes(ViewAt, Closed):
    subject: str
    name: Name | None
    disputes: list[Dispute]


class RatingRow(Claim):
    subject: str
    pillar: str
    framework: Judgement
    disputed_by: list[Claim]


class EditionBrief(Closed):
    edition: str
    name: str
    scale: str


class Ratings(ViewAt, Closed):
    pillar: str | None
    inspection: str | None
    framework: EditionBrief | None = Field(description="the inspection's framework edition")
    covered: int = Field(description="how many subjects have a rating in this inspection")
    covers: int | None = Field(description="how many subjects each inspection of the edition covers")
    ratings: list[RatingRow]
    counts: dict[str, int] = Field(description="how many subjects have each grade, in the edition's order")


class Area(Closed):
    id: str
    name: str


class EditionSource(Closed):
    publisher: str
    url: str
    published: EDTF
    kind: SourceKind


class FrameworkEdition(Closed):
    """An inspection framework edition: graded areas, grades best first, states, scale."""

    id: str
    name: str
    inspectorate: str
    inspections: list[str]
    areas: list[Area]
    grades: list[str]
    states: list[str] | None = None
    scale: str
    overall: bool | None = None
    covers: int | None = None
    source: EditionSource
    note: str | None = None


class Frameworks(ViewAt, Closed):
    frameworks: list[FrameworkEdition]


class Withdrawn(Closed):
    reason: str
    withdrawn: EDTF | None = Field(description="when the source withdrew it, if known")


class DocumentBrief(Closed):
    """A document's latest version as known at the time asked (its text is at /v1/documents/{id})."""

    id: str
    version: int
    title: str | None
    publisher: str
    url: str
    archived_url: str | None
    published: EDTF
    kind: SourceKind
    sha256: str
    length: int = Field(description="the text's length in characters")
    position: int = Field(description="the log position of this version")
    recorded_at: str
    reason: str | None = Field(description="why this version, for a revision")
    withdrawn: Withdrawn | None = Field(description="set once its source withdrew it")


class SourceDocument(DocumentBrief):
    cited_by: list[str] = Field(description="ids of standing facts citing it")


class Sources(ViewAt, Closed):
    documents: list[SourceDocument]


class FoundSubject(Closed):
    id: str
    kind: str
    name: Name | None
    aliases: list[str]


class Search(ViewAt, Closed):
    """Facts, subjects and documents holding every word searched for."""

    terms: list[str] = Field(description="the words searched for, folded (the last one as a prefix)")
    subjects: list[FoundSubject] = Field(description="subjects with a name, short name, alias or id holding every word (at most 100)")
    documents: list[DocumentBrief] = Field(description="documents whose title, publisher or text holds every word (at most 100)")
    facts: list[ViewFact] = Field(description="a page of facts holding every word, latest first by valid time")
    next_cursor: str | None


class ReviewRating(Open):
    alternateName: str = Field(description="the verdict")


class ClaimReview(Open):
    """A dispute as a schema.org ClaimReview: a JSON-LD document of its own."""

    context: Literal["https://schema.org"] = Field(alias="@context")
    type: Literal["ClaimReview"] = Field(alias="@type")
    url: str
    claimReviewed: str  # schema.org's names
    datePublished: str
    author: dict[str, Any]
    itemReviewed: dict[str, Any]
    reviewRating: ReviewRating


class ClaimReviews(Closed):
    position: int
    known_at: int
    reported_by: Day | None
    subject: str | None = Field(default=None, description="with subject=: the subject")
    next_after: str | None = Field(default=None, description="without subject=: where the next page of subjects starts")
    claim_reviews: list[ClaimReview] = Field(description="each dispute as a schema.org ClaimReview")


class ExportedFact(FactContent):
    """A fact as its latest version says, as `timeline load` takes it back (with its version)."""

    id: str
    version: int


class Facts(ViewAt, Closed):
    """Every fact not retracted, in log order."""

    subject: str | None = Field(description="with subject=: the subject")
    facts: list[ExportedFact]


class Change(ViewFact):
    change: Literal["recorded", "corrected", "retracted"]
    reason: str | None
    changed_at: int = Field(description="the log position of the change")
    changed_at_time: str


class GradeAt(Closed):
    grade: str
    inspection: str
    fact: str


class RatingsMoved(Closed):
    subject: str
    before: dict[str, GradeAt]
    after: dict[str, GradeAt]


class Changes(Closed):
    position: int
    since: int
    until: int
    subject: str | None
    changes: list[Change] = Field(description="versions recorded after since, up to until, in log order")
    subjects: list[RatingsMoved] = Field(description="each subject touched whose ratings moved: before and after, per area")
    next_cursor: str | None


class DocumentEventBody(Closed):
    title: str | None
    publisher: str
    url: str
    archived_url: str | None
    published: EDTF
    kind: SourceKind
    sha256: str


class Event(Closed):
    """One log event: its position, record time, name, record id and version, and what it says."""

    position: int
    recorded_at: str
    event: str = Field(description="fact.recorded, fact.corrected, fact.retracted, document.recorded, ...")
    id: str
    version: int
    by: str | None = Field(default=None, description="the name of the token that wrote it")
    fact: FactContent | None = None
    document: DocumentEventBody | None = None
    framework: dict[str, Any] | None = None
    reason: str | None = None
    because: Because | None = None
    revised: EDTF | None = None
    withdrawn: EDTF | None = None


class Events(Closed):
    events: list[Event]
    head: int = Field(description="the log's head when the page was read")
    next_after: int = Field(description="where the next page starts")


class ViewPosition(Closed):
    position: int
    lag: int


class ChainHead(Closed):
    position: int
    link: str


class Projector(Closed):
    """Where the projections run (`--projector`), and whether they are running."""

    mode: Literal["thread", "process"]
    alive: bool
    pid: int | None  # the projector process's, while it runs
    deaths: int  # times the projector process ended unasked
    restarts: int  # times it was started again after one


class Health(Closed):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ok", "projector": {"mode": "thread", "alive": True, "pid": None, "deaths": 0, "restarts": 0},
        "facts": 97, "position": 123,
        "views": {"documents": {"position": 123, "lag": 0}, "facts": {"position": 123, "lag": 0}},
        "chain": {"position": 123, "link": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
    }]})

    status: Literal["ok", "degraded"]  # degraded: the projector process is down (being started again)
    projector: Projector
    facts: int
    position: int
    views: dict[str, ViewPosition]
    chain: ChainHead


class Projection(Closed):
    name: str
    position: int
    lag: int
    rebuilding: bool


class Projections(Closed):
    head: int
    projections: list[Projection]


class Rebuilding(Closed):
    name: str
    rebuilding: bool


# Every answer's model, by the name the document gives it.
RESPONSES: tuple[type[BaseModel], ...] = (
    Problem, Receipt, Receipts, StoredFact, StoredDocument, Subjects, Subject, Status, Timeline, TimelineJS,
    Statements, Disputes, Ratings, Frameworks, Sources, Changes, Event, Events, Health, Projections, Rebuilding,
    Search, ClaimReviews, Facts,
)
