"""Seed bands, gradient noise and metrics against single runs, autograd and closed forms."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.analysis import batch_fit, gradient_noise, metrics, seed_band


def test_sampling_band_is_k_single_runs_and_starts_with_the_current_one():
    data = make_data()
    config = TrainConfig(sampling="shuffle", sampling_seed=7, steps=40, lr=0.2)
    band = seed_band(data, config, 6)
    assert band.seeds == (7, 8, 9, 10, 11, 12)
    singles = np.stack([train(data, replace(config, sampling_seed=s)).total_loss
                        for s in band.seeds])
    np.testing.assert_allclose(band.total_loss, singles, rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(band.mean, singles.mean(0), rtol=2e-4)
    np.testing.assert_allclose(band.lo, np.percentile(singles, 10, axis=0), rtol=2e-4)
    np.testing.assert_allclose(band.hi, np.percentile(singles, 90, axis=0), rtol=2e-4)
    assert (band.hi >= band.lo).all() and (band.hi > band.lo).any()


def test_data_band_redraws_the_noise():
    dc = DataConfig(seed=3)
    config = TrainConfig(steps=15)
    band = seed_band(make_data(dc), config, 4, vary="data", data_config=dc)
    for row, s in zip(band.total_loss, band.seeds, strict=True):
        want = train(make_data(replace(dc, seed=s)), config).total_loss
        np.testing.assert_allclose(row, want, rtol=2e-4)
    assert band.seeds == (3, 4, 5, 6)


def test_band_leaves_out_diverged_runs_and_counts_them():
    data = make_data()
    config = TrainConfig(sampling="replacement", batch_size=1, lr=0.55, steps=200)
    band = seed_band(data, config, 12)
    singles = [train(data, replace(config, sampling_seed=s)) for s in band.seeds]
    assert band.diverged == sum(h.diverged_at is not None for h in singles)
    assert 0 < band.diverged < 12
    kept = np.stack([h.total_loss for h in singles if h.diverged_at is None])
    np.testing.assert_allclose(band.mean, kept.mean(0), rtol=2e-4)


def test_band_rejects_what_it_cannot_do():
    data = make_data()
    with pytest.raises(ValueError, match="sequential"):
        seed_band(data, TrainConfig(), 5)
    with pytest.raises(ValueError, match="synthetic"):
        seed_band(data, TrainConfig(), 5, vary="data")
    with pytest.raises(ValueError, match="between"):
        seed_band(data, TrainConfig(), 0, sampling="shuffle")
    band = seed_band(data, TrainConfig(steps=5), 3, sampling="replacement")
    assert band.config.sampling == "replacement"


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig(sampling="shuffle", batch_size=30, lr=0.3, steps=25),
    TrainConfig(sampling="replacement", batch_size=16, accumulation=4, steps=12),
])
def test_batch_gradient_is_the_one_the_optimizer_used(config):
    history = train(make_data(), config)
    noise = gradient_noise(history)
    np.testing.assert_allclose(noise.batch_grad[:, 0], history.grad_a, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(noise.batch_grad[:, 1], history.grad_b, rtol=1e-4, atol=1e-4)


def test_full_gradient_matches_autograd_and_cosine_is_one_for_full_batch():
    data = make_data()
    history = train(data, TrainConfig(steps=12))
    noise = gradient_noise(history)
    x, y = data.x.double(), data.y.double()
    for t in (0, 5, 11):
        p = torch.tensor([noise.a[t], noise.b[t]], dtype=torch.float64, requires_grad=True)
        torch.mean((y - p[0] * x - p[1]) ** 2).backward()
        np.testing.assert_allclose(noise.full_grad[t], p.grad.numpy(), rtol=1e-10)
        want = np.dot(noise.batch_grad[t], p.grad.numpy()) / (
            np.linalg.norm(noise.batch_grad[t]) * np.linalg.norm(p.grad.numpy()))
        assert noise.cosine[t] == pytest.approx(want, rel=1e-10)
    full = gradient_noise(train(data, TrainConfig(batch_size=200, steps=5)))
    np.testing.assert_allclose(full.cosine, 1.0, rtol=1e-12)
    # The notebook's hump: early ordered batches cover a narrow band of x and point away
    # from the whole-data gradient; once a is near its optimum they agree again.
    assert noise.cosine[1:4].max() < 0.5 and noise.cosine[7:16].min() > 0.75


def test_batch_fit_is_polyfit_of_the_batch_and_none_for_one_point():
    history = train(make_data(), TrainConfig(sampling="shuffle", steps=5))
    fit = batch_fit(history, 4)
    idx = history.batch_indices(4)
    x, y = history.data.x.double().numpy()[idx], history.data.y.double().numpy()[idx]
    a, b = np.polyfit(x, y, 1)
    assert fit.a == pytest.approx(a, rel=1e-9) and fit.b == pytest.approx(b, rel=1e-9)
    one = batch_fit(train(make_data(), TrainConfig(batch_size=1, steps=3)), 2)
    assert one.a is None and one.b is None and len(one.indices) == 1


def test_metrics_against_closed_forms():
    data = make_data()
    x, y = data.x.double().numpy(), data.y.double().numpy()
    lr = 0.2
    history = train(data, TrainConfig(batch_size=200, lr=lr, steps=200))
    m = metrics(history)
    # Converged to least squares: R^2 is the squared correlation, distance ~ 0.
    assert m.r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-5)
    assert m.rmse == pytest.approx(np.sqrt(m.min_loss), rel=1e-4)
    assert m.distance < 1e-3
    # Full-batch GD on centred x: the errors in a and b shrink by fixed factors each step.
    a_opt, b_opt = np.polyfit(x, y, 1)
    m2 = np.mean(x * x)
    t = np.arange(1, 201)
    excess = m2 * (a_opt * (1 - 2 * lr * m2) ** t) ** 2 + (b_opt * (1 - 2 * lr) ** t) ** 2
    assert m.steps_to_1pct == int(np.argmax(excess <= 0.01 * m.min_loss)) + 1
    assert metrics(train(data, TrainConfig(steps=3))).steps_to_1pct is None


def test_gradient_noise_of_the_first_steps_is_a_prefix_of_the_whole():
    history = train(make_data(), TrainConfig(sampling="shuffle", steps=30))
    whole, first = gradient_noise(history), gradient_noise(history, 7)
    assert len(first.cosine) == 7
    np.testing.assert_array_equal(first.batch_grad, whole.batch_grad[:7])
    np.testing.assert_array_equal(first.cosine, whole.cosine[:7])
