"""The lab views in a real Streamlit script run (AppTest), wired as tests/lab_app.py."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import i18n, urlstate
from sgdlab.config import DataConfig, TrainConfig, choice_label
from sgdlab.data import make_data
from sgdlab.sweep import sweep
from sgdlab.train import train
from sgdlab.ui import lab
from tests.servers import streamlit_server

APP = str(Path(__file__).parent / "lab_app.py")
pytestmark = pytest.mark.xdist_group("lab_ui")


def app(view: str, lang: str = "en", **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lab_view"] = view
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.success, at.warning,
                                  at.error) for e in kind]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stability_view_draws_the_map_with_a_clickable_cell_layer(lang):
    at = app("stability", lang)
    assert not at.exception
    chart = at.get("plotly_chart")[0]
    spec = chart.proto.spec
    assert '"role":"cells"' in spec.replace(" ", "") and '"role":"worst_batch_bound"' in \
        spec.replace(" ", "")
    # The explanation quotes the two bounds the map draws.
    assert "**1**" in texts(at) and "**0.253**" in texts(at)
    # The click handler is wired, with point selection.
    assert chart.proto.selection_mode and chart.proto.form_id == ""


def test_the_why_text_follows_the_bounds_it_quotes():
    # Raw x: ordered batches of 1 tolerate a larger rate than all the data; the text had
    # still said small batches break first, next to the numbers that said otherwise.
    at = app("stability", standardize=False)
    assert not at.exception
    (why,) = [e for e in at.expander if e.label.startswith("Are small batches")]
    text = why.markdown[0].value
    full, worst = (float(v) for v in re.findall(r"lr < \*\*([0-9.e+-]+)\*\*", text))
    assert worst > full and "not the weak point" in text
    usual = app("stability")
    assert any(e.label.startswith("Why are small batches") for e in usual.expander)


def test_load_cell_writes_the_sidebar_keys_and_the_app_uses_them():
    at = app("stability")
    # What the on_select callback does with a click on the cell (lr 0.5, batch 10):
    at.session_state["lr"] = 0.5
    at.session_state["batch_size"] = 10
    at.run()
    assert not at.exception
    assert at.sidebar.number_input(key="lr").value == 0.5
    assert at.sidebar.slider(key="batch_size").value == 10


@pytest.mark.parametrize(("lock", "lr", "batch_size"), [
    ("", 0.5, 10), ("lr", 0.1, 10), ("batch_size", 0.5, 20), ("lr,batch_size", 0.1, 20)])
def test_a_clicked_cell_never_changes_what_the_teachers_link_locks_or_hides(
        monkeypatch, lock, lr, batch_size):
    from sgdlab.ui import classroom

    for kind in ("lock", "hide"):
        state = urlstate.parse({kind: lock} if lock else {})
        assert set(state.locked | state.hidden) == set(filter(None, lock.split(",")))
        session = {"lr": 0.1, "batch_size": 20, classroom.URL_STATE: state,
                   lab.MAP_KEY: {"selection": {"points": [{"customdata": [0.5, 10, "1.2"]}]}}}
        monkeypatch.setattr(lab.st, "session_state", session)
        lab.load_cell()
        assert (session["lr"], session["batch_size"]) == (lr, batch_size)
        assert session["lab_loaded"] == (0.5, 10)


def test_the_map_says_when_the_link_locks_both_of_its_settings():
    at = app("stability", _classroom_url=urlstate.parse({"lock": "lr,batch_size"}))
    assert not at.exception
    assert "The teacher's link locks the learning rate and batch size" in texts(at)
    at.session_state["lab_loaded"] = (0.5, 10)
    at.run()
    assert "clicking a cell changes nothing" in texts(at)


def test_cell_from_a_plotly_event():
    result = sweep(make_data(), TrainConfig(steps=3), [0.01, 0.3], [5, 200])
    from sgdlab.figures_lab import stability_figure

    fig = stability_figure(result)
    cells = next(t for t in fig.data if t.meta["role"] == "cells")
    point = {"customdata": list(cells.customdata[3]), "curve_number": 3}
    assert lab.cell_from_event({"selection": {"points": [point]}}) == (0.3, 200)
    odd = {"customdata": [0.46415888336127775, 10, "224.7"]}
    assert lab.cell_from_event({"selection": {"points": [odd]}}) == (0.4642, 10)
    assert lab.cell_from_event({"selection": {"points": [{"x": 1, "y": 2}]}}) is None
    assert lab.cell_from_event(None) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_seed_band_view_for_sampling_and_data_seeds(lang):
    at = app("seeds", lang, lab_k=6)
    assert not at.exception
    shuffled = choice_label("shuffle", lang)  # the reader's words, never "shuffle"
    assert i18n.tr(lab.TEXT, "sequential_note", lang, sampling=shuffled) in texts(at)
    assert lang == "en" or "shuffle" not in texts(at)
    at.radio(key="lab_vary").set_value("data").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    at.session_state["sampling"] = "replacement"
    at.run()
    assert not at.exception
    assert i18n.tr(lab.TEXT, "sequential_note", lang, sampling=shuffled) not in texts(at)


def test_noise_view_at_a_step_and_for_batch_size_one():
    at = app("noise", lab_step=6)
    assert not at.exception and len(at.get("plotly_chart")) == 3
    at = app("noise", batch_size=1, lab_step=2)
    assert not at.exception
    assert lab.TEXT["one_point"][0] in texts(at)


def test_pins_survive_reruns_and_are_removable():
    at = app("compare")
    assert "ghosts: 0" in texts(at)
    at.button(key="lab_pin").click().run()
    assert not at.exception and "ghosts: 1" in texts(at)
    at.run()  # a plain rerun keeps the pin
    assert "ghosts: 1" in texts(at)
    at.button(key="lab_pin").click().run()  # the same settings are not pinned twice
    assert "ghosts: 1" in texts(at) and lab.TEXT["already"][0] in texts(at)
    at.session_state["lr"] = 0.3
    at.run()
    at.button(key="lab_pin").click().run()
    assert "ghosts: 2" in texts(at)
    listed = [m.value for m in at.markdown if m.value.startswith("`#")]
    assert listed[0].startswith("`#1 lr=0.1") and listed[1].startswith("`#2 lr=0.3")
    frame = at.dataframe[0].value
    assert len(frame) == 3 and frame.iloc[0, 0] == "this run"
    assert set(frame["diverged at"]) == {"no"}  # in words, never None or <NA>
    assert all(v == "not reached" or v.isdigit() for v in frame["steps to 1%"])
    at.button(key="lab_unpin_1").click().run()
    assert "ghosts: 1" in texts(at)
    assert [m.value for m in at.markdown if m.value.startswith("`#")] == listed[1:]
    at.button(key="lab_pin").click().run()
    at.session_state["lr"] = 0.7
    at.run()
    at.button(key="lab_pin").click().run()
    assert "ghosts: 2" in texts(at)
    at.button(key="lab_unpin_all").click().run()
    assert "ghosts: 0" in texts(at) and not at.exception


def test_a_ghost_is_labelled_by_how_it_differs_and_in_the_language_on_screen():
    at = app("compare")
    at.button(key="lab_pin").click().run()
    assert "ghost labels: #1 same settings" in texts(at)
    at.session_state["lr"] = 0.3
    at.session_state["sampling"] = "shuffle"
    at.run()
    assert "ghost labels: #1 lr=0.1 · in order (as the notebook)" in texts(at)
    at.session_state["lang"] = "zh"
    at.run()
    assert "ghost labels: #1 学习率=0.1 · 按顺序（同笔记本）" in texts(at)
    assert any(m.value.startswith("`#1 学习率=0.1 · 批次大小=20 · 按顺序") for m in at.markdown)


def _run_on(data_config, name="synthetic"):
    data = make_data(DataConfig())
    if data_config is None:
        data = type(data)(data.x, data.y, data.x_raw, name)
    config = TrainConfig(steps=3)
    return lab.Run(data_config, data, config, train(data, config), "en")


def test_pins_on_other_data_are_not_drawn_beside_this_run():
    synthetic, noisy = _run_on(DataConfig()), _run_on(DataConfig(noise=3.0))
    tips, iris = _run_on(None, "tips: total_bill → tip"), _run_on(None, "iris: petal")
    pin = {"data_config": None, "data_name": "tips: total_bill → tip"}
    assert lab._comparable(pin, tips) and not lab._comparable(pin, iris)
    assert not lab._comparable(pin, synthetic)
    pin = {"data_config": DataConfig(), "data_name": "synthetic"}
    assert lab._comparable(pin, noisy) and not lab._comparable(pin, tips)
    assert lab.difference_label((DataConfig(), TrainConfig()),
                                (DataConfig(noise=3.0), TrainConfig(lr=0.5)),
                                "en") == "lr=0.1 · Noise std=1"


def test_the_metrics_table_says_diverged_and_not_reached_in_words():
    ok = train(make_data(DataConfig()), TrainConfig(steps=200))
    short = train(make_data(DataConfig()), TrainConfig(steps=2))
    bad = train(make_data(DataConfig()), TrainConfig(lr=5.0, steps=100))
    for lang, no, never, at in (("en", "no", "not reached", "step "),
                                ("zh", "否", "未达到", "第 ")):
        frame = lab.metrics_frame([("a", ok), ("b", short), ("c", bad)], lang)
        steps, div = frame.iloc[:, 5].tolist(), frame.iloc[:, 6].tolist()
        assert steps[0].isdigit() and steps[1] == never
        assert div[:2] == [no, no] and div[2].startswith(at) and str(bad.diverged_at) in div[2]


def test_all_views_in_tabs_together():
    at = app("all", "zh", lab_k=4)
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 5


# ---------------------------------------------------------------- in real Chromium

CHROMIUM = "/usr/bin/chromium"
@pytest.fixture(scope="module")
def lab_url():
    """tests/lab_app.py served by a real Streamlit on 127.0.0.1."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make system-deps installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with streamlit_server(APP, timeout=120) as url:  # a loaded CI machine starts Streamlit slowly
        yield url


