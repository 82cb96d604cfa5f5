"""The rules a fact's content must keep with what the log holds: links to facts recorded, and sources that
cite stored documents faithfully. Pure functions of the aggregates read through `find`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from timeline.errors import FieldError, InvalidRecord, Redacted
from timeline.facts import Fact, FactContent, Source
from timeline.sources import Document, DocumentContent, document_aggregate_id, quote_occurs_in_document

Find = Callable[[UUID], Any]  # the aggregate with this id (None: none), as the command sees it; Redacted if purged


def check_links(fact_id: UUID, content: FactContent, find: Find, index: int | None) -> None:
    """A fact disputes or supports only facts recorded already (or earlier in the batch), never itself."""
    for field, linked in (("disputes", content.disputes), ("supports", content.supports)):
        for other in linked:
            if UUID(other) == fact_id:
                raise InvalidRecord([FieldError(field, "a fact cannot dispute or support itself", index)])
            try:
                linked_fact = find(UUID(other))
            except Redacted:
                raise InvalidRecord([FieldError(field, f"fact {other} was redacted: it cannot be linked", index)]) from None
            if not isinstance(linked_fact, Fact):
                raise InvalidRecord([FieldError(field, f"no fact {other} is recorded; record it first", index)])


def check_quotes(content: FactContent, find: Find, index: int | None) -> None:
    """Each source that cites a document says what that document's version says of itself (publisher,
    kind, publication date, address), and its quote occurs in it."""
    several = len(content.sources) > 1
    for number, source in enumerate(content.sources):
        if source.document is None:
            continue
        field = f"sources.{number}" if several else "source"
        try:
            document = find(document_aggregate_id(source.document))
        except Redacted:
            raise InvalidRecord([FieldError(f"{field}.document", f"document {source.document!r} was redacted: it cannot be cited", index)]) from None
        if not isinstance(document, Document) or document.redacted:
            raise InvalidRecord([FieldError(f"{field}.document", f"no document {source.document!r} is stored; record it first", index)])
        cited = source.document_version or 1
        text = document.at_version(cited)
        if text is None:
            raise InvalidRecord([FieldError(f"{field}.document_version", f"document {source.document!r} has versions 1 to {len(document.versions)}", index)])
        errors = disagreements(source, text, f"{field}.", index)
        if source.quote is not None and not quote_occurs_in_document(source.quote, text):
            later = [n for n in range(cited + 1, len(document.versions) + 1) if quote_occurs_in_document(source.quote, document.versions[n - 1])]
            hint = f"; it occurs in version {later[0]}: cite it with document_version" if later else ""
            errors.append(FieldError(f"{field}.quote", f"this quote does not occur in document {source.document!r} (version {cited}){hint}", index))
        if errors:
            raise InvalidRecord(errors)


def disagreements(source: Source, document: DocumentContent, prefix: str, index: int | None) -> list[FieldError]:
    """A source citing a stored document cannot describe it otherwise: its kind decides which claim stands,
    so a mistyped publisher or kind would change answers. The address may be the document's or its archived copy."""
    said = {
        "publisher": (source.publisher, document.publisher),
        "kind": (source.kind.value, document.kind.value),
        "published": (source.published.edtf, document.published.edtf),
    }
    errors = [
        FieldError(f"{prefix}{name}", f"is {given!r}, but document {document.slug!r} says {stored!r}", index)
        for name, (given, stored) in said.items()
        if given != stored
    ]
    if source.url not in (document.url, document.archived_url):
        errors.append(FieldError(f"{prefix}url", f"is {source.url!r}, but document {document.slug!r} is at {document.url!r}", index))
    return errors
