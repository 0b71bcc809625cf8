"""The look every figure shares: colours, type sizes, axes and the base layout.

Okabe-Ito colours stay distinguishable with every common colour-vision deficiency and
in grey; type is large enough to read from the back of a classroom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sgdlab.history import History

BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")
INK, QUIET = "#222222", "#8C8C8C"
FONT = 17
FAMILY = "Noto Sans, Noto Sans CJK SC, sans-serif"
MONO = "DejaVu Sans Mono, monospace"
# plotly's "none" template: every colour, font and axis style is set here, so a figure
# looks the same everywhere, and plotly.js draws it faster (the default template's
# values are merged into every trace and axis on every draw).
NO_TEMPLATE: dict[str, Any] = {"data": {"scatter": [{"type": "scatter"}]}}

Ghosts = Sequence[tuple[str, History]]  # pinned runs: (legend label, History)
# Pinned runs: a colour and a dash each, none grey-dotted like the epoch boundaries
# and none in the current run's colours (sky, vermillion, blue).
GHOST_LINES = tuple({"color": c, "dash": d} for c, d in (
    (PURPLE, "dash"), (ORANGE, "dashdot"), (INK, "longdash"), (QUIET, "dash"),
    (PURPLE, "longdashdot"), (ORANGE, "longdash"), (INK, "dashdot"), (QUIET, "longdashdot")))
GHOST_NAME_CHARS = 26


def f32(values: Any) -> np.ndarray:
    """Coordinates as float32: half the bytes, far more digits than a screen shows."""
    return np.asarray(values, dtype=np.float32)


def role(name: str) -> dict[str, str]:
    """A trace's ``meta``: what it shows, for restylers (print, notebook) and the live view."""
    return {"role": name}


def span(lo: float, hi: float, pad: float = 0.08) -> list[float]:
    """[lo, hi] widened by ``pad`` of its width on each side (a point gets a unit's room)."""
    width = hi - lo if hi > lo else max(abs(hi), 1.0)
    return [lo - pad * width, hi + pad * width]


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis with its title, a frame, outside ticks and a light grid."""
    return {"title": {"text": title, "font": {"size": FONT}}, "showline": True,
            "linecolor": "#444", "mirror": True, "ticks": "outside", "gridcolor": "#e6e6e6",
            "zeroline": False, "tickfont": {"size": FONT - 2}, "automargin": True, **extra}


def base_layout(title: str = "", height: int = 520) -> dict[str, Any]:
    """White, print-friendly layout with large fonts, shared by every figure."""
    return {
        "height": height, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"size": FONT, "color": INK, "family": FAMILY},
        "title": {"text": title, "font": {"size": FONT + 5}, "x": 0.01, "xanchor": "left"},
        "margin": {"l": 80, "r": 20, "t": 70, "b": 70}, "hovermode": "closest",
        "hoverlabel": {"font": {"size": FONT - 1}},
        "legend": {"bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ccc", "borderwidth": 1,
                   "font": {"size": FONT - 2}},
    }


def ghost_line(i: int) -> dict[str, Any]:
    """The line of pinned run ``i``."""
    return {"width": 2.5, **GHOST_LINES[i % len(GHOST_LINES)]}


def ghost_name(label: str) -> str:
    """A pinned run's legend entry, cut short (the whole label is in the hover)."""
    return label if len(label) <= GHOST_NAME_CHARS else label[:GHOST_NAME_CHARS - 1] + "…"
