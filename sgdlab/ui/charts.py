"""One way to put a figure on the page, so the toolbar and theme are set in one place."""

from __future__ import annotations

import functools
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from sgdlab import styles

IMAGE_FORMAT_KEY = "export_image_format"  # the Export tab's PNG / SVG switch
# Its value, kept: a widget's state goes when its tab is closed (tabs run lazily), and
# every chart's download follows the choice.
IMAGE_FORMAT_KEPT = "_image_format"


class _Built(go.Figure):
    """A figure whose JSON-ready dict is already built, handed to st.plotly_chart as is.

    st.plotly_chart re-validates a dict (Figure(**spec), 100-230 ms for the live
    figure), and of a Figure it takes ``to_dict()``: a deep copy, and for
    ``go.Figure(**spec, _validate=False)`` still a Frame object per animation
    frame. Under a class's load that was a fifth of the server's CPU (py-spy).
    Our specs come from sgdlab.figures, already valid plain JSON, so to_dict
    returns the spec itself, with the default template go.Figure would add.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        # No go.Figure.__init__: it deep-copies plotly's default template into an
        # empty figure (0.3 ms per chart per rerun) that nobody reads; st.plotly_chart
        # only checks the type and calls to_dict().
        layout = spec.get("layout", {})
        if "template" not in layout:
            spec = {**spec, "layout": {**layout, "template": _default_template()}}
        self._built = spec

    def to_dict(self) -> dict[str, Any]:
        return self._built


@functools.cache
def _default_template() -> dict[str, Any]:
    """plotly's default template as go.Figure puts it in a figure's layout."""
    return go.Figure().to_dict()["layout"]["template"]


def plot_config(stem: str = "sgdlab", image_format: str = "png") -> dict[str, Any]:
    """The ``config=`` of every st.plotly_chart in the app.

    The modebar's camera saves ``stem``.png at several times the on-screen size
    (sgdlab.styles decides), sharp on a projector and in print, or ``stem``.svg.
    """
    config = styles.chart_config(stem, image_format)
    config["modeBarButtonsToRemove"] = ["select2d", "lasso2d", "autoScale2d"]
    return config


def chart_ui(figure: Any, key: str, stem: str = "sgdlab") -> None:
    """Draw a plotly figure (or its JSON-ready dict) with our own theme, not Streamlit's;
    its camera saves ``stem`` in the Export tab's format (PNG or SVG).

    Streamlit rebuilds a chart whenever its figure changes (the element's id hashes
    the figure), so a figure that did not change must come out byte-identical.
    """
    if isinstance(figure, dict):
        figure = _Built(figure)
    st.plotly_chart(figure, key=key, theme=None, config=plot_config(stem, image_format()),
                    width="stretch")


def image_format() -> str:
    """The Export tab's choice for the modebar's download: "png" (the default) or "svg"."""
    state = st.session_state
    return str(state.get(IMAGE_FORMAT_KEY) or state.get(IMAGE_FORMAT_KEPT) or "png")
