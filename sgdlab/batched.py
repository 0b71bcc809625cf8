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
from sgdlab.sampling import DRAW_BLOCK, Draws, EpochOrders, epoch_orders
from sgdlab.train import make_optimizer, make_scheduler

# Settings that may differ between runs of one batch; all others must agree.
PER_RUN = ("lr", "batch_size", "sampling", "sampling_seed")
# Optimizers whose update is linear in the gradient: a run's rate folds into its gradient.
FOLDS_LR = ("sgd", "momentum", "nesterov")


@dataclass(frozen=True, eq=False)
class BatchedHistory:
    """Arrays of shape (runs, steps); rows after a run's divergence are NaN.

    ``blowup[r]`` is where run r's diverging update went, (a, b, whole-data loss),
    as :attr:`sgdlab.history.History.blowup`; ``grad_a`` and ``grad_b`` are the
    batch gradients each update used, when they were asked for (else None).
    """

    configs: tuple[TrainConfig, ...]
    batch_loss: np.ndarray
    total_loss: np.ndarray
    a: np.ndarray
    b: np.ndarray
    diverged_at: tuple[int | None, ...]
    blowup: tuple[tuple[float, float, float] | None, ...] = ()
    grad_a: np.ndarray | None = None
    grad_b: np.ndarray | None = None

    @property
    def final_total_loss(self) -> np.ndarray:
        """Whole-data loss after the last update (NaN for diverged runs)."""
        return self.total_loss[:, -1]


