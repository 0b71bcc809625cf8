"""The export view: a figure style switch, the figures to save, and the run's downloads.

Every download is generated only when its button is clicked (a callable
``data=``), so moving a slider elsewhere costs nothing here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sgdlab import export, i18n, styles
from sgdlab.ui import classroom
from sgdlab.ui.charts import IMAGE_FORMAT_KEPT
from sgdlab.ui.charts import IMAGE_FORMAT_KEY as FORMAT_KEY
from sgdlab.ui.charts import image_format as chosen_format
from sgdlab.ui.context import Run

STYLE_KEY, STAMP_KEY = "export_style", "export_stamp"

TEXT: i18n.Text = {
    "figures": ("Figures for slides and papers", "用于幻灯片和论文的图"),
    "style": ("Figure style", "图的样式"),
    "style_help": ("Screen: the dashboard look. Print: white, black text, thin lines, for a "
                   "paper. Notebook: the seed notebook's own figure.",
                   "屏幕：仪表板的样子。印刷：白底黑字细线条，适合论文。笔记本：原笔记本里的图。"),
    "image_format": ("Toolbar download", "工具栏下载格式"),
    "stamp": ("Settings stamp", "标注设置"),
    "stamp_help": ("Write seed, learning rate, batch size, steps, optimizer and sampling on "
                   "each figure, so it can be re-made.",
                   "在图上写明种子、学习率、批次大小、训练步数、优化算法和取样方式，方便以后重画。"),
    "hint": ("The camera icon in each figure's toolbar saves it as {fmt} ({scale}); the file "
             "name carries the settings.",
             "点击每幅图工具栏里的相机图标即可保存为 {fmt}（{scale}）；文件名包含各项设置。"),
    "scale_png": ("3x the on-screen size", "屏幕尺寸的 3 倍"),
    "scale_svg": ("vector graphics", "矢量图"),
    "downloads": ("Take the run with you", "带走这次训练"),
    "csv": ("Step log (CSV)", "每步记录（CSV）"),
    "csv_help": ("One row per step; the settings are in the # lines at the top.",
                 "每一步一行；设置写在开头以 # 开头的几行里。"),
    "html": ("Figures (HTML)", "图（HTML）"),
    "html_help": ("The three figures, interactive, in one page that works offline.",
                  "三幅可交互的图，放在一个离线也能打开的网页里。"),
    "py": ("PyTorch script (.py)", "PyTorch 脚本(.py)"),
    "py_help": ("Re-runs this training with torch alone and prints the same step log.",
                "只用 torch 重新运行这次训练，打印相同的每步结果。"),
    "ipynb": ("Jupyter notebook (.ipynb)", "Jupyter 笔记本(.ipynb)"),
    "ipynb_help": ("The same program as a notebook, in the seed notebook's style.",
                   "同样的程序，写成与原笔记本风格相同的笔记本。"),
    "title": ("sgdlab: mini-batch SGD on y = a * x + b", "sgdlab：用小批量 SGD 拟合 y = a * x + b"),
}


def tr(key: str, lang: str, **values: object) -> str:
    return i18n.tr(TEXT, key, lang, **values)


def look() -> tuple[str, bool, str]:
    """The chosen (style, stamp, image format); the defaults before the view has been drawn."""
    state = st.session_state
    style = state.get(STYLE_KEY) or "screen"
    return style, bool(state.get(STAMP_KEY, False)), chosen_format()


def finish_figure(fig: Any, run: Run, kind: str) -> tuple[Any, dict[str, Any]]:
    """``fig`` in the chosen style (with the stamp if asked) and its ``st.plotly_chart`` config.

    For other views too: ``fig, config = finish_figure(fig, run, "live")``.
    """
    style, stamp, image_format = look()
    fig = styles.apply_style(fig, style, run.lang)
    if stamp:
        fig = styles.add_stamp(fig, _stamp(run))
    stem = styles.file_stem(kind, run.data_config, run.train_config, style, run.data.name)
    return fig, styles.chart_config(stem, image_format, fig=fig)


def _stamp(run: Run) -> str:
    return styles.stamp_text(run.data_config, run.train_config, run.lang, run.data.name)


def _step(run: Run) -> int | None:
    """The step on show in the live view (its step box), so exported figures match it."""
    step = st.session_state.get("live_step")
    if not (isinstance(step, int) and 1 <= step <= run.history.steps):
        return None
    classroom.tab_shows_step(step)
    return step


def export_ui(run: Run) -> None:
    """Style switch, the three figures (toolbar saves PNG x3 or SVG), and four downloads."""
    lang = run.lang
    st.subheader(tr("figures", lang))
    left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    left.segmented_control(tr("style", lang), styles.STYLES, default="screen", key=STYLE_KEY,
                           format_func=lambda s: i18n.tr(styles.TEXT, f"style_{s}", lang),
                           help=tr("style_help", lang))
    kept = st.session_state.get(IMAGE_FORMAT_KEPT, "png")
    st.session_state[IMAGE_FORMAT_KEPT] = mid.segmented_control(
        tr("image_format", lang), styles.IMAGE_FORMATS, default=kept, key=FORMAT_KEY,
        format_func=str.upper) or kept
    right.toggle(tr("stamp", lang), key=STAMP_KEY, help=tr("stamp_help", lang))
    style, stamp, image_format = look()
    st.caption(tr("hint", lang, fmt=image_format.upper(),
                  scale=tr(f"scale_{image_format}", lang)))
    step = _step(run)
    figs = export.make_figures(run.history, export.KINDS, lang, style,
                               _stamp(run) if stamp else "", run.true_line, step)
    for kind, fig in zip(export.KINDS, figs, strict=True):
        stem = styles.file_stem(kind, run.data_config, run.train_config, style, run.data.name)
        st.plotly_chart(fig, key=f"export_chart_{kind}", theme=None, width="stretch",
                        config=styles.chart_config(stem, image_format, fig=fig))
    _downloads_ui(run, style, stamp, step)


def _downloads_ui(run: Run, style: str, stamp: bool, step: int | None) -> None:
    lang, d, c = run.lang, run.data_config, run.train_config
    st.subheader(tr("downloads", lang))
    stem = styles.file_stem("run", d, c, "screen", run.data.name)

    def html() -> str:
        figs = export.make_figures(run.history, export.KINDS, lang, style,
                                   _stamp(run) if stamp else "", run.true_line, step)
        note = "python -m sgdlab " + export.cli_command(d, c)
        return export.to_html(figs, tr("title", lang), lang, note)

    items = [
        ("csv", lambda: export.to_csv(run.history, d), ".csv", "text/csv"),
        ("html", html, ".html", "text/html"),
        ("py", lambda: export.to_script(run.data, d, c, lang), ".py", "text/x-python"),
        ("ipynb", lambda: export.to_notebook(run.data, d, c, lang), ".ipynb",
         "application/x-ipynb+json"),
    ]
    for col, (name, make, ext, mime) in zip(st.columns(len(items)), items, strict=True):
        col.download_button(tr(name, lang), data=make, file_name=stem + ext, mime=mime,
                            key=f"export_{name}", help=tr(f"{name}_help", lang),
                            on_click="ignore", icon=":material/download:", width="stretch")
