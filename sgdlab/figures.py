"""Plotly figures of one run: pure functions from a History to a figure, no Streamlit.

    fig = live_figure(train(DataConfig(), TrainConfig()), "en")   # fit, loss, landscape
    fig.write_html("run.html")                                    # plays in any browser

Every trace carries ``meta={"role": ...}`` so a restyler (print, notebook
looks) can find it: fit "points", "batch", "fit", "true_line", "ls_line",
"readout"; loss "batch_loss", "total_loss", "min_loss", "epoch", "current";
parameter space "contour", "path", "current", "optimum"; pinned runs "ghost".
Arrays go out as float32 (plotly sends them base64-encoded): half the bytes,
and still far more digits than a screen shows.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from sgdlab import i18n, theory
from sgdlab.config import choice_label
from sgdlab.data import Data
from sgdlab.history import History

Ghosts = Sequence[tuple[str, History]]

# Okabe-Ito: distinguishable with every common colour-vision deficiency, and in grey.
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")
INK, QUIET = "#222222", "#8C8C8C"
FONT = 17           # readable from the back of a classroom
MAX_POINTS_SHOWN = 2000  # a scatter of more points is a grey blur that costs bandwidth
NO_TEMPLATE: dict[str, Any] = {"data": {"scatter": [{"type": "scatter"}]}}  # plotly's "none"
MAX_FRAMES = 200    # playback frames for long runs; curves still show every step
VIEW_LOSS_FACTOR = 50.0  # axes frame the steps whose loss stays under this x the start

TEXT: i18n.Text = {
    "fit_title": ("Fit at step {step}", "第 {step} 步的拟合"),
    "loss_title": ("Loss per step", "每一步的模型损失"),
    "params_title": ("Parameter space: whole-data loss over (a, b)",
                     "参数空间：整体损失随 (a, b) 的变化"),
    "x": ("x (as the model sees it)", "x（模型看到的值）"),
    "x_std": ("{x} (standardized)", "{x}（已归一化）"),
    "y": ("y", "y"),
    "step": ("Step", "训练步数"),
    "loss": ("Loss (mean squared error)", "模型损失（均方误差）"),
    "loss_log": ("Loss (mean squared error, log scale)", "模型损失（均方误差，对数坐标）"),
    "a": ("slope a", "斜率 a"),
    "b": ("intercept b", "截距 b"),
    "points": ("data", "数据点"),
    "points_some": ("data ({shown:,} of {n:,} shown)", "数据点（显示 {n:,} 个中的 {shown:,} 个）"),
    "batch": ("current batch", "当前批次"),
    "fit": ("fitted line", "拟合直线"),
    "true_line": ("true line", "真实直线"),
    "ls_line": ("least squares", "最小二乘"),
    "batch_loss": ("batch loss", "批次损失"),
    "total_loss": ("whole-data loss", "整体损失"),
    "min_loss": ("least-squares minimum", "最小二乘最小值"),
    "epoch": ("epoch boundary", "轮次边界"),
    "epoch_every": ("epoch boundary (one per {k} epochs)", "轮次边界（每 {k} 轮一条）"),
    "current": ("current step", "当前步"),
    "off_chart": ("off the chart: the arrow points where it went",
                  "已超出图的范围：箭头指向它的去向"),
    "contour": ("equal loss", "等损失线"),
    "path": ("path of (a, b)", "(a, b) 的路径"),
    "optimum": ("optimum", "最优点"),
    # the live figure's panel titles: short enough for a 1280-pixel projector with the
    # sidebar open (the legends and the Explain tab say what is drawn)
    "fit_panel": ("Fit at this step", "当前步的拟合"),
    "params_panel": ("Parameter space (a, b)", "参数空间 (a, b)"),
    "run_title": ("lr = {lr} · batch = {batch} · {steps} steps",
                  "学习率 = {lr} · 批次大小 = {batch} · {steps} 步"),
    "play": ("▶ Play", "▶ 播放"),
    "pause": ("❚❚ Pause", "❚❚ 暂停"),
    "resume": ("▷ Resume", "▷ 继续"),
    "speed": ("speed", "速度"),
    "diverged": ("diverged at step {step}", "第 {step} 步发散"),
    "accumulation": ("gradient accumulated over {k}", "梯度分 {k} 次累积"),
    # the slider's "Step: 7"; 训练步数 (the axis) is also the sidebar's word for the count
    "current_step": ("Step", "当前步"),
}


# ---------------------------------------------------------------- helpers


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """1-based steps that get a playback frame: all, or an even subsample that keeps the last."""
    if steps <= max_frames:
        return np.arange(1, steps + 1)
    return np.unique(np.linspace(1, steps, max_frames).round().astype(int))


def _f32(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _clamp_step(history: History, step: int | None) -> int:
    return history.steps if step is None else int(min(max(step, 1), max(history.steps, 1)))


def _view(history: History) -> np.ndarray:
    """Mask of the steps the axes should frame: all but the run-away end of a divergence."""
    start = max(history.initial_total_loss, 1e-12)
    with np.errstate(invalid="ignore"):
        return np.asarray(history.total_loss <= VIEW_LOSS_FACTOR * start, dtype=bool)


def forced_log(history: History) -> bool:
    """Is the loss drawn on a log axis whatever the switch says? An explosion only reads on
    one: a diverged run, or one whose loss has left the framed range (momentum 0.5: a
    linear axis stopped at 6,000 while the loss was 56,800)."""
    return history.diverged_at is not None or not bool(_view(history).all())


def _span(lo: float, hi: float, pad: float = 0.08) -> list[float]:
    width = hi - lo if hi > lo else max(abs(hi), 1.0)
    return [lo - pad * width, hi + pad * width]


def _role(role: str) -> dict[str, str]:
    return {"role": role}


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": FONT}}, "showline": True,
            "linecolor": "#444", "mirror": True, "ticks": "outside", "gridcolor": "#e6e6e6",
            "zeroline": False, "tickfont": {"size": FONT - 2}, **extra}


def base_layout(title: str = "", height: int = 520) -> dict[str, Any]:
    """White, print-friendly layout with large fonts, shared by every figure."""
    return {
        "height": height, "paper_bgcolor": "white",
        "plot_bgcolor": "white", "font": {"size": FONT, "color": INK,
                                          "family": "Noto Sans, Noto Sans CJK SC, sans-serif"},
        "title": {"text": title, "font": {"size": FONT + 5}, "x": 0.01, "xanchor": "left"},
        "margin": {"l": 80, "r": 20, "t": 70, "b": 70}, "hovermode": "closest",
        "hoverlabel": {"font": {"size": FONT - 1}},
        "legend": {"bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ccc", "borderwidth": 1,
                   "font": {"size": FONT - 2}},
    }


# ---------------------------------------------------------------- trace builders


def _shown_points(history: History) -> np.ndarray:
    n = history.data.n
    return np.arange(n) if n <= MAX_POINTS_SHOWN else np.linspace(0, n - 1, MAX_POINTS_SHOWN,
                                                                    dtype=int)


def _batch_xy(history: History, step: int) -> tuple[np.ndarray, np.ndarray]:
    if history.steps == 0:
        return _f32([]), _f32([])
    idx = history.batch_indices(step)
    if len(idx) > MAX_POINTS_SHOWN:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_POINTS_SHOWN, dtype=int)]
    x, y = history.data.xy64
    return _f32(x[idx]), _f32(y[idx])


def notebook_line(history: History, step: int) -> str:
    """The notebook's printed line for ``step``, as :meth:`History.notebook_lines` formats it."""
    i = step - 1
    return (f"Step {step}, Loss: {history.batch_loss[i]: .2f}; "
            f"Result: y = {history.a[i]:.2f} * x + {history.b[i]:.2f}")


