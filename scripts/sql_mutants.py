"""Hand-made mutants of the view queries' SQL, each run against the queries' own test and the model-based test.

Each mutant is one textual change to one file (a filter dropped, a bound flipped, a join condition lost). They
are applied to a copy of the project in a temporary folder, never to the work tree: the copy is imported first
(PYTHONPATH), its mutated file is restored after each run and the copy removed at the end, Ctrl-C included.

    nice -n 10 .venv/bin/python scripts/sql_mutants.py [--list] [--only ID ...] [-- extra pytest args]

Exit status: 0 when every mutant was killed, 1 when any survived, 2 when the unmutated code fails the test
(no verdict then means anything). Prints one line per mutant and the score.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["projections", "timeline", "tests", "seeds", "pyproject.toml"]
# The queries asked directly and the publication-time rule case by case first (seconds), then the model test on
# SQLite (a minute or more).
TEST = [
    "tests/integration/test_view_queries.py", "tests/integration/test_publication_time.py",
    "tests/integration/test_projection_model.py", "-k", "not Postgres",
]


@dataclass(frozen=True)
class Mutant:
    id: str
    path: str
    why: str  # what the change breaks
    old: str  # occurs exactly once in the file
    new: str


FACTS = "projections/fact_queries.py"
MUTANTS = [
    Mutant("include-retracted-dropped", FACTS, "the timeline's SQL keeps retracted facts even when not asked to",
           'if not query.include_retracted:\n        where.append("v.retracted = 0")',
           'if False:\n        where.append("v.retracted = 0")'),
    Mutant("include-retracted-ignored", FACTS, "the timeline's SQL leaves out retracted facts even when asked for them",
           'if not query.include_retracted:\n        where.append("v.retracted = 0")',
           'if True:\n        where.append("v.retracted = 0")'),
    Mutant("certain-keeps-retracted", FACTS, "claims in effect (no as_of) include retracted ones",
           'return "v.retracted = 0", ()', 'return "1 = 1", ()'),
    Mutant("certain-keeps-retracted-as-of", FACTS, "claims in effect as of a date include retracted ones",
           'return "v.retracted = 0 AND v.latest <= ?", (as_of.isoformat(),)', 'return "v.latest <= ?", (as_of.isoformat(),)'),
    Mutant("certain-bound-flipped", FACTS, "claims count from their first possible day, not their last",
           'return "v.retracted = 0 AND v.latest <= ?", (as_of.isoformat(),)',
           'return "v.retracted = 0 AND v.earliest <= ?", (as_of.isoformat(),)'),
    Mutant("certain-bound-strict", FACTS, "a claim does not count on its last possible day",
           'return "v.retracted = 0 AND v.latest <= ?", (as_of.isoformat(),)',
           'return "v.retracted = 0 AND v.latest < ?", (as_of.isoformat(),)'),
    Mutant("known-to-inclusive", FACTS, "a version still seen at the position that replaced it",
           '({v}.known_to IS NULL OR {v}.known_to > ?)"', '({v}.known_to IS NULL OR {v}.known_to >= ?)"'),
    Mutant("known-to-dropped", FACTS, "every version ever known is seen, not just the latest",
           '({v}.known_to IS NULL OR {v}.known_to > ?)"', '({v}.known_to IS NULL OR 1 = 1)"'),
    Mutant("known-from-dropped", FACTS, "versions recorded after known_at are seen",
           'return f"{v}.known_from <= ? AND ({v}.known_to IS NULL', 'return f"{v}.known_from >= 0 - ? AND ({v}.known_to IS NULL'),
    Mutant("reported-by-published-dropped", FACTS, "reported_by sees facts their source published later",
           "AND {v}.revised_from <= ? AND {v}.published <= ?", "AND {v}.revised_from <= ? AND ? = ?"),
    Mutant("reported-by-revision-dropped", FACTS, "reported_by sees revisions the source made later",
           "AND {v}.revised_from <= ? AND {v}.published <= ?", "AND ? = ? AND {v}.published <= ?"),
    Mutant("reported-by-revised-to-dropped", FACTS, "reported_by hides a version once a later revision is known, though not yet public",
           "({v}.known_to IS NULL OR {v}.known_to > ? OR {v}.revised_to > ?)", "({v}.known_to IS NULL OR {v}.known_to > ? OR 0 > ?)"),
    Mutant("index-join-loses-version", FACTS, "the refs and claims indexes join every version of a fact, not the one indexed",
           "ON v.fact_id = x.fact_id AND v.version = x.version ", "ON v.fact_id = x.fact_id "),
    Mutant("referencing-join-loses-version", FACTS, "facts naming a subject join every version of each",
           "ON v.fact_id = r.fact_id AND v.version = r.version WHERE {named} AND {where}", "ON v.fact_id = r.fact_id WHERE {named} AND {where}"),
    Mutant("timeline-possible-as-certain", FACTS, "the timeline lists only facts certain by as_of, not those possible",
           'where.append("v.earliest <= ?")', 'where.append("v.latest <= ?")'),
    Mutant("timeline-as-of-dropped", FACTS, "the timeline lists facts that cannot have happened by as_of",
           'where.append("v.earliest <= ?")', 'where.append("? IS NOT NULL")'),
    Mutant("timeline-after-inclusive", FACTS, "a timeline page repeats the last item of the page before",
           "(x.occurred_lower, x.occurred_upper, x.first_position) > (?, ?, ?)", "(x.occurred_lower, x.occurred_upper, x.first_position) >= (?, ?, ?)"),
    Mutant("timeline-after-dropped", FACTS, "a timeline page starts over instead of resuming after the cursor",
           'where.append("(x.occurred_lower, x.occurred_upper, x.first_position) > (?, ?, ?)")',
           'where.append("(? || ? || ?) IS NOT NULL")'),
    Mutant("claims-before-inclusive", FACTS, "a status reads the claim at the page boundary twice",
           " AND (x.occurred_lower, x.occurred_upper, x.first_position) < (?, ?, ?)",
           " AND (x.occurred_lower, x.occurred_upper, x.first_position) <= (?, ?, ?)"),
    Mutant("claims-before-flipped", FACTS, "a status pages rating claims the wrong way, never past the first page",
           " AND (x.occurred_lower, x.occurred_upper, x.first_position) < (?, ?, ?)",
           " AND (x.occurred_lower, x.occurred_upper, x.first_position) > (?, ?, ?)"),
    Mutant("latest-naming-ascending", FACTS, "'latest' statements and findings are read earliest first",
           "ORDER BY {_ORDER.format(d=' DESC')} LIMIT ?\", (*params, rows))", "ORDER BY {_ORDER.format(d='')} LIMIT ?\", (*params, rows))"),
    Mutant("latest-naming-about-dropped", FACTS, "the latest finding naming a subject is taken even when it is about another",
           'where, params = f"{where} AND {about_sql}", [*params, *about_params]', "where, params = where, params"),
    Mutant("latest-naming-type-dropped", FACTS, "'latest statements' are the latest facts of any type",
           "named} AND x.type = ? AND {known} AND {effect}", "named} AND (x.type = ? OR 1 = 1) AND {known} AND {effect}"),
    Mutant("latest-possible-bound-inclusive", FACTS, "a fact certain on as_of is also listed as only possible",
           "AND x.latest > ? \"", "AND x.latest >= ? \""),
    Mutant("slot-loses-inspection", FACTS, "a rating slot's claims include other inspections' claims",
           "x.pillar = ? AND x.inspection = ? AND {known}", "x.pillar = ? AND (x.inspection = ? OR 1 = 1) AND {known}"),
    Mutant("slot-loses-pillar", FACTS, "a rating slot's claims include other areas' claims",
           "x.pillar = ? AND x.inspection = ? AND {known}", "(x.pillar = ? OR 1 = 1) AND x.inspection = ? AND {known}"),
    Mutant("slots-lose-pillar", FACTS, "rival claims on a timeline page are matched on subject and inspection only",
           "AND x.pillar = {item.format(1)} ", "AND x.pillar = x.pillar "),
    Mutant("linked-follows-citations", FACTS, "citing one document is taken for a dispute or support link",
           "l.kind <> 'cites'", "l.kind <> ''"),
    Mutant("names-keep-retracted", FACTS, "a retracted subject.named fact still names its subject",
           "AND {known} AND v.retracted = 0\"", "AND {known}\""),
    Mutant("naming-types-dropped", FACTS, "a status reads facts of every type as its roles and decisions",
           "x.type IN ({marks}) AND {known}", "(x.type IN ({marks}) OR 1 = 1) AND {known}"),
    Mutant("latest-inspection-ascending", FACTS, "national ratings take an inspection's earliest claim as its latest",
           "x.inspection = ?{area} AND {known} AND {effect} ORDER BY {_ORDER.format(d=' DESC')}",
           "x.inspection = ?{area} AND {known} AND {effect} ORDER BY {_ORDER.format(d='')}"),
    Mutant("inspection-claims-lose-area", FACTS, "national ratings on one area count claims about every area",
           'WHERE x.inspection = ?{area} AND {known} AND {effect}", (key', 'WHERE x.inspection = ? AND {known} AND {effect}", (key'),
]


def run_tests(copy: Path, extra: list[str]) -> int:
    env = os.environ | {"PYTHONPATH": str(copy), "TIMELINE_HYPOTHESIS_PROFILE": "mutation", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", *TEST, "-x", "-q", "-p", "no:cacheprovider", *extra]  # run it under nice
    return subprocess.run(command, cwd=copy, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode


def copy_project(into: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            shutil.copy2(source, into / name)
    # The copy, not the work tree (installed editable), must be what the tests import.
    found = subprocess.run(
        [sys.executable, "-c", "import projections.fact_queries; print(projections.fact_queries.__file__)"],
        cwd=into, env=os.environ | {"PYTHONPATH": str(into)}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    if not found.startswith(str(into)):
        raise SystemExit(f"the copy is not what gets imported: {found}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", nargs="*", default=None, help="run only these mutants (by id)")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if args.only is None or m.id in args.only]
    for mutant in chosen:  # each must apply exactly once, or the list has gone stale with the code
        count = (ROOT / mutant.path).read_text().count(mutant.old)
        if count != 1:
            raise SystemExit(f"{mutant.id}: its text occurs {count} times in {mutant.path}; update the mutant")
    if args.list:
        for mutant in chosen:
            print(f"{mutant.id:34} {mutant.path}: {mutant.why}")
        return 0
    with tempfile.TemporaryDirectory(prefix="timeline-sql-mutants-") as folder:
        copy = Path(folder)
        copy_project(copy)
        started = time.monotonic()
        if run_tests(copy, args.extra) != 0:
            print("the unmutated code fails the model test: no verdict", file=sys.stderr)
            return 2
        print(f"unmutated: passes ({time.monotonic() - started:.0f} s)", flush=True)
        survivors = []
        for mutant in chosen:
            target = copy / mutant.path
            original = target.read_text()
            try:
                target.write_text(original.replace(mutant.old, mutant.new, 1))
                started = time.monotonic()
                code = run_tests(copy, args.extra)
            finally:
                target.write_text(original)
            verdict = {0: "SURVIVED", 1: "killed"}.get(code, f"error (pytest exit {code})")
            if code != 1:
                survivors.append(mutant.id)
            print(f"{verdict:10} {mutant.id:34} ({time.monotonic() - started:.0f} s) {mutant.why}", flush=True)
    killed = len(chosen) - len(survivors)
    print(f"SQL mutants killed: {killed} / {len(chosen)}" + (f"; not killed: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the mutated copy is restored and removed on the way out; the work tree was never touched
        sys.exit("interrupted")
