"""The notebook's training loop, generalised: torch.optim updates on y = a*x + b -> History."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from sgdlab.config import DIVERGENCE_LOSS, DataConfig, TrainConfig
from sgdlab.data import Data, make_data
from sgdlab.history import History, total_loss_fn
from sgdlab.sampling import Sampler

CHECK_EVERY = 32  # divergence is checked in chunks: one sync per chunk, not per step


class Line(torch.nn.Module):
    """y = a * x + b with scalar parameters a and b, both starting at zero."""

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.zeros(()))
        self.b = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * x + self.b


def mse(y: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """The notebook's loss, mean((y - y_pred)^2), as ATen's fused op.

    Same kernel as F.mse_loss, called without its Python wrapper (which adds a
    broadcast op and checks: ~13 us of a ~120 us step, measured).
    """
    return torch.ops.aten.mse_loss(y_pred, y)


def make_optimizer(params: Iterable[torch.nn.Parameter] | list[dict],
                   config: TrainConfig) -> torch.optim.Optimizer:
    """The torch.optim optimizer named by ``config.optimizer``.

    ``foreach=False``: with two scalar parameters, the plain per-tensor update
    has less overhead than the multi-tensor kernels.
    """
    lr, name = config.lr, config.optimizer
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, foreach=False)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum, foreach=False,
                               nesterov=name == "nesterov" and config.momentum > 0)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, foreach=False)
    raise ValueError(f"unknown optimizer {name!r}")


def make_scheduler(optimizer: torch.optim.Optimizer,
                   config: TrainConfig) -> torch.optim.lr_scheduler.LRScheduler:
    """The torch.optim.lr_scheduler named by ``config.schedule``."""
    sched = torch.optim.lr_scheduler
    if config.schedule == "constant":
        return sched.ConstantLR(optimizer, factor=1.0, total_iters=0)
    if config.schedule == "step":
        return sched.StepLR(optimizer, step_size=config.decay_every, gamma=config.gamma)
    if config.schedule == "exponential":
        return sched.ExponentialLR(optimizer, gamma=config.gamma ** (1 / config.decay_every))
    if config.schedule == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=config.steps)
    raise ValueError(f"unknown schedule {config.schedule!r}")


@dataclass
class _Record:
    """Per-step values kept as tensors during the loop; converted once at the end."""

    rows: list[torch.Tensor]
    lrs: list[float]
    sizes: list[int]


def train(data: DataConfig | Data, config: TrainConfig = TrainConfig()) -> History:
    """Fit y = a*x + b by mini-batch training and return the per-update history.

    ``batch_loss`` is the loss on the batch before the update (what the
    notebook prints); ``total_loss`` is the MSE on all the data after it (the
    notebook's ``stats['total_loss']``). A run that diverges stops at the
    chunk where it happened; its history ends before the first bad step.
    """
    data = make_data(data) if isinstance(data, DataConfig) else data
    if config.batch_size > data.n:
        raise ValueError(f"batch_size ({config.batch_size}) is larger than the number "
                         f"of points ({data.n})")
    model = Line()
    optimizer = make_optimizer(model.parameters(), config)
    # A constant rate needs no scheduler step: skip its per-step cost.
    scheduler = make_scheduler(optimizer, config) if config.schedule != "constant" else None
    sampler = Sampler(data.n, config.batch_size, config.sampling, config.sampling_seed)
    micro = config.batch_size // config.accumulation
    x, y, a, b = data.x, data.y, model.a, model.b
    rec = _Record([], [], [])
    total = total_loss_fn(data)
    diverged_at: int | None = None
    blowup: tuple[float, float, float] | None = None
    chunks: list[np.ndarray] = []
    params = (a, b)
    # Sequential batches repeat every few epochs: slice each window once (a slice
    # is a torch call, ~1.7 us twice a step) and look it up after that.
    windows: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
    for t in range(config.steps):
        idx = sampler(t)
        if isinstance(idx, slice):
            pair = windows.get(idx.start)
            if pair is None:
                pair = windows[idx.start] = (x[idx], y[idx])
            xx, yy = pair
        else:
            xx, yy = x[idx], y[idx]
        if scheduler is not None:  # a constant rate is filled in after the loop
            rec.lrs.append(optimizer.param_groups[0]["lr"])
        rec.sizes.append(len(xx))
        # torch.autograd.grad instead of backward(): the same engine and the same
        # gradients, without the .grad accumulation nodes; the optimizer reads .grad.
        if config.accumulation == 1:
            loss = mse(yy, model.forward(xx))
            grad_a, grad_b = torch.autograd.grad(loss, params)
        else:
            # Each micro-batch's mean loss, weighted by its share of the batch,
            # adds up to the batch's mean loss: the same gradient as unsplit.
            loss = torch.zeros(())
            grad_a = grad_b = torch.zeros(())
            for xs, ys in zip(xx.split(micro), yy.split(micro), strict=True):
                part = mse(ys, model.forward(xs)) * (len(xs) / len(xx))
                ga, gb = torch.autograd.grad(part, params)
                grad_a, grad_b = grad_a + ga, grad_b + gb
                loss = loss + part.detach()
        a.grad, b.grad = grad_a, grad_b
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        rec.rows.append(torch.stack([loss.detach(), a.detach(), b.detach(), grad_a, grad_b]))
        if len(rec.rows) == CHECK_EVERY or t == config.steps - 1:
            chunk = torch.stack(rec.rows).double().numpy()
            rec.rows.clear()
            totals = total(chunk[:, 1], chunk[:, 2])
            bad = _first_bad(chunk, totals)
            if bad is not None:
                chunks.append(chunk[:bad])
                diverged_at = sum(len(c) for c in chunks) + 1
                blowup = (float(chunk[bad, 1]), float(chunk[bad, 2]), float(totals[bad]))
                break
            chunks.append(chunk)
    rows = np.concatenate(chunks) if chunks else np.zeros((0, 5))
    n_rows = len(rows)
    return History(
        data=data, config=config, batch_loss=rows[:, 0], a=rows[:, 1], b=rows[:, 2],
        grad_a=rows[:, 3], grad_b=rows[:, 4], total_loss=total(rows[:, 1], rows[:, 2]),
        lr=(np.asarray(rec.lrs[:n_rows], dtype=np.float64) if scheduler is not None
            else np.full(n_rows, config.lr)),
        batch_size=np.asarray(rec.sizes[:n_rows], dtype=np.int64),
        diverged_at=diverged_at, blowup=blowup)


def _first_bad(chunk: np.ndarray, total_loss: np.ndarray) -> int | None:
    """Index of the first row whose loss or parameters are non-finite or beyond the bound."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(chunk).all(axis=1) | ~(total_loss <= DIVERGENCE_LOSS) \
            | ~(chunk[:, 0] <= DIVERGENCE_LOSS)
    hits = np.flatnonzero(bad)
    return int(hits[0]) if len(hits) else None


__all__ = ["Line", "make_optimizer", "make_scheduler", "mse", "train"]
