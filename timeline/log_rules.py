"""The rules a record must keep to enter the log, applied to an imported log's events one by one.

`timeline load` and the API validate records as they come in; an export skips that door, so
`timeline import` checks each event against the same rules instead. Each event is first decoded by
the mapper, which upcasts an older version of its class to the current shape (a `Fact.Recorded` of
version 1 gains empty `disputes` and `supports`, as every reader of the log sees it); the record
it stands for is then rebuilt and validated by the vocabulary (`timeline.parsing`): a URL that
is not http(s), a subject that is not `kind/slug`, a date that is not EDTF, a document whose text
does not match its sha256. What the writer checks against the log is checked against the file's
earlier lines: each source's quote must occur in the version of its document it cites, recorded before it; links name facts recorded
before, never the fact itself; a correction keeps its fact's type; nothing changes a retracted
fact; a document's or framework's id is the one its slug gives. An event purged by a redaction
(timeline.redactions) is only a digest: `purged` notes its record, whose quotes and links can no
longer be checked and are taken as they were when the writer checked them; nothing follows a redaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from timeline.dates import InvalidDate, parse_bounded
from timeline.errors import FieldError, InvalidRecord
from timeline.fact_bodies import fact_body
from timeline.facts import Because, Fact, FactContent, FactType, content_of
from timeline.frameworks import Framework, framework_aggregate_id
from timeline.parsing import (
    parse_document,
    parse_fact,
    parse_framework,
    validate_redaction,
    validate_retraction,
    validate_withdrawal,
)
from timeline.sources import Document, DocumentRevision, document_aggregate_id, normalise_for_quoting


class LogRules:
    """Checks a log's events in order; `check` raises InvalidRecord naming every field that breaks a rule."""

    def __init__(self) -> None:
        self._documents: dict[str, list[str]] = {}  # slug: each version's text normalised for quoting, once
        self._facts: dict[UUID, FactType] = {}  # every fact recorded so far: its type
        self._retracted: set[UUID] = set()
        self._withdrawn: set[str] = set()  # documents withdrawn by their sources: final
        self._purged: set[UUID] = set()  # records with events purged by a redaction: facts and documents, by id
        self._redacted: set[UUID] = set()  # records redacted: final

    def purged(self, record_id: UUID) -> None:
        """An event of this record was purged by its redaction: what it said cannot be checked."""
        if record_id in self._redacted:
            raise InvalidRecord([FieldError("id", f"{record_id} was redacted on an earlier line: nothing follows it")])
        self._purged.add(record_id)

    def check(self, event: Any) -> None:
        if event.originator_id in self._redacted:
            raise InvalidRecord([FieldError("id", f"{event.originator_id} was redacted on an earlier line: nothing follows it")])
        if isinstance(event, Fact.Redacted | Document.Redacted):
            self._redaction(event)
        elif isinstance(event, Fact.Recorded | Fact.Corrected | Fact.Retracted):
            self._fact(event)
        elif isinstance(event, Document.Recorded | Document.Revised):
            self._document(event)
        elif isinstance(event, Document.Withdrawn):
            self._withdrawal(event)
        elif isinstance(event, Framework.Defined | Framework.Revised):
            self._framework(event)

    def _redaction(self, event: Fact.Redacted | Document.Redacted) -> None:
        _valid(lambda: validate_redaction({"reason": event.reason}))
        record = event.originator_id
        if isinstance(event, Document.Redacted):
            if record != document_aggregate_id(event.slug):
                raise InvalidRecord([FieldError("id", f"is not the id of document {event.slug!r} ({document_aggregate_id(event.slug)})")])
            known = event.slug in self._documents or record in self._purged
        else:
            known = record in self._facts or record in self._purged
        if not known:
            raise InvalidRecord([FieldError("id", f"{record} is not a record recorded earlier in the file")])
        self._redacted.add(record)

    def _fact(self, event: Fact.Recorded | Fact.Corrected | Fact.Retracted) -> None:
        fact_id = event.originator_id
        if isinstance(event, Fact.Recorded):
            content = self._content(fact_id, event)
            self._facts[fact_id] = content.type
            return
        if fact_id not in self._facts:
            raise InvalidRecord([FieldError("id", f"{fact_id} is not a fact recorded earlier in the file (or its record was purged)")])
        if fact_id in self._retracted:
            raise InvalidRecord([FieldError("id", f"fact {fact_id} was retracted on an earlier line: nothing changes it after")])
        if isinstance(event, Fact.Retracted):
            _valid(lambda: validate_retraction({"reason": event.reason, "because": event.because.value}))
            self._retracted.add(fact_id)
            return
        # A reason, as a correction's is, and a kind that agrees with its date: only a source's revision is dated.
        _valid(lambda: validate_retraction({"reason": event.reason}))
        if (event.because == Because.SOURCE_REVISED) != (event.revised is not None):
            raise InvalidRecord([FieldError("because", f"{event.because.value} does not agree with revised {event.revised}")])
        content = self._content(fact_id, event)
        if content.type != self._facts[fact_id]:
            raise InvalidRecord([FieldError("fact_type", f"a correction cannot change a fact's type ({self._facts[fact_id]} to {content.type})")])
        if event.revised is not None:
            try:
                parse_bounded(event.revised.edtf)
            except InvalidDate as error:
                raise InvalidRecord([FieldError("revised", str(error))]) from None

    def _content(self, fact_id: UUID, event: Fact.Recorded | Fact.Corrected) -> FactContent:
        """The event's content, valid as a record (parsed as the API would parse it) and consistent with the file so far."""
        content = content_of(event)
        _valid(lambda: parse_fact(_record(fact_id, content)))
        errors = []
        several = len(content.sources) > 1
        for number, source in enumerate(content.sources):
            if source.document is None:
                continue
            field = f"sources.{number}" if several else "source"
            if document_aggregate_id(source.document) in self._purged:
                continue  # its text was taken down: the quote was checked against it when the fact was written
            versions = self._documents.get(source.document)
            cited = source.document_version or 1
            if versions is None:
                errors.append(FieldError(f"{field}.document", f"no document {source.document!r} is recorded earlier in the file"))
            elif cited > len(versions):
                errors.append(FieldError(f"{field}.document_version", f"document {source.document!r} has {len(versions)} versions earlier in the file"))
            elif source.quote is not None and normalise_for_quoting(source.quote) not in versions[cited - 1]:
                errors.append(FieldError(f"{field}.quote", f"this quote does not occur in document {source.document!r} (version {cited})"))
        for field, linked in (("disputes", content.disputes), ("supports", content.supports)):
            for other in linked:
                if UUID(other) == fact_id:
                    errors.append(FieldError(field, "a fact cannot dispute or support itself"))
                elif UUID(other) not in self._facts and UUID(other) not in self._purged:
                    errors.append(FieldError(field, f"no fact {other} is recorded earlier in the file"))
        if errors:
            raise InvalidRecord(errors)
        return content

    def _document(self, event: Document.Recorded | Document.Revised) -> None:
        record = {
            "type": "document", "id": event.slug, "publisher": event.publisher, "url": event.url,
            "published": event.published.edtf, "kind": event.kind.value, "text": event.text, "sha256": event.sha256,
        }
        for optional in ("title", "archived_url"):
            if getattr(event, optional) is not None:
                record[optional] = getattr(event, optional)
        if isinstance(event, Document.Revised):
            record["reason"], record["because"] = event.reason, event.because.value
            if event.revised is not None:
                record["revised"] = event.revised.edtf
        parsed = _valid(lambda: parse_document(record))
        slug = event.slug
        if event.originator_id != document_aggregate_id(slug):
            raise InvalidRecord([FieldError("id", f"is not the id of document {slug!r} ({document_aggregate_id(slug)})")])
        if slug in self._withdrawn:
            raise InvalidRecord([FieldError("id", f"document {slug!r} was withdrawn on an earlier line: nothing changes it after")])
        versions = self._documents.setdefault(slug, [])
        if len(versions) + 1 != event.originator_version:
            raise InvalidRecord([FieldError("version", f"document {slug!r} has {len(versions)} versions earlier in the file")])
        text = parsed.content.text if isinstance(parsed, DocumentRevision) else parsed.text
        versions.append(normalise_for_quoting(text))

    def _withdrawal(self, event: Document.Withdrawn) -> None:
        record = {"reason": event.reason} | ({"withdrawn": event.withdrawn.edtf} if event.withdrawn is not None else {})
        _valid(lambda: validate_withdrawal(record))
        versions = self._documents.get(event.slug)
        if versions is None or event.originator_id != document_aggregate_id(event.slug):
            raise InvalidRecord([FieldError("id", f"no document {event.slug!r} is recorded earlier in the file")])
        if event.slug in self._withdrawn or event.originator_version != len(versions) + 1:
            raise InvalidRecord([FieldError("version", f"document {event.slug!r} cannot be withdrawn at version {event.originator_version}")])
        self._withdrawn.add(event.slug)

    def _framework(self, event: Framework.Defined | Framework.Revised) -> None:
        framework = _valid(lambda: parse_framework({"type": "framework", "id": event.slug, **event.definition}))
        if event.originator_id != framework_aggregate_id(framework.slug):
            raise InvalidRecord([FieldError("id", f"is not the id of framework edition {framework.slug!r}")])


def _record(fact_id: UUID, content: FactContent) -> dict[str, Any]:
    """The record a fact's content was parsed from, as a client would have sent it."""
    return {"id": str(fact_id), **fact_body(content)}


def _valid(parse: Any) -> Any:
    """What `parse` returns; its refusal without the index a batch would give (a line is one record)."""
    try:
        return parse()
    except InvalidRecord as refused:
        raise InvalidRecord([FieldError(e.field, e.message) for e in refused.errors]) from None
