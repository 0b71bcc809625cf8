"""The live view against the floor page, side by side in one run: first chart, scrubbing.

    .venv/bin/python benchmarks/bench_instant.py            # ~5 minutes on 2 cores
    .venv/bin/python benchmarks/bench_instant.py --visits 7 --presses 21

- First chart: a fresh browser context on a warm server, from navigation until the live
  view's first axes are drawn, against the floor page (one slider) until its slider is
  drawn; visits alternate between the two. Then the first visitor after a server start:
  sgdlab/ui/server.py is started anew each time, and the visit begins once its health
  endpoint answers (the start-up itself, warm-up included, is printed too).
- Scrubber: a key press on the live view's rate scrubber until the panels change,
  against a key press on the floor page's slider until its text changes (the floor's
  whole round trip through the server).
- Dragging: every animation frame moves the scrubber to the next rate, for 3 s; the
  frames the page manages per second (each one a new run drawn), at the defaults and at
  5,000 steps.
- Bytes: the blob the element receives, at the defaults and at 5,000 steps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT))
from conftest import launch, new_page, streamlit_server, wait_idle  # noqa: E402

SERVER = ROOT / "sgdlab" / "ui" / "server.py"
FLOOR = ROOT / "benchmarks" / "floor_app.py"
AXES = ".sgdlab-plot .xaxislayer-above"
FLOOR_READY = '[data-testid="stSlider"] input[type="range"]'

# t0 at the key press (in the page), then the first change inside ``target``.
FIRST_CHANGE = """(target) => { window.__change = new Promise((resolve) => {
  const root = document.querySelector(target);
  let t0 = null;
  const obs = new MutationObserver(() => {
    if (t0 !== null) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('keydown', () => { t0 = performance.now(); }, {once: true,
                                                                       capture: true});
  setTimeout(() => resolve(-1), 20000);
}); }"""

DRAG = """(seconds) => new Promise((resolve) => {
  const view = document.querySelector('.sgdlab-live').parentElement.sgdlabView;
  const input = view.scrubInput;
  const n = Number(input.max) + 1;
  let frames = 0;
  let i = Number(input.value);
  const start = performance.now();
  const tick = () => {
    if (performance.now() - start > seconds * 1000) {
      resolve(frames / ((performance.now() - start) / 1000));
      return;
    }
    i = (i + 1) % n;
    input.value = String(i);
    input.dispatchEvent(new Event('input'));
    frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def visit(browser: Any, url: str, ready: str) -> float:
    """Seconds from navigation to ``ready`` in a fresh context (nothing cached)."""
    page = new_page(browser, 1920, 1080)
    t0 = time.monotonic()
    page.goto(url)
    page.wait_for_selector(ready, timeout=120_000)
    seconds = time.monotonic() - t0
    page.context.close()
    return seconds


def first_chart(browser: Any, floor: str, app: str, visits: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"floor": [], "app": []}
    visit(browser, app, AXES)  # the server's own first run is not the case measured here
    for _ in range(visits):
        out["floor"].append(visit(browser, floor, FLOOR_READY))
        out["app"].append(visit(browser, app, AXES))
    return out


def first_visitor(browser: Any, starts: int) -> tuple[list[float], list[float]]:
    """(seconds to the first chart after the server answers, seconds the start took)."""
    chart, startup = [], []
    for _ in range(starts):
        t0 = time.monotonic()
        with streamlit_server(SERVER) as url:
            startup.append(time.monotonic() - t0)
            chart.append(visit(browser, url, AXES))
    return chart, startup


def press(browser: Any, url: str, focus: str, watch: str, presses: int,
          ready: str, keys: tuple[str, str] = ("ArrowRight", "ArrowLeft")) -> list[float]:
    """ms from a key press on ``focus`` until ``watch`` first changes, per press."""
    page = new_page(browser, 1920, 1080)
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(ready)
    page.wait_for_timeout(1000)
    out = []
    for k in range(presses):
        page.locator(focus).first.focus()
        page.evaluate(FIRST_CHANGE, watch)
        page.keyboard.press(keys[k % 2])
        out.append(page.evaluate("window.__change"))
        wait_idle(page)
        page.wait_for_timeout(400)
    page.context.close()
    return [ms for ms in out if ms >= 0]


def drag_fps(browser: Any, url: str, seconds: float = 3.0) -> float:
    page = new_page(browser, 1920, 1080)
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(AXES, timeout=120_000)
    page.wait_for_timeout(1000)
    fps = float(page.evaluate(DRAG, seconds))
    page.context.close()
    return fps


def blob_bytes(steps: int) -> int:
    from sgdlab import DataConfig, TrainConfig, make_data, train
    from sgdlab.family import lr_family, with_run
    from sgdlab.figures.live import live_view

    data, config = make_data(DataConfig()), TrainConfig(steps=steps)
    history = train(data, config)
    return len(live_view(with_run(lr_family(data, config), history), "en", steps))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=5, help="first-chart visits per page")
    parser.add_argument("--starts", type=int, default=3, help="server starts")
    parser.add_argument("--presses", type=int, default=15, help="key presses per case")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    med = statistics.median
    with sync_playwright() as p:
        browser = launch(p)
        with streamlit_server(FLOOR) as floor, streamlit_server(SERVER) as app:
            firsts = first_chart(browser, floor, app, args.visits)
            floor_press = press(browser, floor, FLOOR_READY, '[data-testid="stMain"]',
                                args.presses, FLOOR_READY)
            scrub_press = press(browser, app, ".sgdlab-scrub input", ".sgdlab-panels",
                                args.presses, AXES)
            fps_default = drag_fps(browser, app)
        with streamlit_server(ROOT / "benchmarks" / "bench_app.py",
                              env={"SGDLAB_BENCH_STEPS": "5000"}) as app5000:
            fps_5000 = drag_fps(browser, app5000)
        chart, startup = first_visitor(browser, args.starts)
        browser.close()
    floor_ready, app_ready = med(firsts["floor"]), med(firsts["app"])
    print("first chart, fresh browser context (median s)")
    print(f"  floor page ready            {floor_ready:6.2f}   "
          f"{' '.join(f'{v:.2f}' for v in firsts['floor'])}")
    first = med(chart)
    print(f"  live view axes, warm server {app_ready:6.2f}   x floor "
          f"{app_ready / floor_ready:.2f} (target 1.5)   "
          f"{' '.join(f'{v:.2f}' for v in firsts['app'])}")
    print(f"  first visitor after start   {first:6.2f}   x floor {first / floor_ready:.2f}"
          f" (target 3)   {' '.join(f'{v:.2f}' for v in chart)}")
    print(f"  server start to healthy     {med(startup):6.2f}   (warm-up included)")
    fp, sp = med(floor_press), med(scrub_press)
    print(f"key press until the page changes (median ms of {args.presses})")
    print(f"  floor slider (server round trip) {fp:7.1f}")
    print(f"  live view scrubber               {sp:7.1f}   x floor {sp / fp:.2f} (target 1.0)")
    print(f"dragging the scrubber: {fps_default:.1f} fps at the defaults, {fps_5000:.1f} fps at "
          f"5,000 steps (target 30)")
    print(f"blob per rerun: {blob_bytes(20) / 1024:.0f} KB at the defaults (target 300), "
          f"{blob_bytes(5000) / 1024:.0f} KB at 5,000 steps (target 1,000)")
    return 0


if __name__ == "__main__":
    t = time.monotonic()
    code = main()
    print(f"({time.monotonic() - t:.0f} s)")
    sys.exit(code)
