"""The fit panel: the data, the batch of a step, the line at that step, and the references."""

from __future__ import annotations

from typing import Any

import numpy as np

from sgdlab import i18n, theory
from sgdlab.data import Data
from sgdlab.figures.theme import BLUE, GREEN, INK, ORANGE, axis, f32, role, span
from sgdlab.history import History

MAX_POINTS_SHOWN = 2000  # a scatter of more points is a grey blur that costs bandwidth

TEXT: i18n.Text = {
    "x": ("x (as the model sees it)", "x（模型看到的值）"),
    "x_std": ("{x} (standardized)", "{x}（已归一化）"),
    "points": ("data", "数据点"),
    "points_some": ("data ({shown:,} of {n:,} shown)", "数据点（显示 {n:,} 个中的 {shown:,} 个）"),
    "batch": ("current batch", "当前批次"),
    "fit": ("fitted line", "拟合直线"),
    "true_line": ("true line", "真实直线"),
    "ls_line": ("least squares", "最小二乘"),
}
HOVER = "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def shown_points(n: int) -> np.ndarray:
    """Indices of the points drawn: all, or an even thinning to MAX_POINTS_SHOWN."""
    return np.arange(n) if n <= MAX_POINTS_SHOWN else np.linspace(0, n - 1, MAX_POINTS_SHOWN,
                                                                    dtype=int)


def batch_shown(history: History, step: int) -> np.ndarray:
    """Indices of the points of ``step``'s batch that are drawn (all, up to MAX_POINTS_SHOWN)."""
    if history.steps == 0:
        return np.zeros(0, dtype=np.int64)
    idx = history.batch_indices(step)
    if len(idx) > MAX_POINTS_SHOWN:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_POINTS_SHOWN, dtype=int)]
    return idx


def notebook_line(history: History, step: int) -> str:
    """The notebook's printed line for ``step``, as :meth:`History.notebook_lines` formats it."""
    i = step - 1
    return (f"Step {step}, Loss: {history.batch_loss[i]: .2f}; "
            f"Result: y = {history.a[i]:.2f} * x + {history.b[i]:.2f}")


def x_title(data: Data, lang: str) -> str:
    """The fit's x axis: the notebook's words for its own x, a file's column name otherwise."""
    if data.x_label == "x":
        return tr("x", lang)
    return tr("x_std", lang, x=data.x_label) if data.standardized else data.x_label


def ranges(data: Data) -> tuple[list[float], list[float]]:
    """The fit panel's x and y ranges: the data with a margin."""
    x, y = data.xy64
    return span(x.min(), x.max(), 0.04), span(y.min(), y.max(), 0.08)


def moving(history: History, step: int, lang: str) -> list[dict[str, Any]]:
    """The traces that change with the step: the batch and the fitted line."""
    x, y = history.data.xy64
    idx = batch_shown(history, step)
    a, b = (float(history.a[step - 1]), float(history.b[step - 1])) if history.steps else (0, 0)
    x_range, _ = ranges(history.data)
    return [
        {"type": "scatter", "x": f32(x[idx]), "y": f32(y[idx]), "mode": "markers",
         "name": tr("batch", lang), "meta": role("batch"), "hovertemplate": HOVER,
         "marker": {"color": ORANGE, "size": 10, "line": {"color": INK, "width": 1}}},
        {"type": "scatter", "x": f32(x_range), "y": f32([a * v + b for v in x_range]),
         "mode": "lines", "name": tr("fit", lang), "line": {"color": BLUE, "width": 4},
         "meta": role("fit"), "hovertemplate": HOVER},
    ]


def fit_panel(history: History, step: int, lang: str, true_line: tuple[float, float] | None
              ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(traces, x axis, y axis) of the fit panel at ``step``.

    ``true_line`` is the generating (slope, intercept) when the data is synthetic.
    """
    data = history.data
    x, y = data.xy64
    shown = shown_points(data.n)
    x_range, y_range = ranges(data)
    opt = theory.least_squares(data)
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x": f32(x[shown]), "y": f32(y[shown]), "mode": "markers",
         "name": tr("points", lang) if len(shown) == data.n else tr(
             "points_some", lang, shown=len(shown), n=data.n),  # training uses every one
         "marker": {"color": "#b5b5b5", "size": 7}, "meta": role("points"),
         "hovertemplate": HOVER},
        {"type": "scatter", "x": f32(x_range), "y": f32([opt.a * v + opt.b for v in x_range]),
         "mode": "lines", "name": tr("ls_line", lang),
         "line": {"color": GREEN, "width": 2.5, "dash": "dot"}, "meta": role("ls_line"),
         "hovertemplate": f"y = {opt.a:.4g} · x + {opt.b:.4g}<extra></extra>"},
    ]
    if true_line is not None:
        ta, tb = true_line
        traces.append({"type": "scatter", "x": f32(x_range),
                       "y": f32([ta * v + tb for v in x_range]), "mode": "lines",
                       "name": tr("true_line", lang),
                       "line": {"color": INK, "width": 1.5, "dash": "dash"},
                       "meta": role("true_line"),
                       "hovertemplate": f"y = {ta:.4g} · x + {tb:.4g}<extra></extra>"})
    traces += moving(history, step, lang)
    return (traces, axis(x_title(data, lang), range=x_range),
            axis(data.y_label, range=y_range))
