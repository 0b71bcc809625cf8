"""The live view's element: a Streamlit component that draws sgdlab.figures.live's blob.

The component keeps its element across reruns (it has a key), decodes the family of
runs once, and redraws only the traces that move. Rates, steps and playback change in
the browser; a change comes back once it rests, as one ``commit`` event.

plotly.js is the basic bundle (``vendor/``, the version plotly.py writes figures for),
served by Streamlit's file route for components and fetched once per browser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import plotly
import streamlit as st
import streamlit.components.v1 as components_v1

from sgdlab import i18n, styles
from sgdlab.config import TrainConfig, spec

HERE = Path(__file__).parent
VENDOR = HERE / "vendor"
PLOTLY_VERSION = plotly.offline.get_plotlyjs_version()
PLOTLY_FILE = f"plotly-basic-{PLOTLY_VERSION}.min.js"
_FILES = "plotly_js"  # a component that only serves the vendored files
# live_format.js is an ES module of its own (tests import it); the element gets one script
_FORMAT = (HERE / "live_format.js").read_text(encoding="utf-8").replace("export function",
                                                                         "function")
_JS = _FORMAT + "\n" + (HERE / "live_view.js").read_text(encoding="utf-8")
_CSS = (HERE / "live_view.css").read_text(encoding="utf-8")
_view = st.components.v2.component("sgdlab.live_view", js=_JS, css=_CSS, isolate_styles=False)

TEXT: i18n.Text = {
    "step": ("Step", "当前步"),
    "step_exact": ("Step number", "训练步编号"),
    "step_clamped": ("Step {typed} is outside {lo} to {hi}, so it is {fixed} now.",
                     "第 {typed} 步超出了 {lo} 到 {hi} 的范围，已改为第 {fixed} 步。"),
    "play": ("▶ Play", "▶ 播放"),
    "pause": ("❚❚ Pause", "❚❚ 暂停"),
    "speed": ("Play faster, from the step on screen", "从当前步开始快速播放"),
    "log_y": ("Log-scale loss", "损失用对数坐标"),
    "log_help": ("Show the loss axis on a log scale: small losses near the minimum and "
                 "early large ones both stay readable.",
                 "损失轴用对数坐标：接近最小值的小损失和开始时的大损失都看得清。"),
    "log_forced_help": ("This run's loss blows up or leaves the frame, and that only reads on "
                        "a log scale: its loss axis is logarithmic whatever the switch says.",
                        "这次训练的损失爆炸或超出画面，只有对数坐标才看得清：它的损失轴总是对数坐标。"),
    "a": ("slope a", "斜率 a"),
    "b": ("intercept b", "截距 b"),
    "batch_loss": ("batch loss", "批次损失"),
    "total_loss": ("whole-data loss", "整体损失"),
    "distance": ("distance to optimum", "到最优点的距离"),
    "distance_help": ("Euclidean distance from (a, b) to the least-squares (a*, b*).",
                      "(a, b) 到最小二乘解 (a*, b*) 的欧氏距离。"),
    "fit_panel": ("Fit at this step", "当前步的拟合"),
    "params_panel": ("Parameter space (a, b)", "参数空间 (a, b)"),
    "loss_panel": ("Loss per step", "每一步的模型损失"),
    "table": ("Step by step", "逐步数据"),
    "table_window": ("Rows {lo}–{hi} of {n}, around the chosen step.",
                     "第 {lo}–{hi} 行（共 {n} 行），围绕所选的训练步。"),
    "table_sampled": ("Release the rate to see every step of this run.",
                      "松开学习率滑块后即可看到这次训练的每一步。"),
    "no_steps": ("No step could be taken. Here are the data as the model sees them: "
                 "look at the range of the x axis.",
                 "一步也没有完成。下图是模型看到的数据：注意 x 轴的范围。"),
    "off_chart": ("off the chart: the arrow points where it went",
                  "已超出图的范围：箭头指向它的去向"),
    "locked": ("The teacher's link fixes the learning rate.", "老师的链接固定了学习率。"),
    "server_only": ("This run is too long to prepare every rate in advance: each rate is "
                    "drawn by the server when you let go.",
                    "这次训练太长，无法预先准备每个学习率：松开后由服务器计算所选的学习率。"),
    "failed": ("The chart library (plotly.js) could not be loaded. Reload the page.",
               "图表库（plotly.js）加载失败，请刷新页面。"),
}
# The step table's columns (sgdlab.history.COLUMNS' order), in each language.
COLUMNS = {"en": ["step", "batch loss", "whole-data loss", "a", "b", "∂L_B/∂a", "∂L_B/∂b",
                  "learning rate", "batch size"],
           "zh": ["步", "批次损失", "整体损失", "a", "b", "∂L_B/∂a", "∂L_B/∂b", "学习率",
                  "批次大小"]}
# plotly.js's own words (toolbar tooltips) in Chinese; plotly.py ships no locale files.
ZH_CN = {
    "Autoscale": "自动缩放", "Box Select": "框选", "Lasso Select": "套索选择",
    "Compare data on hover": "悬停时比较数据", "Show closest data on hover": "悬停时显示最近的数据",
    "Toggle show closest data on hover": "切换悬停显示最近的数据",
    "Toggle Spike Lines": "切换辅助线", "Download plot as a png": "下载 PNG 图片",
    "Download plot": "下载图片", "Pan": "平移", "Reset": "重置", "Reset axes": "重置坐标轴",
    "Reset view": "重置视图", "Reset views": "重置视图", "Zoom": "缩放", "Zoom in": "放大",
    "Zoom out": "缩小", "Produced with Plotly.js": "由 Plotly.js 生成",
    "Double-click to zoom back out": "双击恢复原来的缩放",
    "Double-click on legend to isolate one trace": "双击图例只显示这一项",
    "Taking snapshot - this may take a few seconds": "正在生成图片，可能需要几秒钟",
    "Snapshot succeeded": "图片已生成",
    "Sorry, there was a problem downloading your snapshot!": "抱歉，下载图片时出了问题！",
}


def words(lang: str) -> dict[str, Any]:
    """Every word the element shows, in ``lang``."""
    out: dict[str, Any] = {key: i18n.tr(TEXT, key, lang) for key in TEXT}
    out["lr"] = spec(TrainConfig, "lr").label(lang)
    out["columns"] = COLUMNS["zh" if lang == "zh" else "en"]
    return out


def plotly_src() -> str:
    """The vendored plotly.js below the app's address (served once the element has run).

    The version is in the file's name: the browser keeps its copy until plotly changes.
    """
    return f"component/{__name__}.{_FILES}/{PLOTLY_FILE}"


def header(lang: str, stem: str, image_format: str, *, locked: bool = False,
           hidden: bool = False, server_only: bool = False) -> dict[str, Any]:
    """What the element needs beside the runs: words, plotly.js, the toolbar and downloads."""
    config: dict[str, Any] = {
        "displaylogo": False, "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "locale": "zh-CN" if lang == "zh" else "en-US"}
    image = {"filename": stem, "format": image_format,
             "scale": styles.SCALE if image_format == "png" else 1}
    return {"words": words(lang), "plotly": plotly_src(), "config": config, "image": image,
            "zh_cn": ZH_CN, "lr_locked": locked, "lr_hidden": hidden, "server_only": server_only}


def preload_ui() -> None:
    """Start fetching plotly.js at once: call it before anything else on the page. The live
    view is drawn after the controls it depends on, and a new visitor's browser would only
    then ask for the 1.2 MB it draws with."""
    components_v1.declare_component(_FILES, path=str(VENDOR))
    _view(key="live_view_preload", data=orjson.dumps({"plotly": plotly_src()}), height=0)


def live_view_ui(blob: bytes, key: str = "live_view",
                 on_commit: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Draw a :func:`sgdlab.figures.live.live_view` blob in the page's live view element.

    ``on_commit(value)`` runs (as a widget callback, before the rerun it causes) when the
    reader lets go of a rate or a step: value is ``{"lr": float, "step": int | None}``,
    as the browser sent it (untrusted: check it).
    """
    components_v1.declare_component(_FILES, path=str(VENDOR))  # the route of plotly.js

    def committed() -> None:
        value = getattr(st.session_state.get(key), "commit", None)
        if on_commit is not None and isinstance(value, dict):
            on_commit(value)

    _view(key=key, data=blob, height="content", on_commit_change=committed)
