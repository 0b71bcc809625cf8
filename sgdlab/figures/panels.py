"""One figure per panel, for export, slides and papers: fit, loss and parameter space.

    fig = loss_figure(train(DataConfig(), TrainConfig()), "en")
    fig.write_html("loss.html")
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from sgdlab import i18n
from sgdlab.figures import fit, loss, params
from sgdlab.figures.encode import figure
from sgdlab.figures.layout import arrange
from sgdlab.figures.theme import FONT, INK, MONO, NO_TEMPLATE, Ghosts, base_layout, role
from sgdlab.history import History

TEXT: i18n.Text = {
    "fit_title": ("Fit at step {step}", "第 {step} 步的拟合"),
    "loss_title": ("Loss per step", "每一步的模型损失"),
    "params_title": ("Parameter space: whole-data loss over (a, b)",
                     "参数空间：整体损失随 (a, b) 的变化"),
}
HEADROOM = 0.14  # of the fit panel's height, above the data: room for the log line


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def clamp_step(history: History, step: int | None) -> int:
    """``step`` within 1..steps (None: the last)."""
    return history.steps if step is None else int(min(max(step, 1), max(history.steps, 1)))


def _layout(heading: str, xaxis: dict[str, Any], yaxis: dict[str, Any]) -> dict[str, Any]:
    layout = arrange(base_layout(), heading)
    layout.update(xaxis=xaxis, yaxis=yaxis, template=NO_TEMPLATE)
    return layout


def fit_figure(history: History, step: int | None = None, lang: str = i18n.DEFAULT_LANG,
               true_line: tuple[float, float] | None = None) -> go.Figure:
    """Data, the batch of ``step`` (default: the last), the line at that step, the
    notebook's log line for it, and the references (``true_line``: the synthetic data's)."""
    step = clamp_step(history, step)
    traces, xaxis, yaxis = fit.fit_panel(history, step, lang, true_line)
    lo, hi = yaxis["range"]
    yaxis["range"] = [lo, hi + HEADROOM * (hi - lo)]
    x0, x1 = xaxis["range"]
    if history.steps:
        traces.append({"type": "scatter", "x": [x0 + 0.02 * (x1 - x0)],
                       "y": [yaxis["range"][1] - 0.03 * (yaxis["range"][1] - lo)],
                       "mode": "text", "text": [fit.notebook_line(history, step)],
                       "textposition": "bottom right", "showlegend": False,
                       "textfont": {"size": FONT - 2, "family": MONO, "color": INK},
                       "hoverinfo": "skip", "meta": role("readout")})
    return figure(traces, _layout(tr("fit_title", lang, step=step), xaxis, yaxis))


def loss_figure(history: History, lang: str = i18n.DEFAULT_LANG, log_y: bool = False,
                ghosts: Ghosts = (), step: int | None = None) -> go.Figure:
    """Batch loss and whole-data loss per step, epochs marked, the least-squares floor."""
    traces, xaxis, yaxis = loss.loss_panel(history, clamp_step(history, step), lang, log_y,
                                           ghosts)
    return figure(traces, _layout(tr("loss_title", lang), xaxis, yaxis))


def params_figure(history: History, lang: str = i18n.DEFAULT_LANG, ghosts: Ghosts = (),
                  step: int | None = None) -> go.Figure:
    """Whole-data loss over (a, b) as level sets, the path of (a, b), the current point."""
    traces, xaxis, yaxis = params.params_panel(history, clamp_step(history, step), lang,
                                               ghosts)
    yaxis = {**yaxis, **params.equal_scale(history.data, "x")}
    return figure(traces, _layout(tr("params_title", lang), xaxis, yaxis))
