"""Plotly figures for the lab's questions: stability map, seed band, gradient noise, comparison.

Pure functions from core results to a ``go.Figure``; no Streamlit. Every trace
carries ``meta={"role": ...}``: stability "loss_map", "diverged", "cells",
"full_batch_bound", "worst_batch_bound", "current"; seeds "seed_runs", "band",
"mean", "current"; noise "cosine", "zero", "current", "points", "batch",
"ls_line", "batch_line", "fit", "contour", "path", "batch_step", "full_step",
"optimum"; comparison "ghost", "current".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from sgdlab import i18n, theory
from sgdlab.analysis import Band, BatchFit, Noise
from sgdlab.figures import (
    BLUE,
    GREEN,
    INK,
    ORANGE,
    PURPLE,
    QUIET,
    SKY,
    VERMILLION,
    base_layout,
    equal_scale,
    log_ticks,
    x_title,
)
from sgdlab.history import History
from sgdlab.sweep import Bounds, Sweep

FONT = 17
Ghosts = Sequence[tuple[str, History]]

TEXT: i18n.Text = {
    "map_title": ("Stability map: whole-data loss after {steps} steps",
                  "稳定性图：{steps} 步之后的整体损失"),
    "lr": ("Learning rate (log scale)", "学习率（对数坐标）"),
    "lr_short": ("Learning rate", "学习率"),  # a hover's: the axis says the scale
    "batch_size": ("Batch size", "批次大小"),
    "final_loss": ("whole-data loss", "整体损失"),
    "diverged": ("diverged", "发散"),
    "rising": ("ends above its start: heading for divergence",
               "最终比开始时还高：正在走向发散"),
    "diverged_at": ("diverged at step {step}", "第 {step} 步发散"),
    "full_bound": ("2/λ<sub>max</sub>, all data = {lr:.3g}",
                   "2/λ<sub>max</sub>（全部数据）= {lr:.3g}"),
    "worst_bound": ("2/λ<sub>max</sub>, worst batch", "2/λ<sub>max</sub>（最差批次）"),
    "current": ("current setting", "当前设置"),
    "click": ("click a cell to load its settings", "点击格子即可载入该设置"),
    "band_title": ("Is it luck? {k} runs with different {what} seeds",
                   "是运气吗？{k} 次不同{what}种子的训练"),
    "what_sampling": ("sampling", "取样"),
    "what_data": ("data", "数据"),
    "seed_runs": ("each seed", "每个种子"),
    "band": ("10%–90% of runs", "10%–90% 的训练"),
    "mean": ("mean", "平均"),
    "this_run": ("this run", "本次训练"),
    "step": ("Step", "训练步数"),
    "loss_log": ("Whole-data loss (log scale)", "整体损失（对数坐标）"),
    "n_diverged": ("{n} of {k} runs diverged and are left out",
                   "{k} 次中有 {n} 次发散，未计入"),
    "cos_title": ("Does the batch point the same way as all the data?",
                  "批次梯度和整体梯度方向一致吗？"),
    "cosine": ("cosine(batch gradient, whole-data gradient)", "cos（批次梯度，整体梯度）"),
    "cos_axis": ("Cosine similarity", "余弦相似度"),
    "fit_title": ("Step {step}: the batch's own best line", "第 {step} 步：批次自己的最佳直线"),
    "x": ("x (as the model sees it)", "x（模型看到的值）"),
    "y": ("y", "y"),
    "points": ("data", "数据点"),
    "batch": ("this step's batch", "本步批次"),
    "ls_line": ("best line, all data", "最小二乘直线（全部数据）"),
    "batch_line": ("best line, this batch", "最小二乘直线（本批次）"),
    "model": ("model before the step", "更新前的模型"),
    "arrows_title": ("Step {step}: batch vs whole-data step",
                     "第 {step} 步：批次梯度与整体梯度的方向"),
    "a": ("slope a", "斜率 a"),
    "b": ("intercept b", "截距 b"),
    "contour": ("equal whole-data loss", "等整体损失线"),
    "path": ("path of (a, b)", "(a, b) 的路径"),
    "batch_step": ("−lr × batch gradient (the step taken)", "−lr × 批次梯度（实际的一步）"),
    "full_step": ("−lr × whole-data gradient", "−lr × 整体梯度"),
    "optimum": ("optimum", "最优点"),
    "compare_title": ("Whole-data loss: this run and pinned runs", "整体损失：本次与固定的训练"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": FONT}}, "showline": True,
            "linecolor": "#444", "mirror": True, "ticks": "outside", "gridcolor": "#e6e6e6",
            "zeroline": False, "tickfont": {"size": FONT - 2}, **extra}


def _layout(title: str, height: int = 520, **axes: Any) -> dict[str, Any]:
    layout = base_layout(title, height)
    layout.update(axes)
    return layout


def _log_ticks(*arrays: np.ndarray) -> dict[str, Any]:
    """A log axis over these values, ticked as the live figure's (figures.log_ticks)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    decades = float(np.log10(values.max() / values.min())) if len(values) else 0.0
    return {"type": "log", **log_ticks(decades)}


