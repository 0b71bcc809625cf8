import json
import math
from pathlib import Path

import numpy as np
import pytest

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.config import DIVERGENCE_LOSS
from tests.reference import (
    cosine_lr,
    notebook_data,
    notebook_stats,
    reference_run,
    sequential_batches,
)

GOLDEN = Path(__file__).parent / "golden" / "notebook_steps.txt"
SEED_NOTEBOOK = Path(__file__).parents[2] / "shared" / "seed" / "000_3013a8594fa08690.txt"


def test_notebook_golden_lines_character_for_character():
    assert train(DataConfig(), TrainConfig()).notebook_lines() == GOLDEN.read_text().splitlines()


@pytest.mark.skipif(not SEED_NOTEBOOK.exists(), reason="the seed notebook is not beside the repo")
def test_golden_file_is_the_seed_notebooks_own_output():
    # The stored seed text collapsed runs of spaces (its code indentation too),
    # so compare with runs of spaces folded; the golden file keeps the
    # f-string's real double space after "Loss:".
    cells = json.loads(SEED_NOTEBOOK.read_text(), strict=False)["cells"]
    printed = "".join(cells[3]["outputs"][0]["text"]).splitlines()
    assert [" ".join(s.split()) for s in GOLDEN.read_text().splitlines()] == printed


def test_batch_and_total_loss_match_the_notebooks_own_loop():
    x, y = notebook_data()
    stats = notebook_stats(x, y)
    h = train(DataConfig(), TrainConfig())
    assert h.batch_loss.tolist() == stats["batch_loss"]  # same float32 ops, same bits
    np.testing.assert_allclose(h.total_loss, stats["total_loss"], rtol=1e-5)


def test_initial_state_is_zero_line_loss():
    h = train(DataConfig(), TrainConfig())
    y = make_data().y.double().numpy()
    assert h.initial_total_loss == pytest.approx(np.mean(y**2), rel=1e-12)


