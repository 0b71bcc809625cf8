"""One way to put a figure on the page, so the toolbar and theme are set in one place."""

from __future__ import annotations

from typing import Any

import streamlit as st

# The modebar's camera button saves a PNG at 3x the on-screen size: sharp on a
# projector and in print. A restyler (sgdlab.styles) may swap this config.
PLOT_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "sgdlab"},
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


def plot_config() -> dict[str, Any]:
    """The ``config=`` of every st.plotly_chart in the app."""
    return dict(PLOT_CONFIG)


def chart_ui(figure: Any, key: str) -> None:
    """Draw a plotly figure (or its JSON-ready dict) with our own theme, not Streamlit's.

    A stable ``key`` keeps the chart mounted across reruns, so plotly.js updates it
    in place instead of building a new one.
    """
    st.plotly_chart(figure, key=key, theme=None, config=plot_config(), width="stretch")
