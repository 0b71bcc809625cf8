"""The dashboard script, driven by Streamlit's AppTest: every control reaches the computation."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.config import log_marks, spec
from tests.live_page import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FINAL = "Step 20, Loss:  1.27; Result: y = 9.94 * x + 5.21"


def run_app(lang: str = "en", **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def shown(at: AppTest) -> dict[str, str]:
    """The metrics row, the log line and the step, as the live view shows them."""
    page = live(at)
    return {**page.metrics, "line": page.line if page.steps else "",
            "step": f"{page.step} / {page.steps}"}


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return run_app()


def test_first_load_is_the_notebooks_run_at_its_last_step(default_page):
    at = default_page
    assert not at.exception
    assert shown(at)["line"] == FINAL
    assert shown(at)["step"] == "20 / 20"
    assert at.session_state["lr"] == 0.1 and at.session_state["batch_size"] == 20


def test_chinese_by_default_with_the_notebooks_words():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    page = live(at)
    # 训练步数 (the notebook's x-axis words) labels the chart's step axis and the Steps
    # slider; the live view's step control is the step on show, 当前步: not confused.
    assert page.header["words"]["step"] == "当前步"
    assert "批次损失" in page.metrics and "整体损失" in page.metrics
    assert page.line == FINAL
    assert any(s.label == "训练步数" for s in at.select_slider)


# One new value per control; each must change what is computed.
CHANGES = {
    "seed": 7, "lr": 0.05, "batch_size": 30, "steps": 25, "sampling": "shuffle",
    "optimizer": "adam", "accumulation": 4, "schedule": "cosine", "sampling_seed": 3,
    "n": 150, "noise": 3.0, "slope": -4.0, "intercept": 12.0,
}
DEPENDENT = {  # settings that only act together with another
    "momentum": ({"optimizer": "momentum"}, 0.5),
    "gamma": ({"schedule": "step", "decay_every": 5}, 0.2),
    "decay_every": ({"schedule": "step"}, 3),
    "sampling_seed": ({"sampling": "shuffle"}, 3),
    "standardize": ({"lr": 0.00001}, False),
    # standardized x is the same for any x range: the range only acts on raw x
    "x_min": ({"standardize": False, "lr": 0.00001}, 0.0),
    "x_max": ({"standardize": False, "lr": 0.00001}, 500.0),
}


def expected_metrics(state: dict) -> tuple[float, float]:
    data_fields = set(DataConfig.__dataclass_fields__)
    data = DataConfig(**{k: v for k, v in state.items() if k in data_fields})
    config = TrainConfig(**{k: v for k, v in state.items() if k not in data_fields})
    history = train(data, config)
    return float(history.a[-1]), float(history.b[-1])


@functools.cache
def shown_for(base: tuple) -> dict[str, str]:
    at = run_app(**dict(base))
    assert not at.exception
    return shown(at)


@pytest.mark.parametrize("name", sorted(set(CHANGES) | set(DEPENDENT)))
def test_each_control_changes_the_run_and_the_page_agrees_with_the_core(name):
    base, value = DEPENDENT.get(name, ({}, CHANGES.get(name)))
    after = run_app(**base, **{name: value})
    assert not after.exception
    assert after.session_state[name] == value
    if name == "accumulation":  # by design the same gradient, so the same run to rounding
        assert shown(after) == shown_for(tuple(base.items()))
    else:
        assert shown(after) != shown_for(tuple(base.items())), f"changing {name} changed nothing"
    a, b = expected_metrics({**base, name: value})
    page = shown(after)
    assert float(page["slope a"]) == pytest.approx(a, abs=1e-4)
    assert float(page["intercept b"]) == pytest.approx(b, abs=1e-4)


def test_the_rate_sliders_thumb_says_the_exact_rate():
    """0.9 and 1.1 both sit on the slider's mark 1; its thumb must not read "1" for them."""
    at = run_app()
    marks = log_marks(spec(TrainConfig, "lr").lo or 1e-6)
    for exact in (0.9, 1.1, 0.1):
        at.number_input(key="lr").set_value(exact).run()
        slider = at.sidebar.select_slider(key="lr_slider")
        assert slider.value == (1.0 if exact != 0.1 else 0.1)  # it still sits on a mark
        thumb = marks.index(slider.value)
        assert slider.options[thumb] == f"{exact:g}"
        assert [o for i, o in enumerate(slider.options) if i != thumb] == [  # the rest: own
            f"{m:g}" for i, m in enumerate(marks) if i != thumb]


