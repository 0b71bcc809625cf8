"""Hypothesis strategies for the settings the app's controls allow, each over its full range.

The ranges come from the config's Specs, as the sidebar's widgets do
(``sgdlab/ui/controls.py``): batch size 1..n (its slider's bounds), gradient
accumulation a divisor of the batch size, steps 1..10,000, every sampling,
optimizer and schedule. A number box takes any value in its Spec's range.

A run's time is about steps x (batch size + points): each step trains on its
batch and measures the loss on all the points. ``work`` bounds that product and
``max_steps`` the steps (each costs a fixed ~0.3 ms too), so that a test stays
fast; both lower the steps only, never below the small values where the crashes
were. Long runs (10,000 steps) are explicit examples where a view thins them.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from hypothesis import strategies as st

from sgdlab.config import MAX_POINTS, OPTIMIZERS, SAMPLINGS, SCHEDULES, DataConfig, TrainConfig
from sgdlab.urlstate import MAX_MICRO_STEPS, MAX_POINT_STEPS, wide_enough


def _spec(cls: type, name: str) -> Any:
    return next(f.metadata["spec"] for f in fields(cls) if f.name == name)


def _range(cls: type, name: str) -> tuple[float, float]:
    s = _spec(cls, name)
    return float(s.lo), float(s.hi)


def number(cls: type, name: str) -> st.SearchStrategy[float]:
    """Any finite value of a float setting's range, its ends and tiny values included."""
    lo, hi = _range(cls, name)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def log_number(cls: type, name: str) -> st.SearchStrategy[float]:
    """A positive float setting over its decades (the learning rate's slider is logarithmic)."""
    lo, hi = _range(cls, name)
    return st.one_of(st.sampled_from([lo, hi]),
                     st.floats(math.log10(lo), math.log10(hi)).map(
                         lambda e: min(max(10.0 ** e, lo), hi)))


def whole(lo: int, hi: int) -> st.SearchStrategy[int]:
    """An integer in lo..hi, small values and both ends often (where off-by-ones live)."""
    small = st.integers(lo, min(hi, lo + 5))
    return st.one_of(small, st.sampled_from([lo, hi]), st.integers(lo, hi))


@st.composite
def data_configs(draw: st.DrawFn, max_n: int = MAX_POINTS,
                 x_range: str = "valid") -> DataConfig:
    """A DataConfig the data controls allow, with at most ``max_n`` points.

    ``x_range="valid"``: wide enough to compute with (what a link is fixed to);
    ``"any"``: any x_max above x_min, as the two number boxes allow.
    """
    x_min = draw(number(DataConfig, "x_min"))
    lo, hi = _range(DataConfig, "x_max")
    x_max = draw(st.one_of(
        st.floats(x_min, hi, allow_nan=False, exclude_min=True) if x_min < hi else st.nothing(),
        st.just(x_min + 1.0), st.just(min(hi, x_min + abs(x_min) * 1e-3 + 1e-3))))
    if not x_max > x_min or x_max > hi or (x_range == "valid" and not wide_enough(x_min, x_max)):
        x_min, x_max = 100.0, 300.0
    return DataConfig(
        seed=draw(whole(0, int(_range(DataConfig, "seed")[1]))),
        n=draw(whole(2, max_n)),
        x_min=x_min, x_max=x_max,
        slope=draw(number(DataConfig, "slope")),
        intercept=draw(number(DataConfig, "intercept")),
        noise=draw(number(DataConfig, "noise")),
        standardize=draw(st.booleans()))


@st.composite
def train_configs(draw: st.DrawFn, n: int, work: int = MAX_POINT_STEPS,
                  sidebar: bool = True, max_steps: int = 10_000) -> TrainConfig:
    """A TrainConfig for ``n`` points, steps x (batch size + n) at most ``work``.

    ``sidebar``: accumulation among the divisors the sidebar offers (up to 64);
    else any divisor its Spec allows (up to 1024), as a link may ask.
    """
    batch_size = draw(st.one_of(whole(1, n), st.integers(max(1, n // 2), n)))
    top = 64 if sidebar else int(_range(TrainConfig, "accumulation")[1])
    divisors = [d for d in range(1, min(batch_size, top) + 1) if batch_size % d == 0]
    accumulation = draw(st.sampled_from(divisors))
    most = max(1, min(int(_range(TrainConfig, "steps")[1]), max_steps,
                      work // (batch_size + n), MAX_MICRO_STEPS // accumulation))
    steps = draw(whole(1, most))
    return TrainConfig(
        lr=draw(log_number(TrainConfig, "lr")),
        batch_size=batch_size, steps=steps,
        sampling=draw(st.sampled_from(SAMPLINGS)),
        optimizer=draw(st.sampled_from(OPTIMIZERS)),
        momentum=draw(number(TrainConfig, "momentum")),
        accumulation=accumulation,
        schedule=draw(st.sampled_from(SCHEDULES)),
        gamma=draw(number(TrainConfig, "gamma")),
        decay_every=draw(whole(1, int(_range(TrainConfig, "decay_every")[1]))),
        sampling_seed=draw(whole(0, int(_range(TrainConfig, "sampling_seed")[1]))))


@st.composite
def settings(draw: st.DrawFn, max_n: int = 400, work: int = 100_000, max_steps: int = 300,
             x_range: str = "valid", sidebar: bool = True) -> tuple[DataConfig, TrainConfig]:
    """A (DataConfig, TrainConfig) pair the controls allow, kept small enough for CI."""
    data = draw(data_configs(max_n, x_range))
    return data, draw(train_configs(data.n, work, sidebar, max_steps))