def _ab(history: History, step: int) -> tuple[float, float]:
    return (float(history.a[step - 1]), float(history.b[step - 1])) if history.steps else (0., 0.)


def _fit_dynamic(history: History, step: int, lang: str, x_range: list[float],
                 y_range: list[float]) -> list[dict[str, Any]]:
    """The traces of the fit panel that change with the step: batch, line, log line."""
    bx, by = _batch_xy(history, step)
    a, b = _ab(history, step)
    line = notebook_line(history, step) if history.steps else ""
    return [
        {"type": "scatter", "x": bx, "y": by, "mode": "markers", "name": tr("batch", lang),
         "marker": {"color": ORANGE, "size": 10, "line": {"color": INK, "width": 1}},
         "meta": _role("batch"), "hovertemplate": "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"},
        {"type": "scatter", "x": _f32(x_range), "y": _f32([a * x_range[0] + b, a * x_range[1] + b]),
         "mode": "lines", "name": tr("fit", lang), "line": {"color": BLUE, "width": 4},
         "meta": _role("fit"), "hovertemplate": "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"},
        # The notebook's log line, in the headroom at the top: it moves with the frames.
        {"type": "scatter", "x": [x_range[0] + 0.02 * (x_range[1] - x_range[0])],
         "y": [y_range[1] - 0.03 * (y_range[1] - y_range[0])], "mode": "text", "text": [line],
         "textposition": "bottom right",
         "textfont": {"size": FONT - 2, "family": "DejaVu Sans Mono, monospace", "color": INK},
         "showlegend": False, "hoverinfo": "skip", "meta": _role("readout")},
    ]


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def _fit_panel(history: History, step: int, lang: str, true_line: tuple[float, float] | None,
               headroom: float = 0.14) -> tuple[list[dict], dict, dict]:
    data = history.data
    x, y = data.xy64
    shown = _shown_points(history)
    x_range = _span(x.min(), x.max(), 0.04)
    lo, hi = _span(y.min(), y.max(), 0.08)
    y_range = [lo, hi + headroom * (hi - lo)]  # room for the log line
    opt = theory.least_squares(data)
    static: list[dict[str, Any]] = [
        {"type": "scatter", "x": _f32(x[shown]), "y": _f32(y[shown]), "mode": "markers",
         "name": tr("points", lang) if len(shown) == data.n else tr(
             "points_some", lang, shown=len(shown), n=data.n),  # training uses every one
         "marker": {"color": "#b5b5b5", "size": 7},
         "meta": _role("points"), "hovertemplate": "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"},
        {"type": "scatter", "x": _f32(x_range), "y": _f32([opt.a * v + opt.b for v in x_range]),
         "mode": "lines", "name": tr("ls_line", lang),
         "line": {"color": GREEN, "width": 2.5, "dash": "dot"}, "meta": _role("ls_line"),
         "hovertemplate": f"y = {opt.a:.4g} · x + {opt.b:.4g}<extra></extra>"},
    ]
    if true_line is not None:
        ta, tb = true_line
        static.append({"type": "scatter", "x": _f32(x_range),
                       "y": _f32([ta * v + tb for v in x_range]), "mode": "lines",
                       "name": tr("true_line", lang),
                       "line": {"color": INK, "width": 1.5, "dash": "dash"},
                       "meta": _role("true_line"),
                       "hovertemplate": f"y = {ta:.4g} · x + {tb:.4g}<extra></extra>"})
    xaxis = _axis(x_title(history.data, lang), range=x_range)
    yaxis = _axis(history.data.y_label, range=y_range)
    return static + _fit_dynamic(history, step, lang, x_range, y_range), xaxis, yaxis


def x_title(data: Data, lang: str) -> str:
    """The fit's x axis: the notebook's words for its own x, a file's column name otherwise."""
    if data.x_label == "x":
        return tr("x", lang)
    return tr("x_std", lang, x=data.x_label) if data.standardized else data.x_label


