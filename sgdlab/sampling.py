"""Which points make up each batch: the notebook's order, reshuffled, or drawn with replacement.

Every choice is a pure function of (settings, step), so any step's batch can
be recomputed later (for highlighting) without storing them all. The random
choices come from counter-based hashes, not from a generator with state: each
(seed, k) gets a 32-bit state from splitmix64, and key ``i`` is
``lowbias32(state ^ lowbias32(i))``, so the keys of many runs (seeds) and
epochs or steps (k) are computed at once, and anyone can recompute them (the
exported scripts do, in a few lines of torch). An epoch's order sorts the
points by their keys; a draw with replacement scales a key to [0, n).

lowbias32 is a bijection of 32-bit words, so the keys of one (seed, k) are all
different: an epoch's sort has no ties (were there any, the stable sort would
keep those points in index order: harmless). Two (seed, k) share a 32-bit state
by chance (about once in 2**32 pairs); they then share their keys.

For speed, up to n = 1024 an epoch sorts 32-bit words (a key's high bits, then
the point's index) and sorts again by whole keys the rare rows where two keys
share those high bits: the same orders. :class:`EpochOrders` and :class:`Draws`
make what does not change between epochs or updates once per call.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

# splitmix64 (Steele, Lea & Flood 2014): the step between states and the two
# multipliers of its mixing function, as unsigned 64-bit words. It turns each
# (seed, k) into a state, once per run: cheap.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# lowbias32 (C. Wellons, "Prospecting for Hash Functions", 2018,
# https://nullprogram.com/blog/2018/07/31/): shifts 16, 15, 16 and these two
# multipliers, on 32-bit words. It makes the keys, once per point: half the bytes
# of a 64-bit hash and fewer passes over them.
_L1 = np.uint32(0x7FEB352D)
_L2 = np.uint32(0x846CA68B)
# Keys are made in chunks of about this many, with one scratch array: each chunk stays
# in the CPU cache while it is hashed, packed and sorted.
_CHUNK = 2**16
DRAW_BLOCK = 2**18  # points drawn with replacement at most at once (2 MB), for several updates
_LOW = np.uint64(0xFFFFFFFF)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's mixing function, in place on uint64 words (products wrap mod 2**64)."""
    for shift, factor in ((30, _M1), (27, _M2), (31, None)):
        z ^= z >> np.uint64(shift)
        if factor is not None:
            z *= factor
    return z


def _lowbias32(z: np.ndarray, scratch: np.ndarray, *, shifted: bool = False) -> np.ndarray:
    """lowbias32, in place on uint32 words (products wrap mod 2**32).

    ``shifted``: ``z ^= z >> 16``, its first step, is done already.
    """
    if not shifted:
        np.right_shift(z, 16, out=scratch)
        z ^= scratch
    z *= _L1
    np.right_shift(z, 15, out=scratch)
    z ^= scratch
    z *= _L2
    np.right_shift(z, 16, out=scratch)
    z ^= scratch
    return z