def _role(role: str) -> dict[str, str]:
    return {"role": role}


def _pow10_ticks(lo: float, hi: float, plain: bool = True) -> tuple[list[float], list[str]]:
    """Tick positions (in log10) and labels between lo and hi: 0.01, 0.1, 1 or 10², 10³."""
    ks = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(ks) > 8:
        ks = ks[:: math.ceil(len(ks) / 8)]
    labels = [f"{10.0 ** k:g}" if plain or -2 <= k <= 2 else f"10<sup>{k}</sup>" for k in ks]
    return [float(k) for k in ks], labels


# ---------------------------------------------------------------- stability map


def _row_of(batch_sizes: np.ndarray, bs: int) -> float:
    """Row coordinate of a batch size: its index, or interpolated in log between rows."""
    logs = np.log(batch_sizes.astype(float))
    return float(np.interp(math.log(bs), logs, np.arange(len(batch_sizes))))


def stability_figure(result: Sweep, bounds: Bounds | None = None,
                     current: tuple[float, int] | None = None,
                     lang: str = i18n.DEFAULT_LANG, start: float | None = None) -> go.Figure:
    """Heatmap of log10 final loss over (lr, batch size), diverged cells crossed out.

    With ``start`` (the whole-data loss at a = b = 0), cells that end above it are marked
    too: the page warns of such a run as heading for divergence, and a student reading
    the map for the largest rate that converges had found a cell at 1.5e8 unmarked.

    x is log10(lr) and y the row index, so every cell has the same size; the
    invisible "cells" trace carries (lr, batch size) as customdata for clicks.
    """
    lx = np.log10(result.lrs)
    rows = np.arange(len(result.batch_sizes))
    z = np.log10(np.where(result.diverged, np.nan, result.final_total_loss))
    finite = z[np.isfinite(z)]
    zlo, zhi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    ctick, ctext = _pow10_ticks(zlo, zhi, plain=False)
    grid_lr, grid_bs = np.meshgrid(result.lrs, result.batch_sizes)
    loss_text = np.where(result.diverged,
                         [[tr("diverged_at", lang, step=int(s)) for s in r]
                          for r in result.diverged_at],
                         np.vectorize(lambda v: f"{v:.4g}")(result.final_total_loss))
    hover = (tr("lr_short", lang) + " %{customdata[0]:.4g}<br>" + tr("batch_size", lang)
             + " %{customdata[1]}<br>" + tr("final_loss", lang) + " %{customdata[2]}"
             + "<extra></extra>")
    custom = [[float(lr), int(bs), str(text)] for lr, bs, text in zip(
        grid_lr.ravel(), grid_bs.ravel(), loss_text.ravel(), strict=True)]
    gx, gy = np.meshgrid(lx, rows)
    with np.errstate(invalid="ignore"):
        rising = (~result.diverged & (result.final_total_loss > start) if start is not None
                  else np.zeros_like(result.diverged))
    traces: list[Any] = [
        go.Heatmap(x=lx, y=rows, z=z, colorscale="Viridis", zmin=zlo, zmax=zhi,
                   hoverinfo="skip", meta=_role("loss_map"), name=tr("final_loss", lang),
                   colorbar={"title": {"text": tr("final_loss", lang), "side": "right"},
                             "tickvals": ctick, "ticktext": ctext, "thickness": 16}),
        go.Heatmap(x=lx, y=rows, z=np.where(result.diverged, 1.0, np.nan),
                   colorscale=[[0, "#e9e9e9"], [1, "#e9e9e9"]], showscale=False,
                   hoverinfo="skip", meta=_role("diverged"), name=tr("diverged", lang)),
        go.Scatter(x=gx[result.diverged], y=gy[result.diverged], mode="markers",
                   name=tr("diverged", lang), hoverinfo="skip", meta=_role("diverged"),
                   marker={"symbol": "x-thin", "size": 9, "line": {"color": "#555", "width": 1.6}}),
        go.Scatter(x=gx[rising], y=gy[rising], mode="markers", name=tr("rising", lang),
                   hoverinfo="skip", meta=_role("rising"), showlegend=bool(rising.any()),
                   # white with a black edge: seen on dark and yellow cells alike
                   marker={"symbol": "triangle-up", "size": 11, "color": "white",
                           "line": {"color": "#111", "width": 1.5}}),
        # Clicks land on points, not on heatmap cells: one invisible marker per cell.
        go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", customdata=custom,
                   hovertemplate=hover, showlegend=False, meta=_role("cells"),
                   marker={"symbol": "square", "size": 14, "opacity": 0.01, "color": "white"}),
    ]
    if bounds is not None:
        # Black under white dashes: readable on dark and light cells alike.
        for color, width, dash, legend in (("black", 5, "solid", True),
                                           ("white", 2.5, "dash", False)):
            traces.append(go.Scatter(
                x=[math.log10(bounds.full_batch)] * 2, y=[-0.5, rows[-1] + 0.5], mode="lines",
                name=tr("full_bound", lang, lr=bounds.full_batch), showlegend=legend,
                legendgroup="full", meta=_role("full_batch_bound"), hoverinfo="skip",
                line={"color": color, "width": width, "dash": dash}))
        wx = np.repeat(np.log10(bounds.worst_batch), 2)
        wy = np.ravel([[_row_of(result.batch_sizes, b) - 0.5, _row_of(result.batch_sizes, b)
                        + 0.5] for b in bounds.batch_sizes])
        traces.append(go.Scatter(
            x=wx, y=wy, mode="lines", name=tr("worst_bound", lang),
            meta=_role("worst_batch_bound"), line={"color": ORANGE, "width": 3.5},
            hovertemplate="2/λ<sub>max</sub> %{customdata:.3g}<extra></extra>",
            customdata=np.repeat(bounds.worst_batch, 2)))
    if current is not None:
        lr, bs = current
        traces.append(go.Scatter(
            x=[math.log10(lr)], y=[_row_of(result.batch_sizes, bs)], mode="markers",
            name=tr("current", lang), meta=_role("current"), hoverinfo="skip",
            marker={"symbol": "circle-open", "size": 22, "color": VERMILLION,
                    "line": {"width": 4, "color": VERMILLION}}))
    xt, xtext = _pow10_ticks(float(lx.min()), float(lx.max()))
    half = (lx[1] - lx[0]) / 2 if len(lx) > 1 else 0.5
    layout = _layout(
        tr("map_title", lang, steps=result.config.steps), height=560,
        xaxis=_axis(tr("lr", lang), tickvals=xt, ticktext=xtext,
                    range=[lx.min() - half, lx.max() + half]),
        yaxis=_axis(tr("batch_size", lang), tickvals=list(rows),
                    ticktext=[str(b) for b in result.batch_sizes], range=[-0.5, rows[-1] + 0.5]),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "bgcolor":
                "rgba(255,255,255,0.9)", "font": {"size": FONT - 3}},
        margin={"l": 80, "r": 20, "t": 110, "b": 70}, clickmode="event+select")
    return go.Figure(traces, layout)