def test_widgets_drive_the_run_like_a_user():
    at = run_app()
    at.sidebar.slider(key="batch_size").set_value(40).run()
    at.sidebar.select_slider(key="lr_slider").set_value(0.3).run()
    assert not at.exception
    assert at.session_state["lr"] == 0.3
    a, b = expected_metrics({"batch_size": 40, "lr": 0.3})
    assert float(shown(at)["slope a"]) == pytest.approx(a, abs=1e-4)
    at.session_state["live_step"] = 5  # what the live view's step control commits
    at.run()
    history = train(DataConfig(), TrainConfig(batch_size=40, lr=0.3))
    assert shown(at)["step"] == "5 / 20"
    assert float(shown(at)["slope a"]) == pytest.approx(history.a[4], abs=1e-4)
    assert shown(at)["line"] == history.notebook_lines()[4]


def test_fewer_points_than_the_batch_lowers_it_and_says_so():
    at = run_app(batch_size=150)
    note = "Batch size lowered from 150 to 100: these data have only 100 points."
    assert note not in [c.value for c in at.sidebar.caption]
    at.sidebar.number_input(key="n").set_value(100).run()
    assert not at.exception
    assert at.session_state["batch_size"] == 100
    assert note in [c.value for c in at.sidebar.caption]
    at.run()  # still true on the next rerun
    assert note in [c.value for c in at.sidebar.caption]
    at.sidebar.slider(key="batch_size").set_value(50).run()  # moved: the note goes
    assert not [c for c in at.sidebar.caption if "lowered" in c.value]


def test_back_on_more_points_the_lowered_batch_size_returns():
    # a small data set pushed the batch down; the notebook's points bring it back, and
    # with it the notebook's result (two reviewers: it stayed at 5, y = 1.85 x + 2.38)
    at = run_app()
    at.sidebar.number_input(key="n").set_value(5).run()
    assert at.session_state["batch_size"] == 5
    at.sidebar.number_input(key="n").set_value(200).run()
    assert not at.exception
    assert at.session_state["batch_size"] == 20
    assert shown(at)["line"] == FINAL
    # a batch size chosen on the small data is the user's own: it stays
    at.sidebar.number_input(key="n").set_value(5).run()
    at.sidebar.slider(key="batch_size").set_value(3).run()
    at.sidebar.number_input(key="n").set_value(200).run()
    assert at.session_state["batch_size"] == 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_run_that_dies_on_its_first_update_still_shows_its_data(lang):
    # raw x at the notebook's rate: the page had only a warning and a blue box
    at = run_app(lang, standardize=False)
    assert not at.exception
    page = live(at)
    history = train(DataConfig(standardize=False), TrainConfig())
    assert history.steps == 0 and f"{history.blowup[2]:.3g}" in page.warning
    assert page.steps == 0 and page.header["words"]["no_steps"]
    figure = page.header["panels"]["fit"]
    points = next(t for t in figure["data"] if t.get("meta", {}).get("role") == "points")
    low, high = figure["layout"]["xaxis"]["range"]
    assert low < 100 < 300 < high  # the raw x the model sees
    assert points["x"]  # the data are drawn


