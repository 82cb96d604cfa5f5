"""Online backups: a consistent copy of the log (and the views) while writes go on."""

from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path

from timeline.storage import eventsourcing_env, is_postgres


class BackupRefused(Exception):
    """The backup cannot be taken as asked; the message says what to do instead."""


def backup_sqlite(database: str, target: Path) -> int:
    """Copy a SQLite store with the SQLite backup API; returns the log position the copy ends at.

    One step copies every page inside one read transaction: in WAL mode writers carry on, and the
    copy is the database as of that transaction. The copy is written beside the target and renamed
    into place, so a failed backup never leaves a partial file under the target's name.
    """
    if is_postgres(database):
        raise BackupRefused(postgres_instructions(database, target))
    if target.exists():
        raise BackupRefused(f"{target} exists; choose a new path (backups are never overwritten)")
    partial = target.with_name(f".{target.name}.partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        position: int
        (position,) = copy.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return position


def postgres_instructions(database: str, target: Path) -> str:
    env = eventsourcing_env(database)
    schema = env["POSTGRES_SCHEMA"] or "public"
    connection = f"host={env['POSTGRES_HOST']} port={env['POSTGRES_PORT']} dbname={env['POSTGRES_DBNAME']} user={env['POSTGRES_USER']}"
    # Quoted for the shell: the commands are meant to be pasted, and a path may hold spaces, quotes or $(...).
    dump = shlex.join(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={target}", connection])
    return (
        "PostgreSQL is backed up with its own tools, which take a consistent snapshot while writes go on:\n"
        f"  {dump}\n"
        "and restored into an empty database (or schema) with:\n"
        f"  pg_restore --dbname='<new database>' {shlex.quote(str(target))}"
    )
