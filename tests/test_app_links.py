"""The real app.py opened from classroom links (AppTest): settings, notices, locks and hides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from sgdlab import DataConfig, TrainConfig, presets, train
from sgdlab.ui.classroom import LINK_VIEWS, TABS
from sgdlab.urlstate import parse, to_query
from tests.live_page import live
from tests.settings_space import settings as runs
from tests.test_urlstate import code_spans

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_link(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    return at.run()


def page_ab(at: AppTest) -> tuple[float, float]:
    page = live(at)
    words = page.header["words"]
    return float(page.metrics[words["a"]]), float(page.metrics[words["b"]])


@pytest.mark.parametrize("data, config", [
    (DataConfig(seed=7, n=150, noise=0.5), TrainConfig(lr=0.05, batch_size=30, steps=25,
                                                        sampling="shuffle", sampling_seed=3)),
    (DataConfig(), TrainConfig(lr=0.02, optimizer="momentum", momentum=0.8, steps=40,
                               schedule="step", decay_every=10, gamma=0.5)),
])
def test_a_link_reproduces_its_run(data, config):
    at = open_link({**to_query(data, config, lang="en"), "lang": "en"})
    assert not at.exception
    want = train(data, config)
    a, b = page_ab(at)
    assert a == pytest.approx(want.a[-1], abs=1e-4) and b == pytest.approx(want.b[-1], abs=1e-4)
    assert at.session_state["lr"] == config.lr and at.session_state["seed"] == data.seed


def test_bad_link_values_give_notices_and_the_page_still_works():
    at = open_link({"lang": "en", "lr": "abc", "batch_size": "-5", "steps": "99999999",
                    "foo": "bar", "noise": "nan"})
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for name in ("lr", "batch_size", "steps", "foo", "noise"):
        assert name in text, name
    a, b = page_ab(at)
    assert np.isfinite([a, b]).all()


def test_a_teacher_link_locks_and_hides_controls():
    at = open_link({"lang": "en", "lock": "lr,batch_size", "hide": "noise", "lr": "0.3"})
    assert not at.exception
    assert at.number_input(key="lr").disabled and at.number_input(key="lr").value == 0.3
    assert at.slider(key="batch_size").disabled
    assert not [w for w in at.number_input if w.key == "noise"]
    assert at.session_state["lr"] == 0.3


def test_a_link_reopens_on_its_step_and_view_and_keeps_them_in_the_address():
    at = open_link({"lang": "en", "step": "7", "view": "stability", "lr": "0.2"})
    assert not at.exception
    assert (live(at).step, live(at).steps) == (7, 20)
    assert at.session_state["tab"] == "Stability map" and at.get("plotly_chart")
    query = dict(at.query_params)
    assert (query["step"], query["view"], query["lr"]) == ("7", "stability", "0.2")
    links = [c.value for c in at.code if c.value.startswith(("?", "http"))]
    assert links and "step=7" in links[0] and "view=stability" in links[0]
    # A new setting opens the new run on its last step, the tab stays.
    at.session_state["lr"] = 0.3
    at.run()
    assert (live(at).step, live(at).steps) == (20, 20)
    assert dict(at.query_params)["view"] == "stability"


def test_switching_language_keeps_the_open_tab():
    at = open_link({"lang": "en", "view": "noise"})
    assert at.session_state["tab"] == "Gradient noise"
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and at.session_state["tab"] == "梯度噪声"
    assert dict(at.query_params)["view"] == "noise"


def test_a_loaded_preset_stays_in_the_link_until_a_setting_changes():
    at = open_link({"lang": "en", "preset": "above_limit"})
    assert not at.exception and dict(at.query_params)["preset"] == "above_limit"
    reopened = open_link(dict(at.query_params))
    assert page_ab(reopened) == page_ab(at)
    assert any("above" in i.value.lower() for i in reopened.info)  # the commentary
    at.session_state["lr"] = 0.5
    at.run()
    assert "preset" not in dict(at.query_params)


def _setting_widgets(at: AppTest) -> dict[str, object]:
    from sgdlab.urlstate import SETTINGS

    kinds = (at.number_input, at.slider, at.selectbox, at.toggle, at.select_slider)
    return {w.key: w for kind in kinds for w in kind
            if w.key in SETTINGS or w.key == "lr_slider"}


# Momentum and a step schedule, so that every setting has a control on the page.
EVERY_CONTROL = {"lang": "en", "optimizer": "momentum", "schedule": "step", "accumulation": "2"}


def test_lock_all_disables_every_control_and_hide_all_draws_none():
    from sgdlab.urlstate import SETTINGS

    shown = _setting_widgets(open_link(EVERY_CONTROL))
    assert set(SETTINGS) <= set(shown)  # each setting has its control
    at = open_link({**EVERY_CONTROL, "lock": "all"})
    locked = _setting_widgets(at)
    assert set(locked) == set(shown)
    assert not [k for k, w in locked.items() if not w.disabled]
    # ... and so are the controls that change many settings at once
    assert at.radio(key="data_source").disabled
    assert at.selectbox(key="_classroom_preset_pick").disabled
    at = open_link({**EVERY_CONTROL, "hide": "all"})
    assert not at.exception and not _setting_widgets(at)
    assert not at.sidebar.expander  # no empty "Training details" or "Data" box
    assert at.radio(key="data_source").disabled
    assert at.selectbox(key="_classroom_preset_pick").disabled
    assert page_ab(at) == page_ab(open_link(EVERY_CONTROL))  # hidden, and still in force


def test_fewer_points_cannot_push_down_a_locked_batch_size():
    at = open_link({"lang": "en", "batch_size": "50", "lock": "batch_size"})
    at.number_input(key="n").set_value(30).run()  # typed in the box
    assert not at.exception
    assert at.session_state["batch_size"] == 50 and at.session_state["n"] == 50
    assert any("30 is outside 50 to" in t.value for t in at.toast)


# Each kind of junk a link can hold, in every setting at once: whether Streamlit's own
# URL binding copes (an int box seeded from ?n=inf raised OverflowError) is a question for
# the real app, per widget and per kind of value; which value the parser makes of each is
# tests/test_urlstate.py's, over many more links.
JUNK = ["abc", "nan", "inf", "-inf", "1e999", "-1e300", "1e300", "1.5", "-0.5", "9" * 90,
        "0x1F", "<b>", "一"]


@pytest.mark.parametrize("junk", JUNK)
def test_each_kind_of_junk_in_every_setting_of_the_real_app(junk):
    from sgdlab.ui.classroom import MAX_NOTICES_SHOWN
    from sgdlab.urlstate import SETTINGS

    query = {"lang": "en", **dict.fromkeys(SETTINGS, junk)}
    expected = parse(query, views=LINK_VIEWS, presets=presets.names())
    at = open_link(query)
    assert not at.exception
    state = at.session_state
    for name in SETTINGS:  # the page runs what the parser made of the link, nothing else
        want = getattr(expected.data if name in DataConfig.__dataclass_fields__
                       else expected.train, name)
        assert state[name] == want, (name, state[name], want)
    warning = "\n".join(w.value for w in at.warning)
    for n in expected.notices[:MAX_NOTICES_SHOWN]:
        assert n.markdown("en") in warning, n
    if live(at).steps:  # (with every value at its largest, the first update diverges)
        assert np.isfinite(page_ab(at)).all()
    else:
        assert live(at).header["words"]["no_steps"].startswith(("No step could be taken",
                                                                  "一步也没有完成"))


@pytest.mark.parametrize("query", [
    {"x" * 2000: "1", "🙂": "y" * 5000, "lR": "1", "batch-size": "", "foo": "bar"},
    {"lang": "fr", "step": "nan", "view": "<script>", "preset": "../etc", "lock": "lr,bogus",
     "hide": ",,everything"},
    {**{f"p{i}": "1" for i in range(60)}, "lr": "0.3"},
])
def test_links_of_the_wrong_shape_in_the_real_app(query):
    """Unknown, huge and too many names, and bad language, step, view, preset and lists."""
    expected = parse(query, views=LINK_VIEWS, presets=presets.names())
    assert expected.notices
    at = open_link(query)
    assert not at.exception
    (warning,) = [w.value for w in at.warning if w.value.startswith(("Some link", "部分链接"))]
    assert expected.notices[0].markdown(expected.lang or "zh") in warning
    assert at.session_state["lr"] == expected.train.lr
    assert live(at).metrics  # the run is on the page


@pytest.mark.parametrize("query", [{"x_min": "5", "x_max": "5"}, {"x_max": "-5"}])
def test_a_link_with_an_empty_x_range_opens_on_the_range_its_notice_names(query):
    """The notice said 'using 205.0' while the box kept 5 and the page showed only the
    x-range error, no charts: the error stopped the run before the fix was drawn."""
    at = open_link({**query, "lang": "en"})
    assert not at.exception
    assert not at.error
    notice = " ".join(w.value for w in at.warning)
    x_min, x_max = at.number_input(key="x_min").value, at.number_input(key="x_max").value
    assert x_max > x_min and (str(x_max) in notice or f"{x_max:g}" in notice)
    assert live(at).metrics  # the run is on the page


def test_the_gradient_noise_tab_of_a_one_step_run():
    """One step leaves nothing for the tab's step slider to choose (a slider from 1 to 1
    raises in Streamlit)."""
    at = open_link({"lang": "en", "steps": "1", "view": "noise"})
    assert not at.exception
    assert at.session_state["tab"] == "Gradient noise" and at.get("plotly_chart")


@given(runs(max_n=300, work=40_000, max_steps=200, sidebar=False), st.sampled_from(list(TABS)),
       st.sampled_from(["en", "zh"]))
@example((DataConfig(), TrainConfig(batch_size=150, steps=2)), "explain", "en")
@settings(max_examples=8)
def test_random_valid_links_open_on_any_tab(run, view, lang):
    """A sample of the settings space through app.py itself: every tab, either language."""
    data, config = run
    query = {**to_query(data, config), "view": view, "lang": lang}
    assert parse(query, views=LINK_VIEWS).notices == ()
    at = open_link(query)
    assert not at.exception
    assert at.session_state["tab"] == TABS[view][lang == "zh"]
    for name, value in parse(query).values().items():
        assert at.session_state[name] == value, name  # the link's run is the page's
    assert live(at).metrics or config.steps and not train(data, config).steps


def test_a_link_s_accumulation_above_the_menu_s_64_is_kept():
    """The menu offers the batch size's divisors up to 64; a link may carry a larger one
    (its Spec allows 1024), which the page had silently replaced by 1."""
    at = open_link({"lang": "en", "n": "237", "batch_size": "237", "accumulation": "79"})
    assert not at.exception and not at.warning
    assert at.session_state["accumulation"] == 79
    assert at.selectbox(key="accumulation").value == 79


HOSTILE = {"[x](http://evil)": "1", "lr": "![](http://evil/a.png)", "noise": "$\\huge$ :red[x]",
           "www.evil.com": "<b>x</b>", "seed": "`a`` **b** \n# c"}


def test_a_link_s_words_are_shown_as_written_not_as_markdown():
    """The notice showed a link's name and value as Markdown: a crafted link put a
    clickable link, an external image and LaTeX into the app's own warning."""
    at = open_link({"lang": "en", **HOSTILE})
    assert not at.exception
    (body,) = [w.value for w in at.warning]
    spans, outside = code_spans(body)
    for word in ("[x](http://evil)", "![](http://evil/a.png)", "$\\huge$ :red[x]",
                 "www.evil.com", "`a`` **b** \ufffd# c"):
        assert word in spans, (word, spans)
    for mark in ("http", "evil", "$", "<b>", "**", "[x]", "#"):
        assert mark not in outside, (mark, outside)


def test_a_repeated_parameter_is_written_back_once_with_the_value_used():
    """?lr=0.5&lr=0.7 ran 0.7, as the notice said, and the address bar kept both."""
    at = open_link({"lang": ["zh", "en"], "lr": ["0.5", "0.7"],
                    "sampling": ["shuffle", "replacement"], "step": ["3", "4"]})
    assert not at.exception
    assert at.session_state["lr"] == 0.7 and at.session_state["sampling"] == "replacement"
    query = dict(at.query_params)
    assert (query["lang"], query["lr"], query["sampling"], query["step"]) == (
        "en", "0.7", "replacement", "4")
    assert parse(query).notices == ()
