"""Source documents and the check that a quote really is in its document."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from timeline.facts import SourceKind

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
    slug: str
    title: str | None
    publisher: str
    url: str
    published: dt.date
    kind: SourceKind
    text: str
    sha256: str


class Document(Aggregate):
    """A source document's full text, kept so that every quote citing it can be checked."""

    class Recorded(Aggregate.Created):
        slug: str
        title: str | None
        publisher: str
        url: str
        published: dt.date
        kind: SourceKind
        text: str
        sha256: str

    def __init__(
        self,
        slug: str,
        title: str | None,
        publisher: str,
        url: str,
        published: dt.date,
        kind: SourceKind,
        text: str,
        sha256: str,
    ) -> None:
        self.content = DocumentContent(slug, title, publisher, url, published, kind, text, sha256)

    @classmethod
    def record(cls, content: DocumentContent) -> Document:
        return cls._create(
            cls.Recorded,
            id=document_aggregate_id(content.slug),
            slug=content.slug,
            title=content.title,
            publisher=content.publisher,
            url=content.url,
            published=content.published,
            kind=content.kind,
            text=content.text,
            sha256=content.sha256,
        )