@pytest.fixture(scope="module")
def chromium_page(lab_url, chromium):
    page = chromium.new_page(viewport={"width": 1400, "height": 1200})
    page.set_default_timeout(90_000)  # a loaded CI machine is slow, not wrong
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _settle(page) -> None:
    page.wait_for_timeout(800)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=90_000)


CELL_AT = """([lr, bs]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const cells = gd._fullData.find(t => t.meta && t.meta.role === 'cells');
  let best = 0, bd = Infinity;
  cells.customdata.forEach((c, i) => {
    const d = Math.abs(Math.log10(c[0] / lr)) + (c[1] === bs ? 0 : 99);
    if (d < bd) { bd = d; best = i; } });
  return [r.left + fl._size.l + fl.xaxis.l2p(cells.x[best]),
          r.top + fl._size.t + fl.yaxis.l2p(cells.y[best]), cells.customdata[best][0]];
}"""


@pytest.mark.browser
def test_clicking_a_map_cell_loads_it_into_the_sidebar(lab_url, chromium_page):
    page = chromium_page
    page.goto(lab_url + "?view=stability")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _settle(page)
    x, y, lr = page.evaluate(CELL_AT, [0.5, 10])
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    _settle(page)
    assert float(page.locator('input[aria-label="lr"]').input_value()) == float(f"{lr:.4g}")
    assert "batch size 10" in page.locator('[data-testid="stAlert"]').first.inner_text()
    # The current-setting ring moved to the clicked cell.
    ring = page.evaluate("""() => {
      const gd = document.querySelector('.js-plotly-plot');
      const t = gd._fullData.find(t => t.meta && t.meta.role === 'current');
      return [t.x[0], t.y[0]]; }""")
    assert ring[0] == pytest.approx(math.log10(float(f"{lr:.4g}")), abs=1e-6)
    assert page.errors == []


