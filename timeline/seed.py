"""The bundled seed: one folder per story under seeds/stories/ (The Comet's 2 March 2017 article on
Bedfordshire with the official HMIC record; Cleveland Police from 2019), and the frameworks."""

from __future__ import annotations

from pathlib import Path

import timeline
from timeline.application import Timeline
from timeline.errors import Conflict
from timeline.loader import read_record_file, store_record_file


def seed_files() -> list[Path]:
    """The bundled stories' files in load order: story by story, each in its files' order (documents
    first, so that quotes can be checked). The first story's first record marks a store as seeded."""
    return sorted((_seed_folder() / "stories").glob("*/*.ndjson"))


def framework_files() -> list[Path]:
    """The bundled inspection framework editions, one JSON file each (seeds/frameworks/)."""
    return sorted((_seed_folder() / "frameworks").glob("*.json"))


def sync_seed(timeline: Timeline) -> int:
    """Load the bundled stories into an empty store, or append what a newer seed adds to a store that
    holds the seed already (its ids never change, so stored records are no-ops). A store without the
    seed is left alone. Returns how many records were added."""
    files = [read_record_file(path) for path in seed_files()]
    first = files[0].records[0]
    if timeline.head() > 0 and not timeline.has_record(first):
        return 0
    return sum(receipt.created for record_file in files for receipt in store_record_file(timeline, record_file))


def sync_frameworks(timeline: Timeline) -> int:
    """Record every bundled framework edition not in the log, and a revision of every one whose file
    changed; a no-op when all are current. Returns how many editions were recorded or revised."""
    records = [record for path in framework_files() for record in read_record_file(path).records]
    for attempt in range(2):
        try:
            return sum(receipt.created for receipt in timeline.record(records))
        except Conflict:
            if attempt:  # another server recorded them at the same moment: they are current now
                raise
    return 0


def _seed_folder() -> Path:
    package = Path(timeline.__file__).parent
    for folder in (package / "_seeds", package.parent / "seeds"):  # installed wheel, then source checkout
        if folder.is_dir():
            return folder
    raise FileNotFoundError("the bundled seed is missing: expected timeline/_seeds or seeds/ beside the package")
