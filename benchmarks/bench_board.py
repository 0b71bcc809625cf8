"""Class board under load: N students send to one room through 2 app processes sharing Redis.

    .venv/bin/python benchmarks/bench_board.py                  # 60 students, sends over 3 s
    .venv/bin/python benchmarks/bench_board.py --spread 0       # all 60 press at once

Starts a real redis-server (tests/redis_server.py) and two ``streamlit run app.py``
servers with SGDLAB_REDIS_URL pointing at it, opens a room, and puts a projector
(``?room=CODE&board=1``) on server 1. Each student opens ``?room=CODE`` with a
learning rate and batch size of its own, alternating between the servers, over
Streamlit's own websocket protocol (benchmarks/stclient.py); then, at its moment in
the --spread window, types a nickname and presses "Send to class board". The
projector client keeps the board's auto-rerun timer as the browser does and reads
every run named in the board's figures as they arrive.

Send-to-board is the time from a student's click leaving the client to the board's
figure that names that run reaching the projector's client (the browser then draws
it). Passes when every run appears on the board and p95 <= 2 s. Traffic stays on
127.0.0.1; every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import math
import os
import random
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from load_test import Server, _commit  # noqa: E402
from stclient import RunResult, Session, percentile  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from sgdlab.board import rooms  # noqa: E402
from sgdlab.board.redis_store import RedisStore  # noqa: E402
from tests.redis_server import REDIS_SERVER, redis_server  # noqa: E402

TARGET_P95 = 2.0
MAX_STUDENTS = 200
PORTS = range(8651, 8660)  # the load tools' ports on this machine
SEND_LABEL = "Send to class board"
NICK_LABEL = "Nickname (optional)"
NAMED = re.compile(r"#(\d+) (.*?)<br>")  # a run's hover text on the board: "#12 s07<br>..."
RATES = (0.01, 0.5)  # students' learning rates, log-uniform: most converge, a few diverge
BATCHES = (1, 2, 5, 10, 20, 40, 50, 100, 200)


@dataclass
class Page(Session):
    """A student's tab: the settings Session models, plus buttons and text boxes by label
    (with the fragment each is drawn in: pressing one reruns that fragment alone)."""

    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)
    text_inputs: dict[str, tuple[str, str]] = field(default_factory=dict)

    def _handle(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            if kind == "button":
                self.buttons[element.button.label] = (element.button.id, msg.delta.fragment_id)
            elif kind == "text_input":
                self.text_inputs[element.text_input.label] = (element.text_input.id,
                                                              msg.delta.fragment_id)
        super()._handle(msg)

    async def press_send(self, nickname: str) -> RunResult:
        """Type the nickname and press the send button, as the browser sends both."""
        box, _ = self.text_inputs[NICK_LABEL]
        button, fragment = self.buttons[SEND_LABEL]
        typed = WidgetState(id=box, string_value=nickname)
        click = WidgetState(id=button, trigger_value=True)
        await self.send([*self.states(), typed, click], fragment)
        return await self.wait()


@dataclass
class Projector(Session):
    """The board's tab: reruns its fragment on the server's auto-rerun timer, as the
    browser does, and notes when each run first appears in a figure."""

    seen: dict[str, float] = field(default_factory=dict)  # nickname -> first arrival
    figures: int = 0  # board figures received
    _timers: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session" and not msg.metadata.run.fragment_ids:
            self._stop_timers()  # a full run registers its fragments (and timers) anew
        elif kind == "auto_rerun":
            fid = msg.auto_rerun.fragment_id
            if fid in self._timers:
                self._timers[fid].cancel()
            self._timers[fid] = asyncio.create_task(self._tick(fid, msg.auto_rerun.interval))
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                task = self._timers.pop(fid, None)
                if task:
                    task.cancel()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "plotly_chart":
                self._read_figure(element.plotly_chart.spec)
        super()._handle(msg)

    def _read_figure(self, spec: str) -> None:
        now = time.perf_counter()
        self.figures += 1
        for trace in json.loads(spec).get("data", []):
            for text in trace.get("text") or []:
                m = NAMED.match(str(text))
                if m:
                    self.seen.setdefault(html.unescape(m.group(2)), now)

    async def _tick(self, fragment_id: str, interval: float) -> None:
        while not self._closed:
            await asyncio.sleep(interval)
            msg = BackMsg()
            cs = msg.rerun_script
            cs.query_string = self.query
            cs.page_script_hash = self._page_hash
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = True
            cs.widget_states.widgets.extend(self.states())
            cs.context_info.timezone = "UTC"
            cs.context_info.locale = "en-US"
            await self._ws.send(msg.SerializeToString())

    def _stop_timers(self) -> None:
        for task in self._timers.values():
            task.cancel()
        self._timers.clear()

    async def close(self) -> None:
        self._stop_timers()
        await super().close()


@dataclass
class Outcome:
    """One student's send, as the student's tab and the projector saw it."""

    name: str
    server: int
    load: float = math.nan  # seconds to open the page (its first run)
    clicked: float = math.nan
    send: RunResult | None = None
    arrived: bool = False


@dataclass
class Class:
    """The class's shared moments: page loads a few at a time, then everyone may send."""

    students: int
    at_once: int
    loaded: int = 0
    all_loaded: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)
    _gate: asyncio.Semaphore | None = None

    def gate(self) -> asyncio.Semaphore:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.at_once)
        return self._gate

    def one_loaded(self) -> None:
        self.loaded += 1
        if self.loaded == self.students:
            self.all_loaded.set()