@pytest.mark.browser
def test_pins_in_the_browser_and_every_view_draws(lab_url, chromium_page):
    page = chromium_page
    page.goto(lab_url + "?view=compare")
    page.wait_for_selector("text=Pin this run", timeout=90_000)
    _settle(page)
    page.get_by_role("button", name="Pin this run").click()
    _settle(page)
    box = page.locator('input[aria-label="lr"]')
    pin_button = page.get_by_role("button", name="Pin this run")
    for _ in range(3):  # on a loaded machine an edit can land mid-rerun and be lost
        box.fill("0.3")
        box.press("Enter")
        _settle(page)
        if pin_button.is_enabled():  # disabled while the run on show is already pinned
            break
    pin_button.click()
    _settle(page)
    assert page.get_by_text("ghosts: 2").count() == 1
    page.get_by_role("button", name="Remove", exact=True).first.click()
    _settle(page)
    assert page.get_by_text("ghosts: 1").count() == 1
    assert page.get_by_text("#2 lr=0.3", exact=False).count() >= 1
    for view, charts in (("seeds", 1), ("noise", 3)):
        page.goto(lab_url + f"?view={view}&lang=zh")
        page.wait_for_selector(".js-plotly-plot", timeout=90_000)
        _settle(page)
        assert page.locator(".js-plotly-plot").count() == charts
    assert page.errors == []


def test_loading_a_cell_reuses_the_map():
    at = app("stability")
    first = at.session_state["lab_cache_map"]
    (key, result), = first.items()
    at.session_state["lr"] = 0.5  # what a click on a cell of batch size 20 does
    at.run()
    assert not at.exception
    assert list(at.session_state["lab_cache_map"].items()) == [(key, result)]


def test_the_map_reaches_down_to_a_small_current_learning_rate():
    import json

    at = app("stability", lr=2e-5)
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    cells = next(t for t in spec["data"] if t.get("meta", {}).get("role") == "cells")
    assert min(c[0] for c in cells["customdata"]) <= 2e-5 * 1.0001


def test_the_maps_progress_bar_keeps_its_words_while_it_moves():
    # each st.progress() call replaces the element: a call without text left a bare bar
    calls: list[tuple[float, str | None]] = []

    class Bar:
        def progress(self, value: float, text: str | None = None) -> None:
            calls.append((value, text))

    sweep(make_data(DataConfig()), TrainConfig(steps=5), [0.01, 0.1], [10, 20],
                progress=lab.labelled(Bar(), "training 4 runs"))
    assert calls and calls[-1][0] == 1.0
    assert all(text == "training 4 runs" for _, text in calls)
