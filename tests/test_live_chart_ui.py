"""sgdlab.ui.live_chart: what the live chart's component receives, and where plotly.js is."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import plotly

from sgdlab import figures
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.train import train
from sgdlab.ui import live_chart
from sgdlab.ui.charts import plot_config


def _spec() -> dict:
    history = train(make_data(DataConfig()), TrainConfig(steps=5))
    return figures.live_spec(history, "en", true_line=(10.0, 5.0))


def test_the_payload_is_the_figure_with_the_app_s_chart_config():
    spec = _spec()
    sent = json.loads(live_chart.payload(spec, "en"))
    figure = sent["figure"]
    config = plot_config()
    # plotly's own camera is replaced by the component's, which leaves out the play controls
    config["modeBarButtonsToRemove"] = [*config["modeBarButtonsToRemove"], "toImage"]
    assert figure["config"] == {**config, "responsive": True, "locale": "en-US"}
    zh = json.loads(live_chart.payload(spec, "zh"))["figure"]["config"]
    assert zh["locale"] == "zh-CN"  # the toolbar's words (live_chart.js registers them)
    # everything else is the spec itself, frames for playback included
    assert {k: v for k, v in figure.items() if k != "config"} == json.loads(json.dumps(spec))
    assert len(figure["frames"]) == 5


def test_the_download_s_name_and_format_travel_beside_the_config():
    spec = _spec()
    png = json.loads(live_chart.payload(spec, "en", "sgdlab_live_seed3", "png"))
    svg = json.loads(live_chart.payload(spec, "zh", "sgdlab_live_seed3", "svg"))
    assert png["image"] == {"filename": "sgdlab_live_seed3", "format": "png", "scale": 3}
    assert svg["image"] == {"filename": "sgdlab_live_seed3", "format": "svg", "scale": 1}
    assert "PNG" in png["download"] and "SVG" in svg["download"] and "下载" in svg["download"]
    # The config does not change with the name: a changed config redraws from scratch.
    other = json.loads(live_chart.payload(spec, "en", "sgdlab_live_seed4", "png"))
    assert other["figure"]["config"] == png["figure"]["config"]


def test_the_component_s_own_words_speak_the_page_s_language():
    spec = _spec()
    en, zh = (json.loads(live_chart.payload(spec, lang)) for lang in ("en", "zh"))
    assert "plotly.js" in en["failed"] and "刷新" in zh["failed"]
    assert en["fullscreen"].startswith("Full screen") and zh["fullscreen"].startswith("全屏")


def test_plotly_js_is_the_copy_plotly_py_ships():
    src = urlsplit(json.loads(live_chart.payload(_spec(), "en"))["src"])
    assert not src.path.startswith("/")  # below the app's address, wherever it is served
    component, name = src.path.split("/")[1:]
    assert component == "sgdlab.ui.live_chart.plotly_js"
    served = Path(plotly.__file__).parent / "package_data" / name
    assert served.is_file()
    # the version plotly.py writes figures for, also in the address (the browser's copy
    # is kept until it changes)
    version = plotly.offline.get_plotlyjs_version()
    assert f"plotly.js v{version}" in served.read_text()[:200]
    assert src.query == f"v={version}"
