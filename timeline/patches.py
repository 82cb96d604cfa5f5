"""Corrections sent as JSON Merge Patch (RFC 7396): a patch of a fact's body becomes the fields it changes."""

from __future__ import annotations

from typing import Any

from timeline.errors import FieldError, InvalidRecord
from timeline.fact_bodies import fact_body
from timeline.facts import FactContent
from timeline.schemas import CHANGEABLE

MERGE_PATCH = "application/merge-patch+json"
_LISTS = ("mentions", "disputes", "supports")  # a list removed by a patch is an empty one


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396, section 2: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def changes_from_patch(content: FactContent, patch: Any) -> dict[str, Any]:
    """The top-level fields a merge patch of the fact's body changes, as a correction's `changes`.

    The body is the fact as `GET /v1/facts/{id}` shows it. A patch of `source` on a fact with several
    sources patches the first of them. The type and id cannot change."""
    if not isinstance(patch, dict) or not patch:
        raise InvalidRecord([FieldError("(body)", "a merge patch of the fact is a non-empty JSON object")])
    refused = sorted(set(patch) - set(CHANGEABLE))
    if refused:
        raise InvalidRecord([FieldError(name, "cannot be changed by a correction; retract the fact and record another") for name in refused])
    before = fact_body(content)
    if "source" in patch and "sources" not in patch and "sources" in before:
        patch = {**patch, "sources": [merge_patch(before["sources"][0], patch["source"]), *before["sources"][1:]]}
    after = merge_patch(before, patch)
    # A required field the patch removes stays as null: the corrected fact is refused, naming it.
    changes = {name: after.get(name, [] if name in _LISTS else None) for name in patch}
    if "sources" in changes:
        changes.pop("source", None)  # the first of `sources` is the source
    return changes
