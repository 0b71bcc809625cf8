"""Load test: N simulated students on one Streamlit server, over its real websocket.

Each student opens a session (the page load), then moves one control and
waits for the picture; 1 to 2 s after the previous move it moves another.
A control is any of the page's: every setting over its whole range, the tabs,
the buttons, a click on the stability map, playback stopped on a step
(benchmarks/moves.py). Reports the exceptions (with the move that caused
each), other errors, p50/p95 rerun latency, which controls were moved, and
the server's memory (RSS) at start and end. Traffic goes to 127.0.0.1 only, and every mode
is bounded in sessions and seconds. Start it from the repository root so the
server reads .streamlit/config.toml:

    .venv/bin/python benchmarks/load_test.py --sessions 30 --duration 60
    .venv/bin/python benchmarks/load_test.py --knee               # where p95 passes 2 s
    .venv/bin/python benchmarks/load_test.py --faults             # disconnects, divergence, drags
    .venv/bin/python benchmarks/load_test.py --app benchmarks/load_app.py --sessions 10
    .venv/bin/python benchmarks/load_test.py --url ws://127.0.0.1:8501/_stcore/stream --pid 1234

Without --url it starts ``streamlit run APP`` itself on 127.0.0.1:--port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).parent))
from moves import move  # noqa: E402
from stclient import RunResult, Session, Widget, changed_state, percentile  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_SESSIONS = 200
MAX_SECONDS = 900  # any one mode, wall clock
TARGET_P95 = 2.0


# --- the server under test ---------------------------------------------------

class Server:
    """A Streamlit server on 127.0.0.1 that we started, or one we were pointed at."""

    def __init__(self, url: str, pid: int | None, proc: subprocess.Popen[bytes] | None = None):
        host = urlparse(url).hostname
        if host not in LOOPBACK:
            raise SystemExit(f"refusing to load {host}: this tool only talks to loopback")
        self.url, self.pid, self.proc = url, pid, proc

    @classmethod
    def start(cls, app: str, port: int, session_ttl: int, log: Path,
              options: list[str] | None = None) -> Server:
        # A path of its own: another server on the port (another engineer's load test)
        # cannot answer for ours, and is never sent our class.
        base = f"load{os.getpid()}"
        cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.baseUrlPath", base,
               "--server.headless", "true",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
               "--server.disconnectedSessionTTL", str(session_ttl), *(options or [])]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)
        server = cls(f"ws://127.0.0.1:{port}/{base}/_stcore/stream", proc.pid, proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited (is port {port} taken?); see {log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{base}/_stcore/health",
                                            timeout=2) as r:
                    if r.status == 200:
                        return server
            except OSError:
                time.sleep(0.3)
        server.stop()
        raise SystemExit("server did not become healthy in 60 s")

    def tree(self) -> list[int]:
        """The server's pid and its descendants' (worker processes count as the server)."""
        if self.pid is None:
            return []
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children.get(pid, []))
        return pids

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker processes, MB."""
        if self.pid is None:
            return float("nan")
        total = 0
        for pid in self.tree():
            try:
                m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            except OSError:
                continue
            total += int(m.group(1)) if m else 0
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU time of the server and its live worker processes (and reaped children), s."""
        if self.pid is None:
            return float("nan")
        ticks = 0
        for pid in self.tree():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- statistics --------------------------------------------------------------

@dataclass
class Stats:
    """Latencies and errors of many students, folded together."""

    latencies: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)  # first page loads
    errors: Counter[str] = field(default_factory=Counter)  # exceptions on the page included
    exceptions: list[str] = field(default_factory=list)  # "control = value: exception"
    moved: Counter[str] = field(default_factory=Counter)  # moves per control
    seen: set[str] = field(default_factory=set)  # every control some page showed
    interrupted: int = 0
    by_setting: dict[str, list[float]] = field(default_factory=dict)
    worst: list[tuple[float, str]] = field(default_factory=list)  # (latency, what changed)

    def add(self, r: RunResult, *, load: bool = False, setting: str = "",
            value: str = "") -> None:
        (self.loads if load else self.latencies).append(r.latency)
        if setting:
            self.by_setting.setdefault(setting, []).append(r.latency)
            self.worst = sorted([*self.worst, (r.latency, f"{setting} = {value}")])[-3:]
        self.interrupted += r.interrupted
        if not r.ok:
            self.errors[r.error] += 1
            if r.error.startswith("exception"):
                self.exceptions.append(f"{setting} = {value}: {r.error}"
                                       if setting else f"page load: {r.error}")

    def summary(self) -> dict[str, Any]:
        exceptions = len(self.exceptions)
        return {"reruns": len(self.latencies), "exceptions": exceptions,
                "errors": sum(self.errors.values()) - exceptions,
                "p50_s": round(percentile(self.latencies, 50), 3),
                "p95_s": round(percentile(self.latencies, 95), 3),
                "max_s": round(max(self.latencies, default=float("nan")), 3),
                "load_p50_s": round(percentile(self.loads, 50), 3),
                "load_p95_s": round(percentile(self.loads, 95), 3),
                "error_kinds": dict(self.errors.most_common(5)),
                "exception_moves": self.exceptions[:10],
                "controls_moved": len(self.moved), "controls_seen": len(self.seen),
                "never_moved": sorted(self.seen - set(self.moved)),
                # Which settings are slow to change: the place to look for a fix.
                "slowest_settings": {k: {"n": len(v), "p50_s": round(percentile(v, 50), 2),
                                         "max_s": round(max(v), 2)}
                                     for k, v in sorted(self.by_setting.items(),
                                                        key=lambda kv: -percentile(kv[1], 50))[:5]},
                "slowest_runs": [f"{t:.2f} s: {what}" for t, what in reversed(self.worst)]}


def _value(state: WidgetState) -> str:
    """A widget value, short, for the report."""
    kind = state.WhichOneof("value")
    value: Any = getattr(state, kind) if kind else None
    return str(list(value.data) if hasattr(value, "data") else value)[:60]


def _name(w: Widget) -> str:
    """A control's name in the report: its key, else its label."""
    return w.key or w.label


