"""The class board's figures (sgdlab.figures_board), from runs trained here."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sgdlab import DataConfig, TrainConfig, make_data, sweep, train
from sgdlab.board.summary import RunSummary, best_runs, summarize
from sgdlab.figures_board import curves_figure, loss_ticks, map_figure, plain

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def sent(seq: int, nickname: str, data: DataConfig | None = None, **changes) -> RunSummary:
    data, t = data or DataConfig(), TrainConfig(**changes)
    return replace(summarize(train(data, t), data, t, nickname), seq=seq)


@pytest.fixture(scope="module")
def runs() -> list[RunSummary]:
    return [sent(1, "Ann", lr=0.1), sent(2, "<b>Bo</b>", lr=0.2, batch_size=50),
            sent(3, "$x$", lr=5.0),  # diverges
            sent(4, "Cy", lr=0.05, steps=60, batch_size=5),
            sent(5, "Di", DataConfig(noise=3.0), lr=0.1)]  # other data


def roles(fig) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in fig.data:
        out.setdefault(t.meta["role"], []).append(t)
    return out


def test_curves_every_run_once_diverged_apart_best_in_colour(runs) -> None:
    fig = curves_figure(runs, "en", best=best_runs(runs, 2))
    r = roles(fig)
    (every,), (bad,) = r["runs"], r["diverged_runs"]
    assert np.isnan(every.y).sum() == 4 and np.isnan(bad.y).sum() == 1  # a gap after each
    ok_points = every.y[~np.isnan(every.y)]
    want = np.array([v for run in runs if not run.diverged for v in run.loss], np.float32)
    np.testing.assert_array_equal(ok_points, want)
    assert len(r["best"]) == 2 and list(r["best"][0].y) == list(best_runs(runs, 1)[0].loss)
    ends = r["ends"][0]
    assert len(ends.x) == 5
    lo, hi = 10 ** np.array(fig.layout.yaxis.range)
    # the frame holds every run that did not diverge; the diverged one sits on its top edge
    assert lo < min(ok_points) and hi > max(ok_points)
    assert ends.y[2] == pytest.approx(hi) and max(runs[2].loss) > hi


def test_map_points_crosses_and_other_data(runs) -> None:
    data = make_data(DataConfig())
    bounds = sweep.stability_bounds(data, TrainConfig(steps=200), [1, 5, 20, 50, 200])
    fig = map_figure(runs, bounds, "zh", answer_lr=0.19, challenge_batch=20)
    r = roles(fig)
    dots, crosses, other = r["runs"][0], r["diverged"][0], r["other_data"][0]
    assert sorted(zip(dots.x, dots.y, strict=True)) == [(0.05, 5), (0.1, 20), (0.2, 50)]
    assert list(zip(crosses.x, crosses.y, strict=True)) == [(5.0, 20)] and list(other.x) == [0.1]
    # colour is log10 of the final loss
    want = {r.seq: math.log10(r.final_loss) for r in runs if r.final_loss and not r.diverged}
    assert sorted(dots.marker.color) == pytest.approx(sorted(want[s] for s in (1, 2, 4)))
    assert list(r["full_batch_bound"][0].x) == [bounds.full_batch] * 2
    assert list(r["worst_batch_bound"][0].x) == list(bounds.worst_batch)
    assert list(r["answer"][0].x) == [0.19, 0.19] and list(r["challenge_batch"][0].y) == [20, 20]
    lo, hi = 10 ** np.array(fig.layout.xaxis.range)
    assert lo < 0.05 and hi > 5.0  # every run on the map


def test_names_are_escaped_for_plotly(runs) -> None:
    fig = map_figure(runs, None, "en")
    texts = [t for trace in fig.data for t in (trace.text or ())]
    assert any("&lt;b&gt;Bo&lt;/b&gt;" in t for t in texts)
    assert not any("<b>Bo" in t for t in texts) and not any("$x$" in t for t in texts)
    assert plain("<i>a</i> & $b$") == "&lt;i&gt;a&lt;/i&gt; &amp; &#36;b&#36;"


def test_the_benchmark_reads_each_runs_name_from_the_hover(runs) -> None:
    from bench_board import NAMED  # benchmarks/bench_board.py counts runs on the board so

    fig = curves_figure(runs, "en")
    names = {NAMED.match(t).group(2) for t in roles(fig)["ends"][0].text}
    assert names == {"Ann", "&lt;b&gt;Bo&lt;/b&gt;", "&#36;x&#36;", "Cy", "Di"}


def test_empty_and_single_runs_draw() -> None:
    assert curves_figure([], "en").layout.yaxis.range is not None
    fig = map_figure([sent(1, "", lr=0.1)], None, "en")
    assert len(roles(fig)["runs"][0].x) == 1


@pytest.mark.parametrize(("lo", "hi", "labels"), [
    (0.0, 1.0, ["1", "2", "5", "10"]),
    (0.3, 1.5, ["2", "5", "10", "20"]),
    (-1.0, 9.0, ["0.1", "10", "1e+03", "1e+05"]),  # 11 decades: every other one
])
def test_loss_ticks(lo: float, hi: float, labels: list[str]) -> None:
    ticks = loss_ticks(lo, hi)
    assert all(lo - 1e-9 <= t <= hi + 1e-9 for t in ticks) and len(ticks) <= 8
    shown = [f"{10 ** t:.3g}" for t in ticks]
    assert shown[: len(labels)] == labels
    assert re.fullmatch(r"[\d.e+]+", "".join(shown))
