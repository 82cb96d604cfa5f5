"""The `timeline` command fails loudly and kindly: one clear line on stderr, no traceback, a documented exit code,
and nothing created by a command that only reads. Run as a user would run it, as a real process."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import _POSTGRES_SKIP, POSTGRES_URL
from timeline.cli import CANNOT_LISTEN, NO_DATABASE, OK, REFUSED, USAGE
from timeline.seed import seed_files
from timeline.storage.postgres import conninfo

READ_COMMANDS = [["facts"], ["log"], ["export"], ["verify"], ["rebuild"], ["backup", "copy.sqlite3"]]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "timeline", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The failure's only line on stderr, once its exit code is the one documented."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def seeded(tmp_path) -> str:
    database = str(tmp_path / "seeded.sqlite3")
    assert run("load", *map(str, seed_files()), "--database", database).returncode == OK
    return database


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A database that is not there


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_read_command_refuses_a_database_that_does_not_exist_and_creates_none(tmp_path, command):
    done = run(*command, "--database", "typo.sqlite3", cwd=tmp_path)
    assert one_line(done, NO_DATABASE) == (
        f"timeline {command[0]}: no database at typo.sqlite3: give --database (or TIMELINE_DATABASE) an existing log; "
        "only serve, load and import create one"
    )
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_refused_by_name_when_it_is_not_there(tmp_path):
    line = one_line(run("facts", cwd=tmp_path), NO_DATABASE)
    assert line.startswith("timeline facts: no database at timeline.sqlite3: ")
    assert not (tmp_path / "timeline.sqlite3").exists()


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database, just notes\n" * 100)
    assert one_line(run("log", "--database", "notes.txt", cwd=tmp_path), NO_DATABASE) == (
        "timeline log: the database failed: file is not a database"
    )


def test_a_folder_is_not_a_database(tmp_path):
    assert one_line(run("load", *map(str, seed_files()), "--database", str(tmp_path)), NO_DATABASE) == (
        f"timeline load: {tmp_path} is a folder, not a SQLite file"
    )


# --subject


@pytest.mark.parametrize(
    ("subject", "says"),
    [
        ("bedfordshire", "'bedfordshire' has no kind: write kind/slug, e.g. force/bedfordshire; kinds are force, person, org"),
        ("people/holloway", "'people/holloway' has an unknown kind 'people'; kinds are force, person, org"),
        ("force/Bedfordshire", "'force/Bedfordshire' is not a subject id: write kind/slug in lower case"),
    ],
)
def test_a_subject_that_is_not_kind_slug_is_a_usage_error(seeded, subject, says):
    done = run("facts", "--subject", subject, "--database", seeded)
    assert done.returncode == USAGE and "Traceback" not in done.stderr
    assert f"timeline facts: error: argument --subject: {says}" in done.stderr
    assert done.stdout == ""


def test_a_subject_no_fact_names_is_said_so(seeded):
    done = run("facts", "--subject", "force/clevland", "--database", seeded)
    assert one_line(done, OK) == "timeline facts: no fact names force/clevland"
    assert done.stdout == ""


def test_a_subject_named_in_a_facts_data_is_listed_as_over_http(seeded):
    """org/hmic is the inspectorate in the ratings' data: the subject resources know it, and so does the command."""
    done = run("facts", "--subject", "org/hmic", "--json", "--database", seeded)
    assert done.returncode == OK and done.stderr == ""
    assert len(done.stdout.splitlines()) > 5


# Files


def test_load_names_a_missing_file_and_stores_nothing(tmp_path):
    done = run("load", str(seed_files()[0]), "nothere.json", "--database", "new.sqlite3", cwd=tmp_path)
    assert one_line(done, USAGE) == "timeline load: nothere.json: no such file"
    assert ":0:" not in done.stderr
    assert not (tmp_path / "new.sqlite3").exists()  # checked before the store is opened


def test_load_refuses_a_folder_as_a_file(tmp_path):
    assert one_line(run("load", str(tmp_path), "--database", str(tmp_path / "x.sqlite3")), USAGE) == (
        f"timeline load: {tmp_path}: is a folder, not a file"
    )


def test_a_file_that_cannot_be_read_is_named_without_a_line_number(tmp_path):
    bad = tmp_path / "latin1.ndjson"
    bad.write_bytes(b'{"type": "caf\xe9"}\n')
    done = run("load", str(bad), "--database", str(tmp_path / "x.sqlite3"))
    assert done.returncode == REFUSED and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{bad}: cannot be read: not UTF-8 text (invalid continuation byte at byte 13)",
        f"{bad}: refused, nothing stored",
    ]


def test_import_names_a_missing_file(tmp_path):
    assert one_line(run("import", "nothere.ndjson", "--database", "x.sqlite3", cwd=tmp_path), USAGE) == (
        "timeline import: nothere.ndjson: no such file"
    )
    assert list(tmp_path.iterdir()) == []


