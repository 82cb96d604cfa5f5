"""The `timeline` command: serve, load, facts, log, rebuild, backup, export, import, verify."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

import orjson
from tqdm import tqdm

from timeline import logs
from timeline.app import EVENT_NAMES, LogEntry, Timeline, public_id
from timeline.config import DEFAULT_HOST, DEFAULT_PORT, ConfigurationError, Settings, database_from, settings_from
from timeline.facts import Fact, content_of
from timeline.loader import FileRefused, read_record_file, store_record_file
from timeline.logs import FORMATS, LEVELS
from timeline.storage import shown
from timeline.vocabulary import fact_body


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.command(args)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) left; that is not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="timeline", description="Sourced, dated facts as an event log.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler: Any, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument(
            "--database",
            help="SQLite file or postgresql:// URL (default: $TIMELINE_DATABASE, else ./timeline.sqlite3)",
        )
        sub.set_defaults(command=handler)
        return sub

    serve = command("serve", _serve, "Serve the HTTP API (loads the bundled seed into an empty store).")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to bind (default {DEFAULT_PORT})")
    serve.add_argument("--no-seed", action="store_true", help="do not load the bundled seed into an empty store")
    serve.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=False,
        help="log a line per request, at info, naming its request id (off by default: it costs about a third of a cached read)",
    )
    serve.add_argument("--log-level", choices=LEVELS, default="info", help="log lines at this level and above (default info)")
    serve.add_argument(
        "--log-format", choices=FORMATS, default="text",
        help="text (default), or json: one JSON object a line, with time, level, logger, message and request_id",
    )

    load = command("load", _load, "Record facts and documents from JSON or NDJSON files, one transaction per file.")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")

    facts = command("facts", _facts, "List stored facts as they stand now.")
    facts.add_argument("--subject", help="only facts about or mentioning this subject")
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

    from timeline.http.app import create_app, tune_process
    from timeline.http.request_ids import AccessLogger

    logs.configure(args.log_level, args.log_format)
    try:
        settings = settings_from(
            database=args.database, host=args.host, port=args.port, seed=not args.no_seed, access_log=args.access_log
        )
    except ConfigurationError as error:
        print(f"timeline serve: {error}", file=sys.stderr)
        return 2
    if not settings.writes_need_token:
        logging.getLogger("timeline.cli").warning("no token configured (TIMELINE_TOKENS): writes are open to this machine only; listening on loopback")
    tune_process()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` prints every thread's stack
    # On SIGTERM, requests in flight get 5 s to finish (aiohttp's default is 60).
    web.run_app(
        create_app(settings), host=settings.host, port=settings.port, print=_announce(settings), shutdown_timeout=5,
        access_log=logging.getLogger("aiohttp.access") if settings.access_log else None, access_log_class=AccessLogger,
    )
    return 0


def _announce(settings: Settings) -> Any:
    def announce(_: str) -> None:
        print(f"Timeline on http://{settings.host}:{settings.port}/ (database: {shown(settings.database)})", flush=True)

    return announce


def _load(args: argparse.Namespace) -> int:
    timeline = Timeline(database_from(given=args.database))
    refused = 0
    try:
        with tqdm(args.files, unit="file", desc="loading", disable=None, file=sys.stderr) as files:
            for path in files:
                try:
                    receipts = store_record_file(timeline, read_record_file(path))
                except FileRefused as error:
                    refused += 1
                    for problem in error.problems:
                        print(problem, file=sys.stderr)
                    print(f"{path}: refused, nothing stored", file=sys.stderr)
                    continue
                new = sum(r.created for r in receipts)
                facts = sum(r.kind == "fact" for r in receipts)
                print(
                    f"{path}: {facts} facts, {len(receipts) - facts} documents "
                    f"({new} new, {len(receipts) - new} already stored)"
                )
        print(f"log head: {timeline.head()}")
    finally:
        timeline.close()
    return 1 if refused else 0


def _facts(args: argparse.Namespace) -> int:
    timeline = Timeline(database_from(given=args.database))
    current: dict[str, dict[str, Any]] = {}
    try:
        for entry in timeline.iter_log():
            _fold(current, entry)
    finally:
        timeline.close()
    for fact_id, fact in current.items():
        if args.subject and args.subject != fact["subject"] and args.subject not in fact["mentions"]:
            continue
        if args.json:
            print(orjson.dumps({"id": fact_id} | fact).decode())
        else:
            flag = " [retracted]" if fact["retracted"] else ""
            print(f"{fact_id}  v{fact['version']}  {fact['occurred']:<12} {fact['type']:<18} {fact['subject']}{flag}")
    return 0


def _fold(current: dict[str, dict[str, Any]], entry: LogEntry) -> None:
    event = entry.event
    if isinstance(event, (Fact.Recorded, Fact.Corrected)):
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
        print(f"unknown view {', '.join(unknown)}; views are {', '.join(_projection_names())}", file=sys.stderr)
        return 2
    database = database_from(given=args.database)
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
    return 0


def _export(args: argparse.Namespace) -> int:
    from timeline.log_file import export_log

    if args.output is not None and args.output.exists():
        print(f"timeline export: {args.output} exists; choose a new file", file=sys.stderr)
        return 2
    timeline = Timeline(database_from(given=args.database))
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
    return 0


def _import(args: argparse.Namespace) -> int:
    from timeline.log_file import StoreNotEmpty, count_lines, import_log

    if not args.file.is_file():
        print(f"timeline import: {args.file}: no such file", file=sys.stderr)
        return 2
    database = database_from(given=args.database)
    timeline = Timeline(database)
    try:
        with tqdm(total=count_lines(args.file), unit="line", desc="checking and restoring", disable=None, file=sys.stderr) as bar:
            warnings: list[str] = []
            restored = import_log(timeline, args.file, progress=lambda line: bar.update(line - bar.n), unverified=warnings.append)
    except StoreNotEmpty as refusal:
        print(f"timeline import: {refusal}", file=sys.stderr)
        return 2
    except FileRefused as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{args.file}: refused, nothing stored", file=sys.stderr)
        return 1
    finally:
        timeline.close()
    for warning in warnings:
        print(f"{args.file}: unverified: {warning}", file=sys.stderr)
    print(f"{args.file}: restored {restored:,} events" + (" (unverified: see above)" if warnings else ""))
    return _rebuild(argparse.Namespace(views=[], database=database))


VERIFY_FAILED = 3  # `timeline verify` found a position whose event, link or document does not match


def _verify(args: argparse.Namespace) -> int:
    from timeline.chain import Broken

    timeline = Timeline(database_from(given=args.database))
    try:
        outcome = timeline.verify()
    finally:
        timeline.close()
    if isinstance(outcome, Broken):
        print(f"verification failed at position {outcome.position}: {outcome.reason}")
        return VERIFY_FAILED
    print(f"verified {outcome.events} events; chain head {outcome.link}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from timeline.backup import BackupRefused, backup_sqlite

    try:
        position = backup_sqlite(database_from(given=args.database), args.path)
    except BackupRefused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    print(f"backed up to {args.path}: log position {position}, {args.path.stat().st_size:,} bytes")
    return 0


def _log(args: argparse.Namespace) -> int:
    timeline = Timeline(database_from(given=args.database))
    try:
        for count, entry in enumerate(timeline.iter_log(after=args.after)):
            if args.limit is not None and count >= args.limit:
                break
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
    return 0


