"""bench_dashboard.py's second reference: one slider and the live figure, nothing else.

The same figure, the same chart element and the same cached payload as app.py, at the
notebook's settings (steps from SGDLAB_BENCH_STEPS). What a press costs here is what
redrawing the figure alone costs: no dashboard drawing this figure can be faster.
"""

import dataclasses
import os

import streamlit as st

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.ui import live_chart, process
from sgdlab.ui.live import cached_live_payload

process.per_run_settings()
st.set_page_config(page_title="sgdlab chart only", layout="wide")
with st.sidebar:
    batch_size = st.slider("Batch size", 1, 200, 20)
steps = int(os.environ.get("SGDLAB_BENCH_STEPS", TrainConfig().steps))
train_config = dataclasses.replace(TrainConfig(), batch_size=batch_size, steps=steps)
live_chart.live_chart_ui(cached_live_payload(DataConfig(), train_config, "en", steps, False))
process.freeze_heap_once()
