"""Questions asked of a run: is it luck (seed bands), how noisy is its gradient, how good a fit.

All float64 numpy on top of a :class:`~sgdlab.history.History`; the training
itself is done by :func:`sgdlab.train.train` or :func:`sgdlab.batched.train_many`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sgdlab.batched import train_many
from sgdlab.config import MAX_SEED, DataConfig, TrainConfig
from sgdlab.data import Data, make_data
from sgdlab.history import History
from sgdlab.sampling import Sampler
from sgdlab.theory import least_squares

VARIES = ("sampling", "data")  # what a seed band changes: the batch order or the noise draw
MAX_SEEDS = 200


@dataclass(frozen=True, eq=False)
class Band:
    """Whole-data loss of K runs that differ only in one seed; arrays are (K, steps)."""

    vary: str
    seeds: tuple[int, ...]
    config: TrainConfig  # the sampling the band used (may differ from the current run's)
    total_loss: np.ndarray
    quantiles: tuple[float, float] = (0.1, 0.9)

    @property
    def step(self) -> np.ndarray:
        return np.arange(1, self.total_loss.shape[1] + 1)

    @property
    def diverged(self) -> int:
        """How many of the K runs diverged (they are left out of the statistics)."""
        return int(np.isnan(self.total_loss[:, -1]).sum())

    def _finite(self) -> np.ndarray:
        return self.total_loss[~np.isnan(self.total_loss[:, -1])]

    @property
    def mean(self) -> np.ndarray:
        ok = self._finite()
        return ok.mean(0) if len(ok) else np.full(self.total_loss.shape[1], np.nan)

    @property
    def lo(self) -> np.ndarray:
        ok = self._finite()
        return np.quantile(ok, self.quantiles[0], axis=0) if len(ok) else self.mean

    @property
    def hi(self) -> np.ndarray:
        ok = self._finite()
        return np.quantile(ok, self.quantiles[1], axis=0) if len(ok) else self.mean


def seed_band(data: Data, config: TrainConfig, k: int, vary: str = "sampling",
              data_config: DataConfig | None = None, sampling: str | None = None) -> Band:
    """Train K runs at once, seeds seed, seed+1, ... (so the first is the current run's).

    ``vary="sampling"`` changes the sampling seed (with ``sampling``, default
    the run's own; sequential sampling has no seed to vary). ``vary="data"``
    redraws the synthetic data's noise and needs ``data_config``.
    """
    if not 1 <= k <= MAX_SEEDS:
        raise ValueError(f"number of seeds must be between 1 and {MAX_SEEDS}, got {k}")
    if vary not in VARIES:
        raise ValueError(f"vary must be one of {', '.join(VARIES)}, got {vary!r}")
    config = replace(config, sampling=sampling or config.sampling)
    if vary == "sampling":
        if config.sampling == "sequential":
            raise ValueError("sequential sampling has no seed: choose shuffle or replacement")
        seeds = tuple((config.sampling_seed + i) % (MAX_SEED + 1) for i in range(k))
        configs = [replace(config, sampling_seed=s) for s in seeds]
        result = train_many(data, configs)
    else:
        if data_config is None:
            raise ValueError("data seeds need synthetic data (this data set has no seed)")
        seeds = tuple((data_config.seed + i) % (MAX_SEED + 1) for i in range(k))
        datas = [make_data(replace(data_config, seed=s)) for s in seeds]
        result = train_many(datas, [config] * k)
    return Band(vary, seeds, config, result.total_loss)


@dataclass(frozen=True, eq=False)
class Noise:
    """Per step: parameters before the update, the batch's and all data's gradient there."""

    a: np.ndarray
    b: np.ndarray
    batch_grad: np.ndarray  # (steps, 2): d/da, d/db of the batch's mean squared error
    full_grad: np.ndarray  # (steps, 2): the same on all the data
    cosine: np.ndarray  # cosine similarity of the two (NaN where one is zero)


def _grad(x: np.ndarray, y: np.ndarray, a: float, b: float) -> np.ndarray:
    r = a * x + b - y
    return np.array([2 * np.mean(r * x), 2 * np.mean(r)])


def gradient_noise(history: History, steps: int | None = None) -> Noise:
    """Batch vs full-data gradient at every step (or the first ``steps``), in float64."""
    x, y = history.data.xy64
    c = history.config
    count = history.steps if steps is None else max(0, min(steps, history.steps))
    sampler = Sampler(history.data.n, c.batch_size, c.sampling, c.sampling_seed)
    a0 = np.concatenate([[0.0], history.a[:-1]])[:count]
    b0 = np.concatenate([[0.0], history.b[:-1]])[:count]
    batch = np.zeros((count, 2))
    for t in range(count):
        idx = sampler.indices(t).numpy()
        batch[t] = _grad(x[idx], y[idx], a0[t], b0[t])
    # The full-data gradient is linear in (a, b): one pass over the data for all steps.
    mx, mxx, my, mxy = x.mean(), (x * x).mean(), y.mean(), (x * y).mean()
    full = np.stack([2 * (a0 * mxx + b0 * mx - mxy), 2 * (a0 * mx + b0 - my)], axis=1)
    norms = np.linalg.norm(batch, axis=1) * np.linalg.norm(full, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.where(norms > 0, (batch * full).sum(1) / norms, np.nan)
    return Noise(a0, b0, batch, full, cosine)


@dataclass(frozen=True)
class BatchFit:
    """The points of one step's batch and the line that fits them best (None if x is constant)."""

    indices: np.ndarray
    a: float | None
    b: float | None


def batch_fit(history: History, step: int) -> BatchFit:
    """The least-squares line of the batch used at ``step`` (1-based), in the model's x."""
    idx = history.batch_indices(step)
    x, y = (v[idx] for v in history.data.xy64)
    dx = x - x.mean()
    sxx = float((dx * dx).sum())
    if len(np.unique(x)) < 2 or sxx == 0.0:
        return BatchFit(idx, None, None)
    a = float((dx * (y - y.mean())).sum() / sxx)
    return BatchFit(idx, a, float(y.mean() - a * x.mean()))


@dataclass(frozen=True)
class Metrics:
    """How good the final line is, and how fast the run got there."""

    r2: float  # 1 - MSE / Var(y): the share of y's variance the line explains
    rmse: float  # root mean squared error on all the data
    distance: float  # Euclidean distance of the final (a, b) to the least-squares (a, b)
    min_loss: float  # the least-squares loss, the lowest any line can reach
    steps_to_1pct: int | None  # first step with loss within 1% of min_loss (None: never)


def metrics(history: History) -> Metrics:
    """R^2, RMSE, distance to the optimum and steps to within 1% of the minimum loss.

    For a run that diverged these describe the last finite step; before any
    step (a, b) = (0, 0). With noise-free data (minimum 0) "within 1%" means
    below a billionth of the starting loss.
    """
    opt = least_squares(history.data)
    a, b = (history.a[-1], history.b[-1]) if history.steps else (0.0, 0.0)
    x, y = history.data.xy64
    mse = float(np.mean((y - a * x - b) ** 2))
    var_y = float(np.var(y))
    threshold = opt.loss * 1.01 + 1e-9 * history.initial_total_loss
    hits = np.flatnonzero(history.total_loss <= threshold)
    return Metrics(
        r2=1 - mse / var_y if var_y > 0 else float("nan"), rmse=float(np.sqrt(mse)),
        distance=float(np.hypot(a - opt.a, b - opt.b)), min_loss=opt.loss,
        steps_to_1pct=int(hits[0]) + 1 if len(hits) else None)