def _loss_panel(history: History, step: int, lang: str, log_y: bool,
                ghosts: Ghosts) -> tuple[list[dict], dict, dict]:
    n_steps = max(history.steps, 1)
    view = _view(history)
    log_y = log_y or forced_log(history)
    opt = theory.least_squares(history.data)
    mode = "lines+markers" if history.steps <= 30 else "lines"  # every marker is a DOM node
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x0": 1, "dx": 1, "y": _f32(history.batch_loss), "mode": mode,
         "name": tr("batch_loss", lang), "line": {"color": SKY, "width": 1.5},
         "marker": {"size": 6}, "meta": _role("batch_loss"),
         "hovertemplate": tr("batch_loss", lang) + " %{y:.6g}<br>" + tr("step", lang)
         + " %{x}<extra></extra>"},
        {"type": "scatter", "x0": 1, "dx": 1, "y": _f32(history.total_loss), "mode": mode,
         "name": tr("total_loss", lang), "line": {"color": VERMILLION, "width": 3.5},
         "marker": {"size": 7}, "meta": _role("total_loss"),
         "hovertemplate": tr("total_loss", lang) + " %{y:.6g}<br>" + tr("step", lang)
         + " %{x}<extra></extra>"},
        {"type": "scatter", "x": [0.5, n_steps + 0.5], "y": [opt.loss, opt.loss], "mode": "lines",
         "name": tr("min_loss", lang), "line": {"color": GREEN, "width": 2, "dash": "dot"},
         "meta": _role("min_loss"),
         "hovertemplate": tr("min_loss", lang) + f" {opt.loss:.6g}<extra></extra>"},
    ]
    traces += _epoch_trace(history, lang, log_y)
    for i, (label, ghost) in enumerate(ghosts):
        traces.append({"type": "scatter", "x0": 1, "dx": 1, "y": _f32(ghost.total_loss),
                       "mode": "lines", "name": _ghost_name(label), "opacity": 0.85,
                       "legendgroup": f"ghost{i}", "line": _ghost_line(i),
                       "meta": _role("ghost"), "hovertemplate": label + " %{y:.6g}<extra></extra>"})
    traces.append(_loss_marker(history, step, lang))
    shown = np.concatenate([history.batch_loss[view], history.total_loss[view], [opt.loss]])
    shown = shown[np.isfinite(shown)]
    if log_y:
        shown = np.concatenate([history.batch_loss, history.total_loss, [opt.loss]])
        shown = shown[np.isfinite(shown)]
        pos = shown[shown > 0]
        lo, hi = (np.log10(pos.min()), np.log10(pos.max())) if len(pos) else (-1.0, 1.0)
        yaxis = _axis(tr("loss_log", lang), type="log", range=_span(lo, hi, 0.06),
                      **log_ticks(hi - lo))
    else:
        yaxis = _axis(tr("loss", lang), range=[0, float(shown.max()) * 1.06 if len(shown) else 1])
    xaxis = _axis(tr("step", lang), range=[0.5, n_steps + 0.5],
                  **({"dtick": 1} if n_steps <= 12 else {}))  # never a step 2.5
    return traces, xaxis, yaxis


def log_ticks(decades: float) -> dict[str, Any]:
    """Ticks of a log axis: powers of ten, written as powers, once it spans a decade.

    Plotly's default labels the 2s and 5s between decades ("100, 5, 2, 10, 5, 2,
    1"), which a class read as a broken axis, and writes 1e10 as "10B".
    """
    if decades < 1:
        return {"exponentformat": "power"}
    return {"dtick": max(1, math.ceil(decades / 8)), "exponentformat": "power"}


