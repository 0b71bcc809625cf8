"""Figure styles for export, applied to a built figure by each trace's ``meta["role"]``.

* ``screen``: the dashboard look, unchanged;
* ``print``: white, black text, thin grey/black lines: for a paper;
* ``notebook``: the seed notebook's matplotlib figure: batch loss solid black,
  whole-data loss red dash-dot, 训练步数 / 模型损失 (or their English).

Also the settings stamp, a file name that encodes the settings, and the
Plotly modebar ``config`` that downloads a PNG at scale 3 (or an SVG).
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import fields
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale

from sgdlab import i18n
from sgdlab.config import DataConfig, TrainConfig, choice_label, spec

STYLES = ("screen", "print", "notebook")
IMAGE_FORMATS = ("png", "svg")
SCALE = 3  # modebar and CLI PNGs: 3x the on-screen size, sharp on a projector or in print
STAMP = "sgdlab-stamp"  # name of the stamp annotation

TEXT: i18n.Text = {
    "style_screen": ("Screen", "屏幕"),
    "style_print": ("Print", "印刷"),
    "style_notebook": ("Notebook", "笔记本"),
    "step": ("Step", "训练步数"),
    "loss": ("Loss", "模型损失"),
    "batch_loss": ("Batch loss", "批次损失"),
    "total_loss": ("Whole-data loss", "整体损失"),
    "seed": ("seed", "种子"),
    "data": ("data", "数据"),
}

# Per role: updates for a Scatter trace (line and marker). Roles not listed keep their look.
_PRINT: dict[str, dict[str, Any]] = {
    "batch_loss": {"line": {"color": "#666666", "width": 1, "dash": "solid"},
                   "marker": {"color": "#666666", "size": 3.5, "line": {"width": 0}}},
    "total_loss": {"line": {"color": "black", "width": 1.5, "dash": "dash"},
                   "marker": {"color": "black", "size": 3.5, "line": {"width": 0}}},
    "min_loss": {"line": {"color": "black", "width": 0.8, "dash": "dot"}},
    "epoch": {"line": {"color": "#bbbbbb", "width": 0.6}, "marker": {"color": "#bbbbbb"}},
    "points": {"marker": {"color": "#9a9a9a", "size": 4, "line": {"width": 0}}},
    "batch": {"marker": {"color": "rgba(0,0,0,0)", "size": 7,
                         "line": {"color": "black", "width": 1}}},
    "fit": {"line": {"color": "black", "width": 1.5, "dash": "solid"}},
    "true_line": {"line": {"color": "#666666", "width": 1, "dash": "dash"}},
    "ls_line": {"line": {"color": "black", "width": 1, "dash": "dot"}},
    "path": {"line": {"color": "black", "width": 1}, "marker": {"color": "black", "size": 3}},
    "current": {"marker": {"color": "black", "size": 9,
                           "line": {"color": "black", "width": 1.5}}},
    "optimum": {"marker": {"color": "black", "size": 11, "symbol": "x",
                           "line": {"width": 0}}},
    "contour": {"fill": "none", "line": {"color": "#8a8a8a", "width": 0.7}},
    "readout": {"textfont": {"color": "black"}},
    # No dash: each pinned run keeps its own, the one thing that tells them apart in grey.
    "ghost": {"line": {"color": "#888888", "width": 1.2},
              "marker": {"color": "#aaaaaa"}},
    "batch_step": {"line": {"color": "black", "width": 1.5, "dash": "solid"},
                   "marker": {"color": "black", "line": {"color": "black", "width": 1}}},
    "full_step": {"line": {"color": "#777777", "width": 1.5, "dash": "dash"},
                  "marker": {"color": "#777777", "line": {"color": "#777777", "width": 1}}},
}
# matplotlib's defaults ('k', 'r-.', the C0/C1/C2 colour cycle, 1.5 pt lines).
_NOTEBOOK: dict[str, dict[str, Any]] = {
    "batch_loss": {"line": {"color": "black", "width": 2, "dash": "solid"}},
    "total_loss": {"line": {"color": "red", "width": 2, "dash": "dashdot"}},
    "min_loss": {"line": {"color": "#2ca02c", "width": 1, "dash": "dot"}},
    "epoch": {"line": {"color": "#cccccc", "width": 0.8}, "marker": {"color": "#cccccc"}},
    "points": {"marker": {"color": "#1f77b4", "size": 5, "line": {"width": 0}}},
    "batch": {"marker": {"color": "#ff7f0e", "size": 7, "line": {"width": 0}}},
    "fit": {"line": {"color": "red", "width": 1.5, "dash": "solid"}},
    "true_line": {"line": {"color": "black", "width": 1.5, "dash": "dash"}},
    "ls_line": {"line": {"color": "#2ca02c", "width": 1.5, "dash": "dot"}},
    "path": {"line": {"color": "red", "width": 1.5}, "marker": {"color": "red", "size": 5}},
    "current": {"marker": {"color": "red", "size": 10, "line": {"color": "red", "width": 1.5}}},
    "optimum": {"marker": {"color": "black", "size": 14, "symbol": "star",
                           "line": {"width": 0}}},
    "contour": {"fill": "none", "line": {"width": 1}},  # coloured by level below, as plt.contour
    "readout": {"textfont": {"color": "black"}},
    "ghost": {"line": {"color": "#999999", "width": 1.2},
              "marker": {"color": "#999999"}},
    "batch_step": {"line": {"color": "#ff7f0e", "width": 1.5},
                   "marker": {"color": "#ff7f0e", "line": {"color": "#ff7f0e", "width": 1}}},
    "full_step": {"line": {"color": "#2ca02c", "width": 1.5},
                  "marker": {"color": "#2ca02c", "line": {"color": "#2ca02c", "width": 1}}},
}
_ROLES = {"print": _PRINT, "notebook": _NOTEBOOK}
# The seed notebook's figure shows only the two losses; these extras are hidden in its style.
_NOT_IN_NOTEBOOK = ("min_loss", "epoch", "current")


def role(trace: Any) -> str | None:
    """The ``meta["role"]`` a figure builder tagged the trace with, if any."""
    meta = trace.meta
    return meta.get("role") if isinstance(meta, dict) else None


def apply_style(fig: go.Figure | dict[str, Any], style: str, lang: str) -> go.Figure:
    """A copy of ``fig`` (a figure or its JSON-ready dict) in ``style``; the input is left
    as it was."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    spec = copy.deepcopy(fig) if isinstance(fig, dict) else fig.to_dict()
    out = go.Figure(spec, _validate=False)  # validating 200 frames would cost seconds
    if style == "screen":
        return out
    # The loss figure gets the notebook's own layout.
    is_loss = any(role(t) in ("batch_loss", "total_loss") for t in out.data)
    for trace in out.data:
        r = role(trace)
        if r in _ROLES[style] and trace.type in ("scatter", "scattergl"):
            trace.update(_ROLES[style][r])
    _axes(out, style)
    if style == "notebook":
        contours = [t for t in out.data if role(t) == "contour"]
        for k, trace in enumerate(contours):
            trace.line.color = sample_colorscale(
                "Viridis", 1 - k / max(len(contours) - 1, 1))[0]
        if is_loss:  # the notebook's figsize=(6, 6) at dpi 100, legend in the upper right
            out.update_layout(width=600, height=600, margin={"t": 30, "r": 20}, legend={
                "x": 0.98, "y": 0.98, "xanchor": "right", "yanchor": "top", "font": {"size": 16}})
            _loss_words(out, lang)
            for trace in out.data:
                if role(trace) in _NOT_IN_NOTEBOOK:
                    trace.visible = False
                elif role(trace) in ("batch_loss", "total_loss"):
                    trace.mode = "lines"
            _matplotlib_ranges(out)
    return out


