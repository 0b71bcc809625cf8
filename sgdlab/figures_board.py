"""Plotly figures of the class board: every run's loss curve, and every run on the
stability map over the theory's limits. Pure functions from run summaries to a
``go.Figure``; no Streamlit.

    fig = curves_figure(runs, "en")                       # overlaid whole-data losses
    fig = map_figure(runs, bounds, "en", reference=DataConfig())

Traces carry ``meta={"role": ...}``: curves "runs", "diverged_runs", "best", "ends";
map "full_batch_bound", "worst_batch_bound", "answer", "challenge_batch", "runs",
"diverged", "other_data". Nicknames go out escaped: plotly reads its text as HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from sgdlab import i18n
from sgdlab.board.summary import RunSummary
from sgdlab.config import DataConfig, TrainConfig, spec
from sgdlab.figures import (
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
    log_ticks,
)
from sgdlab.sweep import Bounds

BEST_SHOWN = 5  # best runs drawn in colour, named in the legend
BEST_COLORS = (GREEN, ORANGE, PURPLE, SKY, INK)
HEIGHT = 480  # two figures side by side under the board's head fill a 1080p projector
LEGEND_ROW = 22  # px

TEXT: i18n.Text = {
    "curves_title": ("Whole-data loss of every run", "每次训练的整体损失"),
    "step": ("Step", "训练步数"),
    # the y axes' titles are short: longer than a narrow plot is tall, plotly cuts them
    "loss_log": ("Whole-data loss", "整体损失"),
    "each_run": ("each run ({n})", "每次训练（{n} 次）"),
    "diverged_runs": ("diverged ({n})", "发散（{n} 次）"),
    "best": ("#{seq} {name}", "#{seq} {name}"),
    "best_legend": ("the best, coloured as in the table", "最佳训练，颜色与表格一致"),
    "map_title": ("Where each run lands", "每次训练落在哪里"),
    "lr": ("Learning rate (log scale)", "学习率（对数坐标）"),
    "batch_size": ("Batch size", "批次大小"),
    "final_loss": ("final loss", "最终损失"),
    "converged": ("run (colour: final loss)", "训练（颜色：最终损失）"),
    "diverged": ("diverged", "发散"),
    "other_data": ("other data: lines do not apply", "其他数据：参考线不适用"),
    "full_bound": ("2/λ<sub>max</sub>, all data = {lr:.3g}",
                   "2/λ<sub>max</sub>（全部数据）= {lr:.3g}"),
    "worst_bound": ("2/λ<sub>max</sub>, steepest batch in order",
                    "2/λ<sub>max</sub>（按顺序取的最陡批次）"),
    "answer": ("answer: {lr:.3g}", "答案：{lr:.3g}"),
    "challenge_batch": ("question: batch size {b}", "问题：批次大小 {b}"),
    "hover_lr": ("learning rate", "学习率"),
    "hover_batch": ("batch size", "批次大小"),
    "hover_steps": ("steps", "步数"),
    "hover_loss": ("final loss", "最终损失"),
    "hover_diverged": ("diverged at step {step}", "第 {step} 步发散"),
    "no_name": ("(no nickname)", "（无昵称）"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def plain(text: str) -> str:
    """``text`` as plotly shows it literally: its HTML-like tags and $maths$ escaped."""
    return html.escape(text, quote=False).replace("$", "&#36;")


def run_name(run: RunSummary, lang: str) -> str:
    """How a run is named on the board: its place and nickname, escaped for plotly."""
    return tr("best", lang, seq=run.seq, name=plain(run.nickname) or tr("no_name", lang))


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": FONT}}, "showline": True,
            "linecolor": "#444", "mirror": True, "ticks": "outside", "gridcolor": "#e6e6e6",
            "zeroline": False, "tickfont": {"size": FONT - 2}, **extra}


def _layout(title: str, entries: int, **extra: Any) -> dict[str, Any]:
    """The board's layout; each legend entry past three adds a row's height, so a narrow
    figure, where the legend stacks, keeps its axes tall enough to read."""
    layout = base_layout(title, HEIGHT + LEGEND_ROW * max(0, entries - 3))
    # Title and legend above the axes, each making room for itself: two figures side by
    # side leave no room beside them, and below they met the axis' title.
    layout["title"].update(automargin=True, yref="container", y=0.98, yanchor="top")
    layout.update(legend={**layout["legend"], "orientation": "h", "x": 0, "y": 1.02,
                          "yanchor": "bottom", "font": {"size": FONT - 3}},
                  margin={"l": 80, "r": 20, "t": 40, "b": 60}, **extra)
    return layout


def _hover(run: RunSummary, lang: str) -> str:
    """One run's hover text: who, the two settings of the map, steps, how it ended."""
    end = (tr("hover_diverged", lang, step=run.diverged_at) if run.diverged
           else f"{tr('hover_loss', lang)} {_num(run.final_loss)}")
    return (f"{run_name(run, lang)}<br>{tr('hover_lr', lang)} {run.lr:.4g}"
            f"<br>{tr('hover_batch', lang)} {run.batch_size}"
            f"<br>{tr('hover_steps', lang)} {run.train.steps}<br>{end}")


