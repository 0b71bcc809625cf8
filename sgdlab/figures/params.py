"""The parameter-space panel: the whole-data loss over (a, b) as level sets, and the path."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sgdlab import i18n, theory
from sgdlab.data import Data
from sgdlab.figures.loss import view
from sgdlab.figures.theme import (
    BLUE,
    GREEN,
    INK,
    ORANGE,
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

Box = tuple[list[float], list[float]]  # (a range, b range)
LEVEL_RATIO = 0.35  # each level set encloses this share of the loss above the minimum
SHADES = ("#f4f8fb", "#e2ecf4", "#d0e1ed", "#bed6e6", "#accbdf", "#9ac0d8", "#88b5d1",
          "#76aaca", "#649fc3")
MARKERS_UP_TO = 60  # paths of up to this many steps mark every step

TEXT: i18n.Text = {
    "a": ("slope a", "斜率 a"),
    "b": ("intercept b", "截距 b"),
    "contour": ("equal loss", "等损失线"),
    "path": ("path of (a, b)", "(a, b) 的路径"),
    "optimum": ("optimum", "最优点"),
    "current": ("current step", "当前步"),
    "total_loss": ("whole-data loss", "整体损失"),
    "off_chart": ("off the chart: the arrow points where it went",
                  "已超出图的范围：箭头指向它的去向"),
    "batch_step": ("batch's step −lr·∇L_B", "批次的一步 −lr·∇L_B"),
    "full_step": ("whole data's step −lr·∇L", "整体数据的一步 −lr·∇L"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def landscape_box(history: History, ghosts: Ghosts = ()) -> Box:
    """(a range, b range) framing the start (0, 0), the optimum and the sane part of the path."""
    opt = theory.least_squares(history.data)
    keep = view(history)
    a_all = [np.zeros(1), [opt.a], history.a[keep]] + [g.a[view(g)] for _, g in ghosts]
    b_all = [np.zeros(1), [opt.b], history.b[keep]] + [g.b[view(g)] for _, g in ghosts]
    a = np.concatenate([np.asarray(v, dtype=float) for v in a_all])
    b = np.concatenate([np.asarray(v, dtype=float) for v in b_all])
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    return span(a.min(), a.max(), 0.15), span(b.min(), b.max(), 0.15)


def top_level(data: Data, box: Box) -> float:
    """The loss above the minimum at the box's farthest corner: the outermost level set."""
    opt = theory.least_squares(data)
    h = theory.data_hessian(data)
    corners = np.array([[a, b] for a in box[0] for b in box[1]]) - [opt.a, opt.b]
    return float(max(0.5 * d @ h @ d for d in corners))


def levels(data: Data, boxes: Sequence[Box], least: int = 9) -> np.ndarray:
    """Levels (loss above the minimum) that fill every box with at least ``least`` sets:
    from the largest box's corner down by LEVEL_RATIO."""
    tops = [top_level(data, box) for box in boxes]
    count = least + max(0, math.ceil(math.log(min(tops) / max(tops), LEVEL_RATIO)))
    return max(tops) * LEVEL_RATIO ** np.arange(min(count, 40))


def ellipses(data: Data, heights: np.ndarray, lang: str) -> list[dict[str, Any]]:
    """Filled level sets of the whole-data loss: exact ellipses, since the loss is quadratic."""
    opt = theory.least_squares(data)
    lam, vec = np.linalg.eigh(theory.data_hessian(data))
    lam = np.maximum(lam, 1e-300)
    t = np.linspace(0, 2 * np.pi, 97)
    circle = np.stack([np.cos(t), np.sin(t)])
    traces = []
    for k, level in enumerate(heights):
        pts = vec @ (np.sqrt(2 * level / lam)[:, None] * circle)
        loss = opt.loss + level
        traces.append({"type": "scatter", "x": f32(pts[0] + opt.a), "y": f32(pts[1] + opt.b),
                       "mode": "lines", "fill": "toself",
                       "fillcolor": SHADES[min(k, len(SHADES) - 1)],
                       "line": {"color": "#7f9fb5", "width": 0.8},
                       "name": tr("contour", lang), "legendgroup": "contour",
                       "showlegend": k == 0, "meta": role("contour"),
                       "hovertemplate": tr("total_loss", lang) + f" {loss:.4g}<extra></extra>"})
    return traces