def _epoch_trace(history: History, lang: str, log_y: bool) -> list[dict[str, Any]]:
    """Vertical dotted lines between epochs, as one trace (None breaks the line)."""
    c = history.config
    per_epoch = history.data.n / c.batch_size
    # full batch: every step is an epoch, and a line at every step says nothing
    if history.steps == 0 or per_epoch >= history.steps or per_epoch <= 1:
        return []
    starts = np.arange(1, history.steps)[
        np.diff((np.arange(history.steps) * c.batch_size) // history.data.n) > 0] + 0.5
    if not len(starts):  # a few steps of a batch over half the points: still the first epoch
        return []
    every = int(np.ceil(len(starts) / 25))  # at most ~25 lines: more only grey the plot
    starts = starts[every - 1:: every]
    name = tr("epoch", lang) if every == 1 else tr("epoch_every", lang, k=every)
    lo, hi = (1e-30, 1e30) if log_y else (-1e30, 1e30)
    xs = np.repeat(starts, 3).astype(object)
    ys = np.tile(np.array([lo, hi, None], dtype=object), len(starts))
    xs[2::3] = None
    return [{"type": "scatter", "x": xs.tolist(), "y": ys.tolist(), "mode": "lines",
             "name": name, "line": {"color": "#9a9a9a", "width": 1, "dash": "dot"},
             "meta": _role("epoch"), "hoverinfo": "skip"}]


def _loss_marker(history: History, step: int, lang: str) -> dict[str, Any]:
    total = float(history.total_loss[step - 1]) if history.steps else float("nan")
    return {"type": "scatter", "x": [step], "y": [total], "mode": "markers",
            "name": tr("current", lang), "showlegend": False,
            "marker": {"color": VERMILLION, "size": 15, "symbol": "circle-open",
                       "line": {"width": 3}},
            "meta": _role("current"),
            "hovertemplate": (tr("current_step", lang) + " %{x}<br>" + tr("total_loss", lang)
                              + " %{y:.6g}<extra></extra>")}


# Pinned runs: a colour and a dash each, none grey-dotted like the epoch boundaries
# and none in the current run's colours (sky, vermillion, blue).
GHOST_LINES = tuple({"color": c, "dash": d} for c, d in (
    (PURPLE, "dash"), (ORANGE, "dashdot"), (INK, "longdash"), (QUIET, "dash"),
    (PURPLE, "longdashdot"), (ORANGE, "longdash"), (INK, "dashdot"), (QUIET, "longdashdot")))
GHOST_NAME_CHARS = 26


def _ghost_line(i: int) -> dict[str, Any]:
    return {"width": 2.5, **GHOST_LINES[i % len(GHOST_LINES)]}


def _ghost_name(label: str) -> str:
    """A pinned run's legend entry: its label ("#2 lr=0.3"), cut short so a long one never
    buries the chart under its legend; the whole label is in the hover."""
    return label if len(label) <= GHOST_NAME_CHARS else label[:GHOST_NAME_CHARS - 1] + "…"


def landscape_box(history: History, ghosts: Ghosts = ()) -> tuple[list[float], list[float]]:
    """(a range, b range) framing the start (0, 0), the optimum and the sane part of the path."""
    opt = theory.least_squares(history.data)
    view = _view(history)
    a_all = [np.zeros(1), [opt.a], history.a[view]] + [g.a[_view(g)] for _, g in ghosts]
    b_all = [np.zeros(1), [opt.b], history.b[view]] + [g.b[_view(g)] for _, g in ghosts]
    a = np.concatenate([np.asarray(v, dtype=float) for v in a_all])
    b = np.concatenate([np.asarray(v, dtype=float) for v in b_all])
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    return _span(a.min(), a.max(), 0.15), _span(b.min(), b.max(), 0.15)


def _ellipses(history: History, a_range: list[float], b_range: list[float],
              lang: str) -> list[dict[str, Any]]:
    """Filled level sets of the whole-data loss: exact ellipses, since the loss is quadratic."""
    opt = theory.least_squares(history.data)
    h = theory.data_hessian(history.data)
    lam, vec = np.linalg.eigh(h)
    lam = np.maximum(lam, 1e-300)
    corners = np.array([[a, b] for a in a_range for b in b_range]) - [opt.a, opt.b]
    top = float(max(0.5 * d @ h @ d for d in corners))
    levels = top * 0.35 ** np.arange(9)
    t = np.linspace(0, 2 * np.pi, 97)
    circle = np.stack([np.cos(t), np.sin(t)])
    shades = ["#f4f8fb", "#e2ecf4", "#d0e1ed", "#bed6e6", "#accbdf", "#9ac0d8",
              "#88b5d1", "#76aaca", "#649fc3"]
    traces = []
    for k, level in enumerate(levels):
        pts = vec @ (np.sqrt(2 * level / lam)[:, None] * circle)
        loss = opt.loss + level
        traces.append({"type": "scatter", "x": _f32(pts[0] + opt.a), "y": _f32(pts[1] + opt.b),
                       "mode": "lines", "fill": "toself", "fillcolor": shades[k],
                       "line": {"color": "#7f9fb5", "width": 0.8},
                       "name": tr("contour", lang), "legendgroup": "contour",
                       "showlegend": k == 0, "meta": _role("contour"),
                       "hovertemplate": tr("total_loss", lang) + f" {loss:.4g}<extra></extra>"})
    return traces


def _params_panel(history: History, step: int, lang: str,
                  ghosts: Ghosts) -> tuple[list[dict], dict, dict]:
    a_range, b_range = landscape_box(history, ghosts)
    opt = theory.least_squares(history.data)
    traces = _ellipses(history, a_range, b_range, lang)
    for i, (label, ghost) in enumerate(ghosts):
        traces.append({"type": "scatter", "x": _f32(np.r_[0, ghost.a]),
                       "y": _f32(np.r_[0, ghost.b]), "mode": "lines", "name": _ghost_name(label),
                       "legendgroup": f"ghost{i}", "showlegend": False,  # named on the loss panel
                       "opacity": 0.85, "hovertemplate": label + "<extra></extra>",
                       "line": _ghost_line(i),
                       "meta": _role("ghost")})
    mode = "lines+markers" if history.steps <= 60 else "lines"
    traces += [
        {"type": "scatter", "x": _f32(np.r_[0, history.a]), "y": _f32(np.r_[0, history.b]),
         "mode": mode, "name": tr("path", lang), "line": {"color": BLUE, "width": 2.5},
         "marker": {"size": 6}, "meta": _role("path"),
         "hovertemplate": "a=%{x:.4f}<br>b=%{y:.4f}<extra></extra>"},
        {"type": "scatter", "x": [opt.a], "y": [opt.b], "mode": "markers",
         "name": tr("optimum", lang), "meta": _role("optimum"),
         "marker": {"color": GREEN, "size": 20, "symbol": "star", "line": {"color": INK,
                                                                           "width": 1}},
         "hovertemplate": f"a*={opt.a:.4f}<br>b*={opt.b:.4f}<extra></extra>"},
        _params_marker(history, step, lang, (a_range, b_range)),
    ]
    return traces, _axis(tr("a", lang), range=a_range), _axis(tr("b", lang), range=b_range)


def _params_marker(history: History, step: int, lang: str,
                   box: tuple[list[float], list[float]] | None = None) -> dict[str, Any]:
    """The current (a, b); outside ``box`` (a diverging run), an arrow where the path
    leaves the panel, pointing the way it went, its hover giving the real values."""
    a, b = _ab(history, step)
    x, y, angle = a, b, None
    if box is not None and math.isfinite(a) and math.isfinite(b):
        (a0, a1), (b0, b1) = box
        if not (a0 <= a <= a1 and b0 <= b <= b1):
            start = _ab(history, step - 1) if step > 1 else (0.0, 0.0)
            if not (a0 <= start[0] <= a1 and b0 <= start[1] <= b1):
                start = ((a0 + a1) / 2, (b0 + b1) / 2)  # from a point already off: the centre
            x, y = _exit_point(start, (a, b), box)
            pa, pb = 0.03 * (a1 - a0), 0.04 * (b1 - b0)
            x, y = min(max(x, a0 + pa), a1 - pa), min(max(y, b0 + pb), b1 - pb)
            # clockwise from up, in the panel's own proportions
            angle = math.degrees(math.atan2((a - start[0]) / (a1 - a0), (b - start[1]) / (b1 - b0)))
    text = f"a={a:.6g}<br>b={b:.6g}" + ("" if angle is None else "<br>" + tr("off_chart", lang))
    marker = ({"color": VERMILLION, "size": 16, "symbol": "circle", "angle": 0,
               "line": {"color": INK, "width": 1.5}} if angle is None else
              {"color": VERMILLION, "size": 22, "symbol": "arrow", "angle": round(angle, 1),
               "line": {"color": INK, "width": 1.5}})
    return {"type": "scatter", "x": [x], "y": [y], "mode": "markers", "name": tr("current", lang),
            "marker": marker, "text": [text], "meta": _role("current"),
            "hovertemplate": "%{text}<extra></extra>"}


def _exit_point(start: tuple[float, float], end: tuple[float, float],
                box: tuple[list[float], list[float]]) -> tuple[float, float]:
    """Where the segment from ``start`` (inside ``box``) to ``end`` (outside) crosses its edge."""
    t = 1.0
    for p, d, (lo, hi) in ((start[0], end[0] - start[0], box[0]),
                           (start[1], end[1] - start[1], box[1])):
        if d > 0:
            t = min(t, (hi - p) / d)
        elif d < 0:
            t = min(t, (lo - p) / d)
    return start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])