# ---------------------------------------------------------------- seed band


def seed_band_figure(band: Band, current: History, lang: str = i18n.DEFAULT_LANG) -> go.Figure:
    """Every seed faintly, the 10-90% band and the mean, and the current run on top."""
    step = band.step
    runs_x = np.concatenate([np.r_[step, np.nan] for _ in band.total_loss])
    runs_y = np.concatenate([np.r_[row, np.nan] for row in band.total_loss])
    k = len(band.seeds)
    traces: list[Any] = [
        go.Scatter(x=runs_x, y=runs_y, mode="lines", name=tr("seed_runs", lang),
                   line={"color": SKY, "width": 1}, opacity=0.35, hoverinfo="skip",
                   meta=_role("seed_runs")),
        go.Scatter(x=np.r_[step, step[::-1]], y=np.r_[band.hi, band.lo[::-1]], fill="toself",
                   fillcolor="rgba(0,114,178,0.22)", line={"width": 0}, name=tr("band", lang),
                   hoverinfo="skip", meta=_role("band")),
        go.Scatter(x=step, y=band.mean, mode="lines", name=tr("mean", lang),
                   line={"color": BLUE, "width": 3}, meta=_role("mean"),
                   hovertemplate=tr("mean", lang) + " %{y:.4g}<extra></extra>"),
        go.Scatter(x=current.step, y=current.total_loss, mode="lines",
                   name=tr("this_run", lang), line={"color": VERMILLION, "width": 3.5},
                   meta=_role("current"),
                   hovertemplate=tr("this_run", lang) + " %{y:.4g}<extra></extra>"),
    ]
    what = tr("what_" + band.vary, lang)
    layout = _layout(tr("band_title", lang, k=k, what=what), xaxis=_axis(tr("step", lang)),
                     yaxis=_axis(tr("loss_log", lang), **_log_ticks(band.total_loss,
                                                                     current.total_loss)))
    if band.diverged:
        layout["annotations"] = [{"text": tr("n_diverged", lang, n=band.diverged, k=k),
                                  "xref": "paper", "yref": "paper", "x": 1, "y": 1,
                                  "xanchor": "right", "yanchor": "top", "showarrow": False,
                                  "font": {"size": FONT - 2, "color": VERMILLION}}]
    return go.Figure(traces, layout)


