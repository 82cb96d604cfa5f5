"""The `timeline` command: serve, load, facts, log, rebuild, backup, export, import, verify."""

from __future__ import annotations

import argparse
import errno
import faulthandler
import logging
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

import orjson
from tqdm import tqdm

from timeline import logs
from timeline.application import Timeline
from timeline.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    PROJECTORS,
    ConfigurationError,
    Settings,
    database_from,
    settings_from,
)
from timeline.fact_bodies import fact_body
from timeline.facts import Fact, content_of
from timeline.loader import STDIN, STDIN_NAME, FileRefused, RecordStream
from timeline.log_records import EVENT_NAMES, EVENT_NAMES_BY_TOPIC, LogEntry, public_id
from timeline.logs import FORMATS, LEVELS
from timeline.redactions import is_tombstone, kept_sha256
from timeline.references import references
from timeline.storage import DatabaseUnavailable, check_database, is_postgres, shown
from timeline.subjects import SUBJECT_KINDS, InvalidSubject, subject_kind

# Exit codes, the same for every command (shown by `timeline --help`; docs/operations.md).
OK, REFUSED, USAGE, VERIFY_FAILED, NO_DATABASE, CANNOT_LISTEN, INTERRUPTED = 0, 1, 2, 3, 4, 5, 130
SHOWN_PROBLEMS = 10  # a file's first problems are shown; the rest are counted ("... and 19,990 more")
EXIT_CODES = f"""exit codes:
  {OK}    done
  {REFUSED}    records refused (load, import): each named as file:line: field: reason (the first {SHOWN_PROBLEMS}, then how
       many more); nothing of that file is stored
  {USAGE}    usage: a bad option or argument (--subject without a kind, an unknown view), a file to read that
       does not exist, an export or backup target that exists, an import into a store that is not empty
  {VERIFY_FAILED}    verify: a position whose event, chain link or document does not match
  {NO_DATABASE}    the database cannot be used: no SQLite file at that path (only serve, load and import create
       one), no log in that PostgreSQL schema, PostgreSQL unreachable or refusing the connection, the login
       or the database, or the store failing while the command ran
  {CANNOT_LISTEN}    serve cannot listen: the port is in use, or the address is not this machine's
  {INTERRUPTED}  interrupted (Ctrl-C)
Failures go to stderr in one line naming the command, never as a traceback (a refused file lists
each bad record; a usage error follows argparse's usage line)."""


