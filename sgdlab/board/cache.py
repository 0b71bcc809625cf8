"""A room's runs, read once per process and shared by every board that shows the room.

A room's board may be open on the projector and on many students' screens: each
reads only the runs it has not seen, and a new run is parsed once per process,
not once per viewer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sgdlab.board.rooms import BoardError, Room
from sgdlab.board.store import BoardStore
from sgdlab.board.summary import RunSummary

ROOMS_KEPT = 8  # rooms held per process; at 500 runs each about 6 MB parsed


class RoomRuns:
    """The parsed runs of recently shown rooms, kept up to date. A room is known by its
    code, its key's hash (a code freed by expiry and taken again is another room) and
    its epoch (a cleared room starts over)."""

    def __init__(self, size: int = ROOMS_KEPT) -> None:
        self._rooms: OrderedDict[tuple[str, str, int], tuple[int, tuple[RunSummary, ...]]] = (
            OrderedDict())
        self._size = size
        self._lock = threading.Lock()

    def runs(self, store: BoardStore, room: Room) -> tuple[tuple[RunSummary, ...], str | None]:
        """Every readable run of ``room`` as far as ``room.count``, and the reason when the
        new ones could not be read (the runs read before are still returned)."""
        key = (room.code, room.key_hash, room.epoch)
        with self._lock:  # one reader per process: two boards never parse the same run
            fetched, runs = self._rooms.get(key, (0, ()))
            error = None
            if fetched < room.count:
                try:
                    bodies = store.runs(room.code, start=fetched)
                except BoardError as e:
                    bodies, error = [], e.reason
                new = (RunSummary.from_json(text, seq=fetched + i + 1)
                       for i, text in enumerate(bodies))
                fetched, runs = fetched + len(bodies), runs + tuple(r for r in new if r)
            self._rooms[key] = (fetched, runs)
            self._rooms.move_to_end(key)
            while len(self._rooms) > self._size:
                self._rooms.popitem(last=False)
            return runs, error
