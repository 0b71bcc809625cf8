"""The data a line is fitted to: the notebook's synthetic points, or any (x, y) pairs."""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

import numpy as np
import torch

from sgdlab.config import MAX_POINTS, DataConfig


@dataclass(frozen=True, eq=False)
class Data:
    """Points to fit: ``x`` as the model sees it (maybe standardized), ``y``, and raw x."""

    x: torch.Tensor
    y: torch.Tensor
    x_raw: torch.Tensor
    name: str = "synthetic"
    x_label: str = "x"  # what x and y measure (a file's column names), for axis titles
    y_label: str = "y"
    standardized: bool = True  # is ``x`` the standardized raw x (else raw x itself)?

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    @functools.cached_property
    def xy64(self) -> tuple[np.ndarray, np.ndarray]:
        """``x`` and ``y`` as float64 numpy arrays, converted once per Data.

        Theory and figures read these, so a server's script thread makes no
        torch call per figure: each one releases the interpreter lock and, with
        other sessions running, waits up to 5 ms to get it back.
        """
        x, y = self.x.double().numpy(), self.y.double().numpy()
        x.flags.writeable = y.flags.writeable = False  # shared by every reader
        return x, y

    @functools.cached_property
    def digest(self) -> str:
        """A hash of x, y and raw x, computed once per Data: what caches key it by."""
        h = hashlib.blake2b(digest_size=16)
        for t in (self.x, self.y, self.x_raw):
            h.update(t.numpy().tobytes())
        return h.hexdigest()


def make_data(config: DataConfig = DataConfig()) -> Data:
    """The notebook's data, bit for bit with the defaults.

    Order matters for the random stream: seed, linspace, standardize (unbiased
    std), then the noise draw, exactly as the notebook does it.
    """
    gen_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(config.seed)
        x_raw = torch.linspace(config.x_min, config.x_max, config.n)
        x = standardize(x_raw) if config.standardize else x_raw
        epsilon = torch.randn(x.shape)
    finally:
        # make_data is pure: it leaves the caller's global random stream alone.
        torch.random.set_rng_state(gen_state)
    y = config.slope * x + config.intercept + config.noise * epsilon
    return from_arrays(x_raw, y, standardize_x=config.standardize, name="synthetic", x=x)


def standardize(x_raw: torch.Tensor) -> torch.Tensor:
    """(x - mean) / std with the unbiased std, as the notebook does."""
    return (x_raw - torch.mean(x_raw)) / torch.std(x_raw)


def from_arrays(x_raw: object, y: object, *, standardize_x: bool = True,
                name: str = "data", x: torch.Tensor | None = None, x_label: str = "x",
                y_label: str = "y") -> Data:
    """Validated :class:`Data` from any 1-d sequences; raises ValueError on unusable input."""
    x_raw_t = torch.as_tensor(x_raw, dtype=torch.float32).reshape(-1)
    y_t = torch.as_tensor(y, dtype=torch.float32).reshape(-1)
    if x_raw_t.shape != y_t.shape:
        raise ValueError(f"x and y differ in length ({x_raw_t.numel()} vs {y_t.numel()})")
    n = x_raw_t.numel()
    if n < 2:
        raise ValueError(f"need at least 2 points, got {n}")
    if n > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} points, got {n}")
    if not (torch.isfinite(x_raw_t).all() and torch.isfinite(y_t).all()):
        raise ValueError("x and y must be finite numbers")
    if float(x_raw_t.max() - x_raw_t.min()) == 0.0:
        raise ValueError("x is constant: a line through it has no slope to learn")
    if x is None:
        x = standardize(x_raw_t) if standardize_x else x_raw_t
    spread = float(x.max() - x.min())
    if not (torch.isfinite(x).all() and math.isfinite(spread) and spread > 0):
        raise ValueError("values are too large to compute with in float32")
    return Data(x=x, y=y_t, x_raw=x_raw_t, name=name, x_label=x_label, y_label=y_label,
                standardized=standardize_x)
