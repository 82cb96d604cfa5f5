"""The bundled seed: The Comet's 2 March 2017 article, its facts, and the official HMIC record."""

from __future__ import annotations

from pathlib import Path

import timeline


def seed_files() -> list[Path]:
    """Seed files in load order (documents first, so that quotes can be checked)."""
    package = Path(timeline.__file__).parent
    for folder in (package / "_seeds", package.parent / "seeds"):  # installed wheel, then source checkout
        if folder.is_dir():
            return sorted(folder.glob("*.ndjson"))
    raise FileNotFoundError("the bundled seed is missing: expected timeline/_seeds or seeds/ beside the package")
