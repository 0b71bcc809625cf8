"""One way to put a figure on the page, so the toolbar and theme are set in one place."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from sgdlab import styles

IMAGE_FORMAT_KEY = "export_image_format"  # the Export tab's PNG / SVG switch
# Its value, kept: a widget's state goes when its tab is closed (tabs run lazily), and
# every chart's download follows the choice.
IMAGE_FORMAT_KEPT = "_image_format"


def plot_config(stem: str = "sgdlab", image_format: str = "png") -> dict[str, Any]:
    """The ``config=`` of every st.plotly_chart in the app.

    The modebar's camera saves ``stem``.png at several times the on-screen size
    (sgdlab.styles decides), sharp on a projector and in print, or ``stem``.svg.
    """
    config = styles.chart_config(stem, image_format)
    config["modeBarButtonsToRemove"] = ["select2d", "lasso2d", "autoScale2d"]
    return config


def chart_ui(figure: go.Figure, key: str, stem: str = "sgdlab") -> None:
    """Draw a plotly figure with our own theme, not Streamlit's; its camera saves ``stem``
    in the Export tab's format (PNG or SVG).

    Streamlit rebuilds a chart whenever its figure changes (the element's id hashes
    the figure), so a figure that did not change must come out byte-identical.
    """
    st.plotly_chart(figure, key=key, theme=None, config=plot_config(stem, image_format()),
                    width="stretch")


def image_format() -> str:
    """The Export tab's choice for the modebar's download: "png" (the default) or "svg"."""
    state = st.session_state
    return str(state.get(IMAGE_FORMAT_KEY) or state.get(IMAGE_FORMAT_KEPT) or "png")