# ---------------------------------------------------------------- gradient noise


def cosine_figure(noise: Noise, step: int, lang: str = i18n.DEFAULT_LANG) -> go.Figure:
    """Cosine similarity of batch and whole-data gradient per step, the current step marked."""
    steps = np.arange(1, len(noise.cosine) + 1)
    mode = "lines+markers" if len(steps) <= 100 else "lines"
    i = min(max(step, 1), len(steps)) - 1
    traces = [
        go.Scatter(x=[0.5, len(steps) + 0.5], y=[0, 0], mode="lines", showlegend=False,
                   line={"color": QUIET, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
                   meta=_role("zero")),
        go.Scatter(x=steps, y=noise.cosine, mode=mode, name=tr("cosine", lang),
                   line={"color": PURPLE, "width": 2.5}, marker={"size": 6},
                   meta=_role("cosine"),
                   hovertemplate=tr("step", lang) + " %{x}<br>cos %{y:.3f}<extra></extra>"),
        go.Scatter(x=[i + 1], y=[noise.cosine[i]], mode="markers", name=tr("current", lang),
                   showlegend=False, meta=_role("current"), hoverinfo="skip",
                   marker={"symbol": "circle-open", "size": 16, "color": VERMILLION,
                           "line": {"width": 3}}),
    ]
    return go.Figure(traces, _layout(
        tr("cos_title", lang), height=380,
        xaxis=_axis(tr("step", lang), range=[0.5, len(steps) + 0.5]),
        yaxis=_axis(tr("cos_axis", lang), range=[-1.08, 1.08], tickvals=[-1, -0.5, 0, 0.5, 1]),
        legend={"x": 0.01, "y": 0.02, "yanchor": "bottom"}))


def batch_fit_figure(history: History, fit: BatchFit, step: int, a: float, b: float,
                     lang: str = i18n.DEFAULT_LANG) -> go.Figure:
    """All points, the step's batch, the best line for all data and for the batch alone.

    ``a``, ``b`` are the model's parameters before the update at ``step``.
    """
    x, y = history.data.xy64
    opt = theory.least_squares(history.data)
    xs = np.array([x.min(), x.max()])
    traces: list[Any] = [
        go.Scatter(x=x, y=y, mode="markers", name=tr("points", lang),
                   marker={"color": "#c4c4c4", "size": 6}, meta=_role("points"),
                   hoverinfo="skip"),
        go.Scatter(x=x[fit.indices], y=y[fit.indices], mode="markers", name=tr("batch", lang),
                   marker={"color": ORANGE, "size": 10, "line": {"color": INK, "width": 1}},
                   meta=_role("batch"), hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"),
        go.Scatter(x=xs, y=opt.a * xs + opt.b, mode="lines", name=tr("ls_line", lang),
                   line={"color": GREEN, "width": 3, "dash": "dot"}, meta=_role("ls_line"),
                   hoverinfo="skip"),
        go.Scatter(x=xs, y=a * xs + b, mode="lines", name=tr("model", lang),
                   line={"color": VERMILLION, "width": 2.5}, meta=_role("fit"),
                   hoverinfo="skip"),
    ]
    if fit.a is not None and fit.b is not None:
        traces.append(go.Scatter(x=xs, y=fit.a * xs + fit.b, mode="lines",
                                 name=tr("batch_line", lang), meta=_role("batch_line"),
                                 line={"color": ORANGE, "width": 3, "dash": "dash"},
                                 hoverinfo="skip"))
    pad = 0.1 * (y.max() - y.min())
    return go.Figure(traces, _layout(
        tr("fit_title", lang, step=step), xaxis=_axis(x_title(history.data, lang)),
        yaxis=_axis(history.data.y_label, range=[y.min() - pad, y.max() + pad]), **_legend_below()))


def gradient_figure(history: History, noise: Noise, step: int,
                    lang: str = i18n.DEFAULT_LANG) -> go.Figure:
    """Parameter space at ``step``: the step SGD took (−lr × batch gradient) and full GD's."""
    i = min(max(step, 1), len(noise.cosine)) - 1
    lr = float(history.lr[i])
    a0, b0 = float(noise.a[i]), float(noise.b[i])
    bstep = -lr * noise.batch_grad[i]
    fstep = -lr * noise.full_grad[i]
    opt = theory.least_squares(history.data)
    pts_a = np.r_[0, history.a[: i + 1], a0 + bstep[0], a0 + fstep[0], opt.a]
    pts_b = np.r_[0, history.b[: i + 1], b0 + bstep[1], b0 + fstep[1], opt.b]
    ok = np.isfinite(pts_a) & np.isfinite(pts_b)
    a_rng = _pad(pts_a[ok].min(), pts_a[ok].max())
    b_rng = _pad(pts_b[ok].min(), pts_b[ok].max())
    square = equal_scale(history.data, "x")
    if square:  # the same span on both axes, drawn to scale: the full step's arrow then
        # looks perpendicular to the level sets, as it is
        half = max(a_rng[1] - a_rng[0], b_rng[1] - b_rng[0]) / 2
        a_rng, b_rng = ((sum(r) / 2 - half, sum(r) / 2 + half) for r in (a_rng, b_rng))
        square = {**square, "constrain": "domain"}
    ga, gb = np.linspace(*a_rng, 120), np.linspace(*b_rng, 120)
    z = np.log10(np.maximum(theory.loss_grid(history.data, ga, gb) - opt.loss, 1e-12))
    traces: list[Any] = [
        go.Contour(x=ga, y=gb, z=z, colorscale="Blues", reversescale=True, showscale=False,
                   contours={"coloring": "fill", "showlines": True}, line={"width": 0.6},
                   ncontours=18, opacity=0.55, hoverinfo="skip", name=tr("contour", lang),
                   meta=_role("contour")),
        go.Scatter(x=np.r_[0, history.a[:i]], y=np.r_[0, history.b[:i]], mode="lines+markers",
                   name=tr("path", lang), line={"color": BLUE, "width": 2}, marker={"size": 5},
                   meta=_role("path"), hovertemplate="a=%{x:.4f}<br>b=%{y:.4f}<extra></extra>"),
        go.Scatter(x=[opt.a], y=[opt.b], mode="markers", name=tr("optimum", lang),
                   marker={"symbol": "star", "size": 18, "color": GREEN,
                           "line": {"color": INK, "width": 1}}, meta=_role("optimum"),
                   hovertemplate="a*=%{x:.4f}<br>b*=%{y:.4f}<extra></extra>"),
    ]
    for key, d, color in (("full_step", fstep, GREEN), ("batch_step", bstep, VERMILLION)):
        traces.append(go.Scatter(
            x=[a0, a0 + d[0]], y=[b0, b0 + d[1]], mode="lines+markers", name=tr(key, lang),
            line={"color": color, "width": 4},
            marker={"symbol": ["circle", "arrow"], "size": [8, 20], "angleref": "previous",
                    "color": color},
            meta=_role(key), hovertemplate="Δa=%{customdata[0]:.4g}<br>Δb=%{customdata[1]:.4g}"
            "<extra></extra>", customdata=[[0, 0], [float(d[0]), float(d[1])]]))
    return go.Figure(traces, _layout(
        tr("arrows_title", lang, step=i + 1),
        xaxis=_axis(tr("a", lang), range=a_rng,
                    **({"constrain": "domain"} if square else {})),
        yaxis=_axis(tr("b", lang), range=b_rng, **square), **_legend_below()))


def _legend_below() -> dict[str, Any]:
    """A legend under the axes, for figures drawn side by side (where it would hide data)."""
    return {"height": 600, "legend": {"orientation": "h", "x": 0, "y": -0.18,
                                      "yanchor": "top", "font": {"size": FONT - 3}},
            "margin": {"l": 70, "r": 20, "t": 70, "b": 40}}


def _pad(lo: float, hi: float, frac: float = 0.12) -> tuple[float, float]:
    width = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - frac * width, hi + frac * width


# ---------------------------------------------------------------- comparison


def compare_figure(current: History, ghosts: Ghosts, lang: str = i18n.DEFAULT_LANG,
                   log_y: bool = True) -> go.Figure:
    """Whole-data loss of each pinned run (dashed, labelled by its settings) and this run."""
    palette = [QUIET, SKY, ORANGE, GREEN, PURPLE, BLUE]
    traces: list[Any] = []
    for k, (label, ghost) in enumerate(ghosts):
        traces.append(go.Scatter(x=ghost.step, y=ghost.total_loss, mode="lines", name=label,
                                 line={"color": palette[k % len(palette)], "width": 2.5,
                                       "dash": "dash"}, meta=_role("ghost"),
                                 hovertemplate=label + "<br>%{y:.4g}<extra></extra>"))
    traces.append(go.Scatter(x=current.step, y=current.total_loss, mode="lines",
                             name=tr("this_run", lang), line={"color": VERMILLION, "width": 3.5},
                             meta=_role("current"),
                             hovertemplate=tr("this_run", lang) + " %{y:.4g}<extra></extra>"))
    legend = {"orientation": "v", "x": 0, "y": -0.2, "yanchor": "top", "font": {"size": FONT - 3}}
    return go.Figure(traces, _layout(
        tr("compare_title", lang), height=480 + 26 * len(traces), legend=legend,
        # automargin: room for the step axis's title under its ticks ("10Step" overlapped)
        margin={"l": 80, "r": 20, "t": 70, "b": 60},
        xaxis=_axis(tr("step", lang), automargin=True),
        yaxis=_axis(tr("loss_log", lang), **(_log_ticks(current.total_loss, *(
            g.total_loss for _, g in ghosts)) if log_y else {"type": "linear"}))))
