#!/usr/bin/env python3
"""Set up and run Timeline with nothing but Python 3.11+: `serve` or `test`.

Creates ./.venv on first use (and again whenever pyproject.toml changes),
installs the project with its test extras, then runs the command in it.

    python3 scripts/run.py serve [timeline serve options]
    python3 scripts/run.py test  [pytest options]
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".timeline-installed"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        sys.exit(f"Timeline needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not argv or argv[0] not in ("serve", "test"):
        sys.exit(__doc__)
    python = ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "serve":
        args = [str(python), "-m", "timeline", "serve", *rest]
    else:
        args = [str(python), "-m", "pytest", *rest]
    os.chdir(ROOT)
    return subprocess.call(args)


def ensure_environment() -> Path:
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = VENV / bindir / ("python.exe" if os.name == "nt" else "python")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if python.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return python
    if not python.exists():
        print("setting up .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.check_call([*pip, "install", "--upgrade", "pip"])
    subprocess.check_call([*pip, "install", "--editable", f"{ROOT}[test]"])
    STAMP.write_text(wanted)
    return python


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
