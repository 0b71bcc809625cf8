"""sgdlab dashboard: ``streamlit run app.py``. Layout only; every piece lives in sgdlab.ui."""

from collections.abc import Callable

import streamlit as st

from sgdlab.ui import board, board_view, classroom, lab, live_view, process
from sgdlab.ui.context import Run
from sgdlab.ui.controls import controls_ui
from sgdlab.ui.data_source import data_source_ui
from sgdlab.ui.export import export_ui
from sgdlab.ui.language import language_ui, title_ui
from sgdlab.ui.live import cached_train, cached_train_on, live_ui

process.per_run_settings()  # one torch thread in this run's fresh thread

st.set_page_config(page_title="sgdlab", page_icon="📉", layout="wide")
with st.sidebar:
    live_view.preload_ui()  # plotly.js is on its way while the page is built
classroom.apply_url_state()  # before any control: a link's settings, checked, with notices
title_ui(classroom.current_lang())
lang = language_ui()
if board_view.is_board_link():  # ?room=CODE&board=1: the projector's page, not the lab
    board_view.board_page_ui(lang)
    st.stop()
# The sidebar's order of prominence: the four main controls (seed, rate, batch size,
# steps) and their expanders first, then presets and the data source. Those two run
# first (the controls depend on the data), so the controls' place is held above them.
controls_box = st.sidebar.container()
with st.sidebar:
    classroom.preset_menu_ui(lang)
custom = data_source_ui(lang)  # None: the notebook's synthetic data
data_config, train_config = controls_ui(lang, custom, where=controls_box)
if data_config is not None:
    history = cached_train(data_config, train_config)
else:
    assert custom is not None
    history = cached_train_on(custom, train_config)
run = Run(data_config, history.data, train_config, history, lang)
board.class_ui(run)  # ?room=CODE: send this run to the class board; the sidebar's new room

live_ui(run, ghosts=tuple(lab.pinned_runs(run)))


def explain_live_ui(run: Run) -> None:
    """What the three live panels show, one explain panel each."""
    for panel in ("fit", "loss", "params"):
        classroom.explain_ui(run, panel)


# Further views, one line each: tab name (classroom.TABS), explain key, <name>_ui.
VIEWS: list[tuple[str, str | None, Callable[[Run], None]]] = [
    ("explain", None, explain_live_ui),
    ("stability", "stability", lab.stability_ui),
    ("compare", "compare", lab.compare_ui),
    ("seeds", "seeds", lab.seeds_ui),
    ("noise", "noise", lab.noise_ui),
    ("export", None, export_ui),
]
# Lazy tabs: only the open one runs, so a rerun never pays for a stability map or
# seed band nobody is looking at.
tabs = classroom.tabs_ui(lang)
for name, explain_key, view in VIEWS:
    if tabs[name].open:
        with tabs[name]:
            view(run)
            if explain_key:
                classroom.explain_ui(run, explain_key)

classroom.finish_url_state()
process.freeze_heap_once()  # the loaded modules out of the collector's view, once
