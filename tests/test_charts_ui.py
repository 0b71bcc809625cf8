"""sgdlab.ui.charts: what st.plotly_chart sends for a prebuilt spec is what plotly itself makes."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from sgdlab import figures
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.train import train
from sgdlab.ui.charts import _Built


def sent(figure: object) -> dict:
    """The JSON st.plotly_chart puts in its message, by the two calls it makes."""
    d = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return json.loads(pio.to_json(d, validate=False))


@pytest.mark.parametrize(("lang", "step", "log_y"), [("en", 20, False), ("zh", 3, True)])
def test_a_built_spec_is_sent_as_plotly_validates_it(lang: str, step: int, log_y: bool) -> None:
    history = train(DataConfig(), TrainConfig(steps=60))
    spec = figures.live_spec(history, lang, step=step, log_y=log_y, true_line=(10.0, 5.0))
    spec.pop(figures.NARROW_KEY)  # the live chart's own, not plotly's (live_chart.js reads it)
    reference = go.Figure(spec)  # validated by plotly: the independent reference
    assert sent(_Built(spec)) == sent(reference)
    # the live figure brings plotly's bare "none" template (it sets every style itself)
    assert spec["layout"]["template"] == pio.templates["none"].to_plotly_json()


def test_a_spec_without_a_template_gets_plotly_s_default_as_a_figure_would() -> None:
    spec = {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}], "layout": {}}
    assert sent(_Built(spec)) == sent(go.Figure(spec))
    assert "template" not in spec["layout"]  # the spec itself is left alone


def test_a_spec_with_its_own_template_keeps_it() -> None:
    spec = {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}],
            "layout": {"template": {"layout": {"font": {"size": 30}}}}}
    assert sent(_Built(spec)) == sent(go.Figure(spec))
