"""The embedded store: SQLite in a data directory, shared by every process on one machine.

One connection per process, used under a lock (the operations take well under a
millisecond); processes coordinate through SQLite's own file locks, in WAL mode
so that a board reading never waits for a student writing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sgdlab.board.rooms import MAX_RUNS, TTL_S, BoardError, Challenge, Room
from sgdlab.board.store import UNSET

FILE = "board.sqlite3"
BUSY_MS = 5000  # how long a write waits for another process's write before giving up
SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, key_hash TEXT NOT NULL, last_used REAL NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0, challenge TEXT, revealed INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS runs (
    code TEXT NOT NULL, pos INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (code, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rooms_last_used ON rooms (last_used);
"""
COLUMNS = "code, key_hash, count, closed, challenge, revealed, version, epoch, last_used"


class SqliteStore:
    """:class:`~sgdlab.board.store.BoardStore` in ``data_dir``/board.sqlite3."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / FILE
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the database's write lock from its start."""
        with self._lock:
            try:
                conn = self._connect()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as e:
                raise BoardError("unreachable", str(e)) from e

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connect().execute(sql, args).fetchall()
            except (sqlite3.Error, OSError) as e:
                raise BoardError("unreachable", str(e)) from e

    @staticmethod
    def _room(row: tuple[Any, ...]) -> Room:
        code, key_hash, count, closed, challenge, revealed, version, epoch, last_used = row
        return Room(code, key_hash, int(count), bool(closed), Challenge.from_json(challenge),
                    bool(revealed), int(version), int(epoch), float(last_used))

    @staticmethod
    def _live(conn: sqlite3.Connection, code: str, now: float) -> Room:
        row = conn.execute(f"SELECT {COLUMNS} FROM rooms WHERE code = ? AND last_used >= ?",
                           (code, now - TTL_S)).fetchone()
        if row is None:
            raise BoardError("no_room", code)
        return SqliteStore._room(row)

    def create(self, code: str, key_hash: str, now: float) -> bool:
        with self._write() as conn:
            # Expired rooms go here, when a room is made: a lazy sweep, no timer thread.
            old = [r[0] for r in conn.execute("SELECT code FROM rooms WHERE last_used < ?",
                                              (now - TTL_S,))]
            for c in old:
                conn.execute("DELETE FROM runs WHERE code = ?", (c,))
            conn.execute("DELETE FROM rooms WHERE last_used < ?", (now - TTL_S,))
            if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone():
                return False
            conn.execute("INSERT INTO rooms (code, key_hash, last_used) VALUES (?, ?, ?)",
                         (code, key_hash, now))
            return True

    def room(self, code: str, now: float) -> Room | None:
        rows = self._read(f"SELECT {COLUMNS} FROM rooms WHERE code = ? AND last_used >= ?",
                          (code, now - TTL_S))
        return self._room(rows[0]) if rows else None

    def send(self, code: str, run_json: str, now: float) -> int:
        with self._write() as conn:
            room = self._live(conn, code, now)
            if room.closed:
                raise BoardError("closed", code)
            if room.count >= MAX_RUNS:
                raise BoardError("full", code)
            conn.execute("INSERT INTO runs (code, pos, body) VALUES (?, ?, ?)",
                         (code, room.count, run_json))
            conn.execute("UPDATE rooms SET count = count + 1, version = version + 1, "
                         "last_used = ? WHERE code = ?", (now, code))
            return room.count + 1

    def runs(self, code: str, start: int = 0) -> list[str]:
        rows = self._read("SELECT body FROM runs WHERE code = ? AND pos >= ? ORDER BY pos",
                          (code, max(0, int(start))))
        return [r[0] for r in rows]

    def update(self, code: str, now: float, *, closed: bool | None = None,
               challenge: Challenge | None | object = UNSET,
               revealed: bool | None = None) -> Room:
        with self._write() as conn:
            self._live(conn, code, now)
            sets: list[str] = ["version = version + 1", "last_used = ?"]
            args: list[Any] = [now]
            if closed is not None:
                sets.append("closed = ?")
                args.append(int(closed))
            if challenge is not UNSET:
                sets.append("challenge = ?")
                args.append(challenge.to_json() if isinstance(challenge, Challenge) else None)
            if revealed is not None:
                sets.append("revealed = ?")
                args.append(int(revealed))
            conn.execute(f"UPDATE rooms SET {', '.join(sets)} WHERE code = ?", (*args, code))
            return self._live(conn, code, now)

    def clear(self, code: str, now: float) -> Room:
        with self._write() as conn:
            self._live(conn, code, now)
            conn.execute("DELETE FROM runs WHERE code = ?", (code,))
            conn.execute("UPDATE rooms SET count = 0, epoch = epoch + 1, version = version + 1, "
                         "revealed = 0, last_used = ? WHERE code = ?", (now, code))
            return self._live(conn, code, now)