def pick(session: Session, rng: random.Random, skip: re.Pattern[str] | None) -> Widget | None:
    choices = [w for w in session.settings()
               if not (skip and (skip.search(w.label) or skip.search(w.key)))]
    return rng.choice(choices) if choices else None


def find(session: Session, label: re.Pattern[str]) -> Widget | None:
    return next((w for w in session.settings() if label.search(w.label)), None)


# --- students ----------------------------------------------------------------

async def student(url: str, until: float, rng: random.Random, stats: Stats,
                  skip: re.Pattern[str] | None, timeout: float, full: bool = True) -> None:
    """Open the page, then move a control every 1-2 s until ``until``: anywhere in its range
    (``full``), or a nudge of a few notches."""
    session = Session(url, timeout=timeout)
    try:
        stats.add(await session.open(), load=True)
        last = time.monotonic()
        while True:
            await asyncio.sleep(max(0.0, last + rng.uniform(1, 2) - time.monotonic()))
            if time.monotonic() >= until:
                break
            stats.seen.update(_name(x) for x in session.settings())
            w = pick(session, rng, skip)
            if w is None:
                stats.errors["no widget to change"] += 1
                break
            last = time.monotonic()
            state = move(w, rng, session) if full else changed_state(w, rng)
            stats.moved[_name(w)] += 1
            stats.add(await session.change(w, state), setting=_name(w), value=_value(state))
    except (TimeoutError, OSError) as e:
        stats.errors[f"connect: {type(e).__name__}"] += 1
    finally:
        await session.close()


