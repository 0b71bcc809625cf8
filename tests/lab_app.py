"""A minimal app wired the way app.py wires the lab views (used by AppTest and Chromium).

Sidebar-like widgets keyed by config field name, one Run, then the view named
in ``st.session_state["lab_view"]`` (or ``?view=``), or all of them in tabs.
"""

from __future__ import annotations

import streamlit as st

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.train import train
from sgdlab.ui import lab
from sgdlab.ui.context import Run

VIEWS = {"stability": lab.stability_ui, "seeds": lab.seeds_ui, "noise": lab.noise_ui,
         "compare": lab.compare_ui}

st.set_page_config(layout="wide")
lang = st.session_state.setdefault("lang", st.query_params.get("lang", "en"))
for name, default in (("lr", 0.1), ("batch_size", 20), ("steps", 20),
                      ("sampling", "sequential"), ("seed", 1024)):
    st.session_state.setdefault(name, default)
with st.sidebar:
    lr = st.number_input("lr", 1e-6, 10.0, key="lr", format="%g")
    batch_size = st.slider("batch_size", 1, 200, key="batch_size")
    steps = st.number_input("steps", 1, 10_000, key="steps")
    sampling = st.selectbox("sampling", ["sequential", "shuffle", "replacement"], key="sampling")
    seed = st.number_input("seed", 0, 2**31 - 1, key="seed")
data_config = DataConfig(seed=int(seed), standardize=st.session_state.get("standardize", True))
train_config = TrainConfig(lr=float(lr), batch_size=int(batch_size), steps=int(steps),
                           sampling=sampling)
history = train(make_data(data_config), train_config)
run = Run(data_config, history.data, train_config, history, lang)
ghosts = lab.pinned_runs(run)
st.write(f"ghosts: {len(ghosts)}")
st.write("ghost labels: " + " | ".join(label for label, _ in ghosts))

view = st.session_state.get("lab_view", st.query_params.get("view", "all"))
if view == "all":
    for tab, fn in zip(st.tabs(list(VIEWS)), VIEWS.values(), strict=True):
        with tab:
            fn(run)
else:
    VIEWS[view](run)
