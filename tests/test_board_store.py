"""Both board stores, one suite: the embedded SQLite store and a real redis-server.

Every behaviour the UI relies on (places, caps, closing, expiry, clearing, the
teacher's settings) is checked on each backend the same way; the clock is passed
in, so expiry is tested without waiting a day. Processes: two writers at once on
one data directory (or one Redis), and a fresh process reading after a restart.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sgdlab.board import store as store_mod
from sgdlab.board.redis_store import RedisStore
from sgdlab.board.rooms import MAX_RUNS, TTL_S, BoardError, Challenge, key_hash
from sgdlab.board.sqlite_store import SqliteStore
from tests.redis_server import REDIS_SERVER, redis_server

ROOT = Path(__file__).resolve().parents[1]
T0 = 1_800_000_000.0  # a fixed "now"
NO_REDIS = "redis-server is not installed (make system-deps installs it)"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if REDIS_SERVER is None:
        pytest.skip(NO_REDIS)
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment that selects one backend (as the app reads it)."""
    if request.param == "sqlite":
        return {store_mod.DATA_DIR_ENV: str(tmp_path / "data"), store_mod.REDIS_URL_ENV: ""}
    url = request.getfixturevalue("redis_url")
    RedisStore(url).client.flushdb()
    return {store_mod.REDIS_URL_ENV: url}


