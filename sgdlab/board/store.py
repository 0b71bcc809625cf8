"""Where rooms and their runs are kept: one interface, two backends.

    store = open_store()          # Redis when SGDLAB_REDIS_URL is set, else SQLite on disk
    store.create("AB12", key_hash(key), now=time.time())
    store.send("AB12", summary.to_json(), now=time.time())   # -> its place, 1 for the first
    store.room("AB12", now=time.time()).count                # 1
    store.runs("AB12", start=0)                              # ["{...}"]

Both backends work across processes; SQLite is for one machine (the default:
nothing to install), Redis for several replicas. A failure to reach the store
raises ``BoardError("unreachable")``; a room past its TTL reads as absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from sgdlab.board.rooms import Challenge, Room

REDIS_URL_ENV = "SGDLAB_REDIS_URL"
DATA_DIR_ENV = "SGDLAB_DATA_DIR"
UNSET = object()  # "leave as it is", for BoardStore.update's challenge


class BoardStore(Protocol):
    """Rooms and their runs. ``now`` is Unix time in seconds (passed in, so tests own the
    clock); every write counts as the room's use and renews its TTL."""

    def create(self, code: str, key_hash: str, now: float) -> bool:
        """Open a room; False when the code is already a live room."""
        ...

    def room(self, code: str, now: float) -> Room | None:
        """The room, or None when it never existed or has expired."""
        ...

    def send(self, code: str, run_json: str, now: float) -> int:
        """Add a run; its place in the room (1 = first). Raises BoardError "no_room",
        "closed" or "full"."""
        ...

    def runs(self, code: str, start: int = 0) -> list[str]:
        """The room's runs from place ``start`` (0-based) on, oldest first."""
        ...

    def update(self, code: str, now: float, *, closed: bool | None = None,
               challenge: Challenge | None | object = UNSET,
               revealed: bool | None = None) -> Room:
        """Change the teacher's settings of a room. Raises BoardError "no_room"."""
        ...

    def clear(self, code: str, now: float) -> Room:
        """Remove every run of a room (a new epoch). Raises BoardError "no_room"."""
        ...


def default_data_dir() -> Path:
    """Where the embedded store lives: SGDLAB_DATA_DIR, else the user's data directory."""
    given = os.environ.get(DATA_DIR_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sgdlab"


def open_store() -> BoardStore:
    """The store this server uses: Redis at SGDLAB_REDIS_URL if set, else SQLite."""
    url = os.environ.get(REDIS_URL_ENV, "").strip()
    if url:
        from sgdlab.board.redis_store import RedisStore

        return RedisStore(url)
    from sgdlab.board.sqlite_store import SqliteStore

    return SqliteStore(default_data_dir())
