"""One layout rule for every figure: text gets its room from plotly's margins, never by hand.

A figure's title sits in the top margin, its legend outside the plot area (to the right,
or above the plot for a panel whose title is drawn by the page), and every axis pushes
its own margin for its tick labels and title (``automargin``). Plotly then computes the
margins from the drawn text, so no two text items overlap whatever the language, the
screen or the length of a label.
"""

from __future__ import annotations

from typing import Any, Literal

from sgdlab.figures.theme import FONT

Place = Literal["right", "top"]


def legend(place: Place = "right") -> dict[str, Any]:
    """A legend outside the plot area: to its right, or in a row (that wraps) above it."""
    box = {"bgcolor": "rgba(255,255,255,0)", "borderwidth": 0, "font": {"size": FONT - 2}}
    if place == "top":
        return {**box, "orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                "yanchor": "bottom", "yref": "paper"}
    return {**box, "orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}


def title(text: str) -> dict[str, Any]:
    """A title in the top margin, which grows to hold it (its lines may wrap with <br>)."""
    return {"text": text, "font": {"size": FONT + 3}, "x": 0, "xref": "paper",
            "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
            "pad": {"t": 12, "b": 12}, "automargin": True}


def arrange(layout: dict[str, Any], heading: str | None, place: Place = "right"
            ) -> dict[str, Any]:
    """``layout`` with its title (None: the page draws it) and legend placed by the rule."""
    out = {**layout, "legend": {**layout.get("legend", {}), **legend(place)},
           "margin": {"l": 10, "r": 10, "t": 10, "b": 10, "autoexpand": True}}
    out["title"] = title(heading) if heading else {"text": ""}
    return out
