"""Many training runs as one vectorised torch computation.

Runs may differ in learning rate, batch size, sampling and sampling seed, and
each may have its own data set (e.g. one per data seed) of a common size; they
share the optimizer, schedule and step count. Every run gets its own slot in
parameter tensors, so one ``backward`` on the sum of the runs' losses gives
each run exactly its own gradient, and one ``torch.optim`` optimizer updates
them all. Runs are gathered in buckets of similar batch size, so small batches
are not padded to the largest one.

Learning rates: for the SGD family (sgd, momentum, nesterov) every run shares
one parameter group at a reference rate ``lr_ref`` (the most common one) and
each run's gradient row is scaled by ``lr / lr_ref`` before the step. The SGD
update is linear in the gradient (a momentum buffer just carries the same
factor) and a schedule multiplies the group's rate, so this is the same update
in exact arithmetic, to float32 rounding; runs at ``lr_ref`` are scaled by
exactly 1. Adam, RMSprop and Adagrad divide the gradient by its own running
size, which cancels such a factor: there each distinct rate keeps its own
parameter group (torch.optim then loops over the groups at every step).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from sgdlab.config import DIVERGENCE_LOSS, TrainConfig
from sgdlab.data import Data
from sgdlab.sampling import epoch_orders, replacement_draws
from sgdlab.train import make_optimizer, make_scheduler

# Settings that may differ between runs of one batch; all others must agree.
PER_RUN = ("lr", "batch_size", "sampling", "sampling_seed")
# Optimizers whose update is linear in the gradient: a run's rate folds into its gradient.
FOLDS_LR = ("sgd", "momentum", "nesterov")


@dataclass(frozen=True, eq=False)
class BatchedHistory:
    """Arrays of shape (runs, steps); rows after a run's divergence are NaN."""

    configs: tuple[TrainConfig, ...]
    batch_loss: np.ndarray
    total_loss: np.ndarray
    a: np.ndarray
    b: np.ndarray
    diverged_at: tuple[int | None, ...]

    @property
    def final_total_loss(self) -> np.ndarray:
        """Whole-data loss after the last update (NaN for diverged runs)."""
        return self.total_loss[:, -1]


def _moments(datas: Sequence[Data]) -> tuple[np.ndarray, ...]:
    x = np.stack([d.x.double().numpy() for d in datas])
    y = np.stack([d.y.double().numpy() for d in datas])
    mx, my = x.mean(1), y.mean(1)
    dx, dy = x - mx[:, None], y - my[:, None]
    return mx, my, (dx * dx).mean(1), (dx * dy).mean(1), (dy * dy).mean(1)


def _check(configs: Sequence[TrainConfig], datas: Sequence[Data]) -> None:
    shared = [f.name for f in fields(TrainConfig) if f.name not in PER_RUN]
    if len({tuple(getattr(c, name) for name in shared) for c in configs}) != 1:
        raise ValueError(f"batched runs may differ only in {', '.join(PER_RUN)}")
    if len({d.n for d in datas}) != 1:
        raise ValueError("batched runs need data sets of one size")
    if max(c.batch_size for c in configs) > datas[0].n:
        raise ValueError("a batch size is larger than the number of points")


def _buckets(sizes: list[int]) -> list[list[int]]:
    """Slots grouped by batch size so that no batch is padded to more than twice its size.

    Each bucket is gathered at its own width: a sweep over batch sizes 1..200
    then costs about the sum of its batch sizes per step, not runs * 200.
    """
    by_size = sorted(range(len(sizes)), key=lambda s: sizes[s])
    buckets: list[list[int]] = []
    for slot in by_size:
        if buckets and sizes[slot] <= 2 * sizes[buckets[-1][0]]:
            buckets[-1].append(slot)
        else:
            buckets.append([slot])
    return buckets


