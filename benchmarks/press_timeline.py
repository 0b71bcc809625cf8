"""Where a slider press's time goes, in real Chromium: server, messages, chart, page.

    .venv/bin/python benchmarks/press_timeline.py               # the dashboard, 8 presses
    .venv/bin/python benchmarks/press_timeline.py --app benchmarks/plotly_chart_app.py
    .venv/bin/python benchmarks/press_timeline.py --app benchmarks/floor_app.py

For each warm press (back and forth between two cached settings) it prints, in ms
after the key press: the rerun request sent, the first and last websocket message
received, the last plotly_react event, the last DOM change (what bench_dashboard.py
measures), and how many plots were mounted and drawn. What it showed (issue 3's
notes): st.plotly_chart (plotly_chart_app.py) mounts a new chart whenever its
figure changes, and that chart draws twice; for the dashboard, the server has sent
everything by ~40-60 ms, the browser takes the messages in by ~75-150 ms while it
renders ~65 elements, and Plotly.react of the live figure ends ~110-140 ms later.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import launch, new_page, streamlit_server, wait_idle  # noqa: E402

INIT = """(() => {
  window.__ev = [];
  const log = (what) => window.__ev.push([performance.now(), what]);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { log('send'); return send.call(this, data); };
  const listen = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, fn, options) {
    const wrapped = type !== 'message' ? fn
      : function (event) { log('recv'); return fn.call(this, event); };
    return listen.call(this, type, wrapped, options);
  };
  window.__watch = () => {
    const seen = new WeakSet();
    const hook = () => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
      if (seen.has(gd) || !gd.on) return;
      seen.add(gd);
      log('mount');
      gd.on('plotly_react', () => log('react'));
    });
    hook();
    new MutationObserver(() => { window.__last = performance.now(); hook(); })
      .observe(document.body, {subtree: true, childList: true, attributes: true,
                               characterData: true});
  };
})();"""


def _at(events: list, t0: float, what: str, pick: int = 0) -> float:
    """ms after ``t0`` of the first (or ``pick``-th) event named ``what``; nan if none."""
    times = [t - t0 for t, w in events if w == what]
    return times[pick] if times else float("nan")


def _count(events: list, what: str) -> int:
    return sum(w == what for _, w in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", default=str(ROOT / "benchmarks" / "bench_app.py"))
    parser.add_argument("--presses", type=int, default=8)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with streamlit_server(args.app) as url, sync_playwright() as p:
        browser = launch(p)
        page = new_page(browser)
        page.add_init_script(INIT)
        page.goto(url + "?lang=en")
        wait_idle(page)
        page.wait_for_timeout(1500)
        page.evaluate("window.__watch()")
        thumb = page.locator('[data-testid="stSlider"]', has_text="Batch size").locator(
            'input[type="range"]')
        for i in range(args.presses + 1):  # the first press trains a new run: not shown
            thumb.focus()
            page.wait_for_timeout(300)
            page.evaluate("window.__ev = []")
            t0 = page.evaluate("performance.now()")
            page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            page.wait_for_timeout(2000)
            events, last = page.evaluate("[window.__ev, window.__last]")

            if i:
                rows.append((_at(events, t0, "send"), _at(events, t0, "recv"),
                             _at(events, t0, "recv", -1), _at(events, t0, "react", -1),
                             last - t0, _count(events, "mount"), _count(events, "react")))
        browser.close()
    names = ("request sent", "first message", "last message", "chart drawn", "last change",
             "plots mounted", "draws")
    print(f"warm presses on {Path(args.app).name}, ms after the key press")
    print("".join(f"{n:>15}" for n in names))
    for row in rows:
        print("".join(f"{v:>15.0f}" for v in row))
    medians = (statistics.median(column) for column in zip(*rows, strict=True))
    print("".join(f"{m:>15.0f}" for m in medians) + "   (median)")


if __name__ == "__main__":
    main()
