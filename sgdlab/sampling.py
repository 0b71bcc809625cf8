"""Which points make up each batch: the notebook's order, reshuffled, or drawn with replacement.

Every choice is a pure function of (settings, step), so any step's batch can
be recomputed later (for highlighting) without storing them all. The random
choices come from a counter-based hash, not from a generator with state: key
``i`` of (seed, k) is a splitmix64 output, so the keys of many runs (seeds) and
epochs or steps (k) are computed at once, and anyone can recompute them (the
exported scripts do, in a few lines of torch). An epoch's order sorts the
points by their keys; a draw with replacement scales a key to [0, n).
"""

from __future__ import annotations

import numpy as np
import torch

# splitmix64 (Steele, Lea & Flood 2014): the step between states and the two
# multipliers of its mixing function, as unsigned 64-bit words.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# Words are mixed in chunks of this many, with one scratch array: each chunk stays in the
# CPU cache, which made 1,000 runs x 200 points 2-3x faster than whole arrays (measured).
_CHUNK = 2**14
DRAW_BLOCK = 2**18  # points drawn with replacement at most at once (2 MB), for several updates


def _mix(z: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """splitmix64's mixing function, in place on uint64 words (products wrap mod 2**64)."""
    tmp = np.empty_like(z) if scratch is None else scratch
    for shift, factor in ((30, _M1), (27, _M2), (31, None)):
        np.right_shift(z, shift, out=tmp)
        z ^= tmp
        if factor is not None:
            z *= factor
    return z


def _words(seeds: torch.Tensor, ks: torch.Tensor, count: int) -> np.ndarray:
    """(runs, count) uint64: splitmix64's outputs 1..count from mix(mix(seed + GOLDEN) + k)."""
    seed = seeds.numpy().astype(np.uint64).reshape(-1)
    state = _mix(_mix(seed + GOLDEN) + ks.numpy().astype(np.uint64).reshape(-1))
    step = np.arange(1, count + 1, dtype=np.uint64) * GOLDEN
    out = np.empty((len(state), count), dtype=np.uint64)
    rows = max(1, _CHUNK // max(count, 1))
    scratch = np.empty((min(rows, len(state)), count), dtype=np.uint64)
    for first in range(0, len(state), rows):
        chunk = out[first: first + rows]
        np.add(state[first: first + rows, None], step, out=chunk)
        _mix(chunk, scratch[: len(chunk)])
    return out


def sample_keys(seeds: torch.Tensor, ks: torch.Tensor, count: int) -> torch.Tensor:
    """(runs, count) int64 keys in [0, 2**32): the top halves of :func:`_words`.

    ``seeds`` and ``ks`` (an epoch or a step) hold one value per run.
    """
    return torch.from_numpy((_words(seeds, ks, count) >> 32).astype(np.int64))


def epoch_orders(n: int, seeds: torch.Tensor, epochs: torch.Tensor) -> torch.Tensor:
    """(runs, n): each run's order of the points in its epoch, the points sorted by key.

    Equal keys keep the points' order (a stable sort): a key in the high half of a
    word and the point's index in the low half sort as one number.
    """
    words = _words(seeds, epochs, n)
    words &= np.uint64(0xFFFFFFFF00000000)
    words |= np.arange(n, dtype=np.uint64)
    words.sort(axis=1)
    words &= np.uint64(0xFFFFFFFF)
    return torch.from_numpy(words.view(np.int64))


def replacement_draws(n: int, count: int, seeds: torch.Tensor, steps: torch.Tensor
                      ) -> torch.Tensor:
    """(runs, count) points drawn with replacement: keys scaled to [0, n), key * n // 2**32.

    Like ``key % n`` (as biased: below n / 2**32), but a multiplication, not a division.
    """
    words = _words(seeds, steps, count)
    words >>= 32
    words *= np.uint64(n)
    words >>= 32
    return torch.from_numpy(words.view(np.int64))


def batch_window(n: int, batch_size: int, t: int) -> tuple[int, int, int]:
    """The notebook's window for update ``t`` (0-based): (epoch, start, stop).

    ``ix = (t * batch_size) % n`` and the slice ``[ix: ix + batch_size]``
    stops at ``n``, so the last batch of an epoch may be short ("ragged").
    """
    epoch, start = divmod(t * batch_size, n)
    return epoch, start, min(start + batch_size, n)


def epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    """The shuffled order of the points for one epoch of one run."""
    return epoch_orders(n, torch.tensor([seed]), torch.tensor([epoch]))[0]


def replacement_draw(n: int, batch_size: int, seed: int, t: int) -> torch.Tensor:
    """A batch drawn with replacement for update ``t`` of one run."""
    return replacement_draws(n, batch_size, torch.tensor([seed]), torch.tensor([t]))[0]


class Sampler:
    """Batch indices for update t; caches the current epoch's order, or a block of draws."""

    def __init__(self, n: int, batch_size: int, sampling: str, seed: int) -> None:
        self.n, self.batch_size, self.sampling, self.seed = n, batch_size, sampling, seed
        self._epoch = -1
        self._order: torch.Tensor | None = None
        self._first, self._draws = 0, torch.empty(0)  # the draws of updates _first...

    def __call__(self, t: int) -> slice | torch.Tensor:
        if self.sampling == "replacement":
            # Drawn for up to 64 updates at once: one call's fixed cost shared by them.
            k = t - self._first
            if not 0 <= k < len(self._draws):
                count = max(1, min(64, DRAW_BLOCK // self.batch_size))
                self._first, k = t, 0
                self._draws = replacement_draws(self.n, self.batch_size,
                                                torch.full((count,), self.seed),
                                                torch.arange(t, t + count))
            return self._draws[k]
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
