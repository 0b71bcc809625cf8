"""The live figure's own element: one plotly div, redrawn in place by Plotly.react.

st.plotly_chart mounts a new chart whenever its figure changes (its element id
hashes the figure), and the new chart then draws twice: on a new setting that
was most of the page's redraw time (benchmarks/press_timeline.py shows both). This component
has a key, so its div outlives reruns, and each new figure costs one
``Plotly.react``, frames for in-browser playback included.

plotly.js is the copy that ships with the plotly package, the version plotly.py
writes figures for, served by Streamlit's file route for components.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import plotly
import streamlit as st
import streamlit.components.v1 as components_v1

from sgdlab import figures, i18n, styles
from sgdlab.ui.charts import plot_config

TEXT: i18n.Text = {
    "failed": ("The chart library (plotly.js) could not be loaded. Reload the page.",
               "图表库(plotly.js)加载失败，请刷新页面。"),
    "loading": ("Loading the chart…", "正在加载图表……"),
    "fullscreen": ("Full screen (Esc to leave)", "全屏（按 Esc 退出）"),
    "download": ("Download the figure as {fmt} (without the play controls)",
                 "下载这幅图（{fmt}，不含播放控件）"),
}
_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
_FILES = "plotly_js"  # a component that only serves plotly.js's files
_VERSION = plotly.offline.get_plotlyjs_version()
_JS = Path(__file__).with_name("live_chart.js").read_text(encoding="utf-8")
STEP_VIEW = "live_step_view"  # the container of the metrics and the log line (its key)
STEP_TABLE = "live_step_table"  # the container of the step table (its key)
STEP_BOX = "live_step"  # the step box's key
# While ▶ plays in the browser, the metrics and the log line follow the frames: each
# frame's values come with the figure (payload's readouts), and live_chart.js writes
# them into an attribute that these rules show in place of Streamlit's own text, until
# Streamlit draws the step box's values again. The table and the step box catch up only
# where playback stops (a round trip per frame would cost the animation); faded
# meanwhile, they do not contradict the figure on a projector.
PLAYING_CSS = f""".sgdlab-playing :is(.st-key-{STEP_TABLE}, .st-key-{STEP_BOX}) {{ opacity: 0.3; }}
:is(.st-key-{STEP_TABLE}, .st-key-{STEP_BOX}) {{ transition: opacity 0.2s; }}
.sgdlab-following .st-key-{STEP_VIEW} [data-sgdlab-value] > * {{ display: none; }}
.sgdlab-following .st-key-{STEP_VIEW} [data-sgdlab-value]::after {{
  content: attr(data-sgdlab-value); }}"""
# Containment: plotly's many layout reads while it draws then stay inside its own box
# instead of relaying out the whole page (warm presses ~295 -> ~255 ms, median of 10).
# The page's own top padding (6rem) trimmed: with it, a 1920x1080 screen cut the figure
# above its play buttons.
_CSS = """[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
.sgdlab-live-chart { contain: content; }
.sgdlab-live-chart:fullscreen { background: white; overflow: auto; }
""" + PLAYING_CSS
_chart = st.components.v2.component("sgdlab.live_chart", js=_JS, css=_CSS, isolate_styles=False)


def plotly_src() -> str:
    """plotly.min.js's path below the app's address (served once live_chart_ui has run).

    The version is in the address: the browser keeps its copy until plotly changes.
    """
    return f"component/{__name__}.{_FILES}/plotly.min.js?v={_VERSION}"


def payload(spec: dict[str, Any], lang: str, stem: str = "sgdlab",
            image_format: str = "png", readouts: dict[str, list[str]] | None = None) -> bytes:
    """What the component receives: where plotly.js is, the figure and its config, and how
    the modebar's download button saves it (``stem``.png at SCALE, or .svg).

    ``readouts``: for each frame (by name) the values of the metrics row and the log line,
    in the page's order, which the page shows while that frame plays.

    The file name travels beside the config, not in it: Plotly.react redraws from scratch
    when the config changes, and the name changes with every setting.
    """
    config = plot_config()
    config["modeBarButtonsToRemove"] = [*config["modeBarButtonsToRemove"], "toImage"]
    config["locale"] = "zh-CN" if lang == "zh" else "en-US"  # the toolbar's own words
    image = {"filename": stem, "format": image_format,
             "scale": styles.SCALE if image_format == "png" else 1}
    return orjson.dumps({"src": plotly_src(), "failed": i18n.tr(TEXT, "failed", lang),
                         "narrow_px": figures.NARROW_PX,
                         "loading": i18n.tr(TEXT, "loading", lang),
                         "fullscreen": i18n.tr(TEXT, "fullscreen", lang),
                         "download": i18n.tr(TEXT, "download", lang, fmt=image_format.upper()),
                         "image": image, "step_view": STEP_VIEW, "readouts": readouts or {},
                         "figure": {**spec, "config": {**config, "responsive": True}}})


def live_chart_ui(data: bytes, key: str = "live_chart",
                  on_stopped: Callable[[int], None] | None = None) -> None:
    """Draw a :func:`payload` in the page's one live plot element.

    ``on_stopped(step)`` runs (as a widget callback, before the rerun it causes) when
    playback in the browser stops on a step: paused, played to the end, or the figure's
    own step slider let go.
    """
    # the route that serves plotly.js (in a script run; registering again is a no-op)
    components_v1.declare_component(_FILES, path=str(_PLOTLY_DIR))

    def stopped() -> None:
        value = getattr(st.session_state.get(key), "stopped", None)
        if on_stopped is not None and isinstance(value, int | float):
            on_stopped(int(value))

    _chart(key=key, data=data, height="content", on_stopped_change=stopped)