def _axes(fig: go.Figure, style: str) -> None:
    """White paper, black text, a boxed plot area with outside ticks, as in print and matplotlib."""
    font = ("Arial, Helvetica, 'Noto Sans CJK SC', sans-serif" if style == "print"
            else "'DejaVu Sans', 'Noto Sans CJK SC', sans-serif")
    # The template itself, not its name: a figure built with _validate=False keeps a name
    # as a bare string, which to_html (the HTML export) cannot read.
    fig.update_layout(template=pio.templates["simple_white"], paper_bgcolor="white",
                      plot_bgcolor="white",
                      font={"color": "black", "family": font, "size": 13},
                      legend={"bgcolor": "white", "bordercolor": "#888888" if style ==
                              "notebook" else "black", "borderwidth": 1,
                              "font": {"color": "black"}})
    axis = {"showline": True, "linecolor": "black", "linewidth": 1, "mirror": True,
            "ticks": "outside", "tickcolor": "black", "showgrid": False, "zeroline": False,
            "title": {"font": {"color": "black"}}, "tickfont": {"color": "black"}}
    fig.update_xaxes(axis)
    fig.update_yaxes(axis)
    if style == "notebook":
        fig.update_layout(title=None, margin={"t": 30})
        fig.update_xaxes(tickfont={"size": 13})
        fig.update_yaxes(tickfont={"size": 13})


