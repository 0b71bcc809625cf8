"""app.py with settings preloaded from SGDLAB_BENCH_<FIELD> variables (SGDLAB_BENCH_STEPS=5000).

Uses the app's own contract: write st.session_state[<field>] before the widgets are drawn.
"""

import os
import runpy
from pathlib import Path

import streamlit as st

PREFIX = "SGDLAB_BENCH_"
for name, value in os.environ.items():
    key = name[len(PREFIX):].lower()
    if name.startswith(PREFIX) and key not in st.session_state:
        st.session_state[key] = float(value) if "." in value else int(value)
runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")