class Failure(Exception):
    """A command that cannot go on: one line for stderr, and its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.command(args)
        return code
    except Failure as failure:
        return _fail(args, str(failure), failure.code)
    except DatabaseUnavailable as unavailable:
        return _fail(args, str(unavailable), NO_DATABASE)
    except _store_errors() as error:  # the store failed under a command that had opened it
        return _fail(args, f"the database failed: {' '.join(str(error).split()) or type(error).__name__}", NO_DATABASE)
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # The reader (e.g. `| head`) left; that is not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return OK


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    print(f"timeline {args.name}: {message}", file=sys.stderr)
    return code


def _store_errors() -> tuple[type[Exception], ...]:
    import psycopg
    from eventsourcing.persistence import PersistenceError

    return (sqlite3.Error, psycopg.Error, PersistenceError)


def _database(args: argparse.Namespace, existing: bool = True) -> str:
    """The database the command is to use, refused in one line (exit 4) if it cannot be: with `existing`
    (the commands that only read), one that holds no log yet; and any PostgreSQL server out of reach."""
    database = database_from(given=args.database)
    check_database(database, existing)
    return database


def _open(args: argparse.Namespace, existing: bool = True) -> Timeline:
    return Timeline(_database(args, existing))


def _subject(value: str) -> str:
    """--subject as kind/slug, e.g. force/bedfordshire."""
    try:
        subject_kind(value)
    except InvalidSubject as error:
        if "/" not in value:
            raise argparse.ArgumentTypeError(
                f"{value!r} has no kind: write kind/slug, e.g. force/{value}; kinds are {', '.join(SUBJECT_KINDS)}"
            ) from None
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline", description="Sourced, dated facts as an event log.", epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler: Any, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=summary, description=summary, epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        sub.add_argument(
            "--database",
            help="SQLite file or postgresql:// URL (default: $TIMELINE_DATABASE, else ./timeline.sqlite3)",
        )
        sub.set_defaults(command=handler, name=name)
        return sub

    serve = command("serve", _serve, "Serve the HTTP API (loads the bundled seed into an empty store).")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to bind (default {DEFAULT_PORT})")
    serve.add_argument("--no-seed", action="store_true", help="do not load the bundled seed into an empty store")
    serve.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=False,
        help="log a line per request, at info, naming its request id (off by default: it costs about a third of a cached read)",
    )
    serve.add_argument(
        "--projector", choices=PROJECTORS, default=None,
        help="run the projections on a thread of the server (default) or in a child process, off the GIL the requests use "
        "(default: $TIMELINE_PROJECTOR, else thread)",
    )
    serve.add_argument("--log-level", choices=LEVELS, default="info", help="log lines at this level and above (default info)")
    serve.add_argument(
        "--log-format", choices=FORMATS, default="text",
        help="text (default), or json: one JSON object a line, with time, level, logger, message and request_id",
    )

    load = command(
        "load", _load,
        "Record facts and documents from JSON, NDJSON or facts CSV files (- reads standard input), one transaction per file.",
    )
    load.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help="a .csv file holds a fact a row (docs/spreadsheets.md); any other holds JSON or NDJSON, told by its content; "
        "- reads standard input (JSON, NDJSON or CSV, told by its content)",
    )

    facts = command("facts", _facts, "List stored facts as they stand now.")
    facts.add_argument("--subject", type=_subject, help="only facts about or mentioning this subject (kind/slug, e.g. force/bedfordshire)")
    facts.add_argument("--json", action="store_true", help="one JSON object per line")

    rebuild = command("rebuild", _rebuild, "Replay the whole log into fresh view tables, then swap them in.")
    rebuild.add_argument("views", nargs="*", metavar="VIEW", help=f"projections to rebuild (default: all of {', '.join(_projection_names())})")

    backup = command("backup", _backup, "Copy the store while it is in use (SQLite); print pg_dump instructions (PostgreSQL).")
    backup.add_argument("path", type=Path, metavar="PATH", help="where the copy goes; must not exist")

    export = command("export", _export, "Write the whole log as NDJSON (positions, ids, versions and record times kept).")
    export.add_argument("--format", choices=["ndjson"], default="ndjson", help="the only format is ndjson")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here (must not exist) instead of stdout")

    restore = command("import", _import, "Restore a log written by `timeline export` into an empty store, then build the views.")
    restore.add_argument("file", type=Path, metavar="FILE")

    command("verify", _verify, "Recompute the log's hash chain from genesis and check every link and document; exit 3 at the first bad position.")

    log = command("log", _log, "Print the event log in order.")
    log.add_argument("--after", type=int, default=0, help="start after this position")
    log.add_argument("--limit", type=int, default=None, help="print at most this many events")
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from timeline.http.request_ids import AccessLogger
    from timeline.http.server import create_app, tune_process

    logs.configure(args.log_level, args.log_format)
    try:
        settings = settings_from(
            database=args.database, host=args.host, port=args.port, seed=not args.no_seed, access_log=args.access_log,
            projector=args.projector,
        )
    except ConfigurationError as error:
        raise Failure(str(error), USAGE) from None
    _check_can_listen(settings.host, settings.port)  # before the store is opened (and a new one seeded)
    check_database(settings.database, existing=False)
    if not settings.writes_need_token:
        logging.getLogger("timeline.cli").warning("no token configured (TIMELINE_TOKENS): writes are open to this machine only; listening on loopback")
    tune_process()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` prints every thread's stack
    # On SIGTERM, requests in flight get 5 s to finish (aiohttp's default is 60).
    try:
        web.run_app(
            create_app(settings), host=settings.host, port=settings.port, print=_announce(settings), shutdown_timeout=5,
            access_log=logging.getLogger("aiohttp.access") if settings.access_log else None, access_log_class=AccessLogger,
        )
    except OSError as error:
        if error.errno not in _LISTEN_ERRORS:
            raise
        raise Failure(_cannot_listen(settings.host, settings.port, error), CANNOT_LISTEN) from None  # taken since the check
    return OK


_LISTEN_ERRORS = {errno.EADDRINUSE: "the port is in use (by another server?); choose another with --port",
                  errno.EADDRNOTAVAIL: "that address is not one of this machine's",
                  errno.EACCES: "permission denied (ports below 1024 need privileges)"}


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    return f"cannot listen on {host}:{port}: {_LISTEN_ERRORS.get(error.errno or 0, error.strerror or str(error))}"


def _check_can_listen(host: str, port: int) -> None:
    """Bind each address the server will listen on, as asyncio will (SO_REUSEADDR), then let go: a port in use is
    one clear line (exit 5) before the store is opened, not a traceback after the seed is loaded."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise Failure(f"cannot listen on {host}:{port}: {error.strerror}", CANNOT_LISTEN) from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise Failure(_cannot_listen(host, port, error), CANNOT_LISTEN) from None


