"""Sampling keys against a pure-Python splitmix64 and lowbias32; orders and draws against
their definitions."""

import numpy as np
import torch

from sgdlab.config import MAX_SEED, MAX_STEPS
from sgdlab.sampling import (
    Draws,
    EpochOrders,
    Sampler,
    epoch_order,
    epoch_orders,
    fill_epoch_orders,
    replacement_draw,
    replacement_draws,
    sample_keys,
)

MASK = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15
MASK32 = 2**32 - 1


def mix(z: int) -> int:
    """splitmix64's mixing function on Python integers (Vigna's C code, line by line)."""
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & MASK
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & MASK
    return z ^ (z >> 31)


def lowbias32(x: int) -> int:
    """lowbias32 on Python integers: C. Wellons, "Prospecting for Hash Functions" (2018,
    https://nullprogram.com/blog/2018/07/31/), shifts 16, 15, 16, multipliers 0x7feb352d
    and 0x846ca68b."""
    x = (x ^ (x >> 16)) * 0x7FEB352D & MASK32
    x = (x ^ (x >> 15)) * 0x846CA68B & MASK32
    return x ^ (x >> 16)


def lowbias32_inverse(x: int) -> int:
    """Its inverse as published with it: multipliers 0x43021123 and 0x1d69e2a5."""
    x = (x ^ (x >> 16)) * 0x43021123 & MASK32
    x = (x ^ (x >> 15) ^ (x >> 30)) * 0x1D69E2A5 & MASK32
    return x ^ (x >> 16)


def reference_keys(seed: int, k: int, count: int) -> list[int]:
    """Key i: lowbias32(state ^ lowbias32(i)), the state splitmix64's first output's high half."""
    state = mix(mix((seed + GOLDEN) & MASK) + k & MASK) >> 32
    return [lowbias32(state ^ lowbias32(i)) for i in range(count)]


def test_reference_is_splitmix64():
    # Rosetta Code, "Pseudo-random numbers/Splitmix64": the first outputs for seed 1234567.
    outputs = [mix(1234567 + i * GOLDEN & MASK) for i in range(1, 6)]
    assert outputs == [6457827717110365317, 3203168211198807973, 9817491932198370423,
                       4593380528125082431, 16408922859458223821]