def _num(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else i18n.sig3(value)


def _joined(runs: Sequence[RunSummary]) -> tuple[np.ndarray, np.ndarray]:
    """Every run's curve in one x/y pair, NaN between runs: one trace for hundreds (as
    float32 arrays, which plotly checks and sends whole, not number by number)."""
    if not runs:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    xs = np.concatenate([np.r_[np.asarray(r.step, np.float64), np.nan] for r in runs])
    ys = np.concatenate([np.r_[np.asarray(r.loss, np.float64), np.nan] for r in runs])
    return xs.astype(np.float32), ys.astype(np.float32)


def curves_figure(runs: Sequence[RunSummary], lang: str = i18n.DEFAULT_LANG,
                  best: Sequence[RunSummary] = ()) -> go.Figure:
    """Every run's whole-data loss over its steps on a log axis; diverged runs in red
    (a cross where they left), the ``best`` runs in colour with their names."""
    ok = [r for r in runs if not r.diverged and r.step]
    bad = [r for r in runs if r.diverged and r.step]
    traces: list[Any] = []
    x, y = _joined(ok)
    traces.append(go.Scatter(x=x, y=y, mode="lines", name=tr("each_run", lang, n=len(ok)),
                             hoverinfo="skip", meta={"role": "runs"}, showlegend=bool(ok),
                             line={"color": BLUE, "width": 1.5}, opacity=0.45))
    x, y = _joined(bad)
    traces.append(go.Scatter(x=x, y=y, mode="lines", name=tr("diverged_runs", lang, n=len(bad)),
                             hoverinfo="skip", meta={"role": "diverged_runs"},
                             showlegend=bool(bad), line={"color": VERMILLION, "width": 1.5},
                             opacity=0.6))
    shown = best[:BEST_SHOWN]
    for i, r in enumerate(shown):  # one legend entry for all: the table names them
        traces.append(go.Scatter(x=list(r.step), y=list(r.loss), mode="lines",
                                 name=tr("best_legend", lang), legendgroup="best",
                                 showlegend=i == 0, meta={"role": "best"}, hoverinfo="skip",
                                 line={"color": BEST_COLORS[i], "width": 3.5}))
    lo, hi = loss_frame(ok, bad)
    ends = [r for r in runs if r.step]
    traces.append(go.Scatter(
        # A diverged run's cross sits on the frame's top edge: its loss left the frame there.
        x=[r.step[-1] for r in ends], y=[hi if r.diverged else r.loss[-1] for r in ends],
        mode="markers", showlegend=False, meta={"role": "ends"}, cliponaxis=False,
        hovertemplate="%{text}<extra></extra>", text=[_hover(r, lang) for r in ends],
        marker={"symbol": ["x" if r.diverged else "circle" for r in ends], "size": 9,
                "color": [VERMILLION if r.diverged else BLUE for r in ends]}))
    layout = _layout(tr("curves_title", lang), sum(bool(t.showlegend) for t in traces),
                     xaxis=_axis(tr("step", lang), rangemode="tozero"),
                     yaxis=_axis(tr("loss_log", lang), type="log",
                                 range=[math.log10(lo), math.log10(hi)],
                                 **log_ticks(math.log10(hi / lo))))
    return go.Figure(traces, layout)


def loss_frame(ok: Sequence[RunSummary], diverged: Sequence[RunSummary]) -> tuple[float, float]:
    """The loss axis' span: every run that did not diverge, with room; a diverged run's
    climb to 10^10 would flatten them all to one line at the bottom."""
    values = np.array([v for r in (ok or diverged) for v in r.loss], dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return 0.1, 10.0
    return float(values.min()) / 1.6, float(values.max()) * 4


def map_figure(runs: Sequence[RunSummary], bounds: Bounds | None,
               lang: str = i18n.DEFAULT_LANG, reference: DataConfig = DataConfig(),
               answer_lr: float | None = None, challenge_batch: int | None = None
               ) -> go.Figure:
    """Every run at (learning rate, batch size), coloured by its final loss, a cross
    where it diverged, over the limits of plain SGD on the ``reference`` data.

    ``bounds`` holds the full-data limit and, per batch size, the steepest batch's;
    runs on other data are drawn hollow, since the lines are not theirs.
    """
    same = [r for r in runs if r.data == reference]
    finite = [r for r in same if not r.diverged and r.final_loss is not None
              and math.isfinite(r.final_loss) and r.final_loss > 0]
    crossed = [r for r in same if r not in finite]
    other = [r for r in runs if r.data != reference]
    traces: list[Any] = []
    bs_hi = max([reference.n, *(r.batch_size for r in runs)])
    if bounds is not None:
        traces.append(go.Scatter(
            x=[bounds.full_batch] * 2, y=[1, bs_hi], mode="lines", hoverinfo="skip",
            name=tr("full_bound", lang, lr=bounds.full_batch), meta={"role": "full_batch_bound"},
            line={"color": INK, "width": 2.5, "dash": "dash"}))
        traces.append(go.Scatter(
            x=list(bounds.worst_batch), y=[int(b) for b in bounds.batch_sizes],
            mode="lines+markers", name=tr("worst_bound", lang),
            meta={"role": "worst_batch_bound"}, line={"color": ORANGE, "width": 3},
            marker={"size": 6}, hovertemplate="2/λ<sub>max</sub> %{x:.3g}<extra></extra>"))
    if challenge_batch is not None:
        traces.append(go.Scatter(
            x=_lr_range(runs, bounds), y=[challenge_batch] * 2, mode="lines", hoverinfo="skip",
            name=tr("challenge_batch", lang, b=challenge_batch),
            meta={"role": "challenge_batch"}, line={"color": QUIET, "width": 1.5, "dash": "dot"}))
    if answer_lr is not None:
        traces.append(go.Scatter(
            x=[answer_lr] * 2, y=[1, bs_hi], mode="lines", hoverinfo="skip",
            name=tr("answer", lang, lr=answer_lr), meta={"role": "answer"},
            line={"color": GREEN, "width": 4}))
    z = [math.log10(r.final_loss) for r in finite if r.final_loss]
    zlo, zhi = (min(z), max(z)) if z else (0.0, 1.0)
    if zhi - zlo < 0.5:
        zlo, zhi = zlo - 0.25, zhi + 0.25
    ticks = loss_ticks(zlo, zhi)
    traces.append(go.Scatter(
        x=[r.lr for r in finite], y=[r.batch_size for r in finite], mode="markers",
        name=tr("converged", lang), meta={"role": "runs"}, showlegend=bool(finite),
        text=[_hover(r, lang) for r in finite],
        hovertemplate="%{text}<extra></extra>",
        marker={"size": 15, "color": z, "colorscale": "Viridis", "cmin": zlo, "cmax": zhi,
                "line": {"color": "white", "width": 1},
                "colorbar": {"title": {"text": tr("final_loss", lang), "side": "right"},
                             "tickvals": ticks, "ticktext": [_loss_tick(k) for k in ticks],
                             "thickness": 14, "len": 0.8}}))
    traces.append(go.Scatter(
        x=[r.lr for r in crossed], y=[r.batch_size for r in crossed], mode="markers",
        name=tr("diverged", lang), meta={"role": "diverged"}, showlegend=bool(crossed),
        text=[_hover(r, lang) for r in crossed], hovertemplate="%{text}<extra></extra>",
        marker={"symbol": "x-thin", "size": 15, "line": {"color": VERMILLION, "width": 3}}))
    traces.append(go.Scatter(
        x=[r.lr for r in other], y=[r.batch_size for r in other], mode="markers",
        name=tr("other_data", lang), meta={"role": "other_data"}, showlegend=bool(other),
        text=[_hover(r, lang) for r in other], hovertemplate="%{text}<extra></extra>",
        marker={"symbol": "circle-open", "size": 13, "color": QUIET, "line": {"width": 2}}))
    lo, hi = _lr_range(runs, bounds)
    lr_ticks = [10.0 ** k for k in range(math.ceil(math.log10(lo)), math.floor(math.log10(hi)) + 1)]
    layout = _layout(
        tr("map_title", lang), sum(t.showlegend is not False for t in traces),
        xaxis=_axis(tr("lr", lang), type="log", range=[math.log10(lo), math.log10(hi)],
                    tickvals=lr_ticks, ticktext=[f"{v:g}" for v in lr_ticks]),
        yaxis=_axis(tr("batch_size", lang), type="log", range=[-0.15, math.log10(bs_hi) + 0.15],
                    tickvals=_batch_ticks(bs_hi), ticktext=[str(t) for t in _batch_ticks(bs_hi)]))
    return go.Figure(traces, layout)


def _lr_range(runs: Sequence[RunSummary], bounds: Bounds | None) -> list[float]:
    """The rates the map spans: every run and both limits, with room, inside the slider's."""
    s = spec(TrainConfig, "lr")
    rates = [r.lr for r in runs]
    if bounds is not None:
        rates += [bounds.full_batch, *map(float, bounds.worst_batch)]
    rates = [v for v in rates if math.isfinite(v) and v > 0] or [TrainConfig().lr]
    lo = max(float(s.lo or 1e-6), min(rates) / 2.5)
    hi = min(float(s.hi or 10.0) * 1.5, max(rates) * 2.5)
    return [lo, hi]


def _batch_ticks(hi: int) -> list[int]:
    return [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000,
                        20_000, 50_000, 100_000) if t <= hi * 1.2]


def loss_ticks(zlo: float, zhi: float) -> list[float]:
    """Colour-bar ticks (log10 of the loss) between zlo and zhi: 1, 2, 5 x 10^k while that
    gives a few, else powers of ten only, at most 8."""
    ks = range(math.floor(zlo), math.ceil(zhi) + 1)
    fine = [k + math.log10(m) for k in ks for m in (1, 2, 5)]
    ticks = [t for t in fine if zlo - 1e-9 <= t <= zhi + 1e-9]
    if len(ticks) > 6:
        ticks = [float(k) for k in ks if zlo - 1e-9 <= k <= zhi + 1e-9]
        ticks = ticks[:: math.ceil(len(ticks) / 8)] if len(ticks) > 8 else ticks
    return ticks


def _loss_tick(t: float) -> str:
    v = 10.0 ** t
    return f"{v:.3g}" if 1e-3 <= v < 1e5 else f"10<sup>{round(t)}</sup>"
