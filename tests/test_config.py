from dataclasses import FrozenInstanceError, fields

import pytest

from sgdlab.config import DataConfig, TrainConfig, spec


def test_configs_are_frozen_and_hashable():
    c = TrainConfig()
    with pytest.raises(FrozenInstanceError):
        c.lr = 1.0  # type: ignore[misc]
    assert hash(TrainConfig()) == hash(TrainConfig())
    assert {DataConfig(): 1}[DataConfig()] == 1


def test_defaults_are_the_notebooks():
    d, t = DataConfig(), TrainConfig()
    assert (d.seed, d.n, d.x_min, d.x_max, d.slope, d.intercept, d.noise, d.standardize) == \
        (1024, 200, 100.0, 300.0, 10.0, 5.0, 1.0, True)
    assert (t.lr, t.batch_size, t.steps, t.sampling, t.optimizer) == \
        (0.1, 20, 20, "sequential", "sgd")


@pytest.mark.parametrize("cls", [DataConfig, TrainConfig])
def test_every_field_has_a_spec_with_both_languages_and_a_valid_default(cls):
    for f in fields(cls):
        s = spec(cls, f.name)
        assert s.en and s.zh and s.help_en and s.help_zh
        if s.choices:
            assert f.default in s.choices
        if s.lo is not None:
            assert s.lo <= f.default <= s.hi


@pytest.mark.parametrize("kwargs, words", [
    ({"lr": 0.0}, "lr must be at least"),
    ({"lr": -0.1}, "lr must be at least"),
    ({"lr": float("nan")}, "lr must be a finite"),
    ({"batch_size": 0}, "batch_size must be at least"),
    ({"steps": 0}, "steps must be at least"),
    ({"optimizer": "lbfgs"}, "optimizer must be one of"),
    ({"sampling": "random"}, "sampling must be one of"),
    ({"schedule": "linear"}, "schedule must be one of"),
    ({"batch_size": 20, "accumulation": 3}, "accumulation .3. must divide"),
    ({"lr": "0.1"}, "lr must be float"),
    ({"batch_size": True}, "batch_size must be int"),
])
def test_bad_training_settings_are_rejected_naming_the_field(kwargs, words):
    with pytest.raises(ValueError, match=words):
        TrainConfig(**kwargs)
