import numpy as np
import pytest
import torch

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.data import from_arrays
from sgdlab.theory import data_hessian, least_squares, loss_grid, max_stable_lr


def _loss64(a, b, x, y):
    return torch.mean((y - a * x - b) ** 2)


def test_least_squares_matches_numpy_lstsq():
    data = make_data()
    x, y = data.x.double().numpy(), data.y.double().numpy()
    (a, b), *_ = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)
    opt = least_squares(data)
    assert opt.a == pytest.approx(a, rel=1e-12) and opt.b == pytest.approx(b, rel=1e-12)
    assert opt.loss == pytest.approx(np.mean((y - a * x - b) ** 2), rel=1e-10)


@pytest.mark.parametrize("indices", [None, np.arange(20), np.arange(180, 200), np.array([3, 3, 9])])
def test_hessian_matches_autograd(indices):
    data = make_data()
    x = data.x.double() if indices is None else data.x.double()[indices]
    y = data.y.double() if indices is None else data.y.double()[indices]
    h = torch.autograd.functional.hessian(lambda p: _loss64(p[0], p[1], x, y),
                                          torch.tensor([0.3, -0.2], dtype=torch.float64))
    np.testing.assert_allclose(data_hessian(data, indices), h.numpy(), rtol=1e-9, atol=1e-12)


def test_max_stable_lr_is_two_over_the_largest_eigenvalue_and_the_real_edge():
    data = make_data()
    h = data_hessian(data)
    # Independent eigenvalue: the closed form of a symmetric 2x2 matrix.
    p, q, r = h[0, 0], h[0, 1], h[1, 1]
    lam = (p + r) / 2 + np.sqrt(((p - r) / 2) ** 2 + q * q)
    limit = max_stable_lr(h)
    assert limit == pytest.approx(2 / lam, rel=1e-12)
    below = train(data, TrainConfig(batch_size=200, lr=0.95 * limit, steps=400))
    above = train(data, TrainConfig(batch_size=200, lr=1.05 * limit, steps=400))
    assert below.diverged_at is None and below.total_loss[-1] < 1.2
    assert above.diverged_at is not None or above.total_loss[-1] > above.total_loss[0]


def test_raw_x_is_unstable_at_the_notebook_learning_rate():
    data = make_data(DataConfig(standardize=False))
    assert max_stable_lr(data_hessian(data)) < 1e-4 < 0.1


def test_loss_grid_agrees_with_direct_mse_and_has_its_minimum_at_least_squares():
    data = from_arrays([1.0, 2.0, 4.0, 7.0], [2.0, 2.5, 5.0, 6.0])
    a = np.linspace(-1, 3, 41)
    b = np.linspace(-2, 4, 31)
    grid = loss_grid(data, a, b)
    assert grid.shape == (31, 41)
    x, y = data.x.double(), data.y.double()
    assert grid[7, 5] == pytest.approx(float(_loss64(a[5], b[7], x, y)), rel=1e-12)
    opt = least_squares(data)
    assert grid.min() >= opt.loss - 1e-12
