"""A reference for the benchmarks: one slider and the live view, nothing else.

The same element and the same cached blob as app.py, at the notebook's settings
(steps from SGDLAB_BENCH_STEPS). What a press costs here is what redrawing the live
view alone costs: no dashboard that draws it can be faster.
"""

import dataclasses
import os

import streamlit as st

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.ui import live, live_view, process

process.per_run_settings()
st.set_page_config(page_title="sgdlab live view only", layout="wide")
with st.sidebar:
    live_view.preload_ui()
    batch_size = st.slider("Batch size", 1, 200, 20)
steps = int(os.environ.get("SGDLAB_BENCH_STEPS", TrainConfig().steps))
config = dataclasses.replace(TrainConfig(), batch_size=batch_size, steps=steps)
history = live.cached_train(DataConfig(), config)
live_view.live_view_ui(live.cached_blob(history.data, DataConfig(), config, history, "en",
                                        steps, False, False, "png"))
process.freeze_heap_once()
