"""Exact facts about the least-squares problem, for reference lines and stability bounds.

All in float64 with numpy: small closed forms, independent of the training code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgdlab.data import Data
from sgdlab.history import total_loss_fn


@dataclass(frozen=True)
class Optimum:
    """The least-squares line and its (minimum) mean squared error."""

    a: float
    b: float
    loss: float


def _xy(data: Data) -> tuple[np.ndarray, np.ndarray]:
    return data.xy64


def least_squares(data: Data) -> Optimum:
    """The (a, b) minimising the MSE on all the data, by the normal equations."""
    x, y = _xy(data)
    dx = x - x.mean()
    a = float((dx * (y - y.mean())).sum() / (dx * dx).sum())
    b = float(y.mean() - a * x.mean())
    return Optimum(a, b, float(np.mean((y - a * x - b) ** 2)))


def hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of mean((y - a*x - b)^2) in (a, b): constant, 2 * [[E x^2, E x], [E x, 1]]."""
    x = np.asarray(x, dtype=np.float64)
    return 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


def data_hessian(data: Data, indices: np.ndarray | None = None) -> np.ndarray:
    """Hessian for all the data, or for the batch given by ``indices``."""
    x, _ = _xy(data)
    return hessian(x if indices is None else x[indices])


def max_stable_lr(h: np.ndarray) -> float:
    """Largest constant learning rate for which gradient descent on this quadratic converges.

    Plain GD multiplies the error along each eigenvector by (1 - lr * lambda);
    it shrinks only while lr < 2 / lambda_max.
    """
    return float(2.0 / np.linalg.eigvalsh(h)[-1])


def loss_grid(data: Data, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole-data MSE on the grid a x b: result[i, j] = loss(a[j], b[i]) (contour layout)."""
    total = total_loss_fn(data)
    aa, bb = np.meshgrid(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return total(aa, bb)
