"""Many training runs as one vectorised torch computation.

Runs may differ in learning rate, batch size, sampling and sampling seed, and
each may have its own data set (e.g. one per data seed) of a common size; they
share the optimizer, schedule and step count. Every run gets its own slot in
parameter tensors of shape (runs,), so one ``backward`` on the sum of the
runs' losses gives each run exactly its own gradient, and one ``torch.optim``
optimizer (a parameter group per distinct learning rate) updates them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from sgdlab.config import DIVERGENCE_LOSS, TrainConfig
from sgdlab.data import Data
from sgdlab.sampling import Sampler
from sgdlab.train import make_optimizer, make_scheduler

# Settings that may differ between runs of one batch; all others must agree.
PER_RUN = ("lr", "batch_size", "sampling", "sampling_seed")


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
    shared = replace(configs[0], **{k: getattr(TrainConfig(), k) for k in PER_RUN})
    for c in configs:
        if replace(c, **{k: getattr(TrainConfig(), k) for k in PER_RUN}) != shared:
            raise ValueError(f"batched runs may differ only in {', '.join(PER_RUN)}")
    if len({d.n for d in datas}) != 1:
        raise ValueError("batched runs need data sets of one size")
    if max(c.batch_size for c in configs) > datas[0].n:
        raise ValueError("a batch size is larger than the number of points")


def train_many(data: Data | Sequence[Data], configs: Sequence[TrainConfig]) -> BatchedHistory:
    """Train every config at once; equals :func:`sgdlab.train.train` run by run, to float32."""
    configs = tuple(configs)
    runs = len(configs)
    datas = [data] * runs if isinstance(data, Data) else list(data)
    if runs == 0 or len(datas) != runs:
        raise ValueError("need one data set (or a shared one) per config, and at least one run")
    _check(configs, datas)
    base, n, steps = configs[0], datas[0].n, configs[0].steps
    x = torch.stack([d.x for d in datas]) if not isinstance(data, Data) else data.x[None]
    y = torch.stack([d.y for d in datas]) if not isinstance(data, Data) else data.y[None]

    # One parameter group per distinct learning rate; ``order`` maps slots to runs.
    lrs = sorted({c.lr for c in configs})
    slots = [[r for r in range(runs) if configs[r].lr == lr] for lr in lrs]
    order = torch.tensor([r for group in slots for r in group])
    params = [(torch.nn.Parameter(torch.zeros(len(g))), torch.nn.Parameter(torch.zeros(len(g))))
              for g in slots]
    groups = [{"params": list(p), "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    optimizer = make_optimizer(groups, replace(base, lr=lrs[0]))
    scheduler = make_scheduler(optimizer, base)

    if x.shape[0] > 1:
        x, y = x[order], y[order]
    bs = torch.tensor([configs[r].batch_size for r in order.tolist()])
    width = int(bs.max())
    cols = torch.arange(width)
    sequential = torch.tensor([configs[r].sampling == "sequential" for r in order.tolist()])
    samplers = {slot: Sampler(n, configs[r].batch_size, configs[r].sampling,
                              configs[r].sampling_seed)
                for slot, r in enumerate(order.tolist()) if not sequential[slot]}
    rows = torch.arange(runs)[:, None]
    records = []
    for t in range(steps):
        start = (t * bs) % n
        size = torch.minimum(bs, n - start)
        idx = torch.clamp(start[:, None] + cols, max=n - 1)
        for slot, sampler in samplers.items():
            chosen = sampler.indices(t)
            size[slot] = len(chosen)
            idx[slot, : len(chosen)] = chosen
        weight = (cols < size[:, None]) / size[:, None]
        xx = x.expand(runs, n)[rows, idx]
        yy = y.expand(runs, n)[rows, idx]
        a = torch.cat([p[0] for p in params])
        b = torch.cat([p[1] for p in params])
        loss = ((yy - (a[:, None] * xx + b[:, None])).pow(2) * weight).sum(1)
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
        scheduler.step()
        records.append(torch.stack([loss.detach(), torch.cat([p[0].detach() for p in params]),
                                    torch.cat([p[1].detach() for p in params])]))
    rec = torch.stack(records, dim=2).double().numpy()  # (3, runs, steps) in slot order
    back = torch.argsort(order).numpy()
    batch_loss, a_hist, b_hist = rec[0][back], rec[1][back], rec[2][back]
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
