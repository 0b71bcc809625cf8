"""The stability map against single runs, and its theory lines against independent eigenvalues."""

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab import sweep as sweep_module
from sgdlab.cli import main
from sgdlab.sweep import (
    TRIED_HORIZON,
    batch_lambda_max,
    check_grid,
    default_batch_sizes,
    default_lrs,
    parse_list,
    stability_bounds,
    sweep,
    tried_rate,
)


def _lambda_max_autograd(x: torch.Tensor) -> float:
    """Largest eigenvalue of the MSE's Hessian in (a, b), by autograd and numpy's eig."""
    y = torch.zeros_like(x)  # the Hessian of a quadratic does not depend on y
    h = torch.autograd.functional.hessian(
        lambda p: torch.mean((y - p[0] * x - p[1]) ** 2), torch.zeros(2, dtype=torch.float64))
    return float(np.max(np.linalg.eigvals(h.numpy()).real))


@pytest.mark.parametrize("sampling", ["sequential", "shuffle", "replacement"])
def test_sweep_cells_equal_single_runs_including_divergence(sampling):
    data = make_data()
    base = TrainConfig(steps=60, sampling=sampling, sampling_seed=3)
    lrs, bss = [0.01, 0.2, 0.45, 0.9, 1.3, 4.0], [1, 7, 50, 200]
    result = sweep(data, base, lrs, bss)
    assert result.final_total_loss.shape == (4, 6)
    for i, bs in enumerate(bss):
        for j, lr in enumerate(lrs):
            single = train(data, TrainConfig(lr=lr, batch_size=bs, steps=60, sampling=sampling,
                                             sampling_seed=3))
            assert (result.diverged_at[i, j] or None) == single.diverged_at, (bs, lr)
            if single.diverged_at is None:
                assert result.final_total_loss[i, j] == pytest.approx(
                    single.total_loss[-1], rel=2e-4, abs=1e-6)
            else:
                assert np.isnan(result.final_total_loss[i, j])
    # Both outcomes occur, so the comparison above tested something.
    assert result.diverged.any() and not result.diverged.all()


