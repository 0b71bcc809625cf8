"""Which points make up each batch: the notebook's order, reshuffled, or drawn with replacement.

Every choice is a pure function of (settings, step), so any step's batch can
be recomputed later (for highlighting) without storing them all.
"""

from __future__ import annotations

import torch

_SPREAD = 2**20  # > any epoch or step count, so (seed, k) pairs never collide


def _generator(seed: int, k: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed) * _SPREAD + int(k))


def batch_window(n: int, batch_size: int, t: int) -> tuple[int, int, int]:
    """The notebook's window for update ``t`` (0-based): (epoch, start, stop).

    ``ix = (t * batch_size) % n`` and the slice ``[ix: ix + batch_size]``
    stops at ``n``, so the last batch of an epoch may be short ("ragged").
    """
    epoch, start = divmod(t * batch_size, n)
    return epoch, start, min(start + batch_size, n)


def epoch_order(n: int, seed: int, epoch: int, out: torch.Tensor | None = None) -> torch.Tensor:
    """The shuffled order of the points for one epoch (written into ``out`` if given)."""
    return torch.randperm(n, generator=_generator(seed, epoch), out=out)


def replacement_draw(n: int, batch_size: int, seed: int, t: int) -> torch.Tensor:
    """A batch drawn with replacement for update ``t``."""
    return torch.randint(0, n, (batch_size,), generator=_generator(seed, t))


class Sampler:
    """Batch indices for update t; caches the current epoch's shuffled order."""

    def __init__(self, n: int, batch_size: int, sampling: str, seed: int) -> None:
        self.n, self.batch_size, self.sampling, self.seed = n, batch_size, sampling, seed
        self._epoch = -1
        self._order: torch.Tensor | None = None

    def __call__(self, t: int) -> slice | torch.Tensor:
        if self.sampling == "replacement":
            return replacement_draw(self.n, self.batch_size, self.seed, t)
        epoch, start, stop = batch_window(self.n, self.batch_size, t)
        if self.sampling == "sequential":
            return slice(start, stop)
        if epoch != self._epoch or self._order is None:
            self._epoch, self._order = epoch, epoch_order(self.n, self.seed, epoch)
        return self._order[start:stop]

    def indices(self, t: int) -> torch.Tensor:
        """Batch indices for update ``t`` as a tensor (slices expanded)."""
        idx = self(t)
        return torch.arange(idx.start, idx.stop) if isinstance(idx, slice) else idx