# PostgreSQL out of reach


@pytest.mark.parametrize("command", [["facts"], ["load", "SEED"], ["serve", "--port", "PORT"], ["export"]], ids=lambda c: c[0])
def test_a_postgresql_server_that_refuses_connections_is_one_line(command, tmp_path):
    port = unused_port()  # nothing listens there: the connection is refused
    args = [str(seed_files()[0]) if a == "SEED" else str(unused_port()) if a == "PORT" else a for a in command]
    done = run(*args, "--database", f"postgresql://127.0.0.1:{port}/test")
    assert one_line(done, NO_DATABASE) == (
        f"timeline {command[0]}: cannot connect to PostgreSQL at 127.0.0.1:{port} (database test): "
        "Connection refused (is the server running on that host and accepting TCP/IP connections?)"
    )


def test_a_postgresql_server_that_never_answers_is_one_line_after_the_connect_timeout():
    """Unreachable: the connection is made (the kernel accepts it) but nothing ever answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        done = run("log", "--database", f"postgresql://127.0.0.1:{port}/test?connect_timeout=1")
    assert one_line(done, NO_DATABASE) == (
        f"timeline log: cannot connect to PostgreSQL at 127.0.0.1:{port} (database test): connection timeout expired"
    )


@pytest.fixture
def postgres_server() -> str:
    if _POSTGRES_SKIP:
        pytest.skip(_POSTGRES_SKIP)
    return POSTGRES_URL


def test_a_postgresql_database_that_does_not_exist_is_one_line(postgres_server):
    url = postgres_server.rsplit("/", 1)[0] + "/timeline_no_such_database"
    for command in (["facts"], ["serve", "--port", str(unused_port())]):
        line = one_line(run(*command, "--database", url), NO_DATABASE)
        assert line.startswith(f"timeline {command[0]}: cannot connect to PostgreSQL at ")
        assert line.endswith('(database timeline_no_such_database): database "timeline_no_such_database" does not exist')


def test_a_postgresql_login_that_is_refused_is_one_line(postgres_server):
    url = postgres_server.replace("postgresql://", "postgresql://timeline_no_such_role@", 1)
    line = one_line(run("verify", "--database", url), NO_DATABASE)
    assert line.endswith('role "timeline_no_such_role" does not exist')


def test_a_read_command_refuses_a_postgresql_schema_without_a_log_and_creates_none(postgres_server):
    import psycopg

    schema = f"typo_{uuid.uuid4().hex[:8]}"
    url = f"{postgres_server}?schema={schema}"
    assert one_line(run("facts", "--database", url), NO_DATABASE) == (
        f"timeline facts: no log in schema {schema} of {url}; only serve, load and import create one"
    )
    with psycopg.connect(conninfo(postgres_server)) as connection:
        (found,) = connection.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)).fetchone()
    assert found == 0


def test_a_read_command_reads_a_postgresql_schema_that_holds_a_log(postgres_database):
    """The check looks for the table the library really writes (storage.POSTGRES_EVENTS_TABLE)."""
    assert run("load", str(seed_files()[0]), "--database", postgres_database).returncode == OK
    done = run("log", "--database", postgres_database)
    assert done.returncode == OK and done.stderr == "" and "document.recorded" in done.stdout


# Listening


def test_serve_on_a_port_in_use_is_one_line_and_opens_no_store(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), "--database", "new.sqlite3", cwd=tmp_path)
    assert one_line(done, CANNOT_LISTEN) == (
        f"timeline serve: cannot listen on 127.0.0.1:{port}: the port is in use (by another server?); choose another with --port"
    )
    assert list(tmp_path.iterdir()) == []  # refused before the store was created and seeded


def test_serve_on_a_non_loopback_address_without_tokens_is_a_usage_error(tmp_path):
    line = one_line(run("serve", "--host", "0.0.0.0", "--database", "new.sqlite3", cwd=tmp_path), USAGE)
    assert line.startswith("timeline serve: refusing to listen on 0.0.0.0 with no token")


# Help


@pytest.mark.parametrize("command", [[], ["serve"], ["facts"]])
def test_help_documents_every_exit_code(command):
    done = run(*command, "--help")
    assert done.returncode == OK
    codes = done.stdout.split("exit codes:", 1)[1]
    for code, meaning in [(0, "done"), (1, "records refused"), (2, "usage"), (3, "verify"), (4, "the database cannot be used"),
                          (5, "serve cannot listen"), (130, "interrupted")]:
        assert f"\n  {code:<4} {meaning}" in codes, codes


def test_help_lists_the_log_options_of_serve():
    text = run("serve", "--help").stdout
    for option in ("--log-level {debug,info,warning,error}", "--log-format {text,json}", "--access-log, --no-access-log"):
        assert option in text, text
