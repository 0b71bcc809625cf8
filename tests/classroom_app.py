"""A minimal app wired the way app.py should wire the classroom (used by AppTest and Chromium).

Controls are plain widgets keyed by config field name, bound to the URL, and
drawn disabled when the link locks them and not at all when it hides them.
"""

from __future__ import annotations

import streamlit as st

from sgdlab import explain, urlstate
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.train import train
from sgdlab.ui import classroom
from sgdlab.ui.context import Run
from sgdlab.ui.language import language_ui

state = classroom.apply_url_state()
lang = language_ui()
classroom.preset_menu_ui(lang)

values = {}
for name, (owner, default, s) in urlstate.SETTINGS.items():
    if classroom.hidden(name):
        values[name] = classroom.setting(name)
        continue
    assert owner in (DataConfig, TrainConfig)
    label = s.zh if lang == "zh" else s.en
    common = dict(key=name, bind=classroom.bind(name), disabled=classroom.locked(name))
    if isinstance(default, bool):
        values[name] = st.checkbox(label, value=default, **common)
    elif s.choices:
        values[name] = st.selectbox(label, s.choices, index=s.choices.index(default), **common)
    else:
        kind = int if isinstance(default, int) else float
        values[name] = st.number_input(label, min_value=kind(s.lo), max_value=kind(s.hi),
                                       value=default, format=None if kind is int else "%g",
                                       **common)

data_values = {k: v for k, v in values.items() if urlstate.SETTINGS[k][0] is DataConfig}
train_values = {k: v for k, v in values.items() if k not in data_values}
data_config, train_config, problems, _ = urlstate.settle(data_values, train_values)
classroom.notices_ui(tuple(problems), lang)
history = train(data_config, train_config)
run = Run(data_config, make_data(data_config), train_config, history, lang)
view = st.session_state.get(classroom.VIEW, "loss")
step = st.session_state.get(classroom.STEP, train_config.steps)
st.text(f"run: {data_config!r} {train_config!r}")
st.text(f"steps run: {history.steps}; step: {step}; view: {view}; lang: {lang}")
st.text(f"hidden: {sorted(state.hidden)}; locked: {sorted(state.locked)}")
classroom.explain_ui(run, view if view in explain.VIEWS else "loss")
classroom.copy_link_ui(run, step=step, view=view)
classroom.finish_url_state()
