"""Does a 100,000-row upload stay interactive? Measured side by side with the default data.

    .venv/bin/python benchmarks/bench_upload.py [--rows 100000] [--repeats 7]
    .venv/bin/python benchmarks/bench_upload.py --browser [--presses 12]   # + real Chromium

What a slider move costs the server: train on the data, build the live figure
(sgdlab.figures.live_spec) and encode it to the JSON the browser receives. Both
data sets get the same settings, interleaved, median of ``--repeats``; the
result is a ratio (upload / default), so a busy machine slows both alike.
Also printed: parsing the upload (once per file, not per slider move) and the
figure's size. Full batch over every row is reported for reference (it is
O(rows) per step by nature). The target is what a user feels: the browser
ratio below at most 2 (``--browser``); the in-process ratios split the
server's part into training and drawing, to show where rows still cost.

``--browser`` also times slider-to-redraw end to end in headless Chromium: an
app wired as app.py should be (data source, sidebar, live view; no caching, so
every press trains), the batch-size slider pressed one step at a time, time
from the key press to the last DOM change, first on the synthetic data, then
after uploading the file through the real upload control.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.data import Data
from sgdlab.datasets import read_csv, to_data
from sgdlab.figures import encode, live_spec

TARGET = 2.0
ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8641, 8650)
QUIET = 1.0  # seconds without a DOM change that count as "settled"
APP = """
import streamlit as st
import torch

from sgdlab import make_data, train
from sgdlab.ui.context import Run
from sgdlab.ui.controls import controls_ui
from sgdlab.ui.data_source import data_source_ui
from sgdlab.ui.live import live_ui

torch.set_num_threads(1)
st.set_page_config(page_title="bench", layout="wide")
lang = "en"
data = data_source_ui(lang)
data_config, train_config = controls_ui(lang)
history = train(make_data(data_config) if data is None else data, train_config)
live_ui(Run(data_config if data is None else None, history.data, train_config, history, lang))
"""
WATCH = """() => {
  window.__last = performance.now();
  new MutationObserver(() => { window.__last = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true,
                             characterData: true});
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def upload_bytes(rows: int, seed: int = 0) -> bytes:
    """A CSV like a class's measurements: x in 100..300, y = 10 x + 5 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(100, 300, rows)
    y = 10 * x + 5 + rng.normal(0, 20, rows)
    lines = "".join(f"{a:.4f},{b:.4f}\n" for a, b in zip(x, y, strict=True))
    return ("x,y\n" + lines).encode()


def redraw(data: Data, config: TrainConfig) -> tuple[float, float, int]:
    """One slider move: train, then build the figure and encode it.

    Returns (training seconds, drawing seconds, payload bytes).
    """
    t0 = time.perf_counter()
    history = train(data, config)
    t1 = time.perf_counter()
    payload = len(json.dumps(encode(live_spec(history, "en"))))
    return t1 - t0, time.perf_counter() - t1, payload


def side_by_side(default: Data, upload: Data, configs: dict[str, tuple[TrainConfig, TrainConfig]],
                 repeats: int) -> None:
    print(f"{'settings':<24}{'default ms':>12}{'upload ms':>12}{'ratio':>7}"
          f"{'train ratio':>13}{'draw ratio':>12}{'KB d/u':>10}")
    for name, (c_default, c_upload) in configs.items():
        redraw(default, c_default), redraw(upload, c_upload)  # warm up
        runs_d: list[tuple[float, float, int]] = []
        runs_u: list[tuple[float, float, int]] = []
        for _ in range(repeats):  # interleaved, so drift hits both
            runs_d.append(redraw(default, c_default))
            runs_u.append(redraw(upload, c_upload))
        td, dd = (statistics.median(r[k] for r in runs_d) for k in (0, 1))
        tu, du = (statistics.median(r[k] for r in runs_u) for k in (0, 1))
        total_d = statistics.median(r[0] + r[1] for r in runs_d)
        total_u = statistics.median(r[0] + r[1] for r in runs_u)
        ratio = total_u / total_d
        kb = f"{runs_d[0][2] / 1e3:.0f}/{runs_u[0][2] / 1e3:.0f}"
        print(f"{name:<24}{total_d * 1e3:>12.1f}{total_u * 1e3:>12.1f}{ratio:>7.2f}"
              f"{tu / td:>13.2f}{du / dd:>12.2f}{kb:>10}")


def serve(script: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run script`` on 127.0.0.1 and a free port of ours; (process, url)."""
    port = next(p for p in PORTS if socket.socket().connect_ex(("127.0.0.1", p)) != 0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def press_ms(page: Any, presses: int) -> list[float]:
    """Milliseconds from each batch-size key press to the last page change it caused."""
    page.evaluate(WATCH)
    box = page.locator('[data-testid="stSlider"]', has_text="Batch size")
    box.wait_for(timeout=120_000)
    thumb = box.locator('input[type="range"]')  # Streamlit 1.67: a visually hidden range input
    out = []
    for _ in range(presses):
        thumb.focus()
        page.wait_for_timeout(200)
        t0 = page.evaluate("performance.now()")
        page.keyboard.press("ArrowRight")
        while True:
            page.wait_for_timeout(100)
            now, last, idle = page.evaluate(
                f"[performance.now(), window.__last, !!document.querySelector('{IDLE}')]")
            if now - last > QUIET * 1000 and idle:
                out.append(last - t0)
                break
    return out


def browser_ratio(raw: bytes, presses: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        script, upload = Path(tmp, "bench_upload_app.py"), Path(tmp, "upload.csv")
        script.write_text(APP)
        upload.write_bytes(raw)
        proc, url = serve(script)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"])
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(url)
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_timeout(1500)
                try:
                    default = press_ms(page, presses)
                except Exception:
                    page.screenshot(path="/tmp/bench_upload_fail.png", full_page=True)
                    raise
                page.get_by_text("Your CSV file").click()
                page.wait_for_selector(IDLE, timeout=60_000)
                page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
                    str(upload))
                page.get_by_text(f"{len(raw.splitlines()) - 1:,} points").wait_for(
                    timeout=120_000)
                page.wait_for_selector(IDLE, timeout=60_000)
                page.wait_for_timeout(1500)
                uploaded = press_ms(page, presses)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(20)
    md, mu = statistics.median(default), statistics.median(uploaded)
    verdict = "within" if mu / md <= TARGET else "ABOVE"
    print(f"browser, batch-size key press -> last page change, median of {presses} "
          f"(QUIET={QUIET}s): default {md:.0f} ms, upload {mu:.0f} ms, ratio {mu / md:.2f} "
          f"({verdict} the target of {TARGET:g})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--browser", action="store_true", help="also time it in Chromium")
    parser.add_argument("--presses", type=int, default=12)
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
    if args.browser:
        browser_ratio(raw, args.presses)


if __name__ == "__main__":
    main()