class _Keys:
    """The keys of runs (seeds) for any ks: key i of a row is lowbias32(state ^ lowbias32(i)).

    The state is the high half of mix(mix(seed + GOLDEN) + k), splitmix64's first
    output for seed + k; its inner mix is made once per run. The first step of
    the outer lowbias32, z ^= z >> 16, is applied to the state and to
    lowbias32(i) apart (xor and >> commute): once per row and once per point, not
    once per key. Rows are hashed a chunk at a time, in one reused buffer, so that
    each chunk stays in the CPU cache for what follows.
    """

    def __init__(self, seeds: torch.Tensor, count: int, most_rows: int = 0) -> None:
        self.seeded = _mix(seeds.numpy().astype(np.uint64).reshape(-1) + GOLDEN)
        points = np.arange(count, dtype=np.uint32)
        _lowbias32(points, np.empty_like(points))
        self.points = points ^ (points >> np.uint32(16))
        self.count, self.rows = count, len(self.seeded)
        # Chunks of equal rows, each at most ~_CHUNK keys (most_rows: the most rows hashed
        # at once, when states are set for several ks).
        rows = max(self.rows, most_rows)
        chunks = -(-rows // max(1, _CHUNK // max(count, 1)))
        self.chunk = max(1, -(-rows // chunks))
        self.buf = np.empty((self.chunk, count), dtype=np.uint32)
        self.scratch = np.empty_like(self.buf)
        self.state = np.zeros(self.rows, dtype=np.uint32)

    def at(self, ks: torch.Tensor) -> _Keys:
        """Set every row's k (an epoch or a step): its state."""
        self.state = self.states(ks.numpy().astype(np.uint64).reshape(-1))
        return self

    def states(self, ks: np.ndarray) -> np.ndarray:
        """The rows' (prepared) states at ``ks``: uint64, (rows,) or (m, 1) for (m, rows)."""
        state = _mix(self.seeded + ks)
        state >>= np.uint64(32)
        state ^= state >> np.uint64(16)
        return state.astype(np.uint32)

    def chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, keys of the rows from there): (rows, count) uint32, overwritten next."""
        for first in range(0, len(self.state), self.chunk):
            yield first, self.hash(self.state[first: first + self.chunk])

    def hash(self, state: np.ndarray) -> np.ndarray:
        """The keys of the rows whose (prepared) states these are, in the buffer."""
        keys = self.buf[: len(state)]
        np.bitwise_xor(state[:, None], self.points, out=keys)
        return _lowbias32(keys, self.scratch[: len(state)], shifted=True)


def sample_keys(seeds: torch.Tensor, ks: torch.Tensor, count: int) -> torch.Tensor:
    """(runs, count) int64 keys in [0, 2**32), all different within a row.

    ``seeds`` and ``ks`` (an epoch or a step) hold one value per run.
    """
    keys = _Keys(seeds, count).at(ks)
    out = np.empty((keys.rows, count), dtype=np.int64)
    for first, chunk in keys.chunks():
        out[first: first + len(chunk)] = chunk
    return torch.from_numpy(out)


class EpochOrders:
    """The orders of runs (``seeds``) over ``n`` points, for any epochs: :meth:`fill`.

    What does not depend on the epoch (each run's and each point's part of the
    keys, the buffers) is made once.
    """

    def __init__(self, n: int, seeds: torch.Tensor) -> None:
        self.keys = _Keys(seeds, n)
        self.bits = max(1, (n - 1).bit_length())  # an index fits in this many low bits
        # 32-bit words where two keys of a row rarely share their high 32 - bits bits.
        self.words32 = n > 1 and n * n <= 2 ** (30 - self.bits)
        self.index = np.arange(n, dtype=np.uint32)
        self.first, self.states = -1, np.empty((0, self.keys.rows), dtype=np.uint32)

    def fill(self, epochs: torch.Tensor | int, out: np.ndarray) -> np.ndarray:
        """:func:`epoch_orders` into ``out``: any integer array of (runs, ...) of n each.

        ``epochs``: one per run, or one for all (their states are then made 32
        epochs at a time). ``out`` may be a strided view (e.g. a transposed layout
        the caller reads from). Each chunk of rows is hashed, sorted and written out
        while it is in the cache.
        """
        keys = self.keys
        if isinstance(epochs, int):
            k = epochs - self.first
            if not 0 <= k < len(self.states):
                self.first, k = epochs, 0
                ks = np.arange(epochs, epochs + 32, dtype=np.uint64)
                self.states = keys.states(ks[:, None])
            keys.state = self.states[k]
        else:
            keys.at(epochs)
        for first, chunk in keys.chunks():
            dst = out[first: first + len(chunk)]
            if self.words32:
                self._sort32(first, chunk, dst)
            else:
                _sort_packed64(chunk, dst)
        return out

    def _sort32(self, first: int, keys: np.ndarray, out: np.ndarray) -> None:
        """The same orders, sorting 32-bit words: a key's high 32 - bits bits, then the index.

        Where those high bits of all keys of a row differ, this is the order by key;
        a row where two share them (rare: n * n <= 2**(30 - bits), under 1 row in 8
        at n = 1024, about 1 in 800 at n = 200) is sorted again by whole keys. Half
        the bytes of 64-bit words: the sort is 2-3x faster.
        """
        n, low = self.keys.count, np.uint32(2**self.bits - 1)
        keys &= ~low
        keys |= self.index
        keys.sort(axis=1)
        # Neighbours (in a row) whose high bits are equal differ in the index bits only.
        flat = keys.reshape(-1)
        gaps = self.keys.scratch.reshape(-1)  # (free once the keys are made)
        gap = np.bitwise_xor(flat[1:], flat[:-1], out=gaps[: len(flat) - 1])
        np.bitwise_and(keys.reshape(out.shape), low, out=out, casting="unsafe")
        if gap.min() > low:  # (most chunks: no neighbours alike, not even across rows)
            return
        near = np.flatnonzero(gap <= low)
        ties = np.unique(near[(near + 1) % n != 0] // n)
        if len(ties):
            again = np.empty((len(ties), *out.shape[1:]), dtype=out.dtype)
            _sort_packed64(self.keys.hash(self.keys.state[first + ties]), again)
            out[ties] = again


def fill_epoch_orders(n: int, seeds: torch.Tensor, epochs: torch.Tensor, out: np.ndarray
                      ) -> np.ndarray:
    """:func:`epoch_orders` written into ``out`` (see :meth:`EpochOrders.fill`)."""
    return EpochOrders(n, seeds).fill(epochs, out)


def _sort_packed64(keys: np.ndarray, out: np.ndarray) -> None:
    """A stable sort by key: the key in a word's high half, the index in its low half."""
    words = np.left_shift(keys, np.uint64(32), dtype=np.uint64)
    words |= np.arange(keys.shape[1], dtype=np.uint64)
    words.sort(axis=1)
    np.bitwise_and(words.reshape(out.shape), _LOW, out=out, casting="unsafe")


def epoch_orders(n: int, seeds: torch.Tensor, epochs: torch.Tensor) -> torch.Tensor:
    """(runs, n): each run's order of the points in its epoch, the points sorted by key.

    A stable sort (equal keys would keep the points' order; the keys of a row differ).
    """
    out = np.empty((len(seeds.reshape(-1)), n), dtype=np.int64)
    return torch.from_numpy(fill_epoch_orders(n, seeds, epochs, out))


def replacement_draws(n: int, count: int, seeds: torch.Tensor, steps: torch.Tensor
                      ) -> torch.Tensor:
    """(runs, count) points drawn with replacement: keys scaled to [0, n), key * n // 2**32.

    Like ``key % n`` (as biased: below n / 2**32), but a multiplication, not a division.
    """
    keys = _Keys(seeds, count).at(steps)
    out = np.empty((keys.rows, count), dtype=np.uint64)
    _scale(keys, n, out)
    return torch.from_numpy(out.view(np.int64))


def _scale(keys: _Keys, n: int, out: np.ndarray) -> None:
    """Every row's keys scaled to [0, n) into ``out`` (rows, count) uint64."""
    for first, chunk in keys.chunks():
        drawn = out[first: first + len(chunk)]
        np.multiply(chunk, np.uint64(n), out=drawn)
        drawn >>= np.uint64(32)


class Draws:
    """:func:`replacement_draws` of runs (``seeds``) for blocks of updates, ``width`` each.

    What does not depend on the update (each run's and each point's part of the
    keys, the buffers) is made once.
    """

    def __init__(self, n: int, width: int, seeds: torch.Tensor, most: int) -> None:
        """``most``: the most updates in a block."""
        self.n, self.width = n, width
        self.keys = _Keys(seeds, width, most_rows=most * len(seeds.reshape(-1)))
        self.out = np.empty((most * self.keys.rows, width), dtype=np.uint64)

    def block(self, first: int, count: int) -> torch.Tensor:
        """(count, runs, width) int64: every run's draws for updates first ... first + count - 1.

        In this object's buffer: overwritten by the next block.
        """
        steps = np.arange(first, first + count, dtype=np.uint64)
        self.keys.state = self.keys.states(steps[:, None]).reshape(-1)
        out = self.out[: count * self.keys.rows]
        _scale(self.keys, self.n, out)
        return torch.from_numpy(out.view(np.int64)).view(count, self.keys.rows, self.width)


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
