"""Dashboard speed in real headless Chromium, side by side with a floor app, in one run.

    .venv/bin/python benchmarks/bench_dashboard.py            # ~4 minutes on 2 cores
    .venv/bin/python benchmarks/bench_dashboard.py --presses 21

Latency: focus the batch-size slider, press a key, and time until the last DOM
change the press causes (a MutationObserver on the whole page, settled when
nothing has changed for QUIET seconds and Streamlit reports it is not running;
a write that leaves an attribute or text as it was is no change).
"cold" presses move one way, so every press is a new run that must be trained;
"warm" presses go back and forth between settings already in the cache, which
measures what the page costs without training. Bytes: websocket payload the
browser receives per press. Playback: frames per second of the figure's ×2
button over a 200-step run, from plotly's own animation events.

"chart only" (chart_app.py) is a second reference: one slider and the same live
view, nothing else. Its ratio to the floor is what the live view's redraw alone
costs, below which no page that draws it can go; the dashboard's distance above it
is what the rest of the page costs. The dashboard runs as it is deployed, warmed by
sgdlab/ui/server.py. The scrubber, the first chart and dragging: bench_instant.py.
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
from conftest import launch, new_page, streamlit_server, wait_idle  # noqa: E402

QUIET = 1.0  # seconds without a DOM change that count as "settled"

# A write that leaves an attribute or a text as it was changes nothing on the page, and
# is not counted: Streamlit re-sets a slider's aria-valuetext to the same string on
# later renders, one of them after every chart had been redrawn (up to 100 ms later).
WATCH = """() => {
  window.__last = performance.now();
  new MutationObserver((records) => {
    for (const m of records) {
      if (m.type === 'attributes'
          && m.oldValue === m.target.getAttribute(m.attributeName)) continue;
      if (m.type === 'characterData' && m.oldValue === m.target.data) continue;
      window.__last = performance.now();
      return;
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             characterData: true, attributeOldValue: true,
                             characterDataOldValue: true});
}"""


def slider(page: Any, label: str) -> Any:
    return page.locator('[data-testid="stSlider"]', has_text=label).locator('input[type="range"]')


def press_latency(page: Any, thumb: Any, key: str, received: list[int]) -> tuple[float, int]:
    """(ms from the key press to the last DOM change it caused, bytes received meanwhile)."""
    thumb.focus()
    page.wait_for_timeout(200)
    before = received[0]
    t0 = page.evaluate("performance.now()")
    page.keyboard.press(key)
    settled = 'document.querySelector(\'[data-testid="stApp"]\').dataset.testScriptState'
    while True:
        page.wait_for_timeout(100)
        now, last, state = page.evaluate(f"[performance.now(), window.__last, {settled}]")
        if now - last > QUIET * 1000 and state == "notRunning":
            return last - t0, received[0] - before


def measure(browser: Any, url: str, keys: list[str], label: str = "Batch size") -> dict:
    print(f"  {len(keys)} presses on {url}", file=sys.stderr, flush=True)
    page = new_page(browser)
    received = [0]
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
    page.goto(url)
    wait_idle(page)
    page.wait_for_timeout(1000)
    page.evaluate(WATCH)
    thumb = slider(page, label)
    out = [press_latency(page, thumb, k, received) for k in keys]
    errors = list(page.console_errors)
    page.context.close()
    ms = [o[0] for o in out]
    return {"median_ms": statistics.median(ms), "p90_ms": sorted(ms)[int(0.9 * len(ms))],
            "bytes": statistics.median(o[1] for o in out), "errors": errors}


def playback_fps(browser: Any, url: str, button: str = "×2") -> dict:
    """Frames the live view's player draws per second (its paints, timed in the page)."""
    page = new_page(browser)
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    page.wait_for_timeout(1000)
    page.evaluate("""() => {
      const view = document.querySelector('.sgdlab-live').parentElement.sgdlabView;
      window.__frames = [];
      const paint = view.paint.bind(view);
      view.paint = (...args) => { paint(...args); window.__frames.push(performance.now()); };
    }""")
    page.locator(".sgdlab-speed", has_text=button).click()
    page.wait_for_function("() => window.__frames.length > 5 && !document.querySelector("
                           "'.sgdlab-live').classList.contains('sgdlab-is-playing')",
                           timeout=120_000)
    times = page.evaluate("window.__frames")
    page.context.close()
    span = (times[-1] - times[0]) / 1000
    return {"frames": len(times), "seconds": span, "fps": (len(times) - 1) / span}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=16, help="key presses per case (>= 15)")
    args = parser.parse_args()
    n = args.presses
    cold = ["ArrowRight"] * n
    warm = ["ArrowRight", "ArrowLeft"] * (n // 2 + 1)
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = launch(p)
        with streamlit_server(ROOT / "benchmarks" / "floor_app.py") as floor:
            results["floor"] = measure(browser, floor, cold)
        with streamlit_server(ROOT / "benchmarks" / "chart_app.py") as url:
            results["chart only, warm"] = measure(browser, url, warm[: n + 2])
        with streamlit_server(ROOT / "benchmarks" / "chart_app.py",
                              env={"SGDLAB_BENCH_STEPS": "5000"}) as url:
            results["chart only 5000, warm"] = measure(browser, url, warm[: n + 2])
        with streamlit_server(ROOT / "sgdlab" / "ui" / "server.py") as url:
            results["defaults, cold"] = measure(browser, url, cold)
            results["defaults, warm"] = measure(browser, url, warm[: n + 2])
        with streamlit_server(ROOT / "benchmarks" / "bench_app.py",
                              env={"SGDLAB_BENCH_STEPS": "5000"}) as url:
            results["5000 steps, cold"] = measure(browser, url, cold)
            results["5000 steps, warm"] = measure(browser, url, warm[: n + 2])
        with streamlit_server(ROOT / "benchmarks" / "bench_app.py",
                              env={"SGDLAB_BENCH_STEPS": "200"}) as url:
            fps = playback_fps(browser, url)
        browser.close()
    floor_ms = results["floor"]["median_ms"]
    print(f"slider key press -> last page change, median of {n} presses (QUIET={QUIET}s)")
    print(f"{'case':<20}{'median ms':>10}{'p90 ms':>9}{'x floor':>9}{'KB/rerun':>10}  errors")
    for name, r in results.items():
        print(f"{name:<20}{r['median_ms']:>10.0f}{r['p90_ms']:>9.0f}"
              f"{r['median_ms'] / floor_ms:>9.2f}{r['bytes'] / 1024:>10.1f}  {len(r['errors'])}")
    print(f"playback (×2 button, 200-step run): {fps['frames']} frames in "
          f"{fps['seconds']:.2f} s = {fps['fps']:.1f} fps")
    for name, r in results.items():
        for e in r["errors"][:3]:
            print(f"console error in {name}: {e}")
    return 0


if __name__ == "__main__":
    t = time.monotonic()
    code = main()
    print(f"({time.monotonic() - t:.0f} s)")
    sys.exit(code)