def path(history: History, lang: str) -> dict[str, Any]:
    """The path of (a, b) from the start (0, 0)."""
    return {"type": "scatter", "x": f32(np.r_[0, history.a]), "y": f32(np.r_[0, history.b]),
            "mode": mode(history.steps), "name": tr("path", lang),
            "line": {"color": BLUE, "width": 2.5}, "marker": {"size": 6}, "meta": role("path"),
            "hovertemplate": "a=%{x:.4f}<br>b=%{y:.4f}<extra></extra>"}


def mode(steps: int) -> str:
    """The path with a marker per step for short runs; a line alone for long ones."""
    return "lines+markers" if steps <= MARKERS_UP_TO else "lines"


def marker(history: History, step: int, lang: str, box: Box | None = None) -> dict[str, Any]:
    """The current (a, b); outside ``box`` (a diverging run), an arrow where the path
    leaves the panel, pointing the way it went, its hover giving the real values."""
    a, b = (float(history.a[step - 1]), float(history.b[step - 1])) if history.steps else (0, 0)
    x, y, angle = a, b, None
    if box is not None and math.isfinite(a) and math.isfinite(b):
        (a0, a1), (b0, b1) = box
        if not (a0 <= a <= a1 and b0 <= b <= b1):
            start = ((float(history.a[step - 2]), float(history.b[step - 2])) if step > 1
                     else (0.0, 0.0))
            if not (a0 <= start[0] <= a1 and b0 <= start[1] <= b1):
                start = ((a0 + a1) / 2, (b0 + b1) / 2)  # from a point already off: the centre
            x, y = exit_point(start, (a, b), box)
            pa, pb = 0.03 * (a1 - a0), 0.04 * (b1 - b0)
            x, y = min(max(x, a0 + pa), a1 - pa), min(max(y, b0 + pb), b1 - pb)
            # clockwise from up, in the panel's own proportions
            angle = math.degrees(math.atan2((a - start[0]) / (a1 - a0), (b - start[1]) / (b1 - b0)))
    text = f"a={a:.6g}<br>b={b:.6g}" + ("" if angle is None else "<br>" + tr("off_chart", lang))
    look = ({"color": VERMILLION, "size": 16, "symbol": "circle", "angle": 0,
             "line": {"color": INK, "width": 1.5}} if angle is None else
            {"color": VERMILLION, "size": 22, "symbol": "arrow", "angle": round(angle, 1),
             "line": {"color": INK, "width": 1.5}})
    return {"type": "scatter", "x": [x], "y": [y], "mode": "markers", "name": tr("current", lang),
            "marker": look, "text": [text], "meta": role("current"), "showlegend": False,
            "hovertemplate": "%{text}<extra></extra>"}


def exit_point(start: tuple[float, float], end: tuple[float, float], box: Box
               ) -> tuple[float, float]:
    """Where the segment from ``start`` (inside ``box``) to ``end`` (outside) crosses its edge."""
    t = 1.0
    for p, d, (lo, hi) in ((start[0], end[0] - start[0], box[0]),
                           (start[1], end[1] - start[1], box[1])):
        if d > 0:
            t = min(t, (hi - p) / d)
        elif d < 0:
            t = min(t, (lo - p) / d)
    return start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])


def full_gradient(data: Data, a: float, b: float) -> tuple[float, float]:
    """The whole-data loss's gradient at (a, b): 2 (a E x² + b E x - E xy, a E x + b - E y)."""
    x, y = data.xy64
    mx, my = float(x.mean()), float(y.mean())
    mxx, mxy = float((x * x).mean()), float((x * y).mean())
    return 2 * (a * mxx + b * mx - mxy), 2 * (a * mx + b - my)


