"""Shared fixtures: real stores on both backends, and hypothesis profiles."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from timeline.application import Timeline
from timeline.storage.postgres import conninfo

pytest_plugins = ["tests.findings"]  # issue 16's findings and their tests' outcomes, at the end of the run

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True, print_blob=True)
# scripts/mutation.sh: a run per mutant, so fewer examples, the same ones each run (a verdict that can be repeated),
# and no shrinking (a mutant's verdict needs one failure, not the smallest).
settings.register_profile(
    "mutation", parent=settings.get_profile("default"), derandomize=True, database=None, max_examples=40,
    phases=[Phase.explicit, Phase.generate],
)
settings.load_profile(os.environ.get("TIMELINE_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))

POSTGRES_URL = os.environ.get("TIMELINE_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def _seeded_log() -> tuple[int, int]:
    """How many events a freshly seeded store holds (the stories, then the framework editions), and how many facts."""
    from timeline.loader import read_record_file
    from timeline.parsing import NewFact
    from timeline.seed import framework_files, seed_files

    stories = [record for path in seed_files() for record in read_record_file(path).records]
    return len(stories) + len(framework_files()), sum(isinstance(record, NewFact) for record in stories)


SEEDED_HEAD, SEEDED_FACTS = _seeded_log()


def postgres_unreachable_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when a server answers."""
    try:
        import psycopg

        with psycopg.connect(conninfo(POSTGRES_URL), connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure to connect means: skip, and say why
        return f"no PostgreSQL server reachable at {POSTGRES_URL} ({type(error).__name__}: {error})".strip()


_POSTGRES_SKIP = postgres_unreachable_reason()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> str:
    return str(tmp_path / "timeline.sqlite3")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    if _POSTGRES_SKIP:
        pytest.skip(_POSTGRES_SKIP)
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield f"{POSTGRES_URL}?schema={schema}"
    with psycopg.connect(conninfo(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str:
    """A fresh, empty store on each backend."""
    return request.getfixturevalue(f"{request.param}_database")


@pytest.fixture
def timeline(database: str) -> Iterator[Timeline]:
    app = Timeline(database)
    yield app
    app.close()


_REPORT: list[str] = []


@pytest.fixture(scope="session")
def report() -> list[str]:
    """Lines for the figures section printed at the end of the run (trials, inputs, soak figures)."""
    return _REPORT


def pytest_terminal_summary(terminalreporter) -> None:
    if _REPORT:
        terminalreporter.section("reliability figures")
        for line in _REPORT:
            terminalreporter.write_line(line)
