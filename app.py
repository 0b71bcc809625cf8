"""sgdlab dashboard: ``streamlit run app.py``. Layout only; every piece lives in sgdlab.ui."""

from collections.abc import Callable

import streamlit as st
import torch

from sgdlab.ui.context import Run
from sgdlab.ui.controls import controls_ui
from sgdlab.ui.language import language_ui, title_ui
from sgdlab.ui.live import cached_train, live_ui

# Each rerun runs in a fresh thread, and OpenMP's thread settings are per thread: with
# the default (one per core) a rerun's torch calls start a worker team whose threads
# spin-wait between ops, taking the second core from the browser. A 200-step train in a
# fresh thread took 48 ms with 2 threads, 28 ms with 1, on our 2-core machine.
torch.set_num_threads(1)

st.set_page_config(page_title="sgdlab", page_icon="📉", layout="wide")
lang = language_ui()
title_ui(lang)
data_config, train_config = controls_ui(lang)
history = cached_train(data_config, train_config)
run = Run(data_config, history.data, train_config, history, lang)

live_ui(run)

# Further views, one line each: ((English tab name, Chinese tab name), <name>_ui).
VIEWS: list[tuple[tuple[str, str], Callable[[Run], None]]] = [
]
if VIEWS:
    tabs = st.tabs([zh if lang == "zh" else en for (en, zh), _ in VIEWS])
    for tab, (_, view) in zip(tabs, VIEWS, strict=True):
        with tab:
            view(run)
