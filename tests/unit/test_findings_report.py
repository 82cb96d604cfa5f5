"""The findings report at the end of the run (tests/findings.py), on a made-up suite whose outcomes are known."""

from __future__ import annotations

import pytest

from tests.findings import FINDINGS

pytest_plugins = ["pytester"]

INI = """[pytest]
addopts = -p tests.findings --strict-markers
markers = finding(*keys): issue 16
asyncio_default_fixture_loop_scope = function
"""

SUITE = """
import pytest

@pytest.mark.finding(1)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_one(n):
    pass

@pytest.mark.finding(2)
def test_two_holds():
    pass

@pytest.mark.finding(2, "chain")
def test_two_fails():
    assert False

@pytest.fixture
def broken():
    raise RuntimeError("set-up fails")

@pytest.mark.finding(3)
def test_three_errors_in_set_up(broken):
    pass

@pytest.mark.finding(4)
def test_four_skips():
    pytest.skip("no server")

@pytest.mark.finding(5)
@pytest.mark.xfail(strict=True)
def test_five_still_open():
    assert False

@pytest.fixture
def untidy():
    yield
    raise RuntimeError("tear-down fails")

@pytest.mark.finding(6)
def test_six_passes_but_its_tear_down_fails(untidy):
    pass

@pytest.mark.finding("chain")
def test_chain():
    pass

def test_unmarked():
    pass
"""


def report(result: pytest.RunResult) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Each finding's outcome and failed tests as the report printed them, and the lines after the rows."""
    lines = result.outlines[next(i for i, line in enumerate(result.outlines) if "issue 16: each finding" in line) + 1 :]
    titles = {str(key): title for key, title in FINDINGS.items()}
    rows: dict[str, tuple[str, list[str]]] = {}
    for at, line in enumerate(lines):
        key, _, rest = line.strip().partition(" ")
        if key == "failed:":
            list(rows.values())[-1][1].append(rest)
        elif key in titles:
            rows[key] = (rest.strip().removeprefix(titles[key]).strip(), [])
        else:
            return rows, lines[at:]
    return rows, []


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI)
    pytester.makepyfile(test_made_up=SUITE)
    return pytester


def test_each_finding_shows_the_worst_outcome_of_each_of_its_tests_and_names_the_failed_ones(suite):
    rows, after = report(suite.runpytest())

    failed = "test_made_up.py::test_two_fails"
    expected = {str(key): ("no test", []) for key in FINDINGS} | {
        "1": ("passed 3", []),
        "2": ("failed 1, passed 1", [failed]),
        "3": ("failed 1", ["test_made_up.py::test_three_errors_in_set_up"]),
        "4": ("skipped 1", []),
        "5": ("xfailed 1", []),
        "6": ("failed 1", ["test_made_up.py::test_six_passes_but_its_tear_down_fails"]),
        "chain": ("failed 1, passed 1", [failed]),
    }
    assert rows == expected
    assert not any("part of the suite" in line for line in after)


@pytest.mark.parametrize(
    ("args", "four"),
    [(("-k", "one or four"), "skipped 1"), (("test_made_up.py::test_one",), "no test in this run")],
    ids=["deselected", "one test named"],
)
def test_a_partial_run_says_which_findings_had_no_test_in_this_run(suite, args, four):
    rows, after = report(suite.runpytest(*args))

    assert (rows["1"], rows["4"]) == (("passed 3", []), (four, []))
    assert rows["2"] == rows["redaction"] == ("no test in this run", [])
    assert after[0] == "(part of the suite ran: a finding with no test in this run may have tests elsewhere)"


def test_a_finding_issue_16_does_not_have_is_a_usage_error(suite):
    suite.makepyfile(test_typo="import pytest\n\n@pytest.mark.finding(15)\ndef test_typo():\n    pass\n")

    result = suite.runpytest()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_typo.py::test_typo: @pytest.mark.finding(15): issue 16 has no such finding (1, 2,*"])
