"""What a run sends to the board (sgdlab.board.summary), checked against the run itself."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.board import summary
from sgdlab.board.summary import RunSummary, best_runs, keep_indices, summarize


@pytest.mark.parametrize("n", [0, 1, 5, 120, 121, 1000, 10_000])
def test_keep_indices_spreads_evenly_and_keeps_both_ends(n: int) -> None:
    idx = keep_indices(n)
    assert len(idx) == min(n, summary.MAX_POINTS)
    if n:
        assert idx[0] == 0 and idx[-1] == n - 1
    if n > 1:
        assert np.all(np.diff(idx) > 0)
        assert np.diff(idx).max() <= math.ceil((n - 1) / (summary.MAX_POINTS - 1))


def test_a_summary_holds_the_runs_numbers_downsampled() -> None:
    data, config = DataConfig(), TrainConfig(steps=500)
    h = train(data, config)
    s = summarize(h, data, config, nickname="  Ann  ")
    assert s.nickname == "Ann" and s.data == data and s.train == config
    assert s.final_loss == pytest.approx(float(h.total_loss[-1]), rel=1e-9)
    assert s.diverged_at is None and not s.diverged
    assert s.step[0] == 1 and s.step[-1] == 500 and len(s.step) == summary.MAX_POINTS
    i = np.asarray(s.step) - 1
    np.testing.assert_allclose(s.loss, h.total_loss[i], rtol=1e-4)
    np.testing.assert_allclose(s.a, h.a[i], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(s.b, h.b[i], rtol=1e-4, atol=1e-6)


def test_a_diverged_run_says_where() -> None:
    data, config = DataConfig(), TrainConfig(lr=5.0)
    h = train(data, config)
    assert h.diverged_at is not None
    s = summarize(h, data, config)
    assert s.diverged and s.diverged_at == h.diverged_at and len(s.step) == h.steps


def test_json_round_trip_and_size() -> None:
    data, config = DataConfig(seed=7, noise=2.0), TrainConfig(lr=0.05, batch_size=10,
                                                              steps=2000, optimizer="adam")
    s = summarize(train(data, config), data, config, nickname="小明 <b>")
    text = s.to_json()
    assert len(text) < 8000
    back = RunSummary.from_json(text, seq=4)
    assert back == s and back is not None and back.seq == 4
    assert json.loads(text)["nick"] == "小明 <b>"  # kept as typed; escaped where shown


@pytest.mark.parametrize("text", [
    "", "[]", "null", "{", '{"v": 2}', '{"v": 1}', "x" * (summary.MAX_JSON_CHARS + 1),
    '{"v":1,"nick":"a","q":{},"final":1,"div":null,"step":[1,2],"loss":[1],"a":[1],"b":[1]}',
    '{"v":1,"nick":"a","q":[],"final":1,"div":null,"step":[],"loss":[],"a":[],"b":[]}',
    '{"v":1,"nick":"a","q":{},"final":"x","div":null,"step":[],"loss":[],"a":[],"b":[]}',
])
def test_junk_is_not_a_run(text: str) -> None:
    assert RunSummary.from_json(text) is None


def test_stored_settings_are_checked_as_a_link_is() -> None:
    body = {"v": 1, "nick": "a\u202eb" + "x" * 40, "q": {"lr": "999", "batch_size": "5"},
            "final": 1.5, "div": None, "step": [1], "loss": [1.5], "a": [1], "b": [2]}
    s = RunSummary.from_json(json.dumps(body))
    assert s is not None
    assert s.train.lr == 10.0 and s.batch_size == 5  # clamped into the slider's range
    assert s.nickname == "ab" + "x" * 22


def test_best_runs_lowest_final_loss_first_and_never_diverged() -> None:
    def run(loss: float | None, div: int | None, seq: int) -> RunSummary:
        return RunSummary("", DataConfig(), TrainConfig(), loss, div, seq=seq)

    runs = [run(3.0, None, 1), run(1.0, None, 2), run(None, 4, 3), run(1.0, None, 4),
            run(math.nan, None, 5), run(0.5, 7, 6)]
    assert [r.seq for r in best_runs(runs)] == [2, 4, 1]
    assert [r.seq for r in best_runs(runs, k=1)] == [2]
