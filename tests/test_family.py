from dataclasses import replace

import numpy as np
import pytest

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.family import batch_sizes, family_values, fits, lr_family, with_run


def _close(member, single):
    assert member.diverged_at == single.diverged_at
    assert member.steps == single.steps
    for name in ("batch_loss", "total_loss", "a", "b", "grad_a", "grad_b"):
        got, want = getattr(member, name), getattr(single, name)
        scale = 1 + np.maximum.accumulate(np.abs(want)) if len(want) else 1
        assert np.all(np.abs(got - want) <= 2e-4 * scale), name
    assert np.array_equal(member.batch_size, single.batch_size)
    assert np.allclose(member.lr, single.lr, rtol=1e-12)


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig(steps=45, batch_size=30, sampling="shuffle", schedule="cosine"),
    TrainConfig(steps=30, optimizer="momentum", schedule="step", decay_every=7),
    TrainConfig(steps=12, optimizer="adam", sampling="replacement", batch_size=7),
])
def test_every_member_is_the_run_train_gives_at_its_rate(config):
    data = make_data()
    current = train(data, config)
    fam = with_run(lr_family(data, config), current)
    assert fam.values == family_values(config) and fam.values[fam.current] == config.lr
    assert fam.members[fam.current] is current
    picks = [0, len(fam.values) // 2, len(fam.values) - 3, len(fam.values) - 1]
    for i in picks:
        _close(fam.members[i], train(data, replace(config, lr=fam.values[i])))
    if config.optimizer != "adam":  # (Adam's steps are normalised: none blows up)
        assert any(m.diverged_at is not None for m in fam.members)


def test_a_diverged_member_knows_where_its_update_threw_the_line():
    data = make_data()
    config = TrainConfig(lr=0.05)
    fam = lr_family(data, config)
    i = fam.values.index(3.0)
    single = train(data, replace(config, lr=3.0))
    assert single.diverged_at is not None
    assert fam.members[i].blowup == pytest.approx(single.blowup, rel=1e-3)


def test_a_rate_between_the_marks_joins_the_family():
    config = TrainConfig(lr=0.1234)
    assert 0.1234 in family_values(config)
    assert sorted(family_values(config)) == list(family_values(config))


def test_every_rate_follows_the_schedule_even_when_the_run_on_screen_diverged():
    data = make_data(DataConfig())
    config = TrainConfig(lr=2.9, steps=40, schedule="exponential", gamma=0.5, decay_every=5)
    fam = lr_family(data, config)
    assert fam.members[fam.current].steps < 40  # diverged early
    want = train(data, replace(config, lr=0.01)).lr
    assert np.allclose(fam.members[fam.values.index(0.01)].lr, want, rtol=1e-12)


@pytest.mark.parametrize("n, batch, sampling", [(200, 30, "sequential"), (50, 7, "shuffle"),
                                                (20, 20, "sequential"), (9, 4, "replacement")])
def test_batch_sizes_as_train_counts_them(n, batch, sampling):
    data = make_data(DataConfig(n=n))
    config = TrainConfig(batch_size=batch, sampling=sampling, steps=33, lr=0.001)
    assert np.array_equal(batch_sizes(n, config, 33), train(data, config).batch_size)


def test_the_budget_refuses_what_would_take_too_long():
    data = make_data()
    assert fits(data, TrainConfig())
    assert fits(data, TrainConfig(steps=5000))
    assert not fits(data, TrainConfig(steps=10_000, batch_size=200))
    assert not fits(data, TrainConfig(steps=2000, optimizer="adam"))
