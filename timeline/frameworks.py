"""Inspection frameworks as data: each edition's graded areas, grades (best first) and scale.

A framework edition is recorded in the log like a fact, so that its definition is dated and
versioned: loading an edited definition appends a revision, and a view asked `known_at` an
earlier position answers by the definition it had then. Ratings name an inspection; the edition
whose `inspections` list that inspection (in any spelling: case, spaces, `/` or `-`) grades it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eventsourcing.domain import Aggregate

_NAMESPACE = uuid.UUID("0c6b7d1e-6f7a-4f0e-9d52-7a0b3c9e5d21")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def inspection_key(inspection: str) -> str:
    """One key for every spelling of an inspection's name: "PEEL 2018/19" and "peel 2018-19" are one."""
    return _NOT_ALNUM.sub("-", inspection.lower()).strip("-")


def framework_aggregate_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, slug)


@dataclass(frozen=True)
class FrameworkContent:
    """An edition's definition, as recorded (see FRAMEWORK_SCHEMA in timeline.schemas)."""

    slug: str
    definition: dict[str, Any]


class Framework(Aggregate):
    """An inspection framework edition; each revision replaces the whole definition."""

    class Defined(Aggregate.Created):
        slug: str
        definition: dict[str, Any]

    class Revised(Aggregate.Event):
        slug: str  # carried again, so that readers of the log need no earlier event
        definition: dict[str, Any]

        def apply(self, aggregate: Framework) -> None:
            aggregate.content = FrameworkContent(aggregate.content.slug, self.definition)

    def __init__(self, slug: str, definition: dict[str, Any]) -> None:
        self.content = FrameworkContent(slug, definition)

    @classmethod
    def define(cls, content: FrameworkContent) -> Framework:
        return cls._create(cls.Defined, id=framework_aggregate_id(content.slug), slug=content.slug, definition=content.definition)

    def revise(self, content: FrameworkContent) -> None:
        self.trigger_event(self.Revised, slug=self.content.slug, definition=content.definition)
