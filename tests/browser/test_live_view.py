"""The live view in real Chromium: its numbers are Python's, its scrubber draws every rate in
the browser and commits once, and what it commits it does not draw twice."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import new_page, screenshot, wait_idle, wait_rerun

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.figures import params
from sgdlab.i18n import sig3

pytestmark = pytest.mark.browser
FORMAT_JS = Path(__file__).resolve().parents[2] / "sgdlab" / "ui" / "live_format.js"


@pytest.fixture(scope="module")
def fmt(browser):
    """A blank page with live_format.js imported as ``window.fmt``."""
    page = new_page(browser)
    source = base64.b64encode(FORMAT_JS.read_bytes()).decode()
    page.evaluate(f"async () => {{ window.fmt = await import("
                  f"'data:text/javascript;base64,{source}'); }}")
    yield page
    page.context.close()


def test_numbers_are_written_as_python_writes_them(fmt) -> None:
    rng = np.random.default_rng(5)
    values = [0.0, -0.0, 0.125, 0.375, 2.5, -2.5, 1.265625, 150.0, 9999.5, 1e4, 1e-5, 5e-5,
              float("inf"), float("nan"), 123456789.0, -1e-7]
    values += [float(np.float32(v)) for v in rng.choice([-1, 1], 400) * 10 ** rng.uniform(
        -7, 11, 400)]
    values += [k / 16 for k in range(-80, 80)]  # exact ties at every place
    got = fmt.evaluate("""(vs) => vs.map((v) => [fmt.fixed(v, 2), fmt.fixed(v, 2, " "),
        fmt.general(v, 3), fmt.general(v, 6), fmt.sig3(v), fmt.coefficient(v),
        fmt.notebookLine(7, v, v, -v)])""", [None if np.isnan(v) else v for v in values])
    for v, row in zip(values, got, strict=True):
        if np.isnan(v):
            continue  # (JSON carries no NaN; special() is checked by inf)
        want = [f"{v:.2f}", f"{v: .2f}", f"{v:.3g}", f"{v:.6g}", sig3(v),
                f"{v:.4f}" if abs(v) < 1e4 else f"{v:.3g}",
                f"Step 7, Loss: {v: .2f}; Result: y = {v:.2f} * x + {-v:.2f}"]
        assert row == want, v


def test_the_marker_leaves_the_panel_where_python_says(fmt) -> None:
    history = train(DataConfig(), TrainConfig(lr=1.5))
    box = params.landscape_box(history)
    cases = [([float(history.a[s - 1]), float(history.b[s - 1])],
              [float(history.a[s - 2]), float(history.b[s - 2])] if s > 1 else [0.0, 0.0])
             for s in range(1, history.steps + 1)]
    got = fmt.evaluate("([cases, box]) => cases.map(([ab, prev]) => fmt.marker(ab, prev, box))",
                       [cases, [box[0], box[1]]])
    for s, mark in enumerate(got, start=1):
        want = params.marker(history, s, "en", box)
        assert mark["x"] == pytest.approx(want["x"][0], rel=1e-12, abs=1e-12)
        assert mark["y"] == pytest.approx(want["y"][0], rel=1e-12, abs=1e-12)
        assert mark["arrow"] == (want["marker"]["symbol"] == "arrow")
        if mark["arrow"]:
            assert mark["angle"] == want["marker"]["angle"]
    assert any(m["arrow"] for m in got)


def plots(page) -> dict[str, str]:
    """What each panel draws of its moving traces, as SVG path data and marker positions."""
    return page.evaluate("""() => Object.fromEntries(['fit', 'params', 'loss'].map((name) => [
        name, [...document.querySelectorAll(`.sgdlab-panel-${name} .scatterlayer path`)]
          .map((p) => p.getAttribute('d') + (p.getAttribute('transform') || '')).join('|')]))""")


def count_draws(page) -> None:
    page.evaluate("""() => { window.__draws = 0;
      document.querySelectorAll('.sgdlab-plot').forEach((gd) => {
        gd.on('plotly_react', () => { window.__draws += 1; });
        gd.on('plotly_animated', () => { window.__draws += 1; }); }); }""")


@pytest.mark.parametrize("lang, name", [("en", "Learning rate"), ("zh", "学习率")])
def test_the_scrubber_draws_every_panel_in_the_browser_then_commits_once(app_url, browser,
                                                                          lang, name):
    page = new_page(browser, 1920, 1080)
    page.goto(app_url + f"?lang={lang}")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    scrub = page.get_by_role("slider", name=name, exact=True)
    assert scrub.get_attribute("aria-valuetext") == "0.1"
    before, title = plots(page), page.locator(".sgdlab-title").inner_text()
    page.evaluate("""() => { window.__runs = [];
      const app = document.querySelector('[data-testid="stApp"]');
      new MutationObserver(() => { if (app.dataset.testScriptState === 'running')
        window.__runs.push(performance.now()); })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    scrub.focus()
    for _ in range(3):  # 0.1 -> 0.15 -> 0.2 -> 0.3, one mark a press
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.sgdlab-line').textContent"
                           ".includes('Result: y = ') && document.querySelector("
                           "'.sgdlab-scrub-value').textContent === '0.3' && (window.__shown ="
                           " performance.now())")
    page.wait_for_timeout(250)  # (the panels re-frame once the keys rest)
    after = plots(page)
    for panel in ("fit", "params", "loss"):
        assert after[panel] != before[panel], panel
    assert page.locator(".sgdlab-title").inner_text() != title
    want = train(DataConfig(), TrainConfig(lr=0.3)).notebook_lines()[-1]
    assert page.locator(".sgdlab-line").inner_text() == want
    # Let go: one commit, and the sidebar, the address and the page follow.
    wait_rerun(page)
    page.wait_for_function("() => location.search.includes('lr=0.3')", timeout=30_000)
    lr_box = page.locator(".st-key-lr input")
    assert lr_box.input_value() == "0.3"
    wait_idle(page)
    # The state the browser already shows is not drawn again when the server sends it.
    count_draws(page)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__draws") == 0
    assert page.locator(".sgdlab-line").inner_text() == want
    # the panels showed 0.3 before any script run began: no server round trip for it
    runs = page.evaluate("window.__runs")
    assert runs and runs[0] > page.evaluate("window.__shown")
    screenshot(page, f"live_view_scrubbed_{lang}")
    assert page.console_errors == []
    page.context.close()