async def class_of(n: int, url: str, seconds: float, seed: int, stats: Stats,
                   skip: re.Pattern[str] | None, timeout: float, ramp: float,
                   full: bool = True) -> None:
    """``n`` students arriving over ``ramp`` seconds, each staying ``seconds``."""
    async def one(i: int) -> None:
        await asyncio.sleep(ramp * i / max(n, 1))
        await student(url, time.monotonic() + seconds, random.Random(seed * 1000 + i), stats,
                      skip, timeout, full)
    await asyncio.gather(*(one(i) for i in range(n)))


# --- fault cases -------------------------------------------------------------

async def disconnector(url: str, until: float, rng: random.Random, out: Counter[str],
                       timeout: float) -> None:
    """Loads the page, changes a setting and closes the tab before the run ends."""
    while time.monotonic() < until:
        session = Session(url, timeout=timeout)
        try:
            if rng.random() < 0.3:  # leave during the very first run
                await session.connect()
                await session.send([])
                await asyncio.sleep(rng.uniform(0, 0.2))
            else:
                await session.open()
                w = pick(session, rng, None)
                if w is not None:
                    await session.send_change(w, changed_state(w, rng))
                    await asyncio.sleep(rng.uniform(0, 0.2))
            out["disconnected mid-run"] += 1
        except (TimeoutError, OSError) as e:
            out[f"connect: {type(e).__name__}"] += 1
        finally:
            await session.close()
        await asyncio.sleep(rng.uniform(0.5, 1.5))


async def diverger(url: str, until: float, rng: random.Random, stats: Stats,
                   label: re.Pattern[str], timeout: float) -> None:
    """Sets the learning rate to its largest value (training diverges), and back."""
    session = Session(url, timeout=timeout)
    try:
        stats.add(await session.open(), load=True)
        w = find(session, label)
        if w is None:
            stats.errors[f"no widget matching {label.pattern!r}"] += 1
            return
        default = w.state
        while time.monotonic() < until:
            w = session.widgets.get(w.id, w)
            stats.add(await session.change(w, changed_state(w, rng, to_max=True)))
            # The page should say that training diverged (an st.warning), not crash.
            if not session.alerts:
                stats.errors["no alert on the diverged run"] += 1
            await asyncio.sleep(rng.uniform(1, 2))
            stats.add(await session.change(w, default))
            await asyncio.sleep(rng.uniform(1, 2))
    finally:
        await session.close()


async def dragger(url: str, until: float, rng: random.Random, stats: Stats,
                  label: re.Pattern[str], timeout: float) -> None:
    """Drags a slider for 3 s (a change every 50 ms, as the frontend sends), lets go.

    Latency is from the last change to the end of the run that follows it.
    """
    session = Session(url, timeout=timeout)
    try:
        stats.add(await session.open(), load=True)
        while time.monotonic() < until:
            w = find(session, label) or next(
                (x for x in session.settings() if x.kind == "slider"), None)
            if w is None:
                stats.errors["no slider"] += 1
                return
            direction = rng.choice((-1, 1))
            stop = time.monotonic() + 3
            while time.monotonic() < stop:
                w = session.widgets.get(w.id, w)
                state = changed_state(w, rng, direction=direction)
                await session.send_change(w, state)
                await asyncio.sleep(0.05)
            stats.add(await session.wait())
            await asyncio.sleep(rng.uniform(1, 2))
    finally:
        await session.close()


# --- modes -------------------------------------------------------------------

def rss_settled(server: Server, url: str, wait: float) -> float:
    """RSS after closed sessions have expired (one probe page load sweeps them)."""
    time.sleep(wait)

    async def probe() -> None:
        s = Session(url)
        try:
            await s.open()
        finally:
            await s.close()
    asyncio.run(probe())
    time.sleep(2)
    return server.rss_mb()


