"""Lab figures: the right traces at the right places, in both languages, valid plotly."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from sgdlab import TrainConfig, make_data, train
from sgdlab.analysis import batch_fit, gradient_noise, seed_band
from sgdlab.figures_lab import (
    TEXT,
    batch_fit_figure,
    compare_figure,
    cosine_figure,
    gradient_figure,
    seed_band_figure,
    stability_figure,
)
from sgdlab.sweep import stability_bounds, sweep


def roles(fig: go.Figure) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in fig.data:
        out.setdefault(t.meta["role"], []).append(t)
    return out


@pytest.fixture(scope="module")
def grid():
    data = make_data()
    base = TrainConfig(steps=30)
    result = sweep(data, base, [0.01, 0.1, 0.5, 1.5, 5.0], [1, 20, 200])
    return result, stability_bounds(data, base, result.batch_sizes)


def test_every_lab_figure_validates_and_has_no_untagged_trace(grid):
    result, bounds = grid
    h = train(make_data(), TrainConfig(steps=20))
    noise = gradient_noise(h)
    figs = [stability_figure(result, bounds, (0.1, 20), "zh"),
            seed_band_figure(seed_band(h.data, TrainConfig(steps=20), 4, sampling="shuffle"), h),
            cosine_figure(noise, 5), batch_fit_figure(h, batch_fit(h, 5), 5, 1.0, 0.5),
            gradient_figure(h, noise, 5), compare_figure(h, [("pin", h)])]
    for fig in figs:
        go.Figure(fig.to_dict())  # plotly's own validation
        assert all(isinstance(t.meta, dict) and "role" in t.meta for t in fig.data)


def test_map_cells_crosses_and_current_marker_sit_where_the_data_says(grid):
    result, bounds = grid
    fig = stability_figure(result, bounds, (0.1, 20), "en")
    r = roles(fig)
    heat = r["loss_map"][0]
    z = np.asarray(heat.z, dtype=float)
    # Colour is log10 of the final loss; diverged cells have no colour but a cross.
    np.testing.assert_allclose(z[~result.diverged], np.log10(result.final_total_loss[
        ~result.diverged]))
    assert np.isnan(z[result.diverged]).all() and result.diverged.any()
    crosses = next(t for t in r["diverged"] if t.type == "scatter")
    marked = {(round(10 ** x, 6), result.batch_sizes[int(y)]) for x, y in zip(
        crosses.x, crosses.y, strict=True)}
    want = {(round(lr, 6), bs) for (i, j) in zip(*np.nonzero(result.diverged), strict=True)
            for lr, bs in [(result.lrs[j], result.batch_sizes[i])]}
    assert marked == want
    cur = r["current"][0]
    assert cur.x[0] == pytest.approx(math.log10(0.1)) and cur.y[0] == pytest.approx(1.0)
    # Click layer: one point per cell carrying (lr, batch size).
    cells = r["cells"][0]
    assert len(cells.x) == result.final_total_loss.size
    assert {(c[0], c[1]) for c in cells.customdata} == {
        (float(lr), int(bs)) for bs in result.batch_sizes for lr in result.lrs}


def test_map_theory_lines_are_at_two_over_lambda(grid):
    result, bounds = grid
    r = roles(stability_figure(result, bounds, None, "en"))
    full = r["full_batch_bound"][0]
    assert full.x[0] == pytest.approx(math.log10(bounds.full_batch))
    worst = r["worst_batch_bound"][0]
    np.testing.assert_allclose(np.asarray(worst.x)[::2], np.log10(bounds.worst_batch))
    assert "current" not in r


def test_band_figure_shows_the_band_the_mean_and_the_current_run_last():
    data = make_data()
    h = train(data, TrainConfig(steps=15))
    band = seed_band(data, TrainConfig(steps=15), 5, sampling="shuffle")
    fig = seed_band_figure(band, h, "zh")
    assert fig.data[-1].meta["role"] == "current"  # drawn on top
    np.testing.assert_allclose(fig.data[-1].y, h.total_loss)
    r = roles(fig)
    np.testing.assert_allclose(r["mean"][0].y, band.mean)
    ys = np.asarray(r["band"][0].y)
    np.testing.assert_allclose(ys[:15], band.hi)
    np.testing.assert_allclose(ys[15:], band.lo[::-1])
    assert "5" in fig.layout.title.text and "取样" in fig.layout.title.text


def test_gradient_arrows_are_minus_lr_times_the_gradients():
    h = train(make_data(), TrainConfig(steps=10, lr=0.2))
    noise = gradient_noise(h)
    r = roles(gradient_figure(h, noise, 4, "en"))
    for role, g in (("batch_step", noise.batch_grad[3]), ("full_step", noise.full_grad[3])):
        t = r[role][0]
        assert t.x[0] == pytest.approx(noise.a[3]) and t.y[0] == pytest.approx(noise.b[3])
        assert t.x[1] - t.x[0] == pytest.approx(-0.2 * g[0])
        assert t.y[1] - t.y[0] == pytest.approx(-0.2 * g[1])
    # The batch step is the step the run took: it lands on (a, b) after step 4.
    t = r["batch_step"][0]
    assert t.x[1] == pytest.approx(h.a[3], rel=1e-4) and t.y[1] == pytest.approx(h.b[3], rel=1e-4)


def test_batch_fit_figure_draws_the_batch_line_only_when_there_is_one():
    h = train(make_data(), TrainConfig(steps=6))
    fit = batch_fit(h, 5)
    r = roles(batch_fit_figure(h, fit, 5, 0.0, 0.0, "en"))
    assert len(r["batch"][0].x) == 20
    np.testing.assert_allclose(np.diff(r["batch_line"][0].y) / np.diff(r["batch_line"][0].x),
                               fit.a)
    one = train(make_data(), TrainConfig(batch_size=1, steps=3))
    assert "batch_line" not in roles(batch_fit_figure(one, batch_fit(one, 2), 2, 0, 0))


def test_cosine_and_compare_figures():
    h = train(make_data(), TrainConfig(steps=12))
    noise = gradient_noise(h)
    r = roles(cosine_figure(noise, 3, "en"))
    np.testing.assert_allclose(r["cosine"][0].y, noise.cosine)
    assert r["current"][0].x[0] == 3 and r["current"][0].y[0] == pytest.approx(noise.cosine[2])
    other = train(make_data(), TrainConfig(steps=12, lr=0.3))
    fig = compare_figure(h, [("#1 lr=0.3", other)], "en")
    assert [t.name for t in fig.data] == ["#1 lr=0.3", "this run"]


def test_text_table_has_both_languages_for_every_key():
    for key, (en, zh) in TEXT.items():
        assert en and zh, key


def test_map_marks_cells_that_end_above_their_start_as_the_warning_does():
    # a student read the batch-20 row for the largest rate that converges and found an
    # unmarked cell at 1.5e8: such a run gets the "heading for divergence" warning
    data = make_data()
    base = TrainConfig()
    lrs = [0.1, 0.3, 0.6, 0.744]
    result = sweep(data, base, lrs, [20])
    start = train(data, base).initial_total_loss
    fig = stability_figure(result, None, (0.1, 20), "en", start=start)
    (marks,) = roles(fig)["rising"]
    marked = {round(10 ** float(x), 6) for x in marks.x}
    for lr, diverged in zip(lrs, result.diverged[0], strict=True):
        alone = train(data, TrainConfig(lr=lr))  # each cell trained on its own
        assert (lr in marked) == (not diverged and alone.total_loss[-1] > start), lr
    assert marked and marks.showlegend
    assert not roles(stability_figure(result, None, None, "en"))["rising"][0].showlegend