def _lr_groups(configs: Sequence[TrainConfig], order: list[int], lr_ref: float | None
               ) -> tuple[list[list[int]], list[float], torch.Tensor | None]:
    """The runs of each parameter group (each in ``order``), the groups' rates, gradient scales.

    The SGD family shares one group at ``lr_ref`` (if None, the most common rate,
    the first run's on a tie) and ``scale`` holds lr / lr_ref per row, None when
    all are 1. Adaptive optimizers normalise the gradient, so there every rate
    has its own group.
    """
    if configs[0].optimizer in FOLDS_LR:
        if lr_ref is None:
            lr_ref = Counter(c.lr for c in configs).most_common(1)[0][0]
        scale = torch.tensor([[configs[r].lr / lr_ref] for r in order], dtype=torch.float32)
        return [list(order)], [lr_ref], None if bool((scale == 1).all()) else scale
    lrs = sorted({c.lr for c in configs})
    return [[r for r in order if configs[r].lr == lr] for lr in lrs], lrs, None


@dataclass
class _Bucket:
    """Runs sharing one gather width: their rows, batch sizes, data and sampling."""

    rows: slice  # this bucket's runs, contiguous in bucket order
    bs: torch.Tensor
    x: torch.Tensor  # (1 or rows, n)
    y: torch.Tensor
    shuffled: dict[int, int]  # row -> sampling seed, for rows that reshuffle every epoch
    drawn: dict[int, int]  # row -> sampling seed, for rows drawn with replacement
    n: int
    full: bool  # every batch has its full size (no ragged end of an epoch)

    def __post_init__(self) -> None:
        self.cols = torch.arange(int(self.bs.max()))
        # Full batches have the same weights 1/size (0 for padding) at every step.
        self.weight = ((self.cols < self.bs[:, None]) / self.bs[:, None] if self.full
                       else None)
        # Shuffled rows read the notebook's window through their epoch's order; the
        # orders are drawn only when a row enters a new epoch, not at every step.
        self.shuffle_rows, self.shuffle_seeds = _rows_and_seeds(self.shuffled)
        self.orders = torch.empty(len(self.shuffled), self.n, dtype=torch.long)
        self.epochs = torch.full((len(self.shuffled),), -1, dtype=torch.long)
        self.drawn_rows, self.drawn_seeds = _rows_and_seeds(self.drawn)
        self.every = len(self.bs)  # a kind of sampling that covers every row needs no row index

    def batch(self, t: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(x, y, weight) of update ``t``, each (rows, width); weight is 1/size or 0 (padding)."""
        n, width = self.n, len(self.cols)
        start = (t * self.bs) % n
        idx = torch.clamp(start[:, None] + self.cols, max=n - 1)
        size = self.bs if self.weight is not None else torch.minimum(self.bs, n - start)
        if self.shuffled:
            rows = self.shuffle_rows
            epochs = (t * self.bs[rows]) // n
            new = torch.nonzero(epochs != self.epochs).flatten()
            if len(new):
                self.orders[new] = epoch_orders(n, self.shuffle_seeds[new], epochs[new])
            self.epochs = epochs
            if len(rows) == self.every:
                idx = self.orders.gather(1, idx)
            else:
                idx[rows] = self.orders.gather(1, idx[rows])
        if self.drawn:
            # Every row draws `width` points; a row's first batch_size are its batch.
            rows = self.drawn_rows
            draws = replacement_draws(n, width, self.drawn_seeds, torch.full((len(rows),), t))
            if len(rows) == self.every:
                idx = draws
            else:
                idx[rows] = draws
            if self.weight is None:  # a fresh tensor then, not self.bs
                size[rows] = self.bs[rows]
        weight = (self.weight if self.weight is not None
                  else (self.cols < size[:, None]) / size[:, None])
        if self.x.shape[0] == 1:
            return self.x[0][idx], self.y[0][idx], weight
        return self.x.gather(1, idx), self.y.gather(1, idx), weight


def _rows_and_seeds(seeds: dict[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    rows = sorted(seeds)
    return (torch.tensor(rows, dtype=torch.long),
            torch.tensor([seeds[r] for r in rows], dtype=torch.long))


def train_many(data: Data | Sequence[Data], configs: Sequence[TrainConfig], *,
               lr_ref: float | None = None) -> BatchedHistory:
    """Train every config at once; equals :func:`sgdlab.train.train` run by run, to float32.

    ``lr_ref``: the SGD family's shared rate (default: the most common one); the
    gradients of runs at that rate are scaled by exactly 1. Pass one value to
    calls over parts of a grid and each run gets the same numbers in any part.
    """
    configs = tuple(configs)
    runs = len(configs)
    datas = [data] * runs if isinstance(data, Data) else list(data)
    if runs == 0 or len(datas) != runs:
        raise ValueError("need one data set (or a shared one) per config, and at least one run")
    _check(configs, datas)
    base, n, steps = configs[0], datas[0].n, configs[0].steps
    shared = isinstance(data, Data)
    x = datas[0].x[None] if shared else torch.stack([d.x for d in datas])
    y = datas[0].y[None] if shared else torch.stack([d.y for d in datas])

    # The losses are computed in bucket order (by_bucket[i] is a run), each bucket a slice.
    buckets: list[_Bucket] = []
    by_bucket: list[int] = []
    for runs_in in _buckets([c.batch_size for c in configs]):
        first = len(by_bucket)
        by_bucket += runs_in
        shuffled = {row: configs[r].sampling_seed for row, r in enumerate(runs_in)
                    if configs[r].sampling == "shuffle"}
        drawn = {row: configs[r].sampling_seed for row, r in enumerate(runs_in)
                 if configs[r].sampling == "replacement"}
        pick = torch.tensor(runs_in)
        full = all(configs[r].sampling == "replacement" or n % configs[r].batch_size == 0
                   for r in runs_in)
        buckets.append(_Bucket(slice(first, len(by_bucket)),
                               torch.tensor([configs[r].batch_size for r in runs_in]),
                               x if shared else x[pick], y if shared else y[pick], shuffled,
                               drawn, n, full))

    # Each parameter group is a (runs in group, 2) tensor of (a, b); row s of their
    # concatenation is run by_param[s].
    groups_runs, lrs, scale = _lr_groups(configs, by_bucket, lr_ref)
    by_param = [r for group in groups_runs for r in group]
    params: list[torch.Tensor] = [torch.nn.Parameter(torch.zeros(len(g), 2))
                                  for g in groups_runs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    optimizer = make_optimizer(groups, replace(base, lr=lrs[0]))
    # As in train(): a constant rate needs no scheduler step.
    scheduler = make_scheduler(optimizer, base) if base.schedule != "constant" else None
    to_bucket = (None if by_param == by_bucket  # param order -> bucket order
                 else torch.tensor(np.argsort(by_param)[by_bucket]))
    record = torch.empty(3, runs, steps)  # batch loss (bucket order), a, b (param order)
    for t in range(steps):
        theta = params[0] if len(params) == 1 else torch.cat(params)
        if to_bucket is not None:
            theta = theta[to_bucket]
        parts = []
        for bucket in buckets:
            xx, yy, weight = bucket.batch(t)
            ab = theta[bucket.rows]
            parts.append(((yy - (ab[:, :1] * xx + ab[:, 1:])).pow(2) * weight).sum(1))
        loss = torch.cat(parts)
        optimizer.zero_grad()
        loss.sum().backward()
        if scale is not None:
            params[0].grad.mul_(scale)  # type: ignore[union-attr]
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            record[0, :, t] = loss
            record[1:, :, t] = params[0].T if len(params) == 1 else torch.cat(params).T
    rec = record.double().numpy()
    batch_loss = rec[0][np.argsort(by_bucket)]
    a_hist, b_hist = rec[1][np.argsort(by_param)], rec[2][np.argsort(by_param)]
    mx, my, sxx, sxy, syy = (m[:, None] for m in _moments(datas))
    with np.errstate(over="ignore", invalid="ignore"):
        total = syy - 2 * a_hist * sxy + a_hist**2 * sxx + (a_hist * mx + b_hist - my) ** 2
        bad = ~(np.isfinite(a_hist) & np.isfinite(b_hist)) | ~(total <= DIVERGENCE_LOSS) \
            | ~(batch_loss <= DIVERGENCE_LOSS)
    diverged: list[int | None] = []
    for r in range(runs):
        hits = np.flatnonzero(bad[r])
        diverged.append(int(hits[0]) + 1 if len(hits) else None)
        if len(hits):
            for arr in (batch_loss, total, a_hist, b_hist):
                arr[r, hits[0]:] = np.nan
    return BatchedHistory(configs, batch_loss, total, a_hist, b_hist, tuple(diverged))