def _values(v: Any) -> np.ndarray:
    """Trace coordinates as floats, whether a list or plotly's base64 typed-array dict."""
    if isinstance(v, dict) and "bdata" in v:
        flat = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return flat.astype(float)
    return np.array([np.nan if e is None else e for e in v], dtype=float)


def _matplotlib_ranges(fig: go.Figure) -> None:
    """Axes that frame the visible lines with matplotlib's 5% margins (the notebook's look)."""
    xs, ys = [], []
    for t in fig.data:
        if t.visible is False or t.y is None or role(t) == "ghost":
            continue
        y = _values(t.y)
        x = (_values(t.x) if t.x is not None
             else (t.x0 or 0) + (t.dx or 1) * np.arange(len(y)))
        ok = np.isfinite(x) & np.isfinite(y)
        xs.append(x[ok])
        ys.append(y[ok])
    if not xs or not np.concatenate(xs).size:
        return
    for axis, v in (("xaxis", np.concatenate(xs)), ("yaxis", np.concatenate(ys))):
        lo, hi = float(v.min()), float(v.max())
        pad = 0.05 * (hi - lo if hi > lo else max(abs(hi), 1.0))
        if fig.layout[axis].type == "log":
            continue
        fig.layout[axis].range = [lo - pad, hi + pad]


def _loss_words(fig: go.Figure, lang: str) -> None:
    """The notebook's own words for the loss figure: axis titles and the two line names."""
    for trace in fig.data:
        r = role(trace)
        if r in ("batch_loss", "total_loss"):
            trace.name = i18n.tr(TEXT, r, lang)
    fig.update_xaxes(title={"text": i18n.tr(TEXT, "step", lang), "font": {"size": 21}})
    fig.update_yaxes(title={"text": i18n.tr(TEXT, "loss", lang), "font": {"size": 21}})


