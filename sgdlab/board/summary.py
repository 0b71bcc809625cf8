"""What a run sends to the class board: its settings, final loss, divergence and curves,
downsampled, as one small JSON document.

    s = summarize(history, data_config, train_config, nickname="Ann")
    text = s.to_json()                  # what a store keeps (about 4 KB)
    RunSummary.from_json(text) == s     # True

Nothing else about the student is kept: the nickname is the only personal field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sgdlab import urlstate
from sgdlab.board.rooms import clean_nickname
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.history import History

MAX_POINTS = 120  # points kept of each curve: a projector shows no more
MAX_JSON_CHARS = 64_000  # a stored run longer than this is not one of ours
FORMAT = 1


def keep_indices(n: int, k: int = MAX_POINTS) -> np.ndarray:
    """At most ``k`` indices of 0..n-1, evenly spread, always the first and the last."""
    if n <= k:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, k).round().astype(np.int64))


def _floats(values: Any) -> tuple[float, ...]:
    """Five significant digits, and None-free: non-finite values become NaN."""
    out = []
    for v in np.asarray(values, dtype=np.float64).tolist():
        out.append(float(f"{v:.5g}") if math.isfinite(v) else math.nan)
    return tuple(out)


@dataclass(frozen=True)
class RunSummary:
    """One run on the board. ``step`` are the kept steps (1-based) of the curves
    ``loss`` (whole-data), ``a`` and ``b``; ``final_loss`` is after the last kept
    update (None when no update was made)."""

    nickname: str
    data: DataConfig
    train: TrainConfig
    final_loss: float | None
    diverged_at: int | None
    step: tuple[int, ...] = ()
    loss: tuple[float, ...] = ()
    a: tuple[float, ...] = ()
    b: tuple[float, ...] = ()
    seq: int = field(default=0, compare=False)  # its place in the room (1 = first), set on read

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def lr(self) -> float:
        return self.train.lr

    @property
    def batch_size(self) -> int:
        return self.train.batch_size

    def to_json(self) -> str:
        """The run as a store keeps it: settings as a link writes them, numbers rounded."""
        body = {"v": FORMAT, "nick": self.nickname, "q": urlstate.to_query(self.data, self.train),
                "final": _json_float(self.final_loss), "div": self.diverged_at,
                "step": list(self.step), "loss": [_json_float(v) for v in self.loss],
                "a": [_json_float(v) for v in self.a], "b": [_json_float(v) for v in self.b]}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @staticmethod
    def from_json(text: str, seq: int = 0) -> RunSummary | None:
        """A stored run, checked as a link is (settings clamped), or None if it is not one."""
        if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
            return None
        try:
            body = json.loads(text)
            if (not isinstance(body, dict) or body.get("v") != FORMAT
                    or not isinstance(body.get("q"), dict)):
                return None
            query = {str(k): str(v) for k, v in body["q"].items()}
            state = urlstate.parse(query)
            step = tuple(int(s) for s in body["step"][: 2 * MAX_POINTS])
            loss, a, b = (tuple(_read_float(v) for v in body[name][: len(step)])
                          for name in ("loss", "a", "b"))
            final = _read_float(body["final"]) if body["final"] is not None else None
            div = int(body["div"]) if body["div"] is not None else None
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not len(loss) == len(a) == len(b) == len(step):
            return None
        return RunSummary(clean_nickname(body.get("nick", "")), state.data, state.train,
                          final, div, step, loss, a, b, seq=seq)


def _json_float(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def _read_float(v: Any) -> float:
    return math.nan if v is None else float(v)


def summarize(history: History, data: DataConfig, train: TrainConfig,
              nickname: str = "") -> RunSummary:
    """The board's view of one run: its settings, final loss, divergence, kept curves."""
    keep = keep_indices(history.steps)
    final = float(history.total_loss[-1]) if history.steps else None
    if final is not None and not math.isfinite(final):
        final = None
    return RunSummary(clean_nickname(nickname), data, train, final, history.diverged_at,
                      tuple(int(s) for s in history.step[keep]),
                      _floats(history.total_loss[keep]), _floats(history.a[keep]),
                      _floats(history.b[keep]))


def best_runs(runs: Sequence[RunSummary], k: int = 10) -> list[RunSummary]:
    """The ``k`` runs with the lowest final whole-data loss (diverged runs never; the
    earlier sent first among equals)."""
    finite = [r for r in runs if not r.diverged and r.final_loss is not None
              and math.isfinite(r.final_loss)]
    return sorted(finite, key=lambda r: (r.final_loss, r.seq))[:k]