def steps_taken(history: History, step: int, lang: str) -> list[dict[str, Any]]:
    """Two arrows from (a, b) before update ``step``, to scale at its rate: the batch's
    step −lr·g_batch (the update itself, for plain SGD) and the step all the data would
    have taken, −lr·g_full. Their difference is the noise of SGD."""
    arrows = []
    if history.steps and 1 <= step <= history.steps:
        i = step - 1
        a0, b0 = (float(history.a[i - 1]), float(history.b[i - 1])) if i else (0.0, 0.0)
        lr = float(history.lr[i])
        full = full_gradient(history.data, a0, b0)
        for role_name, (ga, gb), color in (
                ("full_step", full, GREEN),
                ("batch_step", (float(history.grad_a[i]), float(history.grad_b[i])), ORANGE)):
            arrows.append(_arrow(role_name, (a0, b0), (a0 - lr * ga, b0 - lr * gb), color, lang))
    else:  # no step: the traces stay, empty, for the browser to fill
        arrows = [_arrow(r, None, None, c, lang) for r, c in (("full_step", GREEN),
                                                               ("batch_step", ORANGE))]
    return arrows


def _arrow(role_name: str, start: tuple[float, float] | None, end: tuple[float, float] | None,
           color: str, lang: str) -> dict[str, Any]:
    xs, ys = ([start[0], end[0]], [start[1], end[1]]) if start and end else ([], [])
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers",
            "name": tr(role_name, lang), "meta": role(role_name),
            "line": {"color": color, "width": 3},
            "marker": {"symbol": ["circle", "arrow"], "size": [5, 15], "color": color,
                       "angleref": "previous", "line": {"color": INK, "width": 1}},
            "hovertemplate": "a=%{x:.4g}<br>b=%{y:.4g}<extra></extra>"}


def equal_scale(data: Data, x_axis: str) -> dict[str, Any]:
    """One unit of b as long as one of a, when x is standardized: there the loss's level
    sets are near circles and the gradient looks perpendicular to them. Raw x stays
    unscaled: its valley is thousands of times longer than wide, and at equal scale the
    path would be a line."""
    return {"scaleanchor": x_axis, "scaleratio": 1} if data.standardized else {}


def params_panel(history: History, step: int, lang: str, ghosts: Ghosts = (),
                 box: Box | None = None, heights: np.ndarray | None = None
                 ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(traces, a axis, b axis) of the parameter panel at ``step``.

    ``box`` defaults to :func:`landscape_box`; ``heights`` (the level sets) to those
    that fill it.
    """
    box = box or landscape_box(history, ghosts)
    data = history.data
    opt = theory.least_squares(data)
    traces = ellipses(data, levels(data, [box]) if heights is None else heights, lang)
    for i, (label, ghost) in enumerate(ghosts):
        traces.append({"type": "scatter", "x": f32(np.r_[0, ghost.a]),
                       "y": f32(np.r_[0, ghost.b]), "mode": "lines", "name": ghost_name(label),
                       "legendgroup": f"ghost{i}", "showlegend": False,  # named on the loss panel
                       "opacity": 0.85, "hovertemplate": label + "<extra></extra>",
                       "line": ghost_line(i), "meta": role("ghost")})
    traces += [
        path(history, lang),
        {"type": "scatter", "x": [opt.a], "y": [opt.b], "mode": "markers",
         "name": tr("optimum", lang), "meta": role("optimum"),
         "marker": {"color": GREEN, "size": 20, "symbol": "star",
                    "line": {"color": INK, "width": 1}},
         "hovertemplate": f"a*={opt.a:.4f}<br>b*={opt.b:.4f}<extra></extra>"},
        *steps_taken(history, step, lang),
        marker(history, step, lang, box),
    ]
    return traces, axis(tr("a", lang), range=box[0]), axis(tr("b", lang), range=box[1])
