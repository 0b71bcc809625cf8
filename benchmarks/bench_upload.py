"""Does a 100,000-row upload stay interactive? Measured side by side with the default data.

    .venv/bin/python benchmarks/bench_upload.py [--rows 100000] [--repeats 7]

What a slider move costs the server: train on the data, build the live figure
(sgdlab.figures.live_spec) and encode it to the JSON the browser receives. Both
data sets get the same settings, interleaved, median of ``--repeats``; the
result is a ratio (upload / default), so a busy machine slows both alike.
Also printed: parsing the upload (once per file, not per slider move) and the
figure's size. Target: ratio <= 2 at the default settings; full batch over
every row is reported for reference (it is O(rows) per step by nature).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.data import Data
from sgdlab.datasets import read_csv, to_data
from sgdlab.figures import encode, live_spec

TARGET = 2.0


def upload_bytes(rows: int, seed: int = 0) -> bytes:
    """A CSV like a class's measurements: x in 100..300, y = 10 x + 5 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(100, 300, rows)
    y = 10 * x + 5 + rng.normal(0, 20, rows)
    lines = "".join(f"{a:.4f},{b:.4f}\n" for a, b in zip(x, y, strict=True))
    return ("x,y\n" + lines).encode()


def redraw(data: Data, config: TrainConfig) -> int:
    """One slider move: train, build the figure, encode it; returns the payload's bytes."""
    history = train(data, config)
    spec = live_spec(history, "en")
    return len(json.dumps(encode(spec)))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def side_by_side(default: Data, upload: Data, configs: dict[str, tuple[TrainConfig, TrainConfig]],
                 repeats: int) -> None:
    print(f"{'settings':<28}{'default ms':>12}{'upload ms':>12}{'ratio':>8}{'KB d/u':>14}")
    for name, (c_default, c_upload) in configs.items():
        redraw(default, c_default), redraw(upload, c_upload)  # warm up
        t_d: list[float] = []
        t_u: list[float] = []
        for _ in range(repeats):  # interleaved, so drift hits both
            t_d.append(timed(lambda c=c_default: redraw(default, c)))
            t_u.append(timed(lambda c=c_upload: redraw(upload, c)))
        md, mu = statistics.median(t_d), statistics.median(t_u)
        kb = f"{redraw(default, c_default) / 1e3:.0f}/{redraw(upload, c_upload) / 1e3:.0f}"
        flag = "" if name != "default settings" or mu / md <= TARGET else "  ABOVE TARGET"
        print(f"{name:<28}{md * 1e3:>12.1f}{mu * 1e3:>12.1f}{mu / md:>8.2f}{kb:>14}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the app runs

    raw = upload_bytes(args.rows)
    start = time.perf_counter()
    table = read_csv(raw, "bench.csv")
    upload, _ = to_data(table, "x", "y")
    parse = time.perf_counter() - start
    default = make_data(DataConfig())
    print(f"upload: {args.rows:,} rows, {len(raw) / 2**20:.1f} MB, parsed in {parse * 1e3:.0f} ms "
          "(once per file)")

    base = TrainConfig()
    configs = {
        "default settings": (base, base),
        "200 steps": (TrainConfig(steps=200), TrainConfig(steps=200)),
        "full batch, 20 steps": (TrainConfig(batch_size=default.n, lr=0.5),
                                 TrainConfig(batch_size=upload.n, lr=0.5)),
    }
    side_by_side(default, upload, configs, args.repeats)
    print(f"target: upload/default <= {TARGET} at the default settings")


if __name__ == "__main__":
    main()