@pytest.mark.parametrize("optimizer, lr", [
    ("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05), ("adam", 0.3), ("rmsprop", 0.05),
    ("adagrad", 1.0)])
def test_each_optimizer_matches_a_float64_update_by_hand(optimizer, lr):
    data = make_data()
    h = train(data, TrainConfig(optimizer=optimizer, lr=lr, steps=60, momentum=0.8))
    x, y = data.x.double().numpy(), data.y.double().numpy()
    ref = reference_run(x, y, sequential_batches(200, 20, 60), optimizer, lr, momentum=0.8)
    np.testing.assert_allclose(h.a, ref[:, 0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(h.b, ref[:, 1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_random_sampling_trains_on_the_batches_it_reports(sampling):
    data = make_data()
    h = train(data, TrainConfig(sampling=sampling, sampling_seed=5, steps=40))
    batches = [h.batch_indices(s) for s in h.step]
    x, y = data.x.double().numpy(), data.y.double().numpy()
    ref = reference_run(x, y, batches, "sgd", 0.1)
    np.testing.assert_allclose(np.c_[h.a, h.b], ref, rtol=1e-4, atol=1e-4)
    if sampling == "shuffle":  # each epoch visits every point exactly once
        for e in range(4):
            assert sorted(np.concatenate(batches[10 * e: 10 * e + 10])) == list(range(200))
        assert not np.array_equal(batches[0], np.arange(20))
        assert not np.array_equal(np.concatenate(batches[:10]), np.concatenate(batches[10:20]))
    else:
        assert all(len(b) == 20 and b.min() >= 0 and b.max() < 200 for b in batches)
        assert any(len(set(b)) < 20 for b in batches) or len(set(np.concatenate(batches))) < 200


def test_sampling_seed_changes_the_order_and_is_reproducible():
    a = train(DataConfig(), TrainConfig(sampling="shuffle", sampling_seed=1))
    b = train(DataConfig(), TrainConfig(sampling="shuffle", sampling_seed=2))
    assert not np.array_equal(a.a, b.a)
    assert np.array_equal(a.a, train(DataConfig(), TrainConfig(sampling="shuffle",
                                                               sampling_seed=1)).a)


def test_ragged_batches_follow_the_notebooks_slice():
    h = train(DataConfig(), TrainConfig(batch_size=30, steps=10))
    assert h.batch_size.tolist() == [len(b) for b in sequential_batches(200, 30, 10)]
    assert h.batch_size.tolist() == [30] * 6 + [20, 30, 30, 30]
    assert h.batch_indices(8).tolist() == list(range(10, 40))  # (7 * 30) % 200 = 10


def test_full_batch_gradient_descent_reaches_least_squares():
    data = make_data()
    h = train(data, TrainConfig(batch_size=200, lr=0.5, steps=300))
    slope, intercept = np.polyfit(data.x.double().numpy(), data.y.double().numpy(), 1)
    assert h.a[-1] == pytest.approx(slope, abs=1e-4)
    assert h.b[-1] == pytest.approx(intercept, abs=1e-4)


@pytest.mark.parametrize("sampling", ["sequential", "shuffle", "replacement"])
def test_accumulation_equals_the_unsplit_batch(sampling):
    one = train(DataConfig(), TrainConfig(batch_size=20, steps=50, sampling=sampling))
    four = train(DataConfig(), TrainConfig(batch_size=20, steps=50, accumulation=4,
                                           sampling=sampling))
    np.testing.assert_allclose(four.a, one.a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(four.b, one.b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(four.batch_loss, one.batch_loss, rtol=1e-5)


def test_accumulation_with_a_ragged_batch_weights_micro_batches_by_size():
    one = train(DataConfig(), TrainConfig(batch_size=60, steps=12))
    three = train(DataConfig(), TrainConfig(batch_size=60, steps=12, accumulation=3))
    assert one.batch_size.tolist()[3] == 20
    np.testing.assert_allclose(three.a, one.a, rtol=1e-5, atol=1e-5)


def test_schedules_use_the_closed_form_learning_rates():
    kw = {"lr": 0.2, "steps": 25, "gamma": 0.5, "decay_every": 10}
    step = train(DataConfig(), TrainConfig(schedule="step", **kw)).lr
    expo = train(DataConfig(), TrainConfig(schedule="exponential", **kw)).lr
    cos = train(DataConfig(), TrainConfig(schedule="cosine", **kw)).lr
    const = train(DataConfig(), TrainConfig(**kw)).lr
    t = np.arange(25)
    np.testing.assert_allclose(step, 0.2 * 0.5 ** (t // 10))
    np.testing.assert_allclose(expo, 0.2 * 0.5 ** (t / 10))
    np.testing.assert_allclose(cos, [cosine_lr(0.2, i, 25) for i in t], atol=1e-12)
    np.testing.assert_allclose(const, 0.2)


@pytest.mark.parametrize("data_config, config", [
    (DataConfig(), TrainConfig(lr=5.0, steps=200)),
    (DataConfig(), TrainConfig(lr=10.0, batch_size=1, steps=500)),
    (DataConfig(standardize=False), TrainConfig(lr=0.1)),
    (DataConfig(), TrainConfig(lr=10.0, optimizer="momentum", steps=100)),
])
def test_divergence_stops_cleanly_and_records_the_step(data_config, config):
    h = train(data_config, config)
    assert h.diverged_at is not None and 1 <= h.diverged_at <= config.steps
    assert h.steps == h.diverged_at - 1
    rows = h.to_frame().to_numpy(dtype=float)
    assert np.isfinite(rows).all()
    assert (h.total_loss <= DIVERGENCE_LOSS).all() and (h.batch_loss <= DIVERGENCE_LOSS).all()


def test_a_stable_run_does_not_report_divergence():
    h = train(DataConfig(), TrainConfig(steps=500))
    assert h.diverged_at is None and h.steps == 500 and h.blowup is None


def test_the_blowup_is_where_the_diverging_update_went():
    # raw x at the notebook's rate dies on the first update; that update by hand, in
    # float64 from a = b = 0 on the first 20 points: grad of mean((a x + b - y)^2)
    data = make_data(DataConfig(standardize=False))
    h = train(data, TrainConfig(lr=0.1))
    assert h.steps == 0 and h.diverged_at == 1 and h.blowup is not None
    x, y = (v[:20] for v in data.xy64)
    a1, b1 = 0.1 * 2 * np.mean(x * y), 0.1 * 2 * np.mean(y)
    x_all, y_all = data.xy64
    loss1 = np.mean((a1 * x_all + b1 - y_all) ** 2)
    np.testing.assert_allclose(h.blowup, (a1, b1, loss1), rtol=1e-5)
    assert loss1 > DIVERGENCE_LOSS


@pytest.mark.parametrize("sampling", ["sequential", "shuffle", "replacement"])
def test_same_settings_twice_give_identical_histories(sampling):
    c = TrainConfig(sampling=sampling, optimizer="adam", steps=77, batch_size=13)
    a, b = train(DataConfig(), c).to_frame(), train(DataConfig(), c).to_frame()
    assert a.equals(b)


def test_history_frame_has_the_documented_columns():
    frame = train(DataConfig(), TrainConfig()).to_frame()
    assert list(frame.columns[:5]) == ["step", "batch_loss", "total_loss", "a", "b"]
    assert {"grad_a", "grad_b", "lr", "batch_size"} <= set(frame.columns)
    assert frame["step"].tolist() == list(range(1, 21))


def test_gradients_are_the_ones_the_update_used():
    h = train(DataConfig(), TrainConfig())
    a_prev = np.r_[0.0, h.a[:-1]]
    np.testing.assert_allclose(h.a, a_prev - 0.1 * h.grad_a, rtol=1e-5, atol=1e-6)


def test_batch_larger_than_data_is_a_clear_error():
    with pytest.raises(ValueError, match="larger than the number of points"):
        train(DataConfig(n=10), TrainConfig(batch_size=20))


def test_batch_indices_rejects_steps_outside_the_run():
    h = train(DataConfig(), TrainConfig())
    with pytest.raises(IndexError):
        h.batch_indices(0)
    with pytest.raises(IndexError):
        h.batch_indices(21)
    assert math.isfinite(h.initial_total_loss)