def _fmt(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _extras(c: TrainConfig) -> list[tuple[str, object]]:
    """Settings beyond the six headline ones that change the run, as (field, value)."""
    out: list[tuple[str, object]] = []
    if c.optimizer in ("momentum", "nesterov"):
        out.append(("momentum", c.momentum))
    if c.sampling != "sequential":
        out.append(("sampling_seed", c.sampling_seed))
    if c.accumulation > 1:
        out.append(("accumulation", c.accumulation))
    if c.schedule != "constant":
        out.append(("schedule", c.schedule))
        if c.schedule in ("step", "exponential"):
            out += [("gamma", c.gamma), ("decay_every", c.decay_every)]
    return out


def _data_extras(d: DataConfig) -> list[tuple[str, object]]:
    """The synthetic data's settings that differ from the notebook's, as (field, value)."""
    default = DataConfig()
    return [(f.name, getattr(d, f.name)) for f in fields(DataConfig)
            if f.name != "seed" and getattr(d, f.name) != getattr(default, f.name)]


def stamp_text(data_config: DataConfig | None, train_config: TrainConfig, lang: str,
               data_name: str = "") -> str:
    """The settings a figure was made with, so it can be re-made (" · " between them)."""
    c = train_config
    zh = lang == "zh"
    first = (f"{i18n.tr(TEXT, 'seed', lang)} {data_config.seed}" if data_config
             else f"{i18n.tr(TEXT, 'data', lang)} {data_name}")
    parts = [first]
    for name in ("lr", "batch_size", "steps"):
        s = spec(TrainConfig, name)
        parts.append(f"{s.zh if zh else s.en.lower()} {_fmt(getattr(c, name))}")
    parts += [choice_label(c.optimizer, lang), choice_label(c.sampling, lang)]
    extras: list[tuple[type, str, object]] = [(TrainConfig, n, v) for n, v in _extras(c)]
    extras += [(DataConfig, n, v) for n, v in _data_extras(data_config)] if data_config else []
    for cls, name, value in extras:
        s = spec(cls, name)
        parts.append(f"{s.zh if zh else s.en.lower()} {_value_text(value, lang)}")
    return " · ".join(parts)


def _value_text(value: object, lang: str) -> str:
    """A setting's value in words: a choice's label, on/off for a switch, else the number."""
    if isinstance(value, str):
        return choice_label(value, lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("on" if value else "off")
    return _fmt(value)


STAMP_FONT = 12  # px: 10 read as 9 px type on a slide (a teacher's report)


def _stamp_lines(text: str, width_px: float) -> list[str]:
    """``text`` broken at its " · " into lines that fit ``width_px`` at STAMP_FONT
    (a CJK character is about one em wide, a Latin one about 0.6 em)."""
    def px(s: str) -> float:
        return i18n.text_px(s, STAMP_FONT)

    lines: list[str] = []
    for part in text.split(" · "):
        if lines and px(lines[-1] + " · " + part) <= width_px:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def add_stamp(fig: go.Figure, text: str) -> go.Figure:
    """``fig`` with ``text`` in small grey type above the plot, wrapped to the figure's width
    (700 px, kaleido's default, when it sets none), the top margin grown to hold it."""
    margin = fig.layout.margin
    width = (fig.layout.width or 700) - (margin.l if margin.l is not None else 80) - 20
    lines = _stamp_lines(text, width)
    fig.add_annotation(text="<br>".join(lines), name=STAMP, xref="paper", yref="paper",
                       x=0, y=1, xanchor="left", yanchor="bottom", align="left", yshift=4,
                       showarrow=False, font={"size": STAMP_FONT, "color": "#666666"})
    # The title sits in the top margin too: the stamp's lines go on top of what it needs.
    top = margin.t if margin.t is not None else 0
    fig.update_layout(margin={"t": max(top, 60) + round(1.4 * STAMP_FONT) * (len(lines) - 1)})
    return fig


def file_stem(kind: str, data_config: DataConfig | None, train_config: TrainConfig,
              style: str = "screen", data_name: str = "") -> str:
    """A file name (no extension) that encodes the settings, safe on every file system."""
    c = train_config
    short = {"momentum": "m", "sampling_seed": "ss", "accumulation": "acc", "schedule": "",
             "gamma": "g", "decay_every": "every"}
    data_short = {"n": "n", "noise": "noise", "slope": "slope", "intercept": "icpt",
                  "x_min": "xmin", "x_max": "xmax", "standardize": ""}
    data = [("raw-x" if v is False else f"{data_short[k]}{_fmt(v)}")
            for k, v in (_data_extras(data_config) if data_config else [])]
    parts = ["sgdlab", kind,
             f"seed{data_config.seed}" if data_config else (data_name or "data"),
             f"lr{_fmt(c.lr)}", f"bs{c.batch_size}", f"steps{c.steps}", c.optimizer,
             c.sampling, *(f"{short[k]}{_fmt(v)}" for k, v in _extras(c)), *data]
    if style != "screen":
        parts.append(style)
    return "_".join(re.sub(r"[^A-Za-z0-9.+-]+", "-", p).strip("-") for p in parts)


# Every plotly config starts here. plotly.js 4 shows a "Share chart" button that uploads
# the figure to Plotly Cloud unless told not to: not in a classroom.
BASE_CONFIG: dict[str, Any] = {"displaylogo": False, "showSendToCloud": False}


def chart_config(stem: str, image_format: str = "png", scale: int = SCALE,
                 fig: go.Figure | None = None) -> dict[str, Any]:
    """The ``config`` for ``st.plotly_chart``: the modebar camera saves ``stem``.png at
    ``scale`` times the on-screen size (or an SVG), no Plotly logo and no cloud upload.

    When ``fig`` fixes its own size (the notebook style's 6 x 6 inches), the saved
    image keeps that size however wide the page stretches the chart.
    """
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {', '.join(IMAGE_FORMATS)}")
    options: dict[str, Any] = {"format": image_format, "filename": stem,
                               "scale": scale if image_format == "png" else 1}
    if fig is not None and fig.layout.width and fig.layout.height:
        options.update(width=fig.layout.width, height=fig.layout.height)
    return {**BASE_CONFIG, "toImageButtonOptions": options}
