"""The export view in AppTest: the style switch restyles the figures, and each download
button carries what the export module makes for the run on screen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from sgdlab import export
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.train import train

SETTINGS = {"lr": 0.05, "sampling": "shuffle", "batch_size": 25, "steps": 12}


def harness() -> None:
    """A stand-in for app.py: a fixed run (or one on 'uploaded' points), then the view."""
    import streamlit as st

    from sgdlab import DataConfig, TrainConfig, make_data, train
    from sgdlab.data import from_arrays
    from sgdlab.ui.context import Run
    from sgdlab.ui.export import export_ui

    lang = st.session_state.get("test_lang", "en")
    config = TrainConfig(lr=0.05, sampling="shuffle", batch_size=25, steps=12)
    if st.session_state.get("test_upload"):
        data, data_config = from_arrays([1, 2, 3, 4, 5, 6], [2, 4, 5, 9, 10, 13],
                                        name="up.csv"), None
        config = TrainConfig(batch_size=2, steps=6)
    else:
        data_config = DataConfig(seed=5)
        data = make_data(data_config)
    export_ui(Run(data_config, data, config, train(data, config), lang))


class Recording(MediaFileManager):
    """The media file manager AppTest makes, kept so a test can read the downloads."""

    last: Recording | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Recording.last = self


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", Recording)
    return AppTest.from_function(harness, default_timeout=120)


def downloads(at: AppTest) -> dict[str, tuple[str, bytes]]:
    """key -> (file name, content) of every download button, generated as a click would."""
    mgr = Recording.last
    assert mgr is not None
    out = {}
    for button in at.download_button:
        proto = button.proto
        url = mgr.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id \
            else proto.url
        file = mgr.read_file(url.rsplit("/", 1)[1])
        assert file is not None, button.key
        out[button.key] = (file.filename, file.content)
    return out


def test_download_buttons_carry_the_runs_artefacts(at: AppTest) -> None:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    files = downloads(at)
    assert set(files) == {"export_csv", "export_html", "export_py", "export_ipynb"}
    data_config, config = DataConfig(seed=5), TrainConfig(**SETTINGS)  # type: ignore[arg-type]
    history = train(data_config, config)
    stem = "sgdlab_run_seed5_lr0.05_bs25_steps12_sgd_shuffle_ss0"
    name, csv = files["export_csv"]
    assert name == stem + ".csv"
    back = export.read_csv(csv.decode())
    assert back.config == config and (back.batch_loss == history.batch_loss).all()
    name, py = files["export_py"]
    assert name == stem + ".py"
    assert py.decode() == export.to_script(make_data(data_config), data_config, config, "en")
    name, nb = files["export_ipynb"]
    assert name == stem + ".ipynb" and json.loads(nb)["nbformat"] == 4
    name, html = files["export_html"]
    assert name == stem + ".html" and html.count(b'class="plotly-graph-div"') == 3
    assert len(html) > 3_000_000  # plotly.js inlined: works offline


def test_uploaded_data_goes_into_the_script(at: AppTest) -> None:
    at.session_state["test_upload"] = True
    at.session_state["test_lang"] = "zh"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    files = downloads(at)
    name, py = files["export_py"]
    assert name.startswith("sgdlab_run_up.csv_") and name.endswith(".py")
    src = py.decode()
    assert "y = torch.tensor([2, 4, 5, 9, 10, 13])" in src and "import sgdlab" not in src
    assert "# 将上一次的梯度清零" in src  # comments in the reader's language
    with pytest.raises(ValueError, match="uploaded data"):
        export.read_csv(files["export_csv"][1].decode())  # the log says what it needs


def test_style_switch_restyles_the_figures_and_their_file_names(at: AppTest) -> None:
    at.run()
    assert [c.proto.spec != "" for c in at.get("plotly_chart")] == [True] * 3
    at.segmented_control(key="export_style").set_value("notebook").run()
    at.segmented_control(key="export_image_format").set_value("svg").run()
    at.toggle(key="export_stamp").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    name, html = downloads(at)["export_html"]  # the styled figures export too
    assert html.count(b'class="plotly-graph-div"') == 3 and b"dashdot" in html
    charts = at.get("plotly_chart")
    specs = [json.loads(c.proto.spec) for c in charts]
    configs = [json.loads(c.proto.config) for c in charts]
    loss = specs[1]
    lines = {t["meta"]["role"]: t["line"] for t in loss["data"]
             if t.get("meta", {}).get("role") in ("batch_loss", "total_loss")}
    assert lines["batch_loss"]["color"] == "black"
    assert lines["total_loss"] == {**lines["total_loss"], "color": "red", "dash": "dashdot"}
    assert loss["layout"]["xaxis"]["title"]["text"] == "Step"
    stamps = [a["text"] for s in specs for a in s["layout"].get("annotations", [])
              if a.get("name") == "sgdlab-stamp"]
    assert len(stamps) == 3 and "learning rate 0.05" in stamps[0]
    for kind, config in zip(export.KINDS, configs, strict=True):
        options = config["toImageButtonOptions"]
        assert options["format"] == "svg"
        assert options["filename"] == (f"sgdlab_{kind}_seed5_lr0.05_bs25_steps12_sgd_shuffle_ss0"
                                       "_notebook")