async def student(url: str, code: str, rng: random.Random, timeout: float, klass: Class,
                  at: float, out: Outcome) -> Page:
    """Open the room's page with a setting of one's own, then send at ``at`` after ``go``."""
    lr = math.exp(rng.uniform(*map(math.log, RATES)))
    query = f"room={code}&lang=en&lr={lr:.4g}&batch_size={rng.choice(BATCHES)}"
    page = Page(url, timeout=timeout, query=query)
    async with klass.gate():  # a few loads at a time: the class arrives before the lesson
        first = await page.open()
    out.load = first.latency
    klass.one_loaded()
    if not first.ok or SEND_LABEL not in page.buttons:
        out.send = first
        return page
    await klass.go.wait()
    await asyncio.sleep(at)
    out.clicked = time.perf_counter()
    out.send = await page.press_send(out.name)
    out.arrived = any(a.startswith("Arrived: run #") for a in page.alerts)
    return page


async def run(args: argparse.Namespace, urls: list[str], code: str,
              servers: list[Server]) -> dict[str, Any]:
    rng = random.Random(args.seed)
    projector = Projector(urls[0], timeout=args.timeout, query=f"room={code}&board=1&lang=en")
    await projector.open()
    klass = Class(args.students, args.load_at_once)
    outcomes = [Outcome(f"s{i:02d}", i % len(urls)) for i in range(args.students)]
    offsets = [rng.uniform(0, args.spread) for _ in outcomes]
    tasks = [asyncio.create_task(student(urls[o.server], code, random.Random(rng.random()),
                                         args.timeout, klass, offsets[i], o))
             for i, o in enumerate(outcomes)]
    await asyncio.wait_for(klass.all_loaded.wait(), 30 + 10 * args.students)
    # The class has its pages; the teacher says "send" once the servers are quiet (on a
    # loaded machine a page's last work can outlast its run's end by seconds).
    settled = await quiet(servers)
    before = projector.figures
    cpu_before = [s.cpu_seconds() for s in servers]
    klass.go.set()
    pages = await asyncio.wait_for(asyncio.gather(*tasks), args.timeout + args.spread + 60)
    deadline = time.perf_counter() + args.wait
    names = {o.name for o in outcomes if o.arrived}
    while time.perf_counter() < deadline and not names <= set(projector.seen):
        await asyncio.sleep(0.1)
    cpu_sends = [round(s.cpu_seconds() - c, 1) for s, c in zip(servers, cpu_before, strict=True)]
    result_quiet = {"servers_quiet_after_s": settled}
    latencies = [projector.seen[o.name] - o.clicked for o in outcomes
                 if o.arrived and o.name in projector.seen]
    sends = [o.send.latency for o in outcomes if o.send is not None and o.arrived]
    missing = sorted(names - set(projector.seen))
    failed = {o.name: (o.send.error if o.send else "no page") for o in outcomes if not o.arrived}
    for page in pages:
        await page.close()
    await projector.close()
    return {"students": args.students, "servers": len(urls), "spread_s": args.spread,
            "sent": len(names), "failed_sends": failed, "on_board": len(latencies),
            "missing_from_board": missing, "board_figures": projector.figures - before,
            "send_to_board_p50_s": round(percentile(latencies, 50), 3),
            "send_to_board_p95_s": round(percentile(latencies, 95), 3),
            "send_to_board_max_s": round(max(latencies, default=math.nan), 3),
            "click_to_arrived_p50_s": round(percentile(sends, 50), 3),
            "click_to_arrived_p95_s": round(percentile(sends, 95), 3),
            "page_load_p50_s": round(percentile([o.load for o in outcomes], 50), 3),
            "page_load_p95_s": round(percentile([o.load for o in outcomes], 95), 3),
            # CPU of each server (with its training workers) from the first press until
            # the board had every run: what the sends and the board cost
            "server_cpu_sends_s": cpu_sends, **result_quiet}