def warm_up(server: Server, seed: int, args: argparse.Namespace) -> None:
    """One student for a few seconds: imports and first figures are not the class's cost.

    Nudges only (a move to 10,000 steps is the class's to make), and time enough for a
    cold server on a busy machine (workers importing torch)."""
    stats = Stats()
    asyncio.run(class_of(1, server.url, 5, seed, stats, args.skip, max(args.timeout, 120), 0,
                         False))
    if stats.errors:
        raise SystemExit(f"warm-up failed: {dict(stats.errors)}")


def run_class(server: Server, n: int, seconds: float, seed: int,
              args: argparse.Namespace) -> dict[str, Any]:
    stats = Stats()
    rss0, cpu0, t0 = server.rss_mb(), server.cpu_seconds(), time.monotonic()
    asyncio.run(class_of(n, server.url, seconds, seed, stats, args.skip, args.timeout,
                         args.ramp, args.moves == "full"))
    wall, cpu = time.monotonic() - t0, server.cpu_seconds() - cpu0
    runs = len(stats.latencies) + len(stats.loads)
    # CPU per rerun hardly depends on what else runs on the machine: it sizes pods.
    return {"sessions": n, "seconds": seconds, **stats.summary(),
            "server_cpu_cores": round(cpu / wall, 2),
            "server_cpu_ms_per_run": round(1000 * cpu / max(runs, 1)),
            "rss_start_mb": round(rss0), "rss_end_mb": round(server.rss_mb())}


def knee(server: Server, args: argparse.Namespace) -> dict[str, object]:
    """Grow the class until p95 passes the target; the knee is the last size that held."""
    steps, last_ok, began = [], 0, time.monotonic()
    for n in args.ladder:
        if time.monotonic() - began + args.duration > MAX_SECONDS:
            break
        row = run_class(server, n, args.duration, args.seed + n, args)
        print(json.dumps(row), flush=True)
        steps.append(row)
        if row["p95_s"] > TARGET_P95 or row["errors"] or row["exceptions"]:
            break
        last_ok = n
    return {"mode": "knee", "target_p95_s": TARGET_P95, "largest_passing": last_ok,
            "first_failing": steps[-1]["sessions"] if steps and steps[-1]["sessions"] != last_ok
            else None, "steps": steps}


async def _faults_round(url: str, args: argparse.Namespace, seed: int, calm: Stats,
                        div: Stats, drag: Stats, gone: Counter[str]) -> None:
    until = time.monotonic() + args.duration
    rng = random.Random(seed)
    kinds = {
        "disconnect": lambda: disconnector(url, until, random.Random(rng.random()), gone,
                                           args.timeout),
        "diverge": lambda: diverger(url, until, random.Random(rng.random()), div,
                                    args.lr_label, args.timeout),
        "drag": lambda: dragger(url, until, random.Random(rng.random()), drag,
                                args.drag_label, args.timeout)}
    await asyncio.gather(
        class_of(args.sessions, url, args.duration, seed, calm, args.skip, args.timeout,
                 args.ramp, args.moves == "full"),
        *(kinds[k]() for k in args.fault_kinds))


