"""The teacher's challenge: the largest learning rate that still converges in S steps at
batch size B, answered by the theory and by a batched sweep.

    ch = Challenge(batch_size=20, steps=20)
    ans = answer(ch, make_data(DataConfig()))
    ans.swept_lr, ans.worst_batch, ans.full_batch   # 0.19, 0.29, 1.0

"Converges" is measured, not assumed: after S steps the whole-data loss is at
most CONVERGED_FACTOR times the least-squares minimum. The other settings are
the notebook's (its data, plain SGD, batches in order, a constant rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sgdlab import sweep, theory
from sgdlab.board.rooms import Challenge
from sgdlab.board.summary import RunSummary
from sgdlab.config import DataConfig, TrainConfig, spec
from sgdlab.data import Data

CONVERGED_FACTOR = 2.0  # converged: final whole-data loss <= this x the least-squares minimum
MAX_STEPS = 1000  # a challenge's steps: the sweep trains every rate this long
COARSE_RATES = 160  # log-spaced over the slider's range
FINE_RATES = 60  # then evenly between the last rate that converged and the next


def base_configs(ch: Challenge) -> tuple[DataConfig, TrainConfig]:
    """The settings the challenge is about; a run answers it when only its rate differs."""
    return DataConfig(), TrainConfig(batch_size=ch.batch_size, steps=ch.steps)


def check(ch: Challenge, n: int = DataConfig().n) -> Challenge:
    """``ch`` if a board can pose it; ValueError naming what is out of range."""
    if not 1 <= ch.batch_size <= n:
        raise ValueError(f"batch size {ch.batch_size} is outside 1..{n}")
    if not 1 <= ch.steps <= MAX_STEPS:
        raise ValueError(f"steps {ch.steps} is outside 1..{MAX_STEPS}")
    return ch


def answers(run: RunSummary, ch: Challenge) -> bool:
    """Is ``run`` an attempt at the challenge (its settings those of the challenge but lr)?"""
    data, train = base_configs(ch)
    return run.data == data and replace(run.train, lr=train.lr) == train


def converged(final_loss: float | None, diverged: bool, minimum: float) -> bool:
    """Did a run converge by the challenge's measure?"""
    return (not diverged and final_loss is not None and math.isfinite(final_loss)
            and final_loss <= CONVERGED_FACTOR * minimum)


def attempts(runs: Sequence[RunSummary], ch: Challenge, minimum: float,
             k: int = 10) -> list[RunSummary]:
    """The class's converged attempts at ``ch``, largest learning rate first."""
    ok = [r for r in runs if answers(r, ch) and converged(r.final_loss, r.diverged, minimum)]
    return sorted(ok, key=lambda r: (-r.lr, r.seq))[:k]


@dataclass(frozen=True)
class Answer:
    """The theory's limits, and the sweep's largest converging rate (None: no rate does)."""

    challenge: Challenge
    full_batch: float  # 2 / lambda_max of all the data
    worst_batch: float  # 2 / lambda_max of the steepest batch the run takes
    swept_lr: float | None
    minimum: float  # the least-squares loss
    rates_tried: int


def answer(ch: Challenge, data: Data) -> Answer:
    """Theory (the Hessian's limits) and a batched sweep of rates at the challenge's settings."""
    _, base = base_configs(check(ch, data.n))
    bounds = sweep.stability_bounds(data, base, [ch.batch_size])
    minimum = theory.least_squares(data).loss
    s = spec(TrainConfig, "lr")
    lo, hi = float(s.lo or 1e-6), float(s.hi or 10.0)
    coarse = np.logspace(math.log10(lo), math.log10(hi), COARSE_RATES)
    best = _largest_converged(data, base, coarse, minimum)
    tried = len(coarse)
    if best is not None:
        i = int(np.searchsorted(coarse, best))
        if i + 1 < len(coarse):  # between it and the next rate, which did not converge
            fine = np.linspace(coarse[i], coarse[i + 1], FINE_RATES + 2)[1:-1]
            best = _largest_converged(data, base, fine, minimum) or best
            tried += len(fine)
    return Answer(ch, bounds.full_batch, float(bounds.worst_batch[0]), best, minimum, tried)


def _largest_converged(data: Data, base: TrainConfig, lrs: np.ndarray,
                       minimum: float) -> float | None:
    result = sweep.sweep(data, base, lrs, [base.batch_size])
    ok = [converged(float(f), bool(d), minimum)
          for f, d in zip(result.final_total_loss[0], result.diverged[0], strict=True)]
    return float(lrs[np.flatnonzero(ok)[-1]]) if any(ok) else None
