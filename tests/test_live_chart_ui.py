"""sgdlab.ui.live_chart: what the live chart's component receives, and where plotly.js is."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert figure["config"] == {**plot_config(), "responsive": True}
    # everything else is the spec itself, frames for playback included
    assert {k: v for k, v in figure.items() if k != "config"} == json.loads(json.dumps(spec))
    assert len(figure["frames"]) == 5


def test_the_failure_message_speaks_the_page_s_language():
    spec = _spec()
    assert "plotly.js" in json.loads(live_chart.payload(spec, "en"))["failed"]
    assert "刷新" in json.loads(live_chart.payload(spec, "zh"))["failed"]


def test_plotly_js_is_the_copy_plotly_py_ships():
    src = json.loads(live_chart.payload(_spec(), "en"))["src"]
    assert not src.startswith("/")  # below the app's address, wherever it is served
    component, name = src.split("/")[1:]
    assert component == "sgdlab.ui.live_chart.plotly_js"
    served = Path(plotly.__file__).parent / "package_data" / name
    assert served.is_file()
    # the version plotly.py writes figures for
    assert f"plotly.js v{plotly.offline.get_plotlyjs_version()}" in served.read_text()[:200]
