"""The lab views in a real Streamlit script run (AppTest), wired as tests/lab_app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import i18n
from sgdlab.config import TrainConfig
from sgdlab.data import make_data
from sgdlab.sweep import sweep
from sgdlab.ui import lab

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


def test_load_cell_writes_the_sidebar_keys_and_the_app_uses_them():
    at = app("stability")
    # What the on_select callback does with a click on the cell (lr 0.5, batch 10):
    at.session_state["lr"] = 0.5
    at.session_state["batch_size"] = 10
    at.run()
    assert not at.exception
    assert at.sidebar.number_input(key="lr").value == 0.5
    assert at.sidebar.slider(key="batch_size").value == 10


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
    assert i18n.tr(lab.TEXT, "sequential_note", lang, sampling="shuffle") in texts(at)
    at.radio(key="lab_vary").set_value("data").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    at.session_state["sampling"] = "replacement"
    at.run()
    assert not at.exception
    assert i18n.tr(lab.TEXT, "sequential_note", lang, sampling="shuffle") not in texts(at)


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
    labels = [p["label"] for p in at.session_state[lab.PINS]]
    assert labels[0].startswith("#1 lr=0.1") and labels[1].startswith("#2 lr=0.3")
    frame = at.dataframe[0].value
    assert len(frame) == 3 and frame.iloc[0, 0] == "this run"
    at.button(key="lab_unpin_1").click().run()
    assert "ghosts: 1" in texts(at)
    assert [p["label"] for p in at.session_state[lab.PINS]] == labels[1:]
    at.button(key="lab_pin").click().run()
    at.session_state["lr"] = 0.7
    at.run()
    at.button(key="lab_pin").click().run()
    assert "ghosts: 2" in texts(at)
    at.button(key="lab_unpin_all").click().run()
    assert "ghosts: 0" in texts(at) and not at.exception


def test_all_views_in_tabs_together():
    at = app("all", "zh", lab_k=4)
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 5