def _announce(settings: Settings) -> Any:
    def announce(_: str) -> None:
        print(f"Timeline on http://{settings.host}:{settings.port}/ (database: {shown(settings.database)})", flush=True)

    return announce


def _load(args: argparse.Namespace) -> int:
    from timeline.bulk_load import load_record_file
    from timeline.log_file import count_lines

    if args.files.count(STDIN) > 1:
        raise Failure("- (standard input) can be read once", USAGE)
    _require_files([path for path in args.files if path != STDIN])
    timeline = _open(args, existing=False)
    refused = 0
    try:
        for path in args.files:
            name = STDIN_NAME if path == STDIN else str(path)
            stream = RecordStream(path, sys.stdin.buffer if path == STDIN else None)
            total = None if path == STDIN else count_lines(path)
            try:
                with tqdm(total=total, unit="line", desc=f"loading {name}", disable=None, file=sys.stderr) as bar:

                    def show(line: int, bar: tqdm[NoReturn] = bar) -> None:
                        bar.update(line - bar.n)

                    loaded = load_record_file(timeline, stream, progress=show)
            except FileRefused as error:
                refused += 1
                _report_refused(name, error)
                continue
            print(
                f"{name}: {loaded.facts} facts, {loaded.others} documents "
                f"({loaded.new} new, {loaded.facts + loaded.others - loaded.new} already stored)"
            )
        print(f"log head: {timeline.head()}")
    finally:
        timeline.close()
    return REFUSED if refused else OK


def _report_refused(name: str, error: FileRefused) -> None:
    for problem in error.problems[:SHOWN_PROBLEMS]:
        print(problem, file=sys.stderr)
    if error.count > SHOWN_PROBLEMS:
        print(f"... and {error.count - SHOWN_PROBLEMS:,} more", file=sys.stderr)
    print(f"{name}: refused, nothing stored", file=sys.stderr)


def _require_files(paths: Sequence[Path]) -> None:
    """Every file to read must be there: a mistyped path is a usage error, named before anything is stored."""
    for path in paths:
        if not path.exists():
            raise Failure(f"{path}: no such file", USAGE)
        if path.is_dir():
            raise Failure(f"{path}: is a folder, not a file", USAGE)


def _facts(args: argparse.Namespace) -> int:
    timeline = _open(args)
    current: dict[str, dict[str, Any]] = {}
    try:
        for entry in timeline.iter_log():
            _fold(current, entry)
    finally:
        timeline.close()
    listed = 0
    for fact_id, fact in current.items():
        if args.subject and args.subject not in references(fact["type"], fact["subject"], fact["mentions"], fact["data"]):
            continue
        listed += 1
        if args.json:
            print(orjson.dumps({"id": fact_id} | fact).decode())
        else:
            flag = " [retracted]" if fact["retracted"] else ""
            print(f"{fact_id}  v{fact['version']}  {fact['occurred']:<12} {fact['type']:<18} {fact['subject']}{flag}")
    if args.subject and not listed:
        print(f"timeline facts: no fact names {args.subject}", file=sys.stderr)  # said, so a typo is not mistaken for nothing
    return OK


def _fold(current: dict[str, dict[str, Any]], entry: LogEntry) -> None:
    if is_tombstone(entry.state):
        return  # purged by a redaction that follows: the fact is not listed
    event = entry.event
    if isinstance(event, Fact.Redacted):
        current.pop(str(event.originator_id), None)
    elif isinstance(event, (Fact.Recorded, Fact.Corrected)):
        current[str(event.originator_id)] = fact_body(content_of(event)) | {
            "version": event.originator_version,
            "retracted": False,
        }
    elif isinstance(event, Fact.Retracted):
        current[str(event.originator_id)] |= {"version": event.originator_version, "retracted": True}


def _projection_names() -> list[str]:
    from projections import all_projections

    return [p.name for p in all_projections()]


def _rebuild(args: argparse.Namespace) -> int:
    from projections import all_projections
    from projections.runner import Progress, ProjectionRunner
    from projections.store import open_store

    names = args.views or _projection_names()
    unknown = sorted(set(names) - set(_projection_names()))
    if unknown:
        raise Failure(f"unknown view {', '.join(unknown)}; views are {', '.join(_projection_names())}", USAGE)
    database = _database(args)
    timeline = Timeline(database)
    store = open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        head = timeline.head()
        for name in names:
            last: list[Progress] = []
            with tqdm(total=head, unit="pos", desc=f"rebuilding {name}", disable=None, file=sys.stderr) as bar:

                def show(progress: Progress, bar: tqdm[NoReturn] = bar, last: list[Progress] = last) -> None:
                    bar.total = max(bar.total or 0, progress.position)
                    bar.update(progress.position - bar.n)
                    bar.set_postfix(events_per_s=f"{progress.events_per_second:,.0f}")
                    last[:] = [progress]

                position = runner.rebuild(name, progress=show)
            rate = f", {last[0].events:,} events at {last[0].events_per_second:,.0f} events/s" if last else ""
            print(f"{name}: rebuilt to position {position}{rate}")
    finally:
        store.close()
        timeline.close()
    return OK


