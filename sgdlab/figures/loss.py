"""The loss panel: batch loss and whole-data loss per step, epochs, the least-squares floor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sgdlab import i18n, theory
from sgdlab.figures.theme import (
    GREEN,
    SKY,
    VERMILLION,
    Ghosts,
    axis,
    f32,
    ghost_line,
    ghost_name,
    role,
    span,
)
from sgdlab.history import History

VIEW_LOSS_FACTOR = 50.0  # axes frame the steps whose loss stays under this x the start
MARKERS_UP_TO = 30  # steps drawn with a marker each (every marker is a DOM node)
EPOCH_LINES = 25  # at most this many epoch lines: more only grey the plot

TEXT: i18n.Text = {
    "step": ("Step", "训练步数"),
    "loss": ("Loss (mean squared error)", "模型损失（均方误差）"),
    "loss_log": ("Loss (mean squared error, log scale)", "模型损失（均方误差，对数坐标）"),
    "batch_loss": ("batch loss", "批次损失"),
    "total_loss": ("whole-data loss", "整体损失"),
    "min_loss": ("least-squares minimum", "最小二乘最小值"),
    "epoch": ("epoch boundary", "轮次边界"),
    "epoch_every": ("epoch boundary (one per {k} epochs)", "轮次边界（每 {k} 轮一条）"),
    "current_step": ("Step", "当前步"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def view(history: History) -> np.ndarray:
    """Mask of the steps the axes should frame: all but the run-away end of a divergence."""
    start = max(history.initial_total_loss, 1e-12)
    with np.errstate(invalid="ignore"):
        return np.asarray(history.total_loss <= VIEW_LOSS_FACTOR * start, dtype=bool)


def forced_log(history: History) -> bool:
    """Is the loss drawn on a log axis whatever the switch says? An explosion only reads on
    one: a diverged run, or one whose loss has left the framed range (momentum 0.5: a
    linear axis stopped at 6,000 while the loss was 56,800)."""
    return history.diverged_at is not None or not bool(view(history).all())


def log_ticks(decades: float) -> dict[str, Any]:
    """Ticks of a log axis: powers of ten, written as powers, once it spans a decade.

    Plotly's default labels the 2s and 5s between decades ("100, 5, 2, 10, 5, 2,
    1"), which reads as a broken axis, and writes 1e10 as "10B".
    """
    if decades < 1:
        return {"exponentformat": "power"}
    return {"dtick": max(1, math.ceil(decades / 8)), "exponentformat": "power"}


def axes(history: History, lang: str, log_y: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The loss panel's (x axis, y axis) for ``history``: its steps, and its losses framed."""
    opt = theory.least_squares(history.data)
    n_steps = max(history.steps, 1)
    if log_y or forced_log(history):
        shown = np.concatenate([history.batch_loss, history.total_loss, [opt.loss]])
        shown = shown[np.isfinite(shown)]
        pos = shown[shown > 0]
        lo, hi = (np.log10(pos.min()), np.log10(pos.max())) if len(pos) else (-1.0, 1.0)
        yaxis = axis(tr("loss_log", lang), type="log", range=span(lo, hi, 0.06),
                     **log_ticks(hi - lo))
    else:
        keep = view(history)
        shown = np.concatenate([history.batch_loss[keep], history.total_loss[keep], [opt.loss]])
        shown = shown[np.isfinite(shown)]
        yaxis = axis(tr("loss", lang), type="linear",
                     range=[0, float(shown.max()) * 1.06 if len(shown) else 1])
    xaxis = axis(tr("step", lang), range=[0.5, n_steps + 0.5],
                 **({"dtick": 1} if n_steps <= 12 else {}))  # never a step 2.5
    return xaxis, yaxis


def mode(steps: int) -> str:
    """Lines with a marker per step for short runs; lines alone for long ones."""
    return "lines+markers" if steps <= MARKERS_UP_TO else "lines"


