"""Stability map: final whole-data loss over a grid of learning rates x batch sizes.

    from sgdlab.sweep import sweep, default_lrs, default_batch_sizes
    result = sweep(make_data(), TrainConfig(steps=200), default_lrs(), default_batch_sizes(200))
    result.to_frame()   # lr, batch_size, final_total_loss, diverged_at

Every cell is a full training run at the base settings with only ``lr`` and
``batch_size`` changed, all trained at once by :func:`sgdlab.batched.train_many`.
The theory lines come from the Hessian of the quadratic loss (see
:func:`stability_bounds`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sgdlab.batched import train_many
from sgdlab.config import TrainConfig, spec
from sgdlab.data import Data
from sgdlab.history import start_loss
from sgdlab.sampling import Sampler
from sgdlab.theory import data_hessian, max_stable_lr

Progress = Callable[[int, int], None]  # (cells done, cells in all)
Floats = Sequence[float] | np.ndarray
Ints = Sequence[int] | np.ndarray
CHUNKS = 4  # progress updates per long sweep; each is one train_many call, so not free
CHUNK_WORK = 200_000  # cells x steps below which a sweep runs in one call (well under 1 s)
MAX_BATCHES = 2000  # batches inspected per batch size for the worst-batch bound
MAX_ELEMENTS = 4_000_000  # ... and at most this many points, for shuffled or drawn batches


@dataclass(frozen=True, eq=False)
class Sweep:
    """Grid results; rows are batch sizes, columns learning rates.

    ``final_total_loss`` is NaN where the run diverged; ``diverged_at`` is the
    first diverged step there and 0 where the run stayed finite.
    """

    config: TrainConfig
    lrs: np.ndarray
    batch_sizes: np.ndarray
    final_total_loss: np.ndarray
    diverged_at: np.ndarray

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at > 0

    def to_frame(self) -> pd.DataFrame:
        """One row per cell, batch size major: lr, batch_size, final_total_loss, diverged_at."""
        bs, lr = np.meshgrid(self.batch_sizes, self.lrs, indexing="ij")
        at = pd.array(np.where(self.diverged, self.diverged_at, 0).ravel(), dtype="Int64")
        at[~self.diverged.ravel()] = pd.NA
        return pd.DataFrame({"lr": lr.ravel(), "batch_size": bs.ravel(),
                             "final_total_loss": self.final_total_loss.ravel(),
                             "diverged_at": at})


def default_lrs(count: int = 40, lo: float = 1e-3, hi: float | None = None) -> np.ndarray:
    """``count`` learning rates evenly spaced in log from ``lo`` to the largest allowed (10)."""
    hi = float(spec(TrainConfig, "lr").hi or 10.0) if hi is None else hi
    return np.logspace(math.log10(lo), math.log10(hi), count)


def default_batch_sizes(n: int, count: int = 12, include: Sequence[int] = (),
                        multiple_of: int = 1) -> np.ndarray:
    """About ``count`` batch sizes from 1 to n, log-spaced, plus ``include``.

    Divisors of n are preferred (no ragged last batch), and only multiples of
    ``multiple_of`` are kept (gradient accumulation must divide the batch).
    """
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    pool = [d for d in divisors if d % multiple_of == 0] or [multiple_of]
    if len(pool) < count:
        pool = list(range(multiple_of, n + 1, multiple_of))
    targets = np.geomspace(pool[0], pool[-1], count)
    logs = np.log(np.asarray(pool, dtype=np.float64))
    chosen = {pool[int(np.argmin(np.abs(logs - math.log(t))))] for t in targets}
    chosen |= {int(b) for b in include if 1 <= b <= n and b % multiple_of == 0}
    return np.array(sorted(chosen), dtype=np.int64)


def parse_list(text: str, name: str, kind: type = float) -> list:
    """Comma-separated numbers -> list; ValueError naming ``name`` when any is not a number."""
    items = [s.strip() for s in str(text).split(",") if s.strip()]
    if not items:
        raise ValueError(f"{name} is empty: give comma-separated numbers, e.g. 0.01,0.1,1")
    values = []
    for s in items:
        try:
            value = kind(s)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise ValueError(f"{name}: {s!r} is not {what}") from None
        values.append(value)
    return values


def check_grid(lrs: Floats, batch_sizes: Ints, n: int,
               base: TrainConfig) -> None:
    """Raise ValueError with a one-line reason when the grid cannot be trained."""
    s = spec(TrainConfig, "lr")
    for lr in lrs:
        if not (math.isfinite(lr) and s.lo is not None and s.hi is not None
                and s.lo <= lr <= s.hi):
            raise ValueError(f"learning rate {lr:g} is outside {s.lo:g}..{s.hi:g}")
    for b in batch_sizes:
        if not 1 <= b <= n:
            raise ValueError(f"batch size {b} is outside 1..{n} (the number of points)")
        if b % base.accumulation:
            raise ValueError(f"batch size {b} is not a multiple of the gradient "
                             f"accumulation ({base.accumulation})")


def sweep(data: Data, base: TrainConfig, lrs: Floats, batch_sizes: Ints,
          progress: Progress | None = None) -> Sweep:
    """Train every (batch size, lr) cell from ``base`` and keep its final whole-data loss."""
    lrs_a = np.asarray(lrs, dtype=np.float64)
    bss = np.asarray(batch_sizes, dtype=np.int64)
    check_grid(list(lrs_a), [int(b) for b in bss], data.n, base)
    final = np.full((len(bss), len(lrs_a)), np.nan)
    diverged_at = np.zeros((len(bss), len(lrs_a)), dtype=np.int64)
    # Chunks split the learning rates, not the batch sizes: for Adam, RMSprop and Adagrad
    # the optimizer's cost per step grows with the distinct learning rates in a call, so
    # columns keep the total the same.
    big = final.size * base.steps >= CHUNK_WORK
    per_chunk = math.ceil(len(lrs_a) / (CHUNKS if progress is not None and big else 1))
    for first in range(0, len(lrs_a), per_chunk):
        cols = slice(first, min(first + per_chunk, len(lrs_a)))
        configs = [replace(base, lr=float(lr), batch_size=int(bs))
                   for bs in bss for lr in lrs_a[cols]]
        # One reference rate for every chunk: the SGD family's numbers then do not depend
        # on the chunking.
        result = train_many(data, configs, lr_ref=base.lr)
        final[:, cols] = result.final_total_loss.reshape(len(bss), -1)
        diverged_at[:, cols] = np.array([d or 0 for d in result.diverged_at]).reshape(
            len(bss), -1)
        if progress is not None:
            progress(cols.stop * len(bss), final.size)
    return Sweep(base, lrs_a, bss, final, diverged_at)


@dataclass(frozen=True)
class Bounds:
    """Largest stable constant learning rates of plain gradient descent (2 / lambda_max).

    ``full_batch`` uses the Hessian of all the data; ``worst_batch[i]`` the
    largest-curvature batch of size ``batch_sizes[i]`` among those the run visits
    (its first 2,000, and for random sampling at most 4 million points' worth).
    """

    full_batch: float
    batch_sizes: np.ndarray
    worst_batch: np.ndarray


def batch_lambda_max(x: np.ndarray, batches: np.ndarray) -> np.ndarray:
    """Largest Hessian eigenvalue of each batch, from E x and E x^2 in closed form.

    ``batches`` is (count, size) indices into x. The Hessian is
    2 [[E x^2, E x], [E x, 1]], whose larger eigenvalue is
    (E x^2 + 1) + sqrt((E x^2 - 1)^2 + 4 (E x)^2).
    """
    xb = x[batches]
    m1, m2 = xb.mean(1), (xb * xb).mean(1)
    return (m2 + 1) + np.sqrt((m2 - 1) ** 2 + 4 * m1 * m1)


def stability_bounds(data: Data, base: TrainConfig, batch_sizes: Ints) -> Bounds:
    """The full-batch bound and, per batch size, the bound of the worst batch the run uses."""
    x, _ = data.xy64
    worst = [2.0 / _worst_lambda(x, int(b), base) for b in batch_sizes]
    return Bounds(max_stable_lr(data_hessian(data)), np.asarray(batch_sizes, dtype=np.int64),
                  np.array(worst))


def _worst_lambda(x: np.ndarray, b: int, base: TrainConfig) -> float:
    """Largest batch curvature over the first MAX_BATCHES batches of size ``b`` the run draws."""
    steps = min(base.steps, MAX_BATCHES)
    if base.sampling == "sequential":
        # Windows of the data in order: E x and E x^2 from prefix sums, no gathering.
        s1 = np.concatenate([[0.0], np.cumsum(x)])
        s2 = np.concatenate([[0.0], np.cumsum(x * x)])
        start = (np.arange(steps) * b) % len(x)
        stop = np.minimum(start + b, len(x))
        size = stop - start
        m1, m2 = (s1[stop] - s1[start]) / size, (s2[stop] - s2[start]) / size
        return float(((m2 + 1) + np.sqrt((m2 - 1) ** 2 + 4 * m1 * m1)).max())
    # Random batches: at most MAX_ELEMENTS points in all (the first batches drawn).
    steps = max(1, min(steps, MAX_ELEMENTS // b))
    sampler = Sampler(len(x), b, base.sampling, base.sampling_seed)
    lam = 0.0
    per_chunk = max(1, MAX_ELEMENTS // 4 // b)  # batches gathered at once: bounded memory
    for first in range(0, steps, per_chunk):
        by_size: dict[int, list[np.ndarray]] = {}
        for t in range(first, min(first + per_chunk, steps)):
            idx = sampler.indices(t).numpy()
            by_size.setdefault(len(idx), []).append(idx)  # an epoch's last batch may be short
        for group in by_size.values():
            lam = max(lam, float(batch_lambda_max(x, np.stack(group)).max()))
    return lam


TRIED_HORIZON = 1000  # steps a tried rate must last: momentum at half the notebook's
# rate survives the notebook's 20 steps and diverges at step 111
TRIED_HALVINGS = 10  # lr/2 ... lr/1024


def tried_steps(config: TrainConfig, horizon: int = TRIED_HORIZON) -> int:
    """How long a tried rate must last: the run's own steps, and at least ``horizon``."""
    return max(config.steps, horizon)


@dataclass(frozen=True)
class TriedRate:
    """A rate found by training: ``lr`` (``halvings`` times halved) lasted ``steps``."""

    lr: float
    halvings: int
    steps: int


def tried_rate(data: Data, config: TrainConfig, halvings: int = TRIED_HALVINGS,
               horizon: int = TRIED_HORIZON) -> TriedRate | None:
    """The largest of lr/2, lr/4, ... that trains ``config`` for max(steps, ``horizon``)
    steps without diverging and ends below the whole-data loss at a = b = 0.

    For what the Hessian's bounds do not cover: momentum, Nesterov and the adaptive
    optimizers, whose ordered batches can blow up below plain SGD's limits (momentum
    at 0.1 diverges at step 81 while SGD's steepest batch allows 0.29). None when no
    halving on the slider's range does.
    """
    return tried_rates(data, [config], halvings, horizon)[0]


def tried_rates(data: Data, configs: Sequence[TrainConfig], halvings: int = TRIED_HALVINGS,
                horizon: int = TRIED_HORIZON) -> list[TriedRate | None]:
    """:func:`tried_rate` of each of ``configs`` (which differ only in ``lr``), all halvings
    of all of them trained in one batched call."""
    if not configs:
        return []
    lo = spec(TrainConfig, "lr").lo or 0.0
    tries = [[c.lr / 2**k for k in range(1, halvings + 1) if c.lr / 2**k >= lo] for c in configs]
    rates = sorted({lr for lrs in tries for lr in lrs})
    if not rates:
        return [None] * len(configs)
    steps = tried_steps(configs[0], horizon)
    base = replace(configs[0], steps=steps)
    out = train_many(data, [replace(base, lr=lr) for lr in rates], lr_ref=rates[-1])
    start = start_loss(data)
    lasts = {lr: d is None and final < start
             for lr, d, final in zip(rates, out.diverged_at, out.final_total_loss, strict=True)}
    found: list[TriedRate | None] = []
    for lrs in tries:
        k = next((k for k, lr in enumerate(lrs, 1) if lasts[lr]), None)
        found.append(None if k is None else TriedRate(float(lrs[k - 1]), k, steps))
    return found
