"""Issue 16 in the test output: each finding (and each item of its Build section) with the outcome of
the tests that cover it, marked `@pytest.mark.finding(1)` or `@pytest.mark.finding("chain")`.

A finding no test covers says "no test"; when only part of the suite runs, "no test in this run".
"""

from __future__ import annotations

from collections import Counter

import pytest

Key = int | str

FINDINGS: dict[Key, str] = {
    1: "a long date parameter freezes every client",
    2: "ten bad tokens lock out every writer at an address",
    3: "one large write stalls every write",
    4: "PostgreSQL reads fail during a rebuild",
    5: "min_position broken at a rebuild's swap, and cached",
    6: "about 1,000 rating slots answer 500",
    7: "timeline import trusts its file",
    8: "timeline load reads any local file into the log",
    9: "anonymous resource exhaustion",
    10: "re-sends answer wrongly under concurrency",
    11: "a deleted or replaced SQLite file goes unnoticed",
    12: "500 instead of 400 for misread parameters",
    13: "a trailing newline passes the schema's $",
    14: "smaller: password, backup path, Host, record times",
    "chain": "a tamper-evident log: hash chain, timeline verify",
    "authors": "who wrote what",
    "redaction": "redaction without rewriting history",
    "corrections": "reasoned corrections",
    "withdrawal": "a withdrawn document flags the facts citing it",
}
RANK = ("failed", "xfailed", "skipped", "not run", "passed")  # a test's outcome is the worst of its phases


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Findings(config), "issue-16-findings")


def covered(item: pytest.Item) -> tuple[Key, ...]:
    """The findings a test is marked with; a key issue 16 does not have is a usage error."""
    keys: list[object] = [key for mark in item.iter_markers("finding") for key in mark.args or [None]]
    if unknown := [key for key in keys if key not in FINDINGS]:
        known = ", ".join(map(str, FINDINGS))
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.finding({unknown[0]!r}): issue 16 has no such finding ({known})")
    return tuple(key for key in FINDINGS if key in keys)


class Findings:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.tests: dict[str, tuple[Key, ...]] = {}  # node id -> the findings it covers
        self.outcomes: dict[str, str] = {}  # node id -> its worst outcome so far
        self.partial = False  # tests were deselected, a file failed to collect, or the paths given are not the suite's

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        covered(item)  # every marked test is checked, deselected or not

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.partial |= bool(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.partial |= report.failed

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.tests = {item.nodeid: keys for item in session.items if (keys := covered(item))}
        root, here = self.config.rootpath, self.config.invocation_params.dir
        suite = {root, *(root / path for path in self.config.getini("testpaths"))}
        self.partial |= any((here / arg.split("::")[0]).resolve() not in suite for arg in self.config.args)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self.tests:
            outcome = "xfailed" if report.skipped and hasattr(report, "wasxfail") else report.outcome
            self.outcomes[report.nodeid] = min(self.outcomes.get(report.nodeid, "passed"), outcome, key=RANK.index)

    def lines(self) -> list[str]:
        lines = []
        for key, title in FINDINGS.items():
            outcomes = {nodeid: self.outcomes.get(nodeid, "not run") for nodeid, keys in self.tests.items() if key in keys}
            counts = Counter(outcomes.values())
            summary = ", ".join(f"{outcome} {counts[outcome]}" for outcome in RANK if counts[outcome])
            lines.append(f"{key!s:>11}  {title:<52} {summary or ('no test in this run' if self.partial else 'no test')}")
            lines += [f"{'':>13}failed: {nodeid}" for nodeid, outcome in outcomes.items() if outcome == "failed"]
        if self.partial:
            lines.append("(part of the suite ran: a finding with no test in this run may have tests elsewhere)")
        return lines

    @pytest.hookimpl(trylast=True)  # after the reliability figures (tests/conftest.py): the run ends with this
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.ensure_newline()  # else the first line below comes after a blank one
        terminalreporter.section("issue 16: each finding and its tests")
        for line in self.lines():
            terminalreporter.write_line(line)