def test_reference_is_lowbias32():
    """The published inverse undoes it: both sets of constants are the published ones."""
    words = [0, 1, 2, 0xFFFF, 0x10000, 0x7FEB352D, 2**31, MASK32,
             *range(12345, 2**32, 2**32 // 997)]
    assert [lowbias32_inverse(lowbias32(x)) for x in words] == words
    assert len({lowbias32(x) for x in words}) == len(words)


def test_keys_equal_the_pure_python_reference_across_the_ranges():
    seeds = [0, 1, 2, 7, 123456, MAX_SEED]
    ks = [0, 1, 49, MAX_STEPS, 2**40]
    pairs = [(s, k) for s in seeds for k in ks]
    got = sample_keys(torch.tensor([s for s, _ in pairs]), torch.tensor([k for _, k in pairs]),
                      37)
    assert got.dtype == torch.int64
    assert got.tolist() == [reference_keys(s, k, 37) for s, k in pairs]


def test_epoch_orders_are_stable_argsorts_of_the_keys_row_by_row():
    seeds, epochs = torch.tensor([0, 0, 5, MAX_SEED]), torch.tensor([0, 1, 0, 3])
    for n in (1, 2, 200, 1001):
        orders = epoch_orders(n, seeds, epochs)
        keys = sample_keys(seeds, epochs, n)
        assert torch.equal(orders, torch.argsort(keys, dim=1, stable=True))
        assert torch.equal(orders.sort(dim=1).values, torch.arange(n).expand(4, n))
        for r in range(4):  # one run at a time: the very same order
            assert torch.equal(epoch_order(n, int(seeds[r]), int(epochs[r])), orders[r])
    orders = epoch_orders(200, seeds, epochs)
    assert len({tuple(o) for o in orders.tolist()}) == 4  # other seed or epoch: other order


def test_keys_of_a_row_all_differ():
    """lowbias32 is a bijection of 32-bit words: distinct points, distinct keys, no ties."""
    keys = sample_keys(torch.tensor([0, 5]), torch.tensor([0, 9]), 100_000)
    assert all(len(torch.unique(row)) == 100_000 for row in keys)


def test_orders_by_32_bit_words_equal_orders_by_whole_keys():
    """Up to n = 1024 the orders sort a key's high bits with the index in the low bits;
    rows where two keys share those high bits are sorted again by whole keys."""
    seeds = torch.arange(20_000)
    epochs = torch.zeros(20_000, dtype=torch.long)
    keys = sample_keys(seeds, epochs, 200)
    high = torch.sort(keys >> 8, dim=1).values
    ties = (high[:, 1:] == high[:, :-1]).any(1)
    assert 5 <= int(ties.sum()) <= 60  # about 1 row in 800 at n = 200
    assert torch.equal(epoch_orders(200, seeds, epochs), torch.argsort(keys, dim=1, stable=True))
    for n in (1, 2, 3, 1000, 1024, 1025, 3000):  # 1024: 1 row in 8 again; 1025 on: 64-bit words
        seeds, epochs = torch.arange(300), torch.arange(300) % 7
        assert torch.equal(epoch_orders(n, seeds, epochs),
                           torch.argsort(sample_keys(seeds, epochs, n), dim=1, stable=True)), n


def test_orders_fill_a_strided_array_of_any_integer_type():
    seeds, epochs = torch.arange(500), torch.full((500,), 3)
    want = epoch_orders(200, seeds, epochs).numpy()
    blocks = np.empty((10, 500, 20), dtype=np.uint32)  # window k of every row together
    fill_epoch_orders(200, seeds, epochs, blocks.transpose(1, 0, 2))
    assert (blocks.transpose(1, 0, 2).reshape(500, 200) == want).all()
    orders = EpochOrders(200, seeds)
    for epoch in (3, 4, 40, 2, 34):  # one epoch for all: states made 32 epochs at a time
        got = orders.fill(epoch, np.empty((500, 200), dtype=np.int64))
        assert (got == epoch_orders(200, seeds, torch.full((500,), epoch)).numpy()).all()


def test_draws_scale_the_keys_to_the_points_and_are_near_uniform():
    seeds, steps = torch.arange(50), torch.arange(50) * 3
    draws = replacement_draws(10, 2000, seeds, steps)
    assert torch.equal(draws, (sample_keys(seeds, steps, 2000) * 10) >> 32)
    assert torch.equal(draws[7], replacement_draw(10, 2000, 7, 21))
    counts = np.bincount(draws.flatten().numpy(), minlength=10)
    expected = draws.numel() / 10
    assert ((counts - expected) ** 2 / expected).sum() < 40  # chi-square, 9 dof: p ~ 1e-5


def test_draws_in_blocks_of_updates_equal_the_draws_one_by_one():
    seeds = torch.arange(50) * 7
    draws = Draws(10, 300, seeds, most=4)
    for first, count in ((0, 4), (6, 4), (9, 1)):
        want = replacement_draws(10, 300, seeds.repeat(count),
                                 torch.arange(first, first + count).repeat_interleave(50))
        assert torch.equal(draws.block(first, count), want.view(count, 50, 300))


def test_shuffles_put_each_point_anywhere_equally_often():
    where = (epoch_orders(8, torch.arange(8000), torch.zeros(8000, dtype=torch.long)) == 0)
    counts = where.sum(0).numpy()  # how often point 0 lands at each position
    assert ((counts - 1000) ** 2 / 1000).sum() < 35  # chi-square, 7 dof: p ~ 1e-5


def test_sampler_draws_any_step_in_any_order():
    sampler = Sampler(50, 7, "replacement", 3)
    for t in [100, 3, 4, 63, 64, 200, 3]:  # blocks of updates drawn at once, reused
        assert torch.equal(sampler(t), replacement_draw(50, 7, 3, t))
