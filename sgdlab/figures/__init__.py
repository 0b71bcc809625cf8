"""Plotly figures of runs: pure functions from histories to figures, no Streamlit.

    fig = loss_figure(train(DataConfig(), TrainConfig()), "en")
    fig.write_html("loss.html")

One idea per module: ``theme`` (colours, type, axes), ``layout`` (where titles and
legends go), ``encode`` (JSON and packed bytes), the panels ``fit``, ``loss`` and
``params``, ``panels`` (each as a figure of its own, for export) and ``live`` (the
live view's description for the browser).

Every trace carries ``meta={"role": ...}`` so a restyler (print, notebook looks) and
the live view can find it: fit "points", "batch", "fit", "true_line", "ls_line",
"readout"; loss "batch_loss", "total_loss", "min_loss", "epoch", "current"; parameter
space "contour", "path", "current", "optimum"; pinned runs "ghost".
"""

from sgdlab.figures.fit import notebook_line, x_title
from sgdlab.figures.loss import forced_log, log_ticks
from sgdlab.figures.panels import fit_figure, loss_figure, params_figure
from sgdlab.figures.params import equal_scale, landscape_box
from sgdlab.figures.theme import (
    BLUE,
    FONT,
    GREEN,
    INK,
    ORANGE,
    PURPLE,
    QUIET,
    SKY,
    VERMILLION,
    base_layout,
)

__all__ = ["BLUE", "FONT", "GREEN", "INK", "ORANGE", "PURPLE", "QUIET", "SKY", "VERMILLION",
           "base_layout", "equal_scale", "fit_figure", "forced_log", "landscape_box",
           "log_ticks", "loss_figure", "notebook_line", "params_figure", "x_title"]
