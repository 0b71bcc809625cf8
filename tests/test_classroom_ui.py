"""The classroom views in a real Streamlit script run (AppTest), wired as tests/classroom_app.py.

Links reproduce every setting, bad links show notices and leave the app usable,
locked controls cannot change, hidden ones still apply, presets load.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from sgdlab import i18n, presets, urlstate
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.ui.classroom import MAX_NOTICES_SHOWN
from tests.servers import streamlit_server

APP = str(Path(__file__).with_name("classroom_app.py"))

# A value for every setting, none of them the default, valid together.
EVERY = {"seed": "7", "n": "150", "x_min": "-2.5", "x_max": "4.0", "slope": "-3.25",
         "intercept": "0.5", "noise": "0.25", "standardize": "false", "lr": "0.05",
         "batch_size": "30", "steps": "25", "sampling": "shuffle", "optimizer": "momentum",
         "momentum": "0.8", "accumulation": "3", "schedule": "step", "gamma": "0.7",
         "decay_every": "5", "sampling_seed": "3"}


def app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def shown_run(at: AppTest) -> tuple[DataConfig, TrainConfig]:
    """The configs the script trained, read back from the text it prints."""
    text = next(t.value for t in at.text if t.value.startswith("run: "))
    data, train = re.fullmatch(r"run: (DataConfig\(.*\)) (TrainConfig\(.*\))", text).groups()
    return eval(data), eval(train)  # our own repr of frozen dataclasses


def link(at: AppTest) -> dict[str, list[str]]:
    url = at.code[0].value
    return parse_qs(url.split("?", 1)[1] if "?" in url else "", keep_blank_values=True)


def test_a_link_reproduces_every_setting_and_copy_link_gives_it_back() -> None:
    assert set(EVERY) == set(urlstate.SETTINGS)
    expected = urlstate.parse(EVERY)
    assert expected.notices == () and expected.given == set(EVERY)
    at = app({**EVERY, "lang": "en", "step": "12", "view": "params"})
    assert shown_run(at) == (expected.data, expected.train)
    assert not at.warning
    assert "step: 12; view: params; lang: en" in " ".join(t.value for t in at.text)
    back = urlstate.parse(link(at), views=("params",))
    assert (back.data, back.train, back.notices) == (expected.data, expected.train, ())
    assert (back.step, back.view, back.lang) == (12, "params", "en")


@pytest.mark.parametrize(("query", "named"), [
    ({"lr": "nan", "steps": "-5", "batch_size": "abc"}, ["lr", "steps", "batch_size"]),
    ({"batch_size": "999", "accumulation": "7", "wings": "2"},
     ["batch_size", "accumulation", "wings"]),
    ({"n": "1e999", "sampling": "sideways", "lang": "klingon"}, ["n", "sampling", "lang"]),
    ({"x_min": "9", "x_max": "1", "standardize": "perhaps", "step": "-1"},
     ["x_max", "standardize", "step"]),  # the x range is fixed by moving x_max
    ({"steps": "10000", "n": "100000", "batch_size": "100000", "lr": "x" * 500},
     ["steps", "lr"]),
    ({"lock": "lr,nothing", "hide": "noise,zzz", "view": "nowhere", "preset": "nope"},
     ["lock=nothing", "hide=zzz", "view", "preset"]),
])
def test_bad_links_show_notices_and_the_app_stays_usable(query: dict[str, str],
                                                         named: list[str]) -> None:
    at = app(query)
    warning = "\n".join(w.value for w in at.warning)
    for key in named:
        assert i18n.markdown_literal(key) in warning, (key, warning)
    data, train = shown_run(at)
    assert train.batch_size <= data.n and train.steps * train.batch_size \
        <= urlstate.MAX_POINT_STEPS
    at.number_input(key="steps").set_value(7).run()
    assert not at.exception and shown_run(at)[1].steps == 7


def test_fixed_values_reach_the_widgets_not_only_the_run() -> None:
    at = app({"batch_size": "999", "accumulation": "7"})
    assert at.number_input(key="batch_size").value == 200
    assert at.number_input(key="accumulation").value == 5
    assert shown_run(at)[1].batch_size == 200


def test_locked_controls_cannot_change() -> None:
    at = app({"lr": "0.5", "lock": "lr,sampling"})
    lr = at.number_input(key="lr")
    assert lr.disabled and lr.value == 0.5 and at.selectbox(key="sampling").disabled
    with pytest.raises(AppTestError):
        lr.set_value(0.2)
    at.number_input(key="steps").set_value(9).run()
    assert at.number_input(key="lr").value == 0.5 and shown_run(at)[1].lr == 0.5
    assert at.number_input(key="lr").disabled
    assert at.selectbox(key="_classroom_preset_pick").disabled  # presets would change lr


def test_hidden_controls_are_gone_but_their_link_values_apply() -> None:
    at = app({"noise": "0.5", "hide": "noise,seed"})
    keys = {w.key for w in at.number_input}
    assert "noise" not in keys and "seed" not in keys and "lr" in keys
    assert shown_run(at)[0].noise == 0.5


def test_preset_menu_loads_settings_and_shows_commentary() -> None:
    at = app({"lang": "en"})
    at.selectbox(key="_classroom_preset_pick").set_value("above_limit").run()
    p = presets.preset("above_limit")
    assert shown_run(at) == (p.data, p.train)
    assert at.number_input(key="lr").value == p.train.lr
    assert p.title("en") in at.info[0].value and p.text("en") in at.info[0].value
    assert not at.caption or "changed" not in " ".join(c.value for c in at.caption)
    at.number_input(key="steps").set_value(10).run()
    assert any("changed since" in c.value for c in at.caption)
    # the notes, which describe the preset's own run, fold away; the menu can reload it
    assert not at.info
    notes = [e for e in at.expander if e.label.startswith("Notes:")]
    assert notes and p.text("en") in notes[0].markdown[0].value
    assert at.selectbox(key="_classroom_preset_pick").value is None
    at.selectbox(key="_classroom_preset_pick").set_value("above_limit").run()
    assert shown_run(at) == (p.data, p.train)
    assert p.text("en") in at.info[0].value


def test_a_preset_in_the_link_is_the_base_that_the_link_overrides() -> None:
    at = app({"preset": "full_batch", "steps": "30"})
    p = presets.preset("full_batch")
    _, train = shown_run(at)
    assert (train.batch_size, train.steps) == (p.train.batch_size, 30)


@pytest.mark.parametrize(("lang", "label", "title"), [
    ("en", "Learning rate", "Explain: the loss curves"), ("zh", "学习率", "讲解：损失曲线"),
    (None, "学习率", "讲解：损失曲线")])
def test_language_from_the_link(lang: str | None, label: str, title: str) -> None:
    at = app({"lang": lang} if lang else {})
    assert at.number_input(key="lr").label == label
    assert at.expander[0].label == title
    explained = at.expander[0].markdown[0].value
    assert explained.count("$$") >= 4  # the update rule and the loss, as display maths
    assert "\\frac{1}{n} \\sum_{i=1}^{n}" in explained  # the loss's formula, unescaped


def test_language_switch_changes_labels_and_keeps_values() -> None:
    at = app({"lr": "0.5", "n": "120"})
    at.segmented_control(key="lang").set_value("en").run()
    assert at.number_input(key="lr").label == "Learning rate"
    assert "lang: en" in " ".join(t.value for t in at.text)
    assert at.number_input(key="lr").value == 0.5 and shown_run(at)[0].n == 120


def test_link_notices_can_be_dismissed() -> None:
    at = app({"lr": "nan"})
    assert "`lr`" in at.warning[0].value
    at.button(key="_classroom_dismiss").click().run()
    assert not at.warning and not at.exception


# ------------------------------------------------------------- real Chromium

CHROMIUM = "/usr/bin/chromium"
browser = pytest.mark.browser
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"no Chromium at {CHROMIUM}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with streamlit_server(APP) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str, chromium: Any) -> Iterator[Any]:
    page = chromium.new_page()
    page.set_default_timeout(90_000)  # a loaded CI machine is slow, not wrong
    yield page
    page.close()


def _open(page: Any, url: str) -> str:
    """Load ``url`` and return the run line the app prints once it has settled."""
    page.goto(url)
    line = page.get_by_text(re.compile(r"^run: DataConfig")).first
    line.wait_for(timeout=60_000)
    page.wait_for_timeout(500)  # a link with fixed values reruns once
    assert page.locator("[data-testid='stException']").count() == 0
    return page.get_by_text(re.compile(r"^run: DataConfig")).first.inner_text()


def _configs(line: str) -> tuple[DataConfig, TrainConfig]:
    data, train = re.fullmatch(r"run: (DataConfig\(.*\)) (TrainConfig\(.*\))",
                               line.strip()).groups()
    return eval(data), eval(train)


@browser
@needs_chromium
def test_browser_link_round_trip(server: str, page: Any) -> None:
    expected = urlstate.parse(EVERY)
    query = urlstate.query_string({**EVERY, "lang": "en"})
    assert _configs(_open(page, server + query)) == (expected.data, expected.train)
    # The copy-link box holds a full link; opening it in a fresh session gives the same run.
    page.get_by_role("button", name=re.compile("Copy link")).click()
    copied = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert copied.startswith(server.rstrip("/")) and "lang=en" in copied
    assert _configs(_open(page, copied)) == (expected.data, expected.train)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "sgdlab_classroom_link.png"))


@browser
@needs_chromium
def test_browser_bad_link_shows_notices_and_locks(server: str, page: Any) -> None:
    query = "?lr=0.5&n=inf&batch_size=999&accumulation=7&steps=nan&lock=lr&hide=noise&lang=en"
    data, train = _configs(_open(page, server + query))
    assert (train.lr, train.batch_size, train.accumulation, data.n) == (0.5, 200, 5, 200)
    alert = page.locator("[data-testid='stAlert']").first.inner_text()
    for key in ("n", "batch_size", "accumulation", "steps"):
        assert f"URL parameter {key} (" in alert, (key, alert)
    assert page.get_by_label("Learning rate").is_disabled()
    assert page.get_by_label("Noise std").count() == 0
    # Still usable: a control changes the run.
    steps = page.get_by_label("Steps")
    steps.fill("9")
    steps.press("Enter")
    page.get_by_text(re.compile(r"steps=9,")).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


@browser
@needs_chromium
def test_browser_a_link_s_words_are_shown_as_written(server: str, page: Any) -> None:
    """No link, image, formula or formatting from a link's words in the app's warning."""
    words = {"[x](http://ev.il)": "1", "lr": "![](http://ev.il/a.png)",
             "noise": "$\\huge{x}$", "www.ev.il": "1", "sampling": "**b** :red[c]"}
    _open(page, server + urlstate.query_string({"lang": "en", **words}))
    alert = page.locator("[data-testid='stAlert']").first
    assert alert.locator("a, img, .katex, strong, em").count() == 0
    text = alert.inner_text()
    for word in ("[x](http://ev.il)", "![](http://ev.il/a.png)", "$\\huge{x}$", "www.ev.il",
                 "**b** :red[c]"):
        assert word in text, (word, text)
    assert page.locator("img[src*='ev.il']").count() == 0


@pytest.mark.parametrize("junk", ["inf", "-1e300", "1e300", "abc", "1.5", ""])
def test_junk_in_every_setting(junk: str) -> None:
    """Widgets with their own bounds (min_value, max_value) bound to a link of junk: the run
    is what the parser made of the link (its notices say why)."""
    query = dict.fromkeys(urlstate.SETTINGS, junk)
    expected = urlstate.parse(query)
    at = app(query)  # no exception (asserted in app())
    assert shown_run(at) == (expected.data, expected.train)
    warning = "\n".join(w.value for w in at.warning)
    for n in expected.notices[:MAX_NOTICES_SHOWN]:
        assert n.markdown("zh") in warning, n


def _sync_script() -> None:
    import streamlit as st

    from sgdlab.data import make_data
    from sgdlab.train import train
    from sgdlab.ui import classroom
    from sgdlab.ui.context import Run

    state = classroom.apply_url_state()
    run = Run(state.data, make_data(state.data), state.train, train(state.data, state.train),
              classroom.current_lang())
    classroom.sync_url(run, step=state.step, view=state.view)
    st.text(repr(st.query_params.to_dict()))


def test_sync_url_writes_the_run_without_the_junk() -> None:
    at = AppTest.from_function(_sync_script, default_timeout=60)
    at.query_params.update({"lr": "0.5", "batch_size": "999", "wings": "2", "lock": "lr",
                            "step": "3"})
    at.run()
    assert not at.exception
    shown = eval(at.text[0].value)
    assert shown == {"lr": "0.5", "batch_size": "200", "lang": "zh", "step": "3",
                     "lock": "lr"}
    assert urlstate.parse(shown).notices == ()


def test_the_class_link_is_labelled_and_its_lists_offer_no_english_select_all() -> None:
    """A teacher copied the top link (no locks) while the locked one sat unlabelled below,
    and 'Select 2 matches' (English) locked the schedule with the rate."""
    at = app({"lang": "zh"})
    lock = at.multiselect(key="_classroom_lock")
    assert lock.proto.select_all == 0 and lock.placeholder == "选择设置……"
    lock.set_value(["lr"]).run()
    assert len(at.code) == 2 and "lock=lr" in at.code[1].value
    assert "lock" not in at.code[0].value
    assert any("课堂链接" in c.value for c in at.caption)