# ---------------------------------------------------------------- public figures


_LEAVES = frozenset({str, int, float, bool, type(None)})
SMALL_ARRAY = 8  # arrays up to this size go as JSON lists: shorter than base64, and faster


def encode(value: Any) -> Any:
    """The spec with every numpy array as plotly.js's typed-array form (base64, float32).

    Plain JSON from the start: serialising it is one fast ``json.dumps``, where
    plotly's own encoder takes hundreds of milliseconds on a long run. A live
    figure has ~10,000 nodes (200 frames), so leaves are passed over without a
    call: this walk was 60% of building the figure, and a tenth of a loaded
    server's work (py-spy). Small finite arrays become plain lists.
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _LEAVES else encode(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _LEAVES else encode(v) for v in value]
    if kind is np.ndarray:
        if value.dtype == object:
            return value.tolist()
        if value.size <= SMALL_ARRAY and value.ndim == 1 and np.isfinite(value).all():
            return value.tolist()
        arr = np.ascontiguousarray(value, dtype=np.float32)
        return {"dtype": "f4", "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def _figure(traces: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    return go.Figure(_spec(traces, layout, frames), _validate=False)


def _spec(traces: list[dict], layout: dict, frames: list[dict] | None = None) -> dict[str, Any]:
    # Plain dicts, unvalidated: plotly's per-property checks cost seconds for a
    # figure with 200 frames; tests validate every figure this module builds.
    return encode({"data": traces, "layout": layout, "frames": frames or []})


def as_figure(spec: dict[str, Any]) -> go.Figure:
    """A go.Figure around one of our JSON-ready specs, without plotly's validation.

    The spec is built here and already valid; validating it again is what made
    st.plotly_chart cost 100-230 ms per rerun (a dict is re-validated by
    Streamlit, a Figure is only serialised). Building it unvalidated takes ~10 ms.
    """
    return go.Figure(**spec, _validate=False)


def fit_figure(history: History, step: int | None = None, lang: str = i18n.DEFAULT_LANG,
               true_line: tuple[float, float] | None = None) -> go.Figure:
    """Data, the batch of ``step`` (default: the last), the line at that step, and references.

    ``true_line`` is the generating (slope, intercept) when the data is synthetic.
    """
    step = _clamp_step(history, step)
    traces, xaxis, yaxis = _fit_panel(history, step, lang, true_line)
    layout = base_layout(tr("fit_title", lang, step=step))
    layout.update(xaxis=xaxis, yaxis=yaxis)
    return _figure(traces, layout)


def loss_figure(history: History, lang: str = i18n.DEFAULT_LANG, log_y: bool = False,
                ghosts: Ghosts = (), step: int | None = None) -> go.Figure:
    """Batch loss and whole-data loss per step, epochs marked, the least-squares floor."""
    traces, xaxis, yaxis = _loss_panel(history, _clamp_step(history, step), lang, log_y, ghosts)
    layout = base_layout(tr("loss_title", lang))
    layout.update(xaxis=xaxis, yaxis=yaxis)
    return _figure(traces, layout)


def params_figure(history: History, lang: str = i18n.DEFAULT_LANG, ghosts: Ghosts = (),
                  step: int | None = None) -> go.Figure:
    """Whole-data loss over (a, b) as level sets, the path of (a, b), the current point."""
    traces, xaxis, yaxis = _params_panel(history, _clamp_step(history, step), lang, ghosts)
    layout = base_layout(tr("params_title", lang))
    layout.update(xaxis=xaxis, yaxis={**yaxis, **equal_scale(history, "x")})
    return _figure(traces, layout)


def equal_scale(history: History, x_axis: str) -> dict[str, Any]:
    """One unit of b as long as one of a, when x is standardized: there the loss's level
    sets are near circles, and the Explain tab says so, but a panel twice as wide as tall
    drew them as flat ellipses, and the gradient no longer looked perpendicular to them
    (a teacher's trial). Raw x stays unscaled: its valley is thousands of times longer
    than wide, and at equal scale the path would be a line."""
    return {"scaleanchor": x_axis, "scaleratio": 1} if history.data.standardized else {}


def frame_duration(frames: int, speed: float = 1.0) -> int:
    """Milliseconds per frame: the whole run in about 8 s at speed 1, within 40..400 ms."""
    return int(max(16, min(400, max(40, 8000 / max(frames, 1))) / speed))


def live_figure(history: History, lang: str = i18n.DEFAULT_LANG, step: int | None = None,
                log_y: bool = False, ghosts: Ghosts = (),
                true_line: tuple[float, float] | None = None,
                max_frames: int = MAX_FRAMES) -> go.Figure:
    """:func:`live_spec` as a plotly Figure (in its wide arrangement)."""
    spec = live_spec(history, lang, step, log_y, ghosts, true_line, max_frames)
    spec.pop(NARROW_KEY)
    return go.Figure(spec, _validate=False)


def live_spec(history: History, lang: str = i18n.DEFAULT_LANG, step: int | None = None,
              log_y: bool = False, ghosts: Ghosts = (),
              true_line: tuple[float, float] | None = None,
              max_frames: int = MAX_FRAMES) -> dict[str, Any]:
    """Fit, parameter space and loss in one figure whose frames play in the browser.

    Only the traces that move (batch, fitted line, log line, the two current-step
    markers) are in the frames, so playback redraws no contour and needs no server.
    Long runs get ``max_frames`` evenly spaced frames; the curves keep every step.
    """
    step = _clamp_step(history, step)
    fit, fx, fy = _fit_panel(history, step, lang, true_line, headroom=0.0)
    params, px, py = _params_panel(history, step, lang, ghosts)
    loss, lx, ly = _loss_panel(history, step, lang, log_y, ghosts)
    for t in fit:
        t.update(xaxis="x", yaxis="y", legend="legend")
    fit[-1].update(_READOUT_ROW)  # the log line gets a full-width row of its own
    for t in params:
        t.update(xaxis="x2", yaxis="y2", legend="legend2")
    for t in loss:
        t.update(xaxis="x3", yaxis="y3", legend="legend3")
    traces = fit + params + loss
    moving = [len(fit) - 3, len(fit) - 2, len(fit) - 1, len(fit) + len(params) - 1,
              len(traces) - 1]
    steps = frame_steps(history.steps, max_frames) if history.steps else np.array([1])
    # The shown step gets a frame of its own, so the figure's slider says that step too
    # (a long run's slider had read "Step: 2488" beside a page at step 2500).
    steps = np.union1d(steps, [step])
    frames = []
    for s in steps.tolist():
        dyn = _fit_dynamic(history, s, lang, fx["range"], fy["range"])
        dyn += [_params_marker(history, s, lang, (px["range"], py["range"])),
                _loss_marker(history, s, lang)]
        dyn[2].update(_READOUT_ROW)
        # the parameter marker's symbol changes where it leaves the panel (an arrow)
        frames.append({"name": str(s), "data": [_xy_only(t, marker=i == 3)
                                                for i, t in enumerate(dyn)],
                       "traces": moving})
    x, y = history.data.xy64
    fit_corner = emptiest_corner(x, y, fx["range"], fy["range"], legend_box(fit, (0.45, 0.36)))
    # path, optimum and the current marker (on the edge where a diverging path leaves),
    # and the pinned runs' paths
    paths = [along(np.append(0.0, h.a), np.append(0.0, h.b))
             for h in (history, *(g for _, g in ghosts))]
    params_corner = emptiest_corner(
        np.concatenate([*(p[0] for p in paths), params[-2]["x"], params[-1]["x"]]),
        np.concatenate([*(p[1] for p in paths), params[-2]["y"], params[-1]["y"]]),
        px["range"], py["range"], legend_box(params, (0.45, 0.36)))
    wide = arrangement_for(history)
    layout = base_layout(_run_title(history, lang), height=wide["height"])
    layout["title"] = {**layout["title"], **fitted_title(layout["title"]["text"])}
    # plotly's "none" template, not its default one: every colour, font and axis style
    # is set here, so the figure looks the same pixel for pixel, and plotly.js draws it
    # in a third less time (newPlot 97 -> 63 ms in headless Chromium): the default
    # template's defaults are merged into every trace and axis on every draw.
    layout["template"] = NO_TEMPLATE
    hidden = {"visible": False, "range": [0, 1], "fixedrange": True}
    corners = {"fit": fit_corner, "params": params_corner,
               "loss": _loss_corner(history, lx, ly, ghosts, legend_box(loss, (1.0, 0.36)))}
    layout.update(
        xaxis={**fx, "anchor": "y"}, yaxis={**fy, "anchor": "x"},
        xaxis2={**px, "anchor": "y2"}, yaxis2={**py, "anchor": "x2", **equal_scale(history, "x2")},
        xaxis3={**lx, "anchor": "y3"}, yaxis3={**ly, "anchor": "x3"},
        xaxis4={**hidden, "anchor": "y4"}, yaxis4={**hidden, "anchor": "x4"},
        legend2=dict(layout["legend"]), legend3=dict(layout["legend"]),
        margin=dict(LIVE_MARGIN),
        sliders=[_slider(steps, step, lang)],
        updatemenus=[_player(steps, lang)],
    )
    # paper y below the plot scales with it: the slider and buttons stay as far below
    for key in ("sliders", "updatemenus"):
        layout[key][0]["y"] *= plot_height(WIDE) / plot_height(wide)
    for key, value in _arrangement(wide, corners, lang).items():
        layout[key] = {**layout[key], **value} if isinstance(value, dict) else value
    spec = _spec(traces, layout, frames)
    # the log line in a smaller type: at 17 px it ran past a 500 px figure's edge
    # and the step slider and play buttons as far below the loss panel as in the wide one
    # the plot areas' heights, wide over narrow: paper y below the plot scales by it
    shrink = plot_height(wide) / plot_height(NARROW)
    spec[NARROW_KEY] = {"layout": _arrangement(NARROW, corners, lang),
                        "readout_size": FONT - 5,
                        "menus_y": {key: layout[key][0]["y"] * shrink
                                    for key in ("sliders", "updatemenus")}}
    return spec


# Where the live figure's panels go (paper coordinates): fit and parameter space side by
# side over the loss; on a narrow screen (a 1024 px projector with the sidebar open left
# the two top panels 180 px each, their legends over the data) the three stack, taller.
# live_chart.js picks NARROW below NARROW_PX of width; each is a complete arrangement.
Arrangement = dict[str, Any]
WIDE: Arrangement = {"height": 890, "fit": ([0, 0.45], [0.53, 0.89], 0.895),
                     "params": ([0.55, 1], [0.53, 0.89], 0.895),
                     "loss": ([0, 1], [0.0, 0.36], 0.37), "readout": [0.955, 1.0]}
NARROW: Arrangement = {"height": 1500, "fit": ([0, 1], [0.70, 0.925], 0.93),
                       "params": ([0, 1], [0.375, 0.60], 0.605),
                       "loss": ([0, 1], [0.0, 0.27], 0.275), "readout": [0.965, 1.0]}
NARROW_PX = 760  # the figure's width below which the panels stack
# The page warns above a troubled run's figure (diverged, or heading there), two or three
# lines on a 1920 px screen: the figure gives up that height, or the warning pushed its
# play buttons below a 1920x1080 projector's edge (a reviewer).
WARNED_CUT = 130


def arrangement_for(history: History) -> Arrangement:
    """The wide arrangement for this run: :data:`WIDE`, shorter under a warning."""
    return {**WIDE, "height": WIDE["height"] - WARNED_CUT} if history.troubled else WIDE
NARROW_KEY = "narrow"  # the live spec's narrow arrangement, not plotly's: a layout patch
# and the log line's type size

# The live figure's margins in px: the top holds the run's title, the bottom the step
# slider and the play buttons.
LIVE_MARGIN = {"l": 90, "r": 20, "t": 60, "b": 200}


def plot_height(where: Arrangement) -> float:
    """The plot area's height in px in an arrangement: its figure less the margins."""
    return float(where["height"] - LIVE_MARGIN["t"] - LIVE_MARGIN["b"])


def _arrangement(where: Arrangement, corners: dict[str, tuple[int, int]],
                 lang: str) -> dict[str, Any]:
    """The layout keys that place the panels, their legends and their titles."""
    out: dict[str, Any] = {"height": where["height"]}
    panels = (("fit", "", "legend", "fit_panel"), ("params", "2", "legend2", "params_panel"),
              ("loss", "3", "legend3", "loss_title"))
    titles = []
    for panel, n, legend, title in panels:
        x_domain, y_domain, title_y = where[panel]
        out[f"xaxis{n}"] = {"domain": x_domain}
        out[f"yaxis{n}"] = {"domain": y_domain}
        out[legend] = _legend_at(corners[panel], x_domain, y_domain)
        titles.append(_panel_title(tr(title, lang), x_domain[0], title_y))
    out["xaxis4"], out["yaxis4"] = {"domain": [0, 1]}, {"domain": where["readout"]}
    out["annotations"] = titles
    return out


def _loss_corner(history: History, xaxis: dict[str, Any], yaxis: dict[str, Any],
                 ghosts: Ghosts = (), box: tuple[float, float] | None = None
                 ) -> tuple[int, int]:
    """Where the loss panel's legend hides no curve: top right for a falling loss, but
    bottom right for a diverging run, whose curves climb into that corner. Pinned runs'
    curves count too.

    Where every corner hides some (momentum's loss swings into all four: its legend sat
    on steps 1-3), the y axis gets headroom (``yaxis`` is changed) and the legend goes on
    top of the curves, over the emptier top corner.
    """
    corner, hidden = _loss_corner_hiding(history, xaxis, yaxis, ghosts, box)
    if hidden and box:  # the curves then fill the lower part, below the legend's height
        lo, hi = yaxis["range"]
        yaxis["range"] = [lo, lo + (hi - lo) / max(0.3, 1.0 - box[1] - 0.04)]
        corner, _ = _loss_corner_hiding(history, xaxis, yaxis, ghosts, box)
    return corner


def _loss_corner_hiding(history: History, xaxis: dict[str, Any], yaxis: dict[str, Any],
                        ghosts: Ghosts, box: tuple[float, float] | None
                        ) -> tuple[tuple[int, int], int]:
    if history.steps == 0 or "range" not in yaxis:
        return (1, 1), 0
    curves = [history.total_loss, history.batch_loss] + [g.total_loss for _, g in ghosts]
    xs, ys = [], []
    for curve in curves:
        y = np.asarray(curve, dtype=float)
        if yaxis.get("type") == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(np.where(y > 0, y, np.nan))
        # A curve that leaves the frame (a pinned run that diverged) is drawn up to its edge.
        x, y = along(np.arange(1, len(y) + 1, dtype=float), np.clip(y, *sorted(yaxis["range"])))
        xs.append(x)
        ys.append(y)
    return _corners(np.concatenate(xs), np.concatenate(ys), xaxis["range"], yaxis["range"], box)


def along(x: np.ndarray, y: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points along the polyline through (x, y), ``k`` per segment: a legend over a line
    between two points hides it as surely as one over a point.

    By default up to 8 per segment, and none added once the line has ~400 points of its
    own: a 5,000-step run's curves are dense already, and eight times their points cost
    its live figure 10 ms on every step change.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2:
        return x, y
    if k is None:
        k = max(1, min(8, math.ceil(400 / (len(x) - 1))))
    t = np.linspace(0, 1, k, endpoint=False)[:, None]

    def between(v: np.ndarray) -> np.ndarray:
        return np.append((v[:-1] + t * (v[1:] - v[:-1])).T.ravel(), v[-1])

    return between(x), between(y)


def emptiest_corner(x: np.ndarray, y: np.ndarray, x_range: list[float],
                    y_range: list[float],
                    box: tuple[float, float] | None = None) -> tuple[int, int]:
    """The corner (0/1 in x, 0/1 in y) whose legend hides the fewest points, then the one
    farthest from every point.

    ``box`` is the legend's size as fractions of the panel's width and height; without
    it every corner hides none. (Nearest-point distance alone put a log-scale loss
    legend over two early batch losses: that corner's nearest point was a shade
    farther than the top right's, but inside the legend's box.)
    """
    return _corners(x, y, x_range, y_range, box)[0]


def _corners(x: np.ndarray, y: np.ndarray, x_range: list[float], y_range: list[float],
             box: tuple[float, float] | None) -> tuple[tuple[int, int], int]:
    """:func:`emptiest_corner`, and how many points a legend there hides."""
    u = (np.asarray(x, float) - x_range[0]) / (x_range[1] - x_range[0])
    v = (np.asarray(y, float) - y_range[0]) / (y_range[1] - y_range[0])
    ok = np.isfinite(u) & np.isfinite(v)
    u, v = u[ok], v[ok]
    best, corner = (-np.inf, -1.0), (1, 0)
    for cx, cy in ((1, 0), (0, 1), (1, 1), (0, 0)):
        hidden = (int(np.sum((np.abs(u - cx) <= box[0]) & (np.abs(v - cy) <= box[1])))
                  if box and len(u) else 0)
        # a legend is wider than tall: weigh horizontal distance less
        d = float(np.min(np.hypot((u - cx) / 2.0, v - cy))) if len(u) else 1.0
        if (-hidden, d) > (best[0], best[1] + 1e-9):
            best, corner = (-hidden, d), (cx, cy)
    return corner, int(-best[0])


# The live figure's plot area at a modest size (a 1,280 px screen, sidebar open; the
# figure is responsive): what a legend's box is measured against.
PLOT_PX = (750.0, plot_height(WIDE))


def legend_box(traces: Sequence[dict[str, Any]], panel: tuple[float, float]) -> tuple[float, float]:
    """A legend's size as fractions of a panel ``panel`` = (width, height) in plot fractions:
    from its entries' count and longest name (legend font FONT - 2; a CJK glyph a full em)."""
    names = [str(t.get("name") or "") for t in traces
             if t.get("showlegend", True) is not False and t.get("name")]
    if not names:
        return (0.0, 0.0)
    size = FONT - 2
    longest = max(i18n.text_px(n, size, latin=0.55) for n in names)
    width, height = 50 + longest, 12 + len(names) * (size + 7)
    return (width / (panel[0] * PLOT_PX[0]), height / (panel[1] * PLOT_PX[1]))


def _legend_at(corner: tuple[int, int], x_domain: list[float],
               y_domain: list[float]) -> dict[str, Any]:
    cx, cy = corner
    return {"x": x_domain[cx] + (-0.005 if cx else 0.005),
            "y": y_domain[cy] + (-0.01 if cy else 0.01),
            "xanchor": "right" if cx else "left", "yanchor": "top" if cy else "bottom"}


# Where the live figure puts the notebook's log line: a hidden full-width axis on top.
_READOUT_ROW = {"xaxis": "x4", "yaxis": "y4", "x": [0.0], "y": [0.5],
                "textposition": "middle right",
                "textfont": {"size": FONT, "color": INK, "family": "DejaVu Sans Mono, monospace"}}


def _xy_only(trace: dict[str, Any], marker: bool = False) -> dict[str, Any]:
    """What a frame needs of a moving trace: its coordinates and words (and ``marker``)."""
    keep = ("type", "x", "y", "text", "marker") if marker else ("type", "x", "y", "text")
    return {k: v for k, v in trace.items() if k in keep}


def _run_title(history: History, lang: str) -> str:
    """lr, batch and steps, then each training choice that is not the notebook's: momentum,
    Adam or a schedule change the run as much as the rate does (a teacher's report: the
    title read the same with momentum and a cosine schedule on)."""
    c = history.config
    words = tr("run_title", lang, lr=f"{c.lr:g}", batch=c.batch_size, steps=c.steps)
    if c.optimizer != "sgd":
        words += " · " + choice_label(c.optimizer, lang)
        if c.optimizer in ("momentum", "nesterov"):
            words += f" {c.momentum:g}"
    for name, plain in (("sampling", "sequential"), ("schedule", "constant")):
        if getattr(c, name) != plain:
            words += " · " + choice_label(getattr(c, name), lang)
    if c.accumulation > 1:
        words += " · " + tr("accumulation", lang, k=c.accumulation)
    if history.diverged_at is not None:
        words += " · ⚠ " + tr("diverged", lang, step=history.diverged_at)
    return words


TITLE_PX = 820  # what the live figure's title may span: its width on a 1366 px laptop


def fitted_title(text: str) -> dict[str, Any]:
    """The run's title as it fits the figure: on one line, or, when the settings that are not
    the notebook's make it longer (it had been cut at "drawn with re" on a 1366 px screen,
    a reviewer), on two lines split between settings, in a smaller type."""
    def em(line: str) -> float:  # width in ems (px at size 1)
        return i18n.text_px(line, 1.0, latin=0.55)

    size = FONT + 5
    if em(text) * size <= TITLE_PX:
        return {"text": text}
    parts = text.split(" · ")
    best = min(range(1, len(parts)), key=lambda k: abs(
        em(" · ".join(parts[:k])) - em(" · ".join(parts[k:]))))
    lines = [" · ".join(parts[:best]), " · ".join(parts[best:])]
    longest = max(em(line) for line in lines)
    return {"text": "<br>".join(lines),
            "font": {"size": max(FONT - 2, min(FONT + 1, int(TITLE_PX / longest)))}}


def _panel_title(text: str, x: float, y: float) -> dict[str, Any]:
    return {"text": f"<b>{text}</b>", "x": x, "y": y, "xref": "paper", "yref": "paper",
            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": FONT + 2}}


def _slider(steps: np.ndarray, step: int, lang: str) -> dict[str, Any]:
    active = int(np.abs(steps - step).argmin())
    dense = len(steps) > 30  # too many ticks to label: the current value says the step
    return {
        "active": active, "x": 0.0, "len": 1.0, "y": -0.06, "yanchor": "top",
        "pad": {"t": 10, "b": 0},
        "currentvalue": {"prefix": i18n.zh_punctuation(tr("current_step", lang) + ": "),
                         "font": {"size": FONT + 1, "color": INK}},
        "font": {"size": 1 if dense else FONT - 4, "color": "rgba(0,0,0,0)" if dense else INK},
        "ticklen": 0 if dense else 4,
        "steps": [{"label": str(s), "method": "animate",
                   "args": [[str(s)], {"mode": "immediate", "frame": {"duration": 0,
                                                                      "redraw": False},
                                       "transition": {"duration": 0}}]}
                  for s in steps.tolist()],
    }


def _player(steps: np.ndarray, lang: str) -> dict[str, Any]:
    """Play from step 1, pause, resume from the paused frame, and two faster speeds (from
    step 1 here; the app's chart plays them from the frame on screen)."""
    every = [str(s) for s in steps.tolist()]  # all frames by name: plays from the first

    def play(label: str, speed: float, names: list[str] | None) -> dict[str, Any]:
        # The app's chart plays the speed buttons and resume from the frame on screen
        # (live_chart.js): after a new figure, plotly's own "current frame" was step 1.
        name = {"name": "sgdlab-speed"} if speed != 1 or names is None else {}
        return {"label": label, "method": "animate", **name,
                "args": [names, {"frame": {"duration": frame_duration(len(every), speed),
                                           "redraw": False},
                                 "transition": {"duration": 0}, "mode": "immediate",
                                 "fromcurrent": names is None}]}

    pause = {"label": tr("pause", lang), "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False},
                               "transition": {"duration": 0}, "mode": "immediate"}]}
    # y: below the step slider's tick labels (at -0.2 the buttons covered the first few)
    return {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": -0.215,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 0, "r": 8},
            "font": {"size": FONT - 1},
            "buttons": [play(tr("play", lang), 1, every), pause,
                        play(tr("resume", lang), 1, None), play("×2", 2, every),
                        play("×4", 4, every)]}