def _export(args: argparse.Namespace) -> int:
    from timeline.log_file import export_log

    if args.output is not None and args.output.exists():
        raise Failure(f"{args.output} exists; choose a new file", USAGE)
    timeline = _open(args)
    try:
        head = timeline.head()
        with (
            tqdm(total=head, unit="pos", desc="exporting", disable=None, file=sys.stderr) as bar,
            (args.output.open("xb") if args.output else nullcontext(sys.stdout.buffer)) as out,
        ):
            written = export_log(timeline, out, progress=lambda position: bar.update(position - bar.n))
    finally:
        timeline.close()
    print(f"exported {written:,} events (log head {head})", file=sys.stderr)
    return OK


def _import(args: argparse.Namespace) -> int:
    from timeline.log_file import StoreNotEmpty, count_lines, import_log

    _require_files([args.file])
    database = _database(args, existing=False)
    timeline = Timeline(database)
    try:
        with tqdm(total=count_lines(args.file), unit="line", desc="checking and restoring", disable=None, file=sys.stderr) as bar:
            warnings: list[str] = []
            restored = import_log(timeline, args.file, progress=lambda line: bar.update(line - bar.n), unverified=warnings.append)
    except StoreNotEmpty as refusal:
        raise Failure(str(refusal), USAGE) from None
    except FileRefused as error:
        _report_refused(str(args.file), error)
        return REFUSED
    finally:
        timeline.close()
    for warning in warnings:
        print(f"{args.file}: unverified: {warning}", file=sys.stderr)
    print(f"{args.file}: restored {restored:,} events" + (" (unverified: see above)" if warnings else ""))
    return _rebuild(argparse.Namespace(views=[], database=database, name="import"))


def _verify(args: argparse.Namespace) -> int:
    from timeline.chain import Broken

    timeline = _open(args)
    try:
        outcome = timeline.verify()
    finally:
        timeline.close()
    if isinstance(outcome, Broken):
        print(f"verification failed at position {outcome.position}: {outcome.reason}")
        return VERIFY_FAILED
    print(f"verified {outcome.events} events; chain head {outcome.link}")
    return OK


def _backup(args: argparse.Namespace) -> int:
    from timeline.backup import BackupRefused, backup_sqlite

    try:
        database = database_from(given=args.database)
        if not is_postgres(database):  # PostgreSQL's backups are its own tools': only their commands are printed
            check_database(database, existing=True)
        position = backup_sqlite(database, args.path)
    except BackupRefused as refusal:
        print(refusal, file=sys.stderr)
        return USAGE
    print(f"backed up to {args.path}: log position {position}, {args.path.stat().st_size:,} bytes")
    return OK


def _print_purged(entry: LogEntry, as_json: bool) -> None:
    """An event purged by a redaction: its place, and the digest of what it said (its record time went with it)."""
    name = EVENT_NAMES_BY_TOPIC.get(entry.topic, entry.topic)
    sha256 = kept_sha256(entry.state)
    if as_json:
        line = {"position": entry.position, "recorded_at": None, "event": name, "version": entry.originator_version, "redacted": {"sha256": sha256}}
        print(orjson.dumps(line).decode())
    else:
        print(f"{entry.position:>8}  {'(redacted)':<32}  {name:<18} sha256:{sha256}  v{entry.originator_version}")


def _log(args: argparse.Namespace) -> int:
    timeline = _open(args)
    try:
        for count, entry in enumerate(timeline.iter_log(after=args.after)):
            if args.limit is not None and count >= args.limit:
                break
            if is_tombstone(entry.state):
                _print_purged(entry, args.json)
                continue
            event = entry.event
            name = EVENT_NAMES.get(type(event), type(event).__qualname__)
            record_id = public_id(event)
            if args.json:
                line = {
                    "position": entry.position,
                    "recorded_at": event.timestamp,
                    "event": name,
                    "id": record_id,
                    "version": event.originator_version,
                }
                print(orjson.dumps(line).decode())
            else:
                print(f"{entry.position:>8}  {event.timestamp.isoformat()}  {name:<18} {record_id}  v{event.originator_version}")
    finally:
        timeline.close()
    return OK


