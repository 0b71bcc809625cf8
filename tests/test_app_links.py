"""The real app.py opened from classroom links (AppTest): settings, notices, locks and hides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.urlstate import to_query

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_link(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    return at.run()


def page_ab(at: AppTest) -> tuple[float, float]:
    metrics = {m.label: m.value for m in at.metric}
    return float(metrics["slope a"]), float(metrics["intercept b"])


@pytest.mark.parametrize("data, config", [
    (DataConfig(seed=7, n=150, noise=0.5), TrainConfig(lr=0.05, batch_size=30, steps=25,
                                                        sampling="shuffle", sampling_seed=3)),
    (DataConfig(), TrainConfig(lr=0.02, optimizer="momentum", momentum=0.8, steps=40,
                               schedule="step", decay_every=10, gamma=0.5)),
])
def test_a_link_reproduces_its_run(data, config):
    at = open_link({**to_query(data, config, lang="en"), "lang": "en"})
    assert not at.exception
    want = train(data, config)
    a, b = page_ab(at)
    assert a == pytest.approx(want.a[-1], abs=1e-4) and b == pytest.approx(want.b[-1], abs=1e-4)
    assert at.session_state["lr"] == config.lr and at.session_state["seed"] == data.seed


def test_bad_link_values_give_notices_and_the_page_still_works():
    at = open_link({"lang": "en", "lr": "abc", "batch_size": "-5", "steps": "99999999",
                    "foo": "bar", "noise": "nan"})
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for name in ("lr", "batch_size", "steps", "foo", "noise"):
        assert name in text, name
    a, b = page_ab(at)
    assert np.isfinite([a, b]).all()


def test_a_teacher_link_locks_and_hides_controls():
    at = open_link({"lang": "en", "lock": "lr,batch_size", "hide": "noise", "lr": "0.3"})
    assert not at.exception
    assert at.number_input(key="lr").disabled and at.number_input(key="lr").value == 0.3
    assert at.slider(key="batch_size").disabled
    assert not [w for w in at.number_input if w.key == "noise"]
    assert at.session_state["lr"] == 0.3
