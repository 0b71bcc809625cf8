from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.batched import train_many


def _assert_same(single, batched, r):
    assert single.diverged_at == batched.diverged_at[r]
    k = single.steps
    for name in ("batch_loss", "total_loss", "a", "b"):
        got, want = getattr(batched, name)[r, :k], getattr(single, name)
        # float32 rounding of the largest value seen so far carries into later
        # steps (a run that swings out to 1e3 and back cancels digits).
        scale = 1 + np.maximum.accumulate(np.abs(want))
        assert np.all(np.abs(got - want) <= 2e-4 * scale), (name, r)
    assert np.isnan(batched.a[r, k:]).all()


def test_batched_grid_equals_run_by_run():
    data = make_data()
    configs = [TrainConfig(lr=lr, batch_size=bs, steps=60, sampling=s, sampling_seed=4)
               for lr in (0.01, 0.3, 2.5) for bs in (1, 7, 30, 200)
               for s in ("sequential", "shuffle", "replacement")]
    out = train_many(data, configs)
    for r, c in enumerate(configs):
        _assert_same(train(data, c), out, r)


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "adam", "rmsprop", "adagrad"])
def test_batched_equals_single_for_every_optimizer_and_schedule(optimizer):
    data = make_data()
    base = TrainConfig(optimizer=optimizer, steps=40, schedule="step", decay_every=7)
    configs = [replace(base, lr=lr, batch_size=bs) for lr in (0.02, 0.2) for bs in (10, 25)]
    out = train_many(data, configs)
    for r, c in enumerate(configs):
        _assert_same(train(data, c), out, r)



@pytest.mark.parametrize("schedule", ["step", "cosine"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_many_learning_rates_folded_into_the_gradient_equal_train(optimizer, schedule):
    """The SGD family shares one group at the most common rate; every run still equals train()."""
    data = make_data()
    base = TrainConfig(optimizer=optimizer, momentum=0.9, schedule=schedule, decay_every=9,
                       steps=60)
    lrs = [0.05, *np.geomspace(1e-3, 1.5, 37).tolist(), 0.05, 0.05]  # 0.05: the most common
    configs = [replace(base, lr=lr) for lr in lrs]
    out = train_many(data, configs)
    singles = [train(data, c) for c in configs]
    for r, single in enumerate(singles):
        _assert_same(single, out, r)
    assert any(d is not None for d in out.diverged_at)  # the largest rates blow up, alone
    for r in (0, 38, 39):  # at the reference rate the gradient is scaled by exactly 1
        for name in ("a", "b"):
            assert np.array_equal(getattr(out, name)[r], getattr(singles[r], name)), (r, name)


def test_adaptive_optimizer_with_runs_already_in_rate_order():
    """Several parameter groups whose runs happen to be in bucket order still train every run."""
    data = make_data()
    configs = [TrainConfig(optimizer="adam", lr=lr, steps=20) for lr in (0.01, 0.01, 0.1, 0.1)]
    out = train_many(data, configs)
    for r, c in enumerate(configs):
        _assert_same(train(data, c), out, r)

def test_batched_over_data_seeds():
    datas = [make_data(DataConfig(seed=s)) for s in range(5)]
    configs = [TrainConfig(steps=30)] * 5
    out = train_many(datas, configs)
    for r in range(5):
        _assert_same(train(datas[r], configs[r]), out, r)
    assert len({round(float(v), 6) for v in out.final_total_loss}) == 5



@pytest.mark.parametrize("shared", [True, False], ids=["shared data", "data seeds"])
@pytest.mark.parametrize("sampling", ["sequential", "shuffle", "replacement"])
@pytest.mark.parametrize("sizes", [(20, 20, 20), (30, 30, 30), (20, 25, 40)],
                         ids=["one size dividing n", "ragged", "mixed sizes"])
def test_batched_runs_with_one_kind_of_sampling(shared, sampling, sizes):
    """Every row sampled alike: the fast paths (one window, draws in blocks) equal train()."""
    datas = [make_data(DataConfig(seed=s)) for s in range(3)]
    configs = [TrainConfig(steps=45, sampling=sampling, batch_size=bs, sampling_seed=10 + i)
               for i, bs in enumerate(sizes)]
    out = train_many(datas[0] if shared else datas, configs)
    for r, c in enumerate(configs):
        _assert_same(train(datas[0] if shared else datas[r], c), out, r)

def test_batched_rejects_runs_that_cannot_share_an_optimizer():
    with pytest.raises(ValueError, match="may differ only"):
        train_many(make_data(), [TrainConfig(), TrainConfig(optimizer="adam")])
    with pytest.raises(ValueError, match="one size"):
        train_many([make_data(), make_data(DataConfig(n=50))], [TrainConfig()] * 2)


settings_strategy = st.fixed_dictionaries({
    "lr": st.floats(1e-3, 8.0),
    "batch_size": st.integers(1, 60),
    "steps": st.integers(1, 40),
    "sampling": st.sampled_from(["sequential", "shuffle", "replacement"]),
    "optimizer": st.sampled_from(["sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"]),
    "sampling_seed": st.integers(0, 1000),
})


@given(kw=settings_strategy, n=st.integers(60, 120), seed=st.integers(0, 10_000))
def test_property_deterministic_finite_or_flagged_and_batched_equals_single(kw, n, seed):
    data = make_data(DataConfig(n=n, seed=seed))
    config = TrainConfig(**kw)
    h1, h2 = train(data, config), train(data, config)
    assert h1.to_frame().equals(h2.to_frame())
    assert np.isfinite(h1.to_frame().to_numpy(dtype=float)).all()
    assert h1.steps == (config.steps if h1.diverged_at is None else h1.diverged_at - 1)
    other = replace(config, lr=config.lr / 3)
    out = train_many(data, [config, other])
    _assert_same(h1, out, 0)
    _assert_same(train(data, other), out, 1)