@pytest.mark.parametrize(("lang", "key", "typed", "fixed", "words"), [
    ("en", "lr", 0.0, 1e-06, "Learning rate: 0 is outside 1e-06 to 10, so it is 1e-06 now."),
    ("zh", "lr", 1e9, 10.0, "学习率\uff1a1e+09 超出了 1e-06 到 10 的范围\uff0c已改为 10。"),
    ("en", "lr", -1.0, 1e-06, "Learning rate: -1 is outside"),
    ("en", "steps", 0, 1, "Steps: 0 is outside 1 to 10000, so it is 1 now."),
    ("zh", "seed", -5, 0, "-5 超出了 0 到 2147483647 的范围\uff0c已改为 0。"),
])
def test_a_number_typed_out_of_range_is_set_in_range_and_said(lang, key, typed, fixed, words):
    # with the box's own min and max, Streamlit kept 0 or 1e9 in a red box, explained in an
    # English tooltip, while the run went on with the old rate (a reviewer)
    at = run_app(lang)
    box = at.number_input(key=key)
    box.set_value(typed).run()
    assert not at.exception
    assert at.number_input(key=key).value == fixed
    assert any(words in t.value for t in at.toast), [t.value for t in at.toast]
    want = train(DataConfig(), TrainConfig(**{key: fixed})) if key != "seed" else train(
        DataConfig(seed=fixed), TrainConfig())
    assert shown(at)["line"] == want.notebook_lines()[-1]
    at.run()  # said once
    assert not at.toast


def test_diverging_setting_warns_with_step_and_the_stable_rate():
    at = run_app(lr=5.0)
    assert not at.exception
    warning = live(at).warning
    history = train(DataConfig(), TrainConfig(lr=5.0))
    assert f"step {history.diverged_at}" in warning
    # and where the shown run ends: the step stops one short of the divergence
    assert f"shown up to step {history.steps}." in warning
    assert live(at).step == history.steps == history.diverged_at - 1
    # largest stable rate, independently: 2 / largest eigenvalue of 2 [[E x², E x], [E x, 1]]
    x = np.linspace(100, 300, 200)
    x = (x - x.mean()) / x.std(ddof=1)
    h = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    assert f"{2 / np.linalg.eigvalsh(h)[-1]:.4g}" in warning


def test_raw_x_diverges_and_suggests_standardizing():
    at = run_app(standardize=False)
    assert not at.exception
    assert "Standardize x" in live(at).warning
    assert "first update" in live(at).warning  # no "shown up to step 0"
    # no step could be taken, so no step box: the address still follows the settings
    assert at.query_params.get("standardize") in (["0"], ["false"], "0", "false")
    assert "step" not in at.query_params


def test_bad_setting_is_a_message_not_a_traceback():
    at = run_app(x_min=400.0, x_max=300.0)
    assert not at.exception
    assert "x to" in at.error[0].value
    zh = run_app("zh", x_min=400.0, x_max=300.0)
    assert "x 终点" in zh.error[0].value


def test_an_x_range_too_narrow_for_float32_is_a_message_not_a_traceback():
    """999999.99 to 1e6 is greater, but in float32 every x is the same number."""
    at = run_app(x_min=999999.99, x_max=1e6)
    assert not at.exception
    assert "x to" in at.error[0].value


def test_the_live_view_is_the_one_built_here_for_the_run_on_screen():
    """The page's blob is sgdlab.ui.live.blob of its own settings: the family of the run,
    the run itself at its step, its file name, the page's words."""
    from sgdlab.ui import live as live_ui

    at = run_app(seed=8123, batch_size=17, steps=41)  # settings no other test trains
    assert not at.exception
    here = train(DataConfig(seed=8123), TrainConfig(batch_size=17, steps=41))
    want = live_ui.blob(here.data, DataConfig(seed=8123), TrainConfig(batch_size=17, steps=41),
                        here, "en", 41, False, False, "png")
    (sent,) = [e.proto.bytes for e in at.get("bidi_component") if e.proto.bytes[:4] == b"SGDL"]
    assert sent == want
    page = live(at)
    assert page.header["image"]["filename"] == (
        "sgdlab_live_seed8123_lr0.1_bs17_steps41_sgd_sequential")  # the camera's file name
    assert page.line == here.notebook_lines()[-1]


# The tabs below the live view, as app.py names them: (English, Chinese).
TABS = [("Explain", "讲解"), ("Stability map", "稳定性图"), ("Compare runs", "比较训练"),
        ("Seed bands", "种子色带"), ("Gradient noise", "梯度噪声"), ("Export", "导出")]


