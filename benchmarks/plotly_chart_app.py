"""For press_timeline.py --app: one slider and one small st.plotly_chart that follows it."""

import plotly.graph_objects as go
import streamlit as st

n = st.slider("Batch size", 1, 50, 20, key="batch_size")
figure = go.Figure(go.Scatter(x=list(range(n)), y=[i * i for i in range(n)]))
st.plotly_chart(figure, key="chart", theme=None, width="stretch")
