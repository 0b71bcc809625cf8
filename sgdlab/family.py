"""A family of runs that differ only in the learning rate: what the live view scrubs through.

    fam = with_run(lr_family(data, config), train(data, config))
    fam.members[fam.current]            # the run on screen, train()'s own History
    fam.members[fam.values.index(0.5)]  # the same settings at lr 0.5

Every member is a :class:`~sgdlab.history.History`, so whatever describes a run (its
warning, its figure, its readouts) describes a member the same way. The members come
from one :func:`sgdlab.batched.train_many` call, equal to ``train`` to float32
rounding; :func:`with_run` puts ``train``'s own run in for the rate on screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sgdlab.batched import FOLDS_LR, BatchedHistory, train_many
from sgdlab.config import TrainConfig, lr_marks
from sgdlab.data import Data
from sgdlab.diagnosis import warnings
from sgdlab.history import History, total_loss_fn

# What one family may cost, in batch points x steps over all its members (train_many's
# cost grows with it): about two seconds here. Larger runs draw each rate on the server.
MAX_WORK = 60_000_000
# Adaptive optimizers keep one parameter group per rate, and torch.optim loops over the
# groups at every step: the family's cost grows with members x steps instead.
MAX_GROUP_STEPS = 12_000


@dataclass(frozen=True, eq=False)
class Family:
    """Runs at ``values`` (ascending), ``members[current]`` being the run on screen."""

    setting: str
    values: tuple[float, ...]
    current: int
    members: tuple[History, ...]


def family_values(config: TrainConfig) -> tuple[float, ...]:
    """The rates of the family around ``config``: the slider's marks, and its own rate."""
    return tuple(sorted({*lr_marks(), config.lr}))


def fits(data: Data, config: TrainConfig, count: int | None = None) -> bool:
    """Can the family of ``config`` be trained within the budget (see MAX_WORK)?"""
    count = len(family_values(config)) if count is None else count
    if config.optimizer not in FOLDS_LR and count * config.steps > MAX_GROUP_STEPS:
        return False
    return count * min(config.batch_size, data.n) * config.steps <= MAX_WORK


def lr_family(data: Data, config: TrainConfig,
              values: tuple[float, ...] | None = None) -> Family:
    """Train the runs at every rate of ``values`` (default :func:`family_values`) at once;
    ``current`` is the index of ``config.lr``."""
    values = family_values(config) if values is None else tuple(values)
    if config.lr not in values:
        raise ValueError(f"the family's rates must include the run's own ({config.lr:g})")
    configs = [replace(config, lr=v) for v in values]
    out = train_many(data, configs, lr_ref=config.lr, grads=True)
    factors = _schedule_factors(config, config.steps) if config.schedule != "constant" else None
    members = tuple(_member(out, r, data, configs[r], factors) for r in range(len(values)))
    return Family("lr", values, values.index(config.lr), members)


def with_run(fam: Family, run: History) -> Family:
    """``fam`` with ``run`` (train()'s own History) standing for its rate, which is on screen.

    The member at that rate came from the batched call, equal to ``run`` only to float32
    rounding; the page describes ``run``, so the family shows it.
    """
    lr = run.config.lr
    if lr not in fam.values:
        raise ValueError(f"the family has no member at rate {lr:g}")
    i = fam.values.index(lr)
    return Family(fam.setting, fam.values, i, (*fam.members[:i], run, *fam.members[i + 1:]))


def _member(out: BatchedHistory, r: int, data: Data, config: TrainConfig,
            factors: np.ndarray | None) -> History:
    """Row ``r`` of a batched run as the History ``train`` would have returned."""
    diverged = out.diverged_at[r]
    steps = config.steps if diverged is None else diverged - 1
    assert out.grad_a is not None and out.grad_b is not None
    a, b = out.a[r, :steps], out.b[r, :steps]
    return History(
        data=data, config=config, batch_loss=out.batch_loss[r, :steps],
        total_loss=total_loss_fn(data)(a, b), a=a, b=b,
        grad_a=out.grad_a[r, :steps], grad_b=out.grad_b[r, :steps],
        lr=np.full(steps, config.lr) if factors is None else factors[:steps] * config.lr,
        batch_size=batch_sizes(data.n, config, steps),
        diverged_at=diverged, blowup=out.blowup[r] if out.blowup else None)


def _schedule_factors(config: TrainConfig, steps: int) -> np.ndarray:
    """The schedule's factor at each of ``steps`` updates (rate at step t over the base).

    Every schedule multiplies the base rate by a factor of the step alone (cosine
    annealing goes to zero), so one set of factors serves every rate.
    """
    import torch

    from sgdlab.train import make_optimizer, make_scheduler

    optimizer = make_optimizer([torch.nn.Parameter(torch.zeros(()))], replace(config, lr=1.0))
    scheduler = make_scheduler(optimizer, replace(config, lr=1.0))
    factors = np.empty(steps)
    for t in range(steps):
        factors[t] = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
    return factors


def batch_sizes(n: int, config: TrainConfig, steps: int) -> np.ndarray:
    """Points in each update's batch: the batch size, less where an epoch's window ends."""
    size = config.batch_size
    if config.sampling == "replacement":
        return np.full(steps, size, dtype=np.int64)
    start = (np.arange(steps, dtype=np.int64) * size) % n  # sampling.batch_window's start
    return np.minimum(size, n - start)


def nearest(values: tuple[float, ...], lr: float) -> int:
    """Index of the value nearest ``lr`` on a log scale."""
    target = math.log(max(lr, 1e-300))
    return min(range(len(values)), key=lambda i: abs(math.log(values[i]) - target))


def prepared(data: Data, config: TrainConfig
             ) -> tuple[Family, dict[str, list[str | None]]]:
    """The family of ``config`` and every member's warning in each language: one job."""
    fam = lr_family(data, config)
    return fam, warnings(fam.members)
