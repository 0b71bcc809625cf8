import pytest
import torch

from sgdlab import DataConfig, make_data
from sgdlab.data import from_arrays
from tests.reference import notebook_data


def test_defaults_are_the_notebooks_tensors_bit_for_bit():
    x, y = notebook_data()
    data = make_data(DataConfig())
    assert torch.equal(data.x, x)
    assert torch.equal(data.y, y)
    assert data.n == 200


def test_other_seed_matches_the_notebook_recipe():
    x, y = notebook_data(seed=7)
    data = make_data(DataConfig(seed=7))
    assert torch.equal(data.x, x) and torch.equal(data.y, y)


def test_make_data_leaves_the_global_random_stream_alone():
    torch.manual_seed(3)
    expected = torch.randn(4)
    torch.manual_seed(3)
    make_data(DataConfig())
    assert torch.equal(torch.randn(4), expected)


def test_standardize_off_keeps_raw_x():
    data = make_data(DataConfig(standardize=False))
    assert float(data.x[0]) == 100.0 and float(data.x[-1]) == 300.0
    assert torch.equal(data.x, data.x_raw)


def test_standardized_x_has_zero_mean_unit_std():
    data = make_data(DataConfig(n=57, x_min=-3, x_max=8))
    assert abs(float(data.x.mean())) < 1e-6
    assert abs(float(data.x.std()) - 1) < 1e-6


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 0}, "n must be at least"),
    ({"n": 1}, "n must be at least"),
    ({"x_min": 5.0, "x_max": 5.0}, "zero width"),
    ({"x_min": 6.0, "x_max": 5.0}, "x_max must be greater"),
    ({"noise": float("nan")}, "noise must be a finite"),
    ({"slope": float("inf")}, "slope must be a finite"),
    ({"noise": -1.0}, "noise must be at least"),
    ({"n": 2.5}, "n must be int"),
])
def test_degenerate_settings_are_rejected_with_a_clear_error(kwargs, words):
    with pytest.raises(ValueError, match=words):
        DataConfig(**kwargs)


@pytest.mark.parametrize("x, y, words", [
    ([1.0], [2.0], "at least 2"),
    ([], [], "at least 2"),
    ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0], "constant"),
    ([1.0, float("nan")], [1.0, 2.0], "finite"),
    ([1.0, 2.0], [1.0, float("inf")], "finite"),
    ([1.0, 2.0], [1.0], "differ in length"),
    ([1.0, 1e39], [1.0, 2.0], "finite"),
    ([-3e38, 3e38], [1.0, 2.0], "too large"),
])
def test_from_arrays_rejects_unusable_points(x, y, words):
    with pytest.raises(ValueError, match=words):
        from_arrays(x, y)
