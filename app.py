"""sgdlab dashboard (placeholder until the dashboard lands)."""

import streamlit as st

st.title("sgdlab")
