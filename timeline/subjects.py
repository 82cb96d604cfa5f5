"""Subjects: the things facts are about, named `kind/slug` (e.g. `force/bedfordshire`).

A subject exists once a fact names it; there is no registration step. Its kind
must be one of SUBJECT_KINDS so that views can treat forces, people and decisions
differently.
"""

from __future__ import annotations

import re

SUBJECT_KINDS: dict[str, str] = {
    "force": "a police force, e.g. force/bedfordshire",
    "person": "a named person, e.g. person/kathryn-holloway",
    "org": "an organisation other than a force, e.g. org/hmic, org/home-office",
    "report": "a published report, e.g. report/peel-effectiveness-2016-bedfordshire",
    "decision": "a decision someone is to make or has made, e.g. decision/police-funding-formula",
    "place": "a place that is not a force area, e.g. place/luton",
    "office": "an office someone holds, e.g. office/cleveland-pcc (Cleveland's police and crime commissioner)",
}

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(SLUG)
_SUBJECT = re.compile(rf"^(?P<kind>[a-z]+)/(?P<slug>{SLUG})$")


def is_slug(text: str) -> bool:
    return _SLUG.fullmatch(text) is not None


class InvalidSubject(ValueError):
    """A subject id that is malformed or of an unknown kind."""


def subject_kind(subject: str) -> str:
    """Return the kind of a well-formed subject id, or raise InvalidSubject saying why."""
    match = _SUBJECT.fullmatch(subject) if isinstance(subject, str) else None
    if match is None:
        raise InvalidSubject(
            f"{subject!r} is not a subject id: write kind/slug in lower case, e.g. force/bedfordshire"
        )
    if match["kind"] not in SUBJECT_KINDS:
        raise InvalidSubject(
            f"{subject!r} has an unknown kind {match['kind']!r}; kinds are {', '.join(SUBJECT_KINDS)}"
        )
    return match["kind"]
