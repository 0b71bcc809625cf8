"""Independent references for the tests: the notebook's own code and float64 updates by hand.

Nothing here imports sgdlab's training code; it is what sgdlab is checked against.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def notebook_data(seed: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's cells 1-2, verbatim."""
    torch.manual_seed(seed)
    x_origin = torch.linspace(100, 300, 200)
    x = (x_origin - torch.mean(x_origin)) / torch.std(x_origin)
    epsilon = torch.randn(x.shape)
    y = 10 * x + 5 + epsilon
    return x, y


def notebook_stats(x: torch.Tensor, y: torch.Tensor, steps: int = 20) -> dict[str, list[float]]:
    """The notebook's cell 6: batch and total loss per step, with its own model and loop."""

    class Linear(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = torch.nn.Parameter(torch.zeros(()))
            self.b = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.a * x + self.b

    def mse(y: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        return (y - y_pred).pow(2).mean()

    batch_size = 20
    model = Linear()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    stats: dict[str, list[float]] = {"batch_loss": [], "total_loss": []}
    for t in range(steps):
        ix = (t * batch_size) % len(x)
        xx = x[ix: ix + batch_size]
        yy = y[ix: ix + batch_size]
        loss = mse(yy, model(xx))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        stats["batch_loss"].append(loss.item())
        stats["total_loss"].append(mse(y, model(x)).item())
    return stats


def reference_run(x: np.ndarray, y: np.ndarray, batches: list[np.ndarray], optimizer: str,
                  lr: float, momentum: float = 0.9) -> np.ndarray:
    """(a, b) after each update, in float64, with each optimizer's update written out by hand.

    The formulas follow the torch.optim documentation's pseudo-code, defaults included.
    """
    theta = np.zeros(2)
    buf = np.zeros(2)
    m, v, s = np.zeros(2), np.zeros(2), np.zeros(2)
    out = []
    for t, idx in enumerate(batches, start=1):
        xx, yy = x[idx], y[idx]
        r = yy - (theta[0] * xx + theta[1])
        g = np.array([-2 * np.mean(r * xx), -2 * np.mean(r)])
        if optimizer == "sgd":
            theta = theta - lr * g
        elif optimizer in ("momentum", "nesterov"):
            buf = g if t == 1 else momentum * buf + g
            step = g + momentum * buf if optimizer == "nesterov" else buf
            theta = theta - lr * step
        elif optimizer == "adam":
            b1, b2, eps = 0.9, 0.999, 1e-8
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        elif optimizer == "rmsprop":
            alpha, eps = 0.99, 1e-8
            v = alpha * v + (1 - alpha) * g * g
            theta = theta - lr * g / (np.sqrt(v) + eps)
        elif optimizer == "adagrad":
            eps = 1e-10
            s = s + g * g
            theta = theta - lr * g / (np.sqrt(s) + eps)
        else:
            raise ValueError(optimizer)
        out.append(theta.copy())
    return np.array(out)


def sequential_batches(n: int, batch_size: int, steps: int) -> list[np.ndarray]:
    """The notebook's batches: x[ix: ix + batch_size] with ix = (t * batch_size) % n."""
    out = []
    for t in range(steps):
        ix = (t * batch_size) % n
        out.append(np.arange(ix, min(ix + batch_size, n)))
    return out


def cosine_lr(lr: float, t: int, total: int) -> float:
    """Cosine annealing to zero: the lr used at (0-based) update t."""
    return lr * (1 + math.cos(math.pi * t / total)) / 2