@pytest.mark.parametrize(("lang", "source"), [("en", "synthetic"), ("zh", "builtin")])
def test_every_tab_of_the_real_app_draws_with_a_pin_on_show(lang, source):
    at = run_app(lang, data_source=source)
    at.session_state["tab"] = TABS[2][lang == "zh"]
    at.run()
    at.button(key="lab_pin").click().run()
    at.session_state["lr"] = 0.3
    at.run()
    assert not at.exception
    for names in TABS:
        at.session_state["tab"] = names[lang == "zh"]
        at.run()
        assert not at.exception, names
        assert not at.error, (names, [e.value for e in at.error])
        if names[0] in ("Stability map", "Seed bands", "Gradient noise", "Compare runs"):
            assert at.get("plotly_chart"), names


def at_step_in_tab(step: int, tab: str) -> AppTest:
    """The default page at ``step`` (as the live view commits it), then ``tab`` opened."""
    at = run_app()
    at.session_state["live_step"] = step
    at.run()
    at.session_state["tab"] = tab
    at.run()
    assert not at.exception
    return at


def test_the_gradient_noise_tab_opens_on_the_main_views_step():
    at = at_step_in_tab(7, "Gradient noise")
    assert at.slider(key="lab_step").value == 7
    at.slider(key="lab_step").set_value(3).run()  # and the tab's own slider still moves
    assert at.slider(key="lab_step").value == 3


def test_every_chart_downloads_under_its_settings_in_the_format_chosen_in_export():

    at = run_app(lr=0.2)
    at.session_state["tab"] = "Export"
    at.run()
    at.segmented_control(key="export_image_format").set_value("svg").run()
    at.session_state["tab"] = "Stability map"  # the Export tab (and its switch) closes
    at.run()
    assert not at.exception
    (chart,) = at.get("plotly_chart")
    options = json.loads(chart.proto.config)["toImageButtonOptions"]
    assert options["format"] == "svg"
    assert options["filename"] == "sgdlab_stability_seed1024_lr0.2_bs20_steps20_sgd_sequential"
    image = live(at).header["image"]
    assert image == {"filename": "sgdlab_live_seed1024_lr0.2_bs20_steps20_sgd_sequential",
                     "format": "svg", "scale": 1}


def test_the_export_tab_draws_and_exports_the_step_on_show():

    at = at_step_in_tab(6, "Export")
    fit = json.loads(at.get("plotly_chart")[0].proto.spec)
    readout = [t for t in fit["data"] if t.get("meta", {}).get("role") == "readout"]
    assert readout and readout[0]["text"][0].startswith("Step 6,")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sidebar_control_has_a_short_help_text(lang):
    """The issue: every control has a short help text (the language switch and the data
    source had none)."""
    at = run_app(lang)
    kinds = ("number_input", "slider", "select_slider", "selectbox", "toggle", "radio",
             "button_group", "multiselect", "text_input")
    widgets = [w for kind in kinds for w in getattr(at.sidebar, kind)]
    assert len(widgets) >= 15
    missing = [getattr(w, "label", w.key) for w in widgets if not (w.help or "").strip()]
    assert missing == []


def test_steps_slide_on_round_marks_and_take_any_exact_number():
    """1-10,000 on a linear slider was 37 steps a pixel: no teacher could pick 60 with the
    mouse (two reviewers). Now log-spaced marks, and the box below takes any count."""
    at = run_app()
    slider = at.sidebar.select_slider(key="steps_slider")
    assert {20, 50, 100, 500, 1000, 5000, 10000} <= {int(o) for o in slider.options}
    slider.set_value(100).run()
    assert at.session_state["steps"] == 100 and shown(at)["step"] == "100 / 100"
    at.number_input(key="steps").set_value(60).run()
    slider = at.sidebar.select_slider(key="steps_slider")
    assert shown(at)["step"] == "60 / 60"
    assert slider.value == 70 and "60" in slider.options  # on the nearest mark, says 60


def test_a_run_drawn_on_a_log_axis_anyway_says_so_to_its_switch():
    """A diverging run's loss axis turned log while the switch still read "off" (a teacher
    at lr 1.5): the live view's switch reads each member's forced_log (checked, fixed)."""
    page = live(run_app(lr=5.0))
    assert page.member["forced_log"] and page.member["loss_y"]["linear"]["type"] == "log"
    calm = live(run_app())
    assert not calm.member["forced_log"] and calm.member["loss_y"]["linear"]["type"] == "linear"