def test_progress_reports_every_chunk_up_to_the_whole_grid(monkeypatch):
    monkeypatch.setattr(sweep_module, "CHUNK_WORK", 0)  # chunk even this small grid
    calls = []
    data, base, lrs, bss = make_data(), TrainConfig(steps=30), default_lrs(8), [1, 5, 20, 100]
    chunked = sweep(data, base, lrs, bss, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (32, 32)
    assert [d for d, _ in calls] == sorted({d for d, _ in calls}) and len(calls) >= 3
    whole = sweep(data, base, lrs, bss)  # one call: the same numbers
    np.testing.assert_array_equal(chunked.final_total_loss, whole.final_total_loss)
    np.testing.assert_array_equal(chunked.diverged_at, whole.diverged_at)


def test_frame_has_one_row_per_cell_and_empty_diverged_at_when_finite():
    result = sweep(make_data(), TrainConfig(steps=30), [0.1, 5.0], [10, 200])
    frame = result.to_frame()
    assert list(frame.columns) == ["lr", "batch_size", "final_total_loss", "diverged_at"]
    assert frame[["lr", "batch_size"]].values.tolist() == [
        [0.1, 10], [5.0, 10], [0.1, 200], [5.0, 200]]
    for row in frame.itertuples():
        single = train(make_data(), TrainConfig(lr=row.lr, batch_size=row.batch_size, steps=30))
        assert (None if pd.isna(row.diverged_at) else row.diverged_at) == single.diverged_at
    assert frame["diverged_at"].isna().tolist() == [True, False, True, False]
    assert frame.loc[2, "final_total_loss"] == pytest.approx(
        train(make_data(), TrainConfig(batch_size=200, steps=30)).total_loss[-1], rel=1e-4)


def test_full_batch_bound_is_two_over_an_independent_eigenvalue():
    for config in (DataConfig(), DataConfig(standardize=False, n=50), DataConfig(x_min=0.0)):
        data = make_data(config)
        bounds = stability_bounds(data, TrainConfig(), [data.n])
        lam = _lambda_max_autograd(data.x.double())
        assert bounds.full_batch == pytest.approx(2 / lam, rel=1e-9)
        assert bounds.worst_batch[-1] == pytest.approx(2 / lam, rel=1e-9)


def test_worst_batch_bound_is_the_worst_visited_window():
    data = make_data()
    base = TrainConfig(steps=25)  # batch 20: windows 0..9 and again 0..4
    bounds = stability_bounds(data, base, [1, 20, 30])
    x = data.x.double()
    for b, got in zip((1, 20, 30), bounds.worst_batch, strict=True):
        windows = [x[s:min(s + b, 200)] for s in ((t * b) % 200 for t in range(25))]
        want = min(2 / _lambda_max_autograd(w) for w in windows)
        assert got == pytest.approx(want, rel=1e-9)
    # Sorted x: the last batches sit far from the mean, so they are stiffer than the whole.
    assert bounds.worst_batch[0] < bounds.worst_batch[1] < bounds.full_batch


def test_closed_form_lambda_matches_autograd_for_random_batches():
    rng = np.random.default_rng(0)
    x = rng.normal(1.5, 2.0, 64)
    batches = rng.integers(0, 64, (5, 9))
    got = batch_lambda_max(x, batches)
    want = [_lambda_max_autograd(torch.tensor(x[idx])) for idx in batches]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_full_batch_gd_is_stable_just_below_the_bound_and_not_above():
    data = make_data()
    limit = stability_bounds(data, TrainConfig(), [200]).full_batch
    result = sweep(data, TrainConfig(steps=400), [0.97 * limit, 1.03 * limit], [200])
    assert result.diverged.tolist() == [[False, True]]


def test_default_grids():
    lrs = default_lrs()
    assert len(lrs) == 40 and lrs[-1] == pytest.approx(10.0)
    assert np.allclose(np.diff(np.log(lrs)), np.log(lrs[1] / lrs[0]))
    bss = default_batch_sizes(200, include=[7])
    assert bss[0] == 1 and bss[-1] == 200 and 7 in bss and len(bss) >= 10
    assert all(b % 4 == 0 for b in default_batch_sizes(200, multiple_of=4))


def test_bad_lists_and_grids_raise_one_clear_message():
    assert parse_list("0.1, 1,10", "--lrs") == [0.1, 1.0, 10.0]
    with pytest.raises(ValueError, match="--lrs: 'x' is not a number"):
        parse_list("0.1,x", "--lrs")
    with pytest.raises(ValueError, match="whole number"):
        parse_list("1,2.5", "--batch-sizes", int)
    with pytest.raises(ValueError, match="empty"):
        parse_list(" , ", "--lrs")
    with pytest.raises(ValueError, match="outside"):
        check_grid([0.1, 20.0], [10], 200, TrainConfig())
    with pytest.raises(ValueError, match="batch size 300"):
        check_grid([0.1], [300], 200, TrainConfig())
    with pytest.raises(ValueError, match="accumulation"):
        check_grid([0.1], [10], 200, TrainConfig(batch_size=20, accumulation=4))


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as e:
            code = int(e.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_sweep_csv_has_one_row_per_cell_matching_single_runs():
    code, out, _ = _cli("sweep", "--lrs", "0.01,0.1,3", "--batch-sizes", "10,20,200",
                        "--format", "csv", "--sampling", "shuffle", "--steps", "30")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "lr,batch_size,final_total_loss,diverged_at" and len(lines) == 10
    frame = pd.read_csv(io.StringIO(out))
    for row in frame.itertuples():
        single = train(make_data(), TrainConfig(lr=row.lr, batch_size=row.batch_size, steps=30,
                                                sampling="shuffle"))
        if single.diverged_at is None:
            assert pd.isna(row.diverged_at)
            assert row.final_total_loss == pytest.approx(single.total_loss[-1], rel=2e-4)
        else:
            assert row.diverged_at == single.diverged_at and pd.isna(row.final_total_loss)
    assert frame["diverged_at"].notna().any() and frame["diverged_at"].isna().any()
    # An empty field, not "nan" or "<NA>", marks a run that did not diverge.
    assert lines[1].endswith(",") and "nan" not in out.lower()


def test_cli_sweep_checks_accumulation_against_the_grids_batch_sizes():
    # --batch-size's default (20) is not in this grid; 3 divides every size that is.
    code, out, err = _cli("sweep", "--lrs", "0.1", "--batch-sizes", "12,24",
                          "--accumulation", "3", "--steps", "4")
    assert code == 0 and err == ""
    assert [line.split(",")[1] for line in out.splitlines()[1:]] == ["12", "24"]


@pytest.mark.parametrize("argv, message", [
    (("--lrs", "0.1,abc"), "--lrs: 'abc' is not a number"),
    (("--batch-sizes", "10,2.5"), "--batch-sizes: '2.5' is not a whole number"),
    (("--batch-sizes", "10,500"), "batch size 500 is outside 1..200"),
    (("--batch-sizes", "500"), "batch size 500 is outside 1..200"),
    (("--batch-sizes", "12,20", "--accumulation", "3"), "20 is not a multiple of the gradient"),
    (("--lrs", "0.1,50"), "learning rate 50 is outside"),
    (("--lrs", ","), "--lrs is empty"),
])
def test_cli_sweep_bad_lists_exit_2_with_one_line(argv, message):
    code, out, err = _cli("sweep", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_worst_batch_bound_for_random_batches_matches_brute_force(sampling):
    data = make_data(DataConfig(n=60))
    base = TrainConfig(steps=40, sampling=sampling, sampling_seed=2)
    got = stability_bounds(data, base, [7])
    from sgdlab.sampling import Sampler

    sampler = Sampler(60, 7, sampling, 2)
    x = data.x.double()
    want = min(2 / _lambda_max_autograd(x[sampler.indices(t)]) for t in range(40))
    assert got.worst_batch[0] == pytest.approx(want, rel=1e-9)


def test_tried_rate_is_the_first_halving_that_lasts_or_none():
    data = make_data(DataConfig())
    config = TrainConfig(optimizer="momentum", momentum=0.9)
    found = tried_rate(data, config)
    assert found is not None and found.lr == config.lr / 2**found.halvings
    assert found.steps == TRIED_HORIZON
    # the halving before it did not last (each trained alone)
    if found.halvings > 1:
        worse = train(data, replace(config, lr=found.lr * 2, steps=found.steps))
        assert worse.diverged_at is not None or worse.total_loss[-1] >= worse.initial_total_loss
    # raw x at 0.1: no halving on the slider's range trains
    assert tried_rate(make_data(DataConfig(standardize=False)), config, halvings=6) is None