@pytest.fixture
def store(backend: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> store_mod.BoardStore:
    for name, value in backend.items():
        monkeypatch.setenv(name, value)
    return store_mod.open_store()


def test_open_store_follows_the_environment(store: store_mod.BoardStore,
                                            backend: dict[str, str]) -> None:
    redis = bool(backend.get(store_mod.REDIS_URL_ENV))
    assert isinstance(store, RedisStore if redis else SqliteStore)


def test_a_room_is_created_once_and_read_back(store: store_mod.BoardStore) -> None:
    assert store.create("AB12", key_hash("k"), T0)
    assert not store.create("AB12", key_hash("other"), T0 + 1)  # a live code is never reused
    room = store.room("AB12", T0 + 2)
    assert room is not None
    assert (room.code, room.key_hash, room.count, room.closed, room.challenge, room.revealed,
            room.version, room.epoch) == ("AB12", key_hash("k"), 0, False, None, False, 0, 0)
    assert store.room("ZZZ9", T0) is None


def test_sends_get_places_in_order_and_runs_read_from_a_place(
        store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    places = [store.send("AB12", f'{{"n":{i}}}', T0 + i) for i in range(5)]
    assert places == [1, 2, 3, 4, 5]
    assert store.runs("AB12") == [f'{{"n":{i}}}' for i in range(5)]
    assert store.runs("AB12", start=3) == ['{"n":3}', '{"n":4}']
    assert store.runs("AB12", start=9) == []
    room = store.room("AB12", T0 + 5)
    assert room is not None and room.count == 5 and room.version == 5


def test_a_missing_room_refuses_every_write(store: store_mod.BoardStore) -> None:
    for write in (lambda: store.send("NOPE", "{}", T0), lambda: store.clear("NOPE", T0),
                  lambda: store.update("NOPE", T0, closed=True)):
        with pytest.raises(BoardError) as e:
            write()
        assert e.value.reason == "no_room"


def test_a_closed_room_refuses_sends_until_opened(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    assert store.update("AB12", T0, closed=True).closed
    with pytest.raises(BoardError) as e:
        store.send("AB12", "{}", T0)
    assert e.value.reason == "closed"
    assert not store.update("AB12", T0, closed=False).closed
    assert store.send("AB12", "{}", T0) == 1


def test_a_room_holds_at_most_max_runs(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    for i in range(MAX_RUNS):
        store.send("AB12", str(i), T0)
    with pytest.raises(BoardError) as e:
        store.send("AB12", "one more", T0)
    assert e.value.reason == "full"
    room = store.room("AB12", T0)
    assert room is not None and room.count == MAX_RUNS and room.full


def test_concurrent_sends_never_pass_the_cap(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    for i in range(MAX_RUNS - 10):
        store.send("AB12", str(i), T0)
    results: list[int | str] = []

    def send() -> None:
        try:
            results.append(store.send("AB12", "late", T0))
        except BoardError as e:
            results.append(e.reason)

    threads = [threading.Thread(target=send) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r for r in results if isinstance(r, int)) == list(range(MAX_RUNS - 9,
                                                                          MAX_RUNS + 1))
    assert results.count("full") == 20


def test_a_room_expires_a_day_after_its_last_use(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    store.send("AB12", "{}", T0 + 100)  # a use: the day counts from here
    assert store.room("AB12", T0 + 100 + TTL_S) is not None
    late = T0 + 101 + TTL_S
    assert store.room("AB12", late) is None
    with pytest.raises(BoardError) as e:
        store.send("AB12", "{}", late)
    assert e.value.reason == "no_room"
    assert store.create("AB12", key_hash("new"), late)  # the code is free again, and empty
    room = store.room("AB12", late)
    assert room is not None and room.count == 0 and room.key_hash == key_hash("new")
    assert store.runs("AB12") == []


def test_teacher_settings_change_the_version(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    room = store.update("AB12", T0, challenge=Challenge(20, 30))
    assert room.challenge == Challenge(20, 30) and room.version == 1
    room = store.update("AB12", T0, revealed=True)
    assert room.revealed and room.challenge == Challenge(20, 30) and room.version == 2
    room = store.update("AB12", T0, challenge=None, revealed=False)
    assert room.challenge is None and not room.revealed and room.version == 3


def test_clearing_starts_a_new_epoch(store: store_mod.BoardStore) -> None:
    store.create("AB12", key_hash("k"), T0)
    store.send("AB12", "a", T0)
    store.update("AB12", T0, challenge=Challenge(), revealed=True)
    room = store.clear("AB12", T0)
    assert (room.count, room.epoch, room.revealed, room.challenge) == (0, 1, False, Challenge())
    assert store.runs("AB12") == []
    assert store.send("AB12", "b", T0) == 1


def test_redis_keys_carry_the_ttl(redis_url: str) -> None:
    import time

    store = RedisStore(redis_url)
    store.client.flushdb()
    store.create("AB12", key_hash("k"), time.time())
    store.send("AB12", "{}", time.time())
    for key in ("sgdlab:room:AB12", "sgdlab:room:AB12:runs"):
        assert TTL_S - 60 < store.client.ttl(key) <= TTL_S


def test_an_unreachable_redis_is_a_board_error_not_a_crash() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    for call in (lambda: store.room("AB12", T0), lambda: store.send("AB12", "{}", T0),
                 lambda: store.create("AB12", "h", T0), lambda: store.runs("AB12")):
        with pytest.raises(BoardError) as e:
            call()
        assert e.value.reason == "unreachable"


def test_an_unwritable_data_dir_is_a_board_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = SqliteStore(blocker / "data")
    with pytest.raises(BoardError) as e:
        store.create("AB12", "h", T0)
    assert e.value.reason == "unreachable"


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(store_mod.DATA_DIR_ENV, str(tmp_path / "x"))
    assert store_mod.default_data_dir() == tmp_path / "x"
    monkeypatch.delenv(store_mod.DATA_DIR_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store_mod.default_data_dir() == tmp_path / "xdg" / "sgdlab"


# --- several processes --------------------------------------------------------

WRITER = """
import sys, time
from sgdlab.board.store import open_store
store = open_store()
for i in range({n}):
    store.send("AB12", "{{}}-%s-%d" % (sys.argv[1], i), time.time())
"""
READER = """
import time
from sgdlab.board.store import open_store
store = open_store()
room = store.room("AB12", time.time())
print(room.count, room.version, len(store.runs("AB12")))
"""


def _python(code: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    import os

    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=full, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_write_one_room_and_a_third_reads_it_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded store across processes (Redis is a server: its clients are separate
    anyway, and benchmarks/bench_board.py sends through two app processes)."""
    import time

    backend = {store_mod.DATA_DIR_ENV: str(tmp_path / "data"), store_mod.REDIS_URL_ENV: ""}
    for name, value in backend.items():
        monkeypatch.setenv(name, value)
    store = store_mod.open_store()

    assert store.create("AB12", key_hash("k"), time.time())
    n = 60
    writers = [_python(WRITER.format(n=n), backend, name) for name in ("p", "q")]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    bodies = store.runs("AB12")
    assert sorted(bodies) == sorted(f"{{}}-{p}-{i}" for p in "pq" for i in range(n))
    # A new process (a restarted server) sees the same room.
    reader = _python(READER, backend)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.split() == [str(2 * n), str(2 * n), str(2 * n)]
