"""A room's runs shared by the boards of one process (sgdlab.board.cache)."""

from __future__ import annotations

from pathlib import Path

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.board.cache import RoomRuns
from sgdlab.board.rooms import key_hash
from sgdlab.board.sqlite_store import SqliteStore
from sgdlab.board.summary import summarize

T0 = 1_800_000_000.0


class Counting(SqliteStore):
    """The embedded store, counting the runs it hands out."""

    read = 0

    def runs(self, code: str, start: int = 0) -> list[str]:
        out = super().runs(code, start)
        self.read += len(out)
        return out


def body(nickname: str) -> str:
    d, t = DataConfig(), TrainConfig()
    return summarize(train(d, t), d, t, nickname).to_json()


def test_each_run_is_read_once_and_places_are_kept(tmp_path: Path) -> None:
    store, cache = Counting(tmp_path), RoomRuns()
    store.create("AB12", key_hash("k"), T0)
    store.send("AB12", body("a"), T0)
    store.send("AB12", "not a run", T0)  # skipped, but its place is counted
    runs, error = cache.runs(store, store.room("AB12", T0))
    assert error is None and [(r.seq, r.nickname) for r in runs] == [(1, "a")]
    store.send("AB12", body("c"), T0)
    for _ in range(3):  # three boards of the same room
        runs, _ = cache.runs(store, store.room("AB12", T0))
    assert [(r.seq, r.nickname) for r in runs] == [(1, "a"), (3, "c")]
    assert store.read == 3


def test_a_cleared_or_remade_room_starts_over(tmp_path: Path) -> None:
    store, cache = Counting(tmp_path), RoomRuns()
    store.create("AB12", key_hash("k"), T0)
    store.send("AB12", body("old"), T0)
    cache.runs(store, store.room("AB12", T0))
    store.clear("AB12", T0)
    store.send("AB12", body("new"), T0)
    runs, _ = cache.runs(store, store.room("AB12", T0))
    assert [r.nickname for r in runs] == ["new"]
    # the code expires and another teacher takes it: epoch 0 again, another room
    later = T0 + 2 * 24 * 3600
    assert store.create("AB12", key_hash("other"), later)
    store.send("AB12", body("theirs"), later)
    runs, _ = cache.runs(store, store.room("AB12", later))
    assert [r.nickname for r in runs] == ["theirs"]


def test_an_unreachable_store_keeps_what_was_read(tmp_path: Path) -> None:
    store, cache = Counting(tmp_path), RoomRuns()
    store.create("AB12", key_hash("k"), T0)
    store.send("AB12", body("a"), T0)
    room = store.room("AB12", T0)
    cache.runs(store, room)
    store.send("AB12", body("b"), T0)
    room = store.room("AB12", T0)
    store.path = tmp_path / "gone" / "x" / "board.sqlite3"  # the next read fails
    store._conn = None
    (tmp_path / "gone").write_text("a file where a directory should be")
    runs, error = cache.runs(store, room)
    assert error == "unreachable" and [r.nickname for r in runs] == ["a"]
