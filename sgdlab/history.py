"""What a run leaves behind: one row per update, plus the data it was fitted to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sgdlab.config import TrainConfig
from sgdlab.data import Data
from sgdlab.sampling import Sampler, batch_window

RISING = 2.0  # see History.rising
COLUMNS = ("step", "batch_loss", "total_loss", "a", "b", "grad_a", "grad_b", "lr", "batch_size")


def total_loss_fn(data: Data) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """MSE on all the data as a function of (a, b), from float64 sufficient statistics.

    Exact (to float64) and O(1) per (a, b): the loss is a quadratic in (a, b),
    written around the means so that it does not cancel near the optimum.
    """
    x, y = data.xy64
    mx, my = x.mean(), y.mean()
    dx, dy = x - mx, y - my
    sxx, sxy, syy = (dx * dx).mean(), (dx * dy).mean(), (dy * dy).mean()

    def total(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return syy - 2 * a * sxy + a * a * sxx + (a * mx + b - my) ** 2

    return total


def start_loss(data: Data) -> float:
    """Whole-data loss where every run starts, a = b = 0 (worse than that is no training)."""
    return float(total_loss_fn(data)(np.zeros(1), np.zeros(1))[0])


@dataclass(frozen=True, eq=False)
class History:
    """Per-update arrays (index i is update i + 1) of one training run.

    ``batch_loss`` is measured on the batch before the update, ``total_loss``
    on all the data after it; ``grad_*`` are the gradients the update used.
    ``diverged_at`` is the first step that diverged (its row is not kept);
    ``blowup`` is where that step went: (a, b, whole-data loss), possibly inf or nan.
    """

    data: Data
    config: TrainConfig
    batch_loss: np.ndarray
    total_loss: np.ndarray
    a: np.ndarray
    b: np.ndarray
    grad_a: np.ndarray
    grad_b: np.ndarray
    lr: np.ndarray
    batch_size: np.ndarray
    diverged_at: int | None = None
    blowup: tuple[float, float, float] | None = None

    @property
    def steps(self) -> int:
        """Updates recorded (fewer than asked when the run diverged)."""
        return len(self.batch_loss)

    @property
    def step(self) -> np.ndarray:
        return np.arange(1, self.steps + 1)

    @property
    def rising(self) -> bool:
        """Heading for divergence: the whole-data loss ends above where it began (at
        a = b = 0, worse than not training) and above RISING times the lowest it reached
        on the way, so it came down and is climbing again. Momentum at the notebook's
        rate ends at 150 from 125 (low 3.5) and diverges at step 81."""
        if not self.steps:
            return False
        final = float(self.total_loss[-1])
        return final > self.initial_total_loss and final > RISING * float(np.min(self.total_loss))

    @property
    def troubled(self) -> bool:
        """Diverged, or :attr:`rising`: what the page warns about above its figure."""
        return self.diverged_at is not None or self.rising

    @property
    def initial_total_loss(self) -> float:
        """Whole-data loss at step 0, where a = b = 0."""
        return start_loss(self.data)

    def batch_indices(self, step: int) -> np.ndarray:
        """Indices of the points in the batch of ``step`` (1-based)."""
        if not 1 <= step <= self.steps:
            raise IndexError(f"step {step} outside 1..{self.steps}")
        c = self.config
        if c.sampling == "sequential":  # the notebook's window: arithmetic, no torch call
            _, start, stop = batch_window(self.data.n, c.batch_size, int(step) - 1)
            return np.arange(start, stop)
        sampler = Sampler(self.data.n, c.batch_size, c.sampling, c.sampling_seed)
        return sampler.indices(int(step) - 1).numpy()

    def to_frame(self) -> pd.DataFrame:
        """One row per update, columns as :data:`COLUMNS`."""
        return pd.DataFrame({name: getattr(self, name) for name in COLUMNS})

    def notebook_lines(self) -> list[str]:
        """The notebook's printed lines, one per update, formatted as it formats them."""
        return [f"Step {s}, Loss: {loss: .2f}; Result: y = {a:.2f} * x + {b:.2f}"
                for s, loss, a, b in zip(self.step, self.batch_loss, self.a, self.b, strict=True)]
