"""Stability-map speed: the batched sweep against the same grid trained run by run, one process.

A 40 x 12 grid (learning rates 0.001..10 log-spaced x 12 batch sizes 1..200) at
200 steps, the notebook's data, one torch thread (as the app runs). The run-by-run
side trains every cell with ``sgdlab.train.train``; the two sides alternate, and the
ratio of their medians is printed. Target: the sweep at least 20x faster. The
results are also checked equal, cell by cell, so the speed is not bought with errors.

    .venv/bin/python benchmarks/bench_sweep.py [--steps 200] [--repeats 3] [--sample 1]

``--sample k`` trains only every k-th cell run by run and scales its time by k (for
a quick look; the default trains all 480).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch

from sgdlab import TrainConfig, make_data, train
from sgdlab.sweep import CHUNK_WORK, CHUNKS, default_lrs, sweep

BATCH_SIZES = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = make_data()
    base = TrainConfig(steps=args.steps)
    lrs = default_lrs(40)
    cells = [replace(base, lr=float(lr), batch_size=bs) for bs in BATCH_SIZES for lr in lrs]
    picked = cells[:: args.sample]
    sweep(data, replace(base, steps=2), lrs[:2], BATCH_SIZES[:2])  # warm-up: lazy imports
    train(data, replace(base, steps=2))

    batched, chunked, single = [], [], []
    result = None
    singles: list = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        result = sweep(data, base, lrs, BATCH_SIZES)
        batched.append(time.perf_counter() - t)
        t = time.perf_counter()
        sweep(data, base, lrs, BATCH_SIZES, progress=lambda done, total: None)
        chunked.append(time.perf_counter() - t)
        t = time.perf_counter()
        singles = [train(data, c) for c in picked]
        single.append((time.perf_counter() - t) * args.sample)
    assert result is not None
    finals = result.final_total_loss.ravel()[:: args.sample]
    diverged = result.diverged_at.ravel()[:: args.sample]
    for h, got, at in zip(singles, finals, diverged, strict=True):
        assert (int(at) or None) == h.diverged_at
        if h.diverged_at is None:
            assert abs(got - h.total_loss[-1]) <= 2e-4 * (1 + abs(h.total_loss[-1]))
    tb, ts = statistics.median(batched), statistics.median(single)
    tc = statistics.median(chunked)
    print(f"grid {len(lrs)} x {len(BATCH_SIZES)} = {len(cells)} runs, {args.steps} steps, "
          f"{int(result.diverged.sum())} diverged; results equal cell by cell")
    print(f"batched sweep:  {tb:8.3f} s (median of {args.repeats})")
    print(f"run by run:     {ts:8.3f} s" + (f" (every {args.sample}th cell x {args.sample})"
                                              if args.sample > 1 else ""))
    print(f"with progress:  {tc:8.3f} s (the app's path: one call below {CHUNK_WORK:,} "
          f"cells x steps, else {CHUNKS})")
    ratio = ts / tb
    print(f"speed-up: {ratio:.1f}x (target >= 20x): {'PASS' if ratio >= 20 else 'FAIL'}; "
          f"with progress {ts / tc:.1f}x")


if __name__ == "__main__":
    main()
