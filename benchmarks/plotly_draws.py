"""How often plotly draws a chart when a slider changes its figure, in real Chromium.

    .venv/bin/python benchmarks/plotly_draws.py                 # a one-trace chart
    .venv/bin/python benchmarks/plotly_draws.py --app app.py    # the dashboard

For each key press on the "Batch size" slider it prints, in ms after the
press, every new plot element ("mount") and every plotly_react event. What it
showed with Streamlit 1.67: st.plotly_chart mounts a new chart whenever the
figure changes (its element id hashes the whole figure) and that chart draws
twice, so the live figure's draw cost counted double on every setting change.
That is why the live figure is now its own component (sgdlab/ui/live_chart.py):
with ``--app app.py`` this prints one mount on the first load and then a single
react per press.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import launch, new_page, streamlit_server, wait_idle  # noqa: E402

HOOK = """() => {
  window.__draws = []; const seen = new WeakSet();
  const attach = () => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    if (seen.has(gd) || !gd.on) return;
    seen.add(gd);
    window.__draws.push([performance.now(), 'mount']);
    gd.on('plotly_react', () => window.__draws.push([performance.now(), 'react']));
  });
  attach();
  new MutationObserver(attach).observe(document.body, {subtree: true, childList: true});
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", default=str(ROOT / "benchmarks" / "plotly_draws_app.py"))
    parser.add_argument("--presses", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with streamlit_server(args.app) as url, sync_playwright() as p:
        browser = launch(p)
        page = new_page(browser)
        page.goto(url + "?lang=en")
        wait_idle(page)
        page.wait_for_timeout(1500)
        page.evaluate(HOOK)
        thumb = page.locator('[data-testid="stSlider"]', has_text="Batch size").locator(
            'input[type="range"]')
        for i in range(args.presses):
            thumb.focus()
            page.wait_for_timeout(300)
            page.evaluate("window.__draws = []")
            t0 = page.evaluate("performance.now()")
            page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            page.wait_for_timeout(2500)
            events = [f"{t - t0:.0f} {what}" for t, what in page.evaluate("window.__draws")]
            print(f"press {i + 1}: " + ", ".join(events))
        browser.close()


if __name__ == "__main__":
    main()