def _moments(datas: Sequence[Data]) -> tuple[np.ndarray, ...]:
    """Per data set: mean x, mean y, var x, cov xy, var y (one row for a shared set)."""
    if all(d is datas[0] for d in datas):
        datas = datas[:1]
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
    steps: int

    def __post_init__(self) -> None:
        width = int(self.bs.max())
        self.cols = torch.arange(width)
        # One batch size that divides n: every row reads the same window of positions,
        # a slice, so sequential rows read the data and shuffled rows their order in place;
        # and each row's loss is the mean over its batch, as in train().
        self.same = width if self.full and int(self.bs.min()) == width else 0
        # Other full batches have the same weights 1/size (0 for padding) at every step.
        self.weight = ((self.cols < self.bs[:, None]) / self.bs[:, None]
                       if self.full and not self.same else None)
        # Shuffled rows read the notebook's window through their epoch's order; the
        # orders are drawn only when a row enters a new epoch, not at every step.
        self.shuffle_rows, self.shuffle_seeds = _rows_and_seeds(self.shuffled)
        self.orders = torch.empty(len(self.shuffled), self.n, dtype=torch.long)
        self.epochs = torch.full((len(self.shuffled),), -1, dtype=torch.long)
        self.drawn_rows, self.drawn_seeds = _rows_and_seeds(self.drawn)
        self.block, self.block_start = torch.empty(0), 0  # draws of updates block_start...
        self.xd = self.yd = torch.empty(0)  # x and y at the draws of updates block_start...
        self.xd_buf, self.yd_buf = torch.empty(0), torch.empty(0)  # xd, yd are their heads
        self.draws: Draws | None = None
        self.every = len(self.bs)  # a sampling that every row uses needs no row index
        # One window, all rows shuffled (or all sequential, each with its own data): the
        # data is kept in window-sized blocks, xo[k] (rows, same) the k-th window of every
        # row, in the epoch's order: each update reads one contiguous block.
        sequential = not self.shuffled and not self.drawn and self.x.shape[0] > 1
        self.blocked = bool(self.same) and (sequential or len(self.shuffled) == self.every)
        self.epoch = -1  # the epoch of xo and yo
        self.xo, self.yo = self._blocks() if self.blocked and sequential else (
            torch.empty(0), torch.empty(0))
        # Shuffled blocks: the orders' maker, and the epoch's orders in block layout.
        self.epoch_orders: EpochOrders | None = None
        self.where = np.empty(0, dtype=np.uint32)

    def batch(self, t: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(x, y, weight) of update ``t``: x, y (rows or 1, width); weight 1/size or 0 (padding).

        The weight is None when every batch fills the width: the loss is then the mean.
        """
        n = self.n
        if self.full and len(self.drawn) == self.every:  # (drawn batches are always full)
            return (*self._drawn_points(t), self.weight)  # no window: all points drawn
        if self.blocked:
            epoch, start = divmod(t * self.same, n)
            if self.shuffled and epoch != self.epoch:
                self.epoch = epoch
                self._shuffled_blocks(epoch)
            return self.xo[start // self.same], self.yo[start // self.same], None
        pos: slice | torch.Tensor
        if self.same:
            start = (t * self.same) % n
            pos, size = slice(start, start + self.same), self.bs
        else:
            start_t = (t * self.bs) % n
            pos = torch.clamp(start_t[:, None] + self.cols, max=n - 1)
            size = self.bs if self.full else torch.minimum(self.bs, n - start_t)
        idx = self._points(t, pos)
        if self.drawn and not self.full:  # size is a fresh tensor then, not self.bs
            size[self.drawn_rows] = self.bs[self.drawn_rows]
        weight = (self.weight if self.weight is not None or self.full
                  else (self.cols < size[:, None]) / size[:, None])
        return (*self._read(idx), weight)

    def _points(self, t: int, pos: slice | torch.Tensor) -> slice | torch.Tensor:
        """The points at positions ``pos`` of each row's order at update ``t``."""
        if not self.shuffled and not self.drawn:
            return pos
        if self.shuffled:
            self._shuffle(t)
            if len(self.shuffled) == self.every:
                return self.orders[:, pos] if isinstance(pos, slice) else self.orders.gather(1, pos)
        idx = (torch.arange(self.n)[pos].repeat(self.every, 1) if isinstance(pos, slice)
               else pos)
        if self.shuffled:
            rows = self.shuffle_rows
            idx[rows] = (self.orders[:, pos] if isinstance(pos, slice)
                         else self.orders.gather(1, idx[rows]))
        if self.drawn:
            idx[self.drawn_rows] = self._draws(t)
        return idx

    def _shuffle(self, t: int) -> None:
        """Draw the order of every shuffled row that enters a new epoch at update ``t``."""
        rows = self.shuffle_rows
        epochs = (t * self.bs[rows]) // self.n
        new = torch.nonzero(epochs != self.epochs).flatten()
        if len(new) == len(rows):
            self.orders = epoch_orders(self.n, self.shuffle_seeds, epochs)
        elif len(new):
            self.orders[new] = epoch_orders(self.n, self.shuffle_seeds[new], epochs[new])
        self.epochs = epochs

    def _draws(self, t: int) -> torch.Tensor:
        """Every drawn row's points at update ``t``: ``width`` of them; its batch is the first.

        They are drawn for up to 32 updates at once, so one call's fixed cost is shared.
        """
        k = t - self.block_start
        if not 0 <= k < len(self.block):
            self.block, k = self._draw_block(t), 0
        return self.block[k]

    def _draw_block(self, t: int) -> torch.Tensor:
        """(updates, rows, width): the drawn rows' points for updates t, t + 1, ...

        In a buffer of ``self.draws``, overwritten by the next block.
        """
        rows, width = len(self.drawn), len(self.cols)
        most = max(1, min(32, DRAW_BLOCK // (rows * width), self.steps))
        if self.draws is None:
            self.draws = Draws(self.n, width, self.drawn_seeds, most)
        self.block_start = t
        return self.draws.block(t, min(most, self.steps - t))

    def _drawn_points(self, t: int) -> tuple[torch.Tensor, torch.Tensor]:
        """x and y of every row's draws at update ``t`` when every row draws its points.

        Read for a whole block of updates at once, one gather each for x and y, into
        buffers of this bucket (an update's backward is done before they are refilled).
        """
        k = t - self.block_start
        if not 0 <= k < len(self.xd):
            where = self._draw_block(t)
            if self.x.shape[0] > 1:  # each row its own data: index x flattened
                where += (torch.arange(self.every) * self.n)[:, None]
            if self.xd_buf.numel() < where.numel():  # the first block is the largest
                self.xd_buf = torch.empty(where.shape, dtype=self.x.dtype)
                self.yd_buf = torch.empty(where.shape, dtype=self.y.dtype)
            count, flat = len(where), where.view(-1)
            self.xd, self.yd = self.xd_buf[:count], self.yd_buf[:count]
            torch.index_select(self.x.reshape(-1), 0, flat, out=self.xd.view(-1))
            torch.index_select(self.y.reshape(-1), 0, flat, out=self.yd.view(-1))
            k = 0
        return self.xd[k], self.yd[k]

    def _blocks(self) -> tuple[torch.Tensor, torch.Tensor]:
        """x and y of every row as they are, in window blocks."""
        rows, same = self.every, self.same
        return (self.x.view(rows, -1, same).transpose(0, 1).contiguous(),
                self.y.view(rows, -1, same).transpose(0, 1).contiguous())

    def _shuffled_blocks(self, epoch: int) -> None:
        """xo and yo: every row's x and y in its order for ``epoch``, in window blocks.

        The orders are written straight into block layout (positions ``same`` apart in
        a row are ``rows * same`` apart there), then x and y are read through them in
        one gather each. All buffers are this bucket's, refilled each epoch (the
        previous update's backward is done by then).
        """
        rows, same, n = self.every, self.same, self.n
        shared = self.x.shape[0] == 1
        if self.epoch_orders is None:
            self.xo, self.yo = (torch.empty(n // same, rows, same, dtype=t.dtype)
                                for t in (self.x, self.y))
            # Indices into x[0] (below n), or into x flattened (row * n + point).
            self.where = np.empty((n // same, rows, same),
                                  dtype=np.uint32 if shared else np.int64)
            self.epoch_orders = EpochOrders(n, self.shuffle_seeds)
        where = self.where
        self.epoch_orders.fill(epoch, where.transpose(1, 0, 2))
        if not shared:
            where += (np.arange(rows) * n)[:, None]
        flat = torch.from_numpy(where.view(np.int32) if shared else where).view(-1)
        for src, dst in ((self.x, self.xo), (self.y, self.yo)):
            torch.index_select(src.reshape(-1), 0, flat, out=dst.view(-1))

    def _read(self, idx: slice | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x and y at ``idx`` (a slice: the same window for every row)."""
        if isinstance(idx, slice):
            return self.x[:, idx], self.y[:, idx]
        if self.x.shape[0] == 1:  # index_select: the same gather, ~3x faster than x[idx]
            flat = idx.reshape(-1)
            return (self.x[0].index_select(0, flat).view(idx.shape),
                    self.y[0].index_select(0, flat).view(idx.shape))
        return self.x.gather(1, idx), self.y.gather(1, idx)


def _rows_and_seeds(seeds: dict[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    rows = sorted(seeds)
    return (torch.tensor(rows, dtype=torch.long),
            torch.tensor([seeds[r] for r in rows], dtype=torch.long))


def _make_buckets(configs: Sequence[TrainConfig], x: torch.Tensor, y: torch.Tensor, n: int
                  ) -> tuple[list[_Bucket], list[int]]:
    """The buckets, and the runs in bucket order (each bucket a slice of it)."""
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
                               x if x.shape[0] == 1 else x[pick],
                               y if y.shape[0] == 1 else y[pick], shuffled, drawn, n, full,
                               configs[0].steps))
    return buckets, by_bucket


def train_many(data: Data | Sequence[Data], configs: Sequence[TrainConfig], *,
               lr_ref: float | None = None, grads: bool = False) -> BatchedHistory:
    """Train every config at once; equals :func:`sgdlab.train.train` run by run, to float32.

    ``lr_ref``: the SGD family's shared rate (default: the most common one); the
    gradients of runs at that rate are scaled by exactly 1. Pass one value to
    calls over parts of a grid and each run gets the same numbers in any part.
    ``grads``: also keep each update's batch gradient (two more values per step).
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
    buckets, by_bucket = _make_buckets(configs, x, y, n)

    # Each parameter group holds a and b of its runs as two (runs in group, 1) tensors;
    # row s of their concatenation is run by_param[s].
    groups_runs, lrs, scale = _lr_groups(configs, by_bucket, lr_ref)
    by_param = [r for group in groups_runs for r in group]
    a_params, b_params = ([torch.nn.Parameter(torch.zeros(len(g), 1)) for g in groups_runs]
                          for _ in "ab")
    groups = [{"params": [a, b], "lr": lr}
              for a, b, lr in zip(a_params, b_params, lrs, strict=True)]
    optimizer = make_optimizer(groups, replace(base, lr=lrs[0]))
    # As in train(): a constant rate needs no scheduler step.
    scheduler = make_scheduler(optimizer, base) if base.schedule != "constant" else None
    to_bucket = (None if by_param == by_bucket  # param order -> bucket order
                 else torch.tensor(np.argsort(by_param)[by_bucket]))
    # batch loss (bucket order), a, b, and the gradients when kept (param order)
    record = torch.empty(steps, 5 if grads else 3, runs)
    for t in range(steps):
        a_all, b_all = _cat(a_params), _cat(b_params)
        if to_bucket is not None:
            a_all, b_all = a_all[to_bucket], b_all[to_bucket]
        parts = []
        for bucket in buckets:
            xx, yy, weight = bucket.batch(t)
            a, b = ((a_all, b_all) if len(buckets) == 1
                    else (a_all[bucket.rows], b_all[bucket.rows]))
            errors = _squared_errors(yy, a * xx + b)
            # sum / size: the same bits as mean(1), forward and backward, and its backward
            # divides the (rows,) gradient, not a (rows, width) copy of it.
            parts.append(errors.sum(1) / xx.shape[1] if weight is None
                         else (errors * weight).sum(1))
        loss = parts[0] if len(parts) == 1 else torch.cat(parts)
        optimizer.zero_grad()
        loss.sum().backward()
        if grads:  # the batch's own gradient, before a run's rate is folded into it
            record[t, 3] = _cat([p.grad for p in a_params]).view(-1)  # type: ignore[misc]
            record[t, 4] = _cat([p.grad for p in b_params]).view(-1)  # type: ignore[misc]
        if scale is not None:
            a_params[0].grad.mul_(scale)  # type: ignore[union-attr]
            b_params[0].grad.mul_(scale)  # type: ignore[union-attr]
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            record[t, 0] = loss
            record[t, 1] = _cat(a_params).view(-1)
            record[t, 2] = _cat(b_params).view(-1)
    # (3 or 5, runs, steps) float64 in one pass (torch transposes in cache-sized tiles).
    rec = record.permute(1, 2, 0).to(torch.float64, memory_format=torch.contiguous_format)
    kept = [_by_run(rec[k].numpy(), by_param) for k in (3, 4)] if grads else None
    return _history(configs, datas, _by_run(rec[0].numpy(), by_bucket),
                    _by_run(rec[1].numpy(), by_param), _by_run(rec[2].numpy(), by_param), kept)


def _by_run(rec: np.ndarray, order: list[int]) -> np.ndarray:
    """(runs, steps) with row r run r, from rows in ``order`` (row s is run order[s])."""
    return rec if order == sorted(order) else rec[np.argsort(order)]


def _squared_errors(y: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """(y - y_pred)^2 per point: ATen's fused mse_loss, reduction 0 (none).

    The same bits as ``(y - y_pred).pow(2)``, forward and backward, in fewer
    passes over the batch (and the same op as train()'s loss).
    """
    return torch.ops.aten.mse_loss(y_pred, y, 0)


def _cat(params: Sequence[torch.Tensor]) -> torch.Tensor:
    return params[0] if len(params) == 1 else torch.cat(list(params))


def _history(configs: tuple[TrainConfig, ...], datas: Sequence[Data], batch_loss: np.ndarray,
             a_hist: np.ndarray, b_hist: np.ndarray,
             grads: list[np.ndarray] | None = None) -> BatchedHistory:
    """The history from the recorded (runs, steps) arrays; from a run's divergence on, NaN."""
    moments = [m[:, None] for m in _moments(datas)]  # (1 or runs, 1) each
    runs, steps = a_hist.shape
    total, ok = np.empty_like(a_hist), np.empty_like(a_hist, dtype=bool)
    rows = max(1, 2**15 // max(steps, 1))  # a block of rows stays in the CPU cache: ~3x faster
    part, test = np.empty((rows, steps)), np.empty((rows, steps), dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, runs, rows):
            block = slice(start, start + rows)
            a, b, t = a_hist[block], b_hist[block], total[block]
            p, q, o = part[: len(a)], test[: len(a)], ok[block]
            mx, my, sxx, sxy, syy = (m if len(m) == 1 else m[block] for m in moments)
            # syy - 2 a sxy + a^2 sxx + (a mx + b - my)^2, in that order.
            np.multiply(a, 2, out=t)
            t *= sxy
            np.subtract(syy, t, out=t)
            np.square(a, out=p)
            p *= sxx
            t += p
            np.multiply(a, mx, out=p)
            p += b
            p -= my
            np.square(p, out=p)
            t += p
            np.isfinite(a, out=o)
            o &= np.isfinite(b, out=q)
            o &= np.less_equal(t, DIVERGENCE_LOSS, out=q)
            o &= np.less_equal(batch_loss[block], DIVERGENCE_LOSS, out=q)
    bad = ~ok
    hit, first = bad.sum(axis=1) > 0, bad.argmax(axis=1)
    runs_at = np.arange(len(first))
    went = zip(a_hist[runs_at, first], b_hist[runs_at, first], total[runs_at, first],
               strict=True)
    blowup = tuple((float(a), float(b), float(t)) if h else None
                   for h, (a, b, t) in zip(hit, went, strict=True))
    if hit.any():  # (masks are skipped when nothing diverged)
        after = hit[:, None] & (np.arange(bad.shape[1]) >= first[:, None])
        for arr in (batch_loss, total, a_hist, b_hist, *(grads or [])):
            arr[after] = np.nan
    diverged = tuple(int(f) + 1 if h else None for h, f in zip(hit, first, strict=True))
    grad_a, grad_b = grads if grads else (None, None)
    return BatchedHistory(configs, batch_loss, total, a_hist, b_hist, diverged, blowup,
                          grad_a, grad_b)
