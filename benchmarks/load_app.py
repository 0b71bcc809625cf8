"""A tiny stand-in dashboard for benchmarks/load_test.py.

It has the real dashboard's shape (settings in the sidebar, a torch training
run, a Plotly figure) so the load tool can be developed and checked without
it. ``--naive`` (after ``--``) skips every cache, to show what caching buys:

    .venv/bin/python -m streamlit run benchmarks/load_app.py
    .venv/bin/python -m streamlit run benchmarks/load_app.py -- --naive
"""

from __future__ import annotations

import sys

import plotly.graph_objects as go
import streamlit as st
import torch

from sgdlab import DataConfig, TrainConfig, train

NAIVE = "--naive" in sys.argv
LRS = ("0.001", "0.01", "0.03", "0.1", "0.3", "1.0", "1.5", "3.0", "10.0")

torch.set_num_threads(1)  # one thread per run: students are the parallelism


def loss_figure(lr: float, batch_size: int, steps: int, optimizer: str) -> go.Figure:
    """Train once and draw the total loss per step."""
    history = train(DataConfig(), TrainConfig(lr=lr, batch_size=batch_size, steps=steps,
                                              optimizer=optimizer))
    frame = history.to_frame()
    fig = go.Figure(go.Scatter(y=frame["total_loss"], mode="lines+markers"))
    fig.update_layout(height=320, margin={"t": 10, "b": 10}, yaxis_type="log")
    return fig


cached_figure = st.cache_data(max_entries=256, show_spinner=False)(loss_figure)

with st.sidebar:
    lr = float(st.select_slider("Learning rate", LRS, value="0.1", key="lr"))
    batch_size = st.slider("Batch size", 1, 200, 20, key="batch_size")
    steps = st.slider("Steps", 1, 500, 20, key="steps")
    optimizer = st.selectbox("Optimizer", ("sgd", "momentum", "adam"), key="optimizer")

st.title("sgdlab load stand-in")
figure = (loss_figure if NAIVE else cached_figure)(lr, batch_size, steps, optimizer)
st.plotly_chart(figure)