def faults(server: Server, args: argparse.Namespace) -> dict[str, object]:
    """A class under load plus the three fault cases, twice; memory before and after."""
    out: dict[str, object] = {"mode": "faults"}
    out["rss_baseline_mb"] = round(server.rss_mb())
    for rnd in (1, 2):
        calm, div, drag, gone = Stats(), Stats(), Stats(), Counter[str]()
        asyncio.run(_faults_round(server.url, args, args.seed + rnd, calm, div, drag, gone))
        peak = server.rss_mb()
        out[f"round{rnd}"] = {"others": calm.summary(), "diverging": div.summary(),
                              "dragging": drag.summary(), "disconnects": dict(gone),
                              "rss_peak_mb": round(peak),
                              "rss_after_close_mb": round(rss_settled(
                                  server, server.url, args.session_ttl + 3))}
        print(json.dumps(out[f"round{rnd}"]), flush=True)
    return out


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--app", default="app.py", help="script to serve (default: app.py)")
    p.add_argument("--port", type=int, default=8651)
    p.add_argument("--url", help="an already running server's ws://127.0.0.1:PORT/_stcore/stream")
    p.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS and CPU")
    p.add_argument("--sessions", type=int, default=30)
    p.add_argument("--duration", type=float, default=60, help="seconds each student stays")
    p.add_argument("--ramp", type=float, default=5, help="seconds over which students arrive")
    p.add_argument("--knee", action="store_true", help="find where p95 passes 2 s")
    p.add_argument("--ladder", type=lambda s: [int(x) for x in s.split(",")],
                   default=[10, 20, 30, 40, 50, 60, 80, 100])
    p.add_argument("--faults", action="store_true")
    p.add_argument("--fault-kinds", type=lambda s: s.split(","),
                   default=["disconnect", "diverge", "drag"],
                   help="with --faults: which of disconnect,diverge,drag run beside the class")
    p.add_argument("--server-option", action="append", default=[], metavar="--SECTION.KEY=V",
                   help="passed to the server we start, e.g. --server-option=--runner.fastReruns"
                        "=false (repeatable)")
    p.add_argument("--moves", choices=("full", "nudge"), default="full",
                   help="full: any value of a control's whole range (default); nudge: 1-3 "
                        "notches from where it is")
    p.add_argument("--skip", type=re.compile, default=None,
                   help="regex of control keys or labels students never move (default: "
                        "none, every control)")
    p.add_argument("--lr-label", type=re.compile, default=re.compile(r"^(Learning rate|学习率)"))
    p.add_argument("--drag-label", type=re.compile,
                   default=re.compile(r"^(Learning rate|学习率)"))
    p.add_argument("--timeout", type=float, default=30, help="seconds before a rerun fails")
    p.add_argument("--session-ttl", type=int, default=120,
                   help="server.disconnectedSessionTTL of the server we start")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the result here")
    args = p.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or max(args.ladder) > MAX_SESSIONS:
        p.error(f"sessions must be within 1..{MAX_SESSIONS}")
    if not 0 < args.duration <= MAX_SECONDS:
        p.error(f"duration must be within 0..{MAX_SECONDS} s")
    if not 8651 <= args.port <= 8659:
        p.error("port must be within 8651..8659")
    return args


def _commit() -> str:
    """The commit measured, marked "+dirty" when the working tree differs from it."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "app.py", "sgdlab")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.url:
        server = Server(args.url, args.pid)
    else:
        log = Path(f"/tmp/sgdlab-load-{args.port}-{os.getpid()}.log")
        server = Server.start(args.app, args.port, args.session_ttl, log, args.server_option)
    try:
        rss_idle = server.rss_mb()
        warm_up(server, args.seed, args)
        # Other work on the machine steals the same cores: say how busy it was.
        head = {"app": args.app, "commit": _commit(), "url": server.url,
                "server_options": args.server_option,
                "rss_idle_mb": round(rss_idle),
                "rss_warm_mb": round(server.rss_mb()), "cores": os.cpu_count(),
                "loadavg_1min_before": os.getloadavg()[0]}
        if args.knee:
            result = {**head, **knee(server, args)}
        elif args.faults:
            result = {**head, "sessions": args.sessions, "seconds": args.duration,
                      **faults(server, args)}
        else:
            result = {**head, **run_class(server, args.sessions, args.duration, args.seed, args)}
            result["rss_after_close_mb"] = round(rss_settled(server, server.url,
                                                             args.session_ttl + 3))
        result["loadavg_1min_after"] = os.getloadavg()[0]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    finally:
        server.stop()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if "p95_s" in result:
        print(f"{result['sessions']} students, {result['seconds']:g} s: "
              f"{result['exceptions']} exceptions, {result['errors']} other errors, "
              f"p50 {result['p50_s']} s, p95 {result['p95_s']} s (target {TARGET_P95} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    passed = (result.get("p95_s", 0) <= TARGET_P95 and not result.get("errors")  # type: ignore
              and not result.get("exceptions"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
