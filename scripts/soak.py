#!/usr/bin/env python3
"""A bounded mixed read/write load against a Timeline server, watching for errors and leaks.

    python scripts/soak.py --seconds 180            # starts its own server on a fresh SQLite file
    python scripts/soak.py --url http://127.0.0.1:8080 --pid 1234

Prints requests, errors, open file descriptors and RSS after warm-up and at the end; exits 1
if any request failed, descriptors grew, or RSS grew by 10% or more after warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp


@dataclass
class Figures:
    seconds: float
    requests: int
    errors: int
    fds_after_warmup: int
    fds_at_end: int
    rss_after_warmup_kib: int
    rss_at_end_kib: int
    files_opened: list[str] = field(default_factory=list)  # what the descriptors open at the end and not after warm-up point at

    @property
    def rss_growth(self) -> float:
        return self.rss_at_end_kib / self.rss_after_warmup_kib - 1

    @property
    def healthy(self) -> bool:
        return self.errors == 0 and self.fds_at_end <= self.fds_after_warmup and self.rss_growth < 0.10

    def summary(self) -> str:
        return (
            f"soak: {self.seconds:.0f} s, {self.requests} requests, {self.errors} errors; "
            f"open files (not sockets) {self.fds_after_warmup} -> {self.fds_at_end}{f' (new: {self.files_opened})' if self.files_opened else ''}; "
            f"RSS {self.rss_after_warmup_kib / 1024:.1f} -> {self.rss_at_end_kib / 1024:.1f} MiB ({self.rss_growth:+.1%}) after warm-up"
        )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_files(pid: int) -> list[str]:
    """What each open descriptor other than a socket points at (how many clients happen to be connected is not a
    leak), sorted; a pipe's or an anonymous inode's number dropped, so that two lists compare by kind."""
    folder = f"/proc/{pid}/fd"
    found = []
    for name in os.listdir(folder):
        with contextlib.suppress(FileNotFoundError):  # closed while we looked
            target = os.readlink(f"{folder}/{name}")
            if not target.startswith("socket:"):
                found.append(target.split(":[")[0])
    return sorted(found)


def fact(rng: random.Random) -> dict:
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "type": "rating.published",
        "subject": f"force/soak-{rng.randrange(20)}",
        "occurred": f"{rng.randrange(2014, 2024)}-{rng.randrange(1, 13):02d}",
        "data": {"pillar": rng.choice(["effectiveness", "efficiency", "legitimacy"]),
                 "grade": rng.choice(["outstanding", "good", "requires-improvement", "inadequate"]),
                 "inspection": f"PEEL {rng.randrange(2014, 2024)}", "inspectorate": "org/hmic"},
        "source": {"publisher": "HMICFRS", "url": "https://example.org/soak", "published": "2020-01-01", "kind": "official"},
    }


async def load(url: str, until: float, rng: random.Random, counts: dict[str, int], workers: int = 8) -> None:
    async with aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=workers)) as http:

        async def worker() -> None:
            while time.monotonic() < until:
                force = f"force/soak-{rng.randrange(20)}"
                method, path, kwargs = rng.choice(
                    [
                        ("POST", "/v1/facts", {"json": fact(rng)}),
                        ("GET", f"/v1/subjects/{force}/status", {}),
                        ("GET", f"/v1/subjects/{force}/timeline", {"params": {"limit": "50"}}),
                        ("GET", "/v1/ratings", {"params": {"pillar": "effectiveness"}}),
                        ("GET", "/v1/subjects/force/bedfordshire/status", {"params": {"as_of": "2017-03-03"}}),
                    ]
                )
                try:
                    async with http.request(method, path, **kwargs) as response:
                        await response.read()
                        ok = response.status in (200, 201, 404)  # 404: a soak force nobody has named yet
                except aiohttp.ClientError:
                    ok = False
                counts["requests"] += 1
                counts["errors"] += not ok

        await asyncio.gather(*(worker() for _ in range(workers)))


def soak(url: str, pid: int, seconds: float, warmup: float, seed: int = 1) -> Figures:
    rng, counts = random.Random(seed), {"requests": 0, "errors": 0}
    started = time.monotonic()
    asyncio.run(load(url, started + warmup, rng, counts))
    files, rss = open_files(pid), rss_kib(pid)
    asyncio.run(load(url, started + seconds, rng, counts))
    at_end = open_files(pid)
    grown = sorted((Counter(at_end) - Counter(files)).elements())
    return Figures(time.monotonic() - started, counts["requests"], counts["errors"], len(files), len(at_end), rss, rss_kib(pid), grown)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--warmup", type=float, default=None, help="seconds before the baseline (default: a fifth)")
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--pid", type=int, help="the running server's process id, to watch")
    parser.add_argument("--port", type=int, default=8765, help="port for the server it starts (default 8765)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else args.seconds / 5
    server = None
    if args.url:
        if not args.pid:
            parser.error("--url needs --pid to watch the server's descriptors and memory")
        url, pid = args.url, args.pid
    else:
        folder = tempfile.mkdtemp(prefix="timeline-soak-")
        server = subprocess.Popen(
            [sys.executable, "-m", "timeline", "serve", "--port", str(args.port), "--database", f"{folder}/soak.sqlite3"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for line in server.stdout:
            if line.startswith("Timeline on http://"):
                break
        # Keep reading its log: a full pipe would stall the server and fake a hang.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        url, pid = f"http://127.0.0.1:{args.port}", server.pid
    try:
        figures = soak(url, pid, args.seconds, warmup)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
    print(figures.summary())
    if args.json:
        args.json.write_text(json.dumps(asdict(figures) | {"rss_growth": figures.rss_growth, "healthy": figures.healthy}, indent=2))
    return 0 if figures.healthy else 1


if __name__ == "__main__":
    sys.exit(main())