def test_a_diverging_rate_scrubbed_to_warns_as_the_page_does(app_url, page):
    page.goto(app_url + "?lang=en")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    page.get_by_role("slider", name="Learning rate", exact=True).focus()
    for _ in range(8):  # up to 2: diverges at step 6
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.sgdlab-scrub-value').textContent"
                           " === '2'")
    scrubbed = page.locator(".sgdlab-warning").inner_text()
    assert "diverged at step" in scrubbed and "Cure" in scrubbed
    assert "⚠" in page.locator(".sgdlab-title").inner_text()
    wait_rerun(page)
    page.wait_for_function("() => location.search.includes('lr=2')", timeout=30_000)
    wait_idle(page)
    assert page.locator(".sgdlab-warning").inner_text() == scrubbed  # the server's own words
    assert page.console_errors == []


@pytest.mark.parametrize("lang, words", [("en", "Step 99 is outside 1 to 20, so it is 20 now."),
                                         ("zh", "第 99 步超出了 1 到 20 的范围，已改为第 20 步。")])
def test_a_step_typed_out_of_range_is_set_in_range_and_said_in_the_page_language(
        app_url, page, lang, words):
    page.goto(app_url + f"?lang={lang}&step=5")
    wait_idle(page)
    box = page.locator(".sgdlab-step-box")
    box.fill("99")
    box.press("Enter")
    page.wait_for_function("(w) => document.querySelector('.sgdlab-step-note').textContent"
                           " === w", arg=words)
    assert box.input_value() == "20"
    wait_rerun(page)
    page.wait_for_function("() => location.search.includes('step=20')", timeout=30_000)
    assert page.console_errors == []