async def quiet(servers: list[Server], limit: float = 60.0) -> float | None:
    """Wait until no server uses more than a tenth of a core for a second; how long it
    took (None: not within ``limit`` seconds, and the sends start anyway)."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = [s.cpu_seconds() for s in servers]
        await asyncio.sleep(1.0)
        if all(s.cpu_seconds() - b < 0.1 for s, b in zip(servers, before, strict=True)):
            return round(time.monotonic() - began, 1)
    return None


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=60)
    p.add_argument("--spread", type=float, default=3.0,
                   help="seconds over which the students press send (0: all at once)")
    p.add_argument("--servers", type=int, default=2, help="app processes sharing the Redis")
    p.add_argument("--load-at-once", type=int, default=6, help="page loads in flight at once")
    p.add_argument("--wait", type=float, default=20, help="seconds to wait for the board after "
                   "the last send")
    p.add_argument("--timeout", type=float, default=60, help="seconds before a rerun fails")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the result here")
    args = p.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        p.error(f"students must be within 1..{MAX_STUDENTS}")
    if not 0 <= args.spread <= 60 or not 0 < args.wait <= 120:
        p.error("spread must be within 0..60 s and wait within 0..120 s")
    if not 1 <= args.servers <= len(PORTS):
        p.error(f"servers must be within 1..{len(PORTS)}")
    return args


def free_ports(count: int) -> list[int]:
    """``count`` ports of PORTS that nothing listens on (other work may hold some)."""
    free = []
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        free.append(port)
        if len(free) == count:
            return free
    raise SystemExit(f"fewer than {count} free ports in {PORTS.start}..{PORTS.stop - 1}")


def start(port: int) -> Server:
    """An app server of our own on ``port``: one that answers but is not ours is an error
    (a port taken between the check and the bind)."""
    server = Server.start("app.py", port, 120, Path(f"/tmp/sgdlab-board-{port}.log"))
    time.sleep(1)
    if server.proc is None or server.proc.poll() is not None:
        raise SystemExit(f"our server on {port} exited; see /tmp/sgdlab-board-{port}.log")
    return server


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if REDIS_SERVER is None:
        raise SystemExit("redis-server is not installed (make system-deps installs it)")
    os.chdir(ROOT)  # the servers read .streamlit/config.toml from here
    with redis_server() as redis_url:
        os.environ["SGDLAB_REDIS_URL"] = redis_url
        servers: list[Server] = []
        try:
            for port in free_ports(args.servers):
                servers.append(start(port))
            store = RedisStore(redis_url)
            code = rooms.new_code()
            assert store.create(code, rooms.key_hash(rooms.new_key()), time.time())
            cpu0 = [s.cpu_seconds() for s in servers]
            t0 = time.monotonic()
            result = asyncio.run(run(args, [s.url for s in servers], code, servers))
            wall = time.monotonic() - t0
            room = store.room(code, time.time())
            result.update({
                "commit": _commit(), "room_count": room.count if room else None,
                "server_cpu_s": [round(s.cpu_seconds() - c, 1) for s, c in zip(servers, cpu0,
                                                                               strict=True)],
                "wall_s": round(wall, 1), "cores": os.cpu_count(),
                "loadavg_1min": os.getloadavg()[0]})
        finally:
            for s in servers:
                s.stop()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    every = (result["on_board"] == result["sent"] == args.students
             and result["room_count"] == args.students)
    passed = every and result["send_to_board_p95_s"] <= TARGET_P95
    print(f"{'PASS' if passed else 'FAIL'}: {result['on_board']}/{args.students} runs on the "
          f"board, send-to-board p95 {result['send_to_board_p95_s']} s "
          f"(target {TARGET_P95} s)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