def epoch_trace(history: History, lang: str) -> list[dict[str, Any]]:
    """Vertical dotted lines between epochs, as one trace (None breaks the line)."""
    c = history.config
    steps = c.steps
    per_epoch = history.data.n / c.batch_size
    # full batch: every step is an epoch, and a line at every step says nothing
    if per_epoch >= steps or per_epoch <= 1:
        return []
    starts = np.arange(1, steps)[
        np.diff((np.arange(steps) * c.batch_size) // history.data.n) > 0] + 0.5
    if not len(starts):  # a few steps of a batch over half the points: still the first epoch
        return []
    every = int(np.ceil(len(starts) / EPOCH_LINES))
    starts = starts[every - 1:: every]
    name = tr("epoch", lang) if every == 1 else tr("epoch_every", lang, k=every)
    xs = np.repeat(starts, 3).astype(object)
    # from far below to far above any loss: a vertical line on a linear or a log axis
    ys = np.tile(np.array([1e-30, 1e30, None], dtype=object), len(starts))
    xs[2::3] = None
    return [{"type": "scatter", "x": xs.tolist(), "y": ys.tolist(), "mode": "lines",
             "name": name, "line": {"color": "#9a9a9a", "width": 1, "dash": "dot"},
             "meta": role("epoch"), "hoverinfo": "skip"}]


def curves(history: History, lang: str) -> list[dict[str, Any]]:
    """The run's batch loss and whole-data loss per step."""
    m = mode(history.steps)
    step = tr("step", lang)
    return [
        {"type": "scatter", "x0": 1, "dx": 1, "y": f32(history.batch_loss), "mode": m,
         "name": tr("batch_loss", lang), "line": {"color": SKY, "width": 1.5},
         "marker": {"size": 6}, "meta": role("batch_loss"),
         "hovertemplate": tr("batch_loss", lang) + " %{y:.6g}<br>" + step + " %{x}<extra></extra>"},
        {"type": "scatter", "x0": 1, "dx": 1, "y": f32(history.total_loss), "mode": m,
         "name": tr("total_loss", lang), "line": {"color": VERMILLION, "width": 3.5},
         "marker": {"size": 7}, "meta": role("total_loss"),
         "hovertemplate": tr("total_loss", lang) + " %{y:.6g}<br>" + step + " %{x}<extra></extra>"},
    ]


def marker(history: History, step: int, lang: str) -> dict[str, Any]:
    """The whole-data loss at ``step``, ringed."""
    total = float(history.total_loss[step - 1]) if history.steps else float("nan")
    return {"type": "scatter", "x": [step], "y": [total], "mode": "markers",
            "name": tr("current_step", lang), "showlegend": False,
            "marker": {"color": VERMILLION, "size": 15, "symbol": "circle-open",
                       "line": {"width": 3}},
            "meta": role("current"),
            "hovertemplate": (tr("current_step", lang) + " %{x}<br>" + tr("total_loss", lang)
                              + " %{y:.6g}<extra></extra>")}


def loss_panel(history: History, step: int, lang: str, log_y: bool, ghosts: Ghosts = ()
               ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(traces, x axis, y axis) of the loss panel at ``step``; ``ghosts`` are pinned runs."""
    opt = theory.least_squares(history.data)
    last = max(history.config.steps, 1)
    traces = curves(history, lang)
    traces.append({"type": "scatter", "x": [0.5, last + 0.5], "y": [opt.loss, opt.loss],
                   "mode": "lines", "name": tr("min_loss", lang),
                   "line": {"color": GREEN, "width": 2, "dash": "dot"}, "meta": role("min_loss"),
                   "hovertemplate": tr("min_loss", lang) + f" {opt.loss:.6g}<extra></extra>"})
    traces += epoch_trace(history, lang)
    for i, (label, ghost) in enumerate(ghosts):
        traces.append({"type": "scatter", "x0": 1, "dx": 1, "y": f32(ghost.total_loss),
                       "mode": "lines", "name": ghost_name(label), "opacity": 0.85,
                       "legendgroup": f"ghost{i}", "line": ghost_line(i),
                       "meta": role("ghost"), "hovertemplate": label + " %{y:.6g}<extra></extra>"})
    traces.append(marker(history, step, lang))
    return (traces, *axes(history, lang, log_y))