def test_the_step_table_follows_the_step_and_holds_its_first_column(app_url, browser):
    page = new_page(browser, 1024, 768)
    page.goto(app_url + "?lang=zh&steps=60&step=30")
    wait_idle(page)
    rows = page.locator(".sgdlab-steps tbody tr")
    assert rows.count() == 20
    current = page.locator(".sgdlab-steps tr.current td").all_inner_texts()
    history = train(DataConfig(), TrainConfig(steps=60))
    assert current[:5] == ["30", f"{history.batch_loss[29]:.6g}", f"{history.total_loss[29]:.6g}",
                           f"{history.a[29]:.6g}", f"{history.b[29]:.6g}"]
    fits = page.evaluate("""() => { const s = document.querySelector('.sgdlab-table-scroll');
        const first = getComputedStyle(document.querySelector('.sgdlab-steps td')).position;
        return [s.scrollWidth <= s.clientWidth + 1, first,
                s.getBoundingClientRect().right <= document.documentElement.clientWidth]; }""")
    assert fits[2] and (fits[0] or fits[1] == "sticky")  # fits, or scrolls with step held
    assert page.console_errors == []
    page.context.close()


def test_playback_follows_the_numbers_and_commits_where_it_stops(app_url, page):
    page.goto(app_url + "?lang=en&steps=30")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    page.locator(".sgdlab-play").click()  # from the last step: starts over at the first
    page.wait_for_function("() => /^Step [1-9],/.test("
                           "document.querySelector('.sgdlab-line').textContent)", polling=10)
    page.locator(".sgdlab-play").click()  # pause
    step = int(page.locator(".sgdlab-step-box").input_value())
    assert 1 <= step < 30
    history = train(DataConfig(), TrainConfig(steps=30))
    assert page.locator(".sgdlab-line").inner_text() == history.notebook_lines()[step - 1]
    page.wait_for_function(f"() => location.search.includes('step={step}')", timeout=30_000)
    assert page.console_errors == []


def test_the_blob_is_what_the_page_decodes(app_url, page):
    """The element decodes the header Python packed (a guard on the format's two ends)."""
    page.goto(app_url + "?lang=en")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    header = page.evaluate("""() => { const v = document.querySelector('.sgdlab-live')
        .parentElement.sgdlabView; return JSON.stringify({values: v.model.h.values,
        current: v.model.h.current, a: Array.from(v.model.members[v.model.h.current].a)}); }""")
    got = json.loads(header)
    history = train(DataConfig(), TrainConfig())
    assert got["values"][got["current"]] == 0.1
    assert np.array_equal(np.float32(got["a"]), history.a.astype(np.float32))


def test_the_browser_draws_the_steps_python_draws(app_url, page):
    """The two arrows on the parameter panel, rebuilt in the browser for every step and
    every rate, are sgdlab.figures.params.steps_taken's."""
    page.goto(app_url + "?lang=en&optimizer=momentum&schedule=step&decay_every=5")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-plot .xaxislayer-above")
    got = page.evaluate("""() => { const v = document.querySelector('.sgdlab-live')
        .parentElement.sgdlabView; const out = [];
        for (const i of [v.model.h.current, 20, 25]) { const m = v.member(i);
          for (const s of [1, 2, 7]) { if (s > m.steps) continue;
            const p = v.moving('params', m, s);
            out.push([v.model.h.values[i], s, p.batch_step.x, p.batch_step.y, p.full_step.x,
                      p.full_step.y]); } }
        return out; }""")
    assert len(got) >= 6
    for lr, step, bx, by, fx, fy in got:
        config = TrainConfig(lr=lr, optimizer="momentum", schedule="step", decay_every=5)
        full, batch = params.steps_taken(train(DataConfig(), config), step, "en")
        for js, py in ((bx, batch["x"]), (by, batch["y"]), (fx, full["x"]), (fy, full["y"])):
            assert js == pytest.approx(py, rel=2e-4, abs=1e-4), (lr, step)
