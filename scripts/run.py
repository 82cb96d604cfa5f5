#!/usr/bin/env python3
"""Set up and run Timeline with nothing but Python 3.11+: `serve` or `test`.

Creates ./.venv on first use (and again whenever pyproject.toml changes),
installs the project (for `test`, with its test extras: pytest, Playwright, the
static checkers; `serve` needs none of them), then runs the command in it.
For `test` it also installs what the browser tests need where it can:
Debian's chromium (when missing and running as root) and TimelineJS from npm;
and before pytest it runs the static checks (`ruff check`, `mypy --strict` on
timeline/ and projections/, both set up in pyproject.toml): if either finds
anything, it says so and the tests do not run.

    python3 scripts/run.py serve [timeline serve options]
    python3 scripts/run.py test  [pytest options]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".timeline-installed"
BROWSER_TESTS = ROOT / "tests" / "browser"
CHECKS = (["ruff", "check"], ["mypy"])  # what they check and how strictly: pyproject.toml


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - run by whatever python3 the machine has, to say so
        sys.exit(f"Timeline needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not argv or argv[0] not in ("serve", "test"):
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    python = ensure_environment(with_tests=command == "test")
    os.chdir(ROOT)
    if command == "serve":
        return subprocess.call([str(python), "-m", "timeline", "serve", *rest])
    ensure_browser_tools()
    for check in CHECKS:
        print(f"$ {' '.join(check)}", flush=True)
        if subprocess.call([str(python), "-m", *check]) != 0:
            print(f"\n{' '.join(check)} failed (see above); fix what it reports. The tests were not run.", file=sys.stderr)
            return 1
    return subprocess.call([str(python), "-m", "pytest", *rest])


def ensure_environment(with_tests: bool) -> Path:
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = VENV / bindir / ("python.exe" if os.name == "nt" else "python")
    project = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    # The stamp says which pyproject.toml was installed, and whether with the test extras (a superset).
    installed = STAMP.read_text().split() if python.exists() and STAMP.exists() else []
    if installed[:1] == [project] and (not with_tests or installed[1:] == ["test"]):
        return python
    if not python.exists():
        print("setting up .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.check_call([*pip, "install", "--upgrade", "pip"])
    subprocess.check_call([*pip, "install", "--editable", f"{ROOT}[test]" if with_tests else str(ROOT)])
    STAMP.write_text(f"{project} test" if with_tests else project)
    return python


def ensure_browser_tools() -> None:
    """Chromium and TimelineJS for the browser tests. Where they cannot be installed, those tests
    skip saying what to install (or fail, under TIMELINE_REQUIRE_BROWSER=1, as in CI)."""
    if not shutil.which("chromium") and shutil.which("apt-get") and os.name == "posix" and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests ...", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        if subprocess.call(install, env=env, stdout=subprocess.DEVNULL) != 0:
            subprocess.call(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.call(install, env=env, stdout=subprocess.DEVNULL)
    npm, lock = shutil.which("npm"), BROWSER_TESTS / "package-lock.json"
    stamp = BROWSER_TESTS / "node_modules" / ".timeline-installed"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if npm and not (stamp.exists() and stamp.read_text() == wanted):
        print("installing TimelineJS for the browser tests ...", flush=True)
        if subprocess.call([npm, "ci", "--no-audit", "--no-fund", "--silent", "--prefix", str(BROWSER_TESTS)]) == 0:
            stamp.write_text(wanted)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
