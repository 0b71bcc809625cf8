"""The floor for bench_dashboard.py: one slider, one line of text. Nothing can be faster."""

import streamlit as st

value = st.slider("Batch size", 1, 200, 20, key="batch_size")
st.write(f"batch size = {value}")
