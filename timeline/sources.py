"""Source documents and the check that a quote really is in its document."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from timeline.dates import ValidTime
from timeline.facts import Because, SourceKind

# Documents are named by a slug; their aggregate ids derive from it, so a slug names one document forever.
_DOCUMENT_NAMESPACE = uuid.UUID("6f1d3c52-2a0e-4c55-9a43-2d3b7f0e8a11")

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalise_for_quoting(text: str) -> str:
    """Fold whitespace runs to one space and typographic quotes to straight ones; nothing else."""
    return _WHITESPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


def quote_occurs_in(quote: str, text: str) -> bool:
    return normalise_for_quoting(quote) in normalise_for_quoting(text)


def quote_occurs_in_document(quote: str, document: DocumentContent) -> bool:
    return normalise_for_quoting(quote) in _NORMALISED.text_of(document)


class NormalisedTexts:
    """Documents' normalised texts, by sha256, for the few documents quoted last.

    A document's text is up to 5 MB: normalising it for every fact that quotes it made one
    large batch stall every write. Texts are immutable under their digest, so once is enough.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()  # the writer and `timeline load` may quote at once in tests

    def text_of(self, document: DocumentContent) -> str:
        with self._lock:
            if document.sha256 in self._texts:
                self._texts.move_to_end(document.sha256)
                return self._texts[document.sha256]
        text = normalise_for_quoting(document.text)
        with self._lock:
            self._texts[document.sha256] = text
            while len(self._texts) > self.size:
                self._texts.popitem(last=False)
        return text


_NORMALISED = NormalisedTexts()


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_aggregate_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(_DOCUMENT_NAMESPACE, slug)


@dataclass(frozen=True)
class DocumentContent:
    """A document as one version states it. `published` is an EDTF date: an undated web page can
    say only the month, or the span, it is known to date from."""

    slug: str
    title: str | None
    publisher: str
    url: str
    published: ValidTime
    kind: SourceKind
    text: str
    sha256: str
    archived_url: str | None = None  # a copy kept by an archive, against link rot


@dataclass(frozen=True)
class DocumentRevision:
    """A new version of a stored document (a fuller text, a mended transcription), with why.

    `revised` is the date the source published its revision, when it revised itself; without it,
    the revision mends our copy."""

    content: DocumentContent
    reason: str
    revised: ValidTime | None = None


def _day(published: dt.date | ValidTime) -> ValidTime:
    # Documents and sources stored before EDTF publication dates held a calendar day.
    return published if isinstance(published, ValidTime) else ValidTime(published.isoformat(), published, published)


class Document(Aggregate):
    """A source document's full text, kept so that every quote citing it can be checked.

    Version 1 is the document as first recorded; each revision is a new version with its reason.
    A quote cites one version, and is checked against that version's text."""

    class Recorded(Aggregate.Created):
        class_version = 2

        slug: str
        title: str | None
        publisher: str
        url: str
        published: ValidTime
        kind: SourceKind
        text: str
        sha256: str
        archived_url: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["published"] = _day(state["published"])
            state["archived_url"] = None

    class Revised(Aggregate.Event):
        slug: str  # repeated from the first version, so that the log names every version's document
        title: str | None
        publisher: str
        url: str
        published: ValidTime
        kind: SourceKind
        text: str
        sha256: str
        archived_url: str | None
        reason: str
        revised: ValidTime | None
        because: Because  # erred (our copy mended), or source-revised (then `revised` dates it)

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["because"] = Because.SOURCE_REVISED if state["revised"] is not None else Because.ERRED

        def apply(self, aggregate: Document) -> None:
            aggregate.versions.append(
                DocumentContent(
                    self.slug, self.title, self.publisher, self.url, self.published, self.kind,
                    self.text, self.sha256, self.archived_url,
                )
            )

    class Withdrawn(Aggregate.Event):
        """The source retracted the document (an article taken down as wrong): it stays in the log, and
        every fact citing it is flagged; one citing nothing else no longer stands."""

        slug: str
        reason: str
        withdrawn: ValidTime | None  # when the source withdrew it, if known

        def apply(self, aggregate: Document) -> None:
            aggregate.withdrawn = True

    class Redacted(Aggregate.Event):
        """A legal takedown: every earlier version's content is purged (timeline.redactions); the slug and
        this reason stay, and nothing changes the document after."""

        slug: str
        reason: str

        def apply(self, aggregate: Document) -> None:
            aggregate.redacted = True

    def __init__(
        self,
        slug: str,
        title: str | None,
        publisher: str,
        url: str,
        published: ValidTime,
        kind: SourceKind,
        text: str,
        sha256: str,
        archived_url: str | None,
    ) -> None:
        self.versions = [DocumentContent(slug, title, publisher, url, published, kind, text, sha256, archived_url)]
        self.withdrawn = False
        self.redacted = False

    @property
    def content(self) -> DocumentContent:
        """The latest version."""
        return self.versions[-1]

    def at_version(self, version: int) -> DocumentContent | None:
        return self.versions[version - 1] if 1 <= version <= len(self.versions) else None

    def version_of(self, content: DocumentContent) -> int | None:
        """Which version states exactly this content, if any (a re-sent version is not a new one)."""
        for number, stated in enumerate(self.versions, start=1):
            if stated == content:
                return number
        return None

    @classmethod
    def record(cls, content: DocumentContent) -> Document:
        return cls._create(cls.Recorded, id=document_aggregate_id(content.slug), slug=content.slug, **_fields(content))

    def revise(self, revision: DocumentRevision) -> None:
        because = Because.SOURCE_REVISED if revision.revised is not None else Because.ERRED
        self.trigger_event(
            self.Revised, slug=self.content.slug, reason=revision.reason, revised=revision.revised, because=because,
            **_fields(revision.content),
        )

    def withdraw(self, reason: str, withdrawn: ValidTime | None = None) -> None:
        self.trigger_event(self.Withdrawn, slug=self.content.slug, reason=reason, withdrawn=withdrawn)

    def redact(self, reason: str) -> None:
        self.trigger_event(self.Redacted, slug=self.content.slug, reason=reason)


def _fields(content: DocumentContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "publisher": content.publisher,
        "url": content.url,
        "published": content.published,
        "kind": content.kind,
        "text": content.text,
        "sha256": content.sha256,
        "archived_url": content.archived_url,
    }
