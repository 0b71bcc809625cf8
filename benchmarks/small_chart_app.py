"""bench_dashboard.py's third reference: one slider and the smallest plotly figure.

One scatter of 200 points that follows the slider, through the same chart element
as app.py's live figure. What a press costs here is what any plotly redraw in a
Streamlit page costs on this machine, before the figure has anything to teach:
the issue's 3x budget, measured against the floor, starts here.
"""

import streamlit as st

from sgdlab.ui import live_chart

st.set_page_config(page_title="sgdlab small chart", layout="wide")
with st.sidebar:
    n = st.slider("Batch size", 1, 200, 20)
spec = {"data": [{"type": "scatter", "mode": "markers", "x": list(range(200)),
                  "y": [(i * n) % 97 for i in range(200)]}],
        "layout": {"height": 500, "title": {"text": f"batch size {n}"}}, "frames": []}
live_chart.live_chart_ui(live_chart.payload(spec, "en"))
