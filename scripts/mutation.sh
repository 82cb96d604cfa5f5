#!/usr/bin/env bash
# Mutation testing of the view rules (docs/mutation.md has the last score). Slow, and not part of .ci/run.
#
#   scripts/mutation.sh          both parts: mutmut on the rule functions, then the hand-made SQL mutants
#   scripts/mutation.sh rules    mutmut only: projections/{claims,status,timeline,ratings,editions}.py against
#                                the rules' unit tests ([tool.mutmut] in pyproject.toml)
#   scripts/mutation.sh sql      the hand-made SQL mutants only (scripts/sql_mutants.py), each against the
#                                model-based test on SQLite under the `mutation` hypothesis profile
#
# The machine is shared: everything runs under nice, mutmut with MUTMUT_CHILDREN (default 2) workers. mutmut
# works in ./mutants (ignored by git) and is started afresh each time, so the score is for the code as it is;
# the SQL mutants work on a copy in a temporary folder. Neither changes a tracked file.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c 'import sys; sys.path.insert(0, "scripts"); import run; run.ensure_environment(with_tests=True)'
venv=.venv/bin
part=${1:-all}
status=0

if [[ $part == all || $part == rules ]]; then
  rm -rf mutants
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  # mutmut's exit status says nothing of survivors; the summary below does.
  nice -n 10 "$venv/mutmut" run --max-children "${MUTMUT_CHILDREN:-2}" >"$log" 2>&1 || { tail -n 40 "$log" >&2; exit 2; }
  "$venv/mutmut" export-cicd-stats >/dev/null
  "$venv/python" - <<'EOF'
import json
stats = json.load(open("mutants/mutmut-cicd-stats.json"))
# Timeouts count as killed: the mutant made the tests loop, so it did not pass them.
killed, run = stats["killed"] + stats["timeout"], stats["total"] - stats["no_tests"] - stats["skipped"]
print(f"rule functions: killed {killed} / {run} ({100 * killed / run:.1f}%); "
      f"{stats['survived']} survived; {stats['no_tests']} in the store readers, which no fast test runs (see docs/mutation.md)")
EOF
  "$venv/mutmut" results | grep -v "no tests" || true
fi

if [[ $part == all || $part == sql ]]; then
  nice -n 10 "$venv/python" scripts/sql_mutants.py || status=$?
fi
exit "$status"
