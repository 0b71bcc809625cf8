"""One way to put a figure on the page, so the toolbar and theme are set in one place."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sgdlab import figures, styles


def plot_config(stem: str = "sgdlab") -> dict[str, Any]:
    """The ``config=`` of every st.plotly_chart in the app.

    The modebar's camera saves ``stem``.png at several times the on-screen size
    (sgdlab.styles decides), sharp on a projector and in print.
    """
    config = styles.chart_config(stem)
    config["modeBarButtonsToRemove"] = ["select2d", "lasso2d", "autoScale2d"]
    return config


def chart_ui(figure: Any, key: str, stem: str = "sgdlab") -> None:
    """Draw a plotly figure (or its JSON-ready dict) with our own theme, not Streamlit's.

    Streamlit rebuilds a chart whenever its figure changes (the element's id hashes
    the figure), so a figure that did not change must come out byte-identical.
    """
    if isinstance(figure, dict):
        figure = figures.as_figure(figure)
    st.plotly_chart(figure, key=key, theme=None, config=plot_config(stem), width="stretch")
