"""Each preset runs and does what its commentary says, checked against independent references."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from sgdlab import i18n, presets
from sgdlab.data import make_data
from sgdlab.history import History
from sgdlab.train import train


def run(name: str) -> History:
    p = presets.preset(name)
    return train(p.data, p.train)


def optimum(name: str) -> tuple[float, float, float]:
    """Least squares by numpy's lstsq (not sgdlab.theory): (a, b, minimum loss)."""
    data = make_data(presets.preset(name).data)
    x, y = data.x.double().numpy(), data.y.double().numpy()
    X = np.stack([x, np.ones_like(x)], axis=1)
    (a, b), *_ = np.linalg.lstsq(X, y, rcond=None)
    return float(a), float(b), float(np.mean((y - a * x - b) ** 2))


def limit(name: str) -> float:
    """2 / largest eigenvalue of the MSE Hessian (2/n) X^T X, from the design matrix."""
    x = make_data(presets.preset(name).data).x.double().numpy()
    X = np.stack([x, np.ones_like(x)], axis=1)
    return float(2 / np.linalg.eigvalsh(2 * X.T @ X / len(x)).max())


def test_names_are_unique_and_url_safe() -> None:
    names = presets.names()
    assert len(set(names)) == len(names) >= 10
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names)


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_runs_and_reads_in_both_languages(name: str) -> None:
    p = presets.preset(name)
    history = train(p.data, p.train)
    assert history.steps >= 1
    for lang in i18n.LANGS:
        assert p.title(lang) and len(p.text(lang)) > 40
        assert "{" not in p.text(lang), "a placeholder was left unfilled"


def test_notebook_preset_prints_what_its_text_quotes() -> None:
    line = run("notebook").notebook_lines()[-1]
    quoted = re.search(r"y = [-\d.]+ \* x \+ [-\d.]+", presets.preset("notebook").text("en"))
    assert quoted is not None and line.endswith(quoted.group())
    assert quoted.group() in presets.preset("notebook").text("zh")


def test_full_batch_reaches_least_squares_and_its_two_losses_are_one_curve() -> None:
    h = run("full_batch")
    a, b, loss = optimum("full_batch")
    assert h.a[-1] == pytest.approx(a, abs=1e-3) and h.b[-1] == pytest.approx(b, abs=1e-3)
    assert h.total_loss[-1] == pytest.approx(loss, rel=1e-4)
    # Batch loss before update t+1 is the whole-data loss after update t.
    np.testing.assert_allclose(h.batch_loss[1:], h.total_loss[:-1], rtol=1e-4)


def test_batch_1_in_order_stays_far_above_the_best_fit() -> None:
    h = run("batch_1")
    _, _, loss = optimum("batch_1")
    assert np.mean(h.total_loss[-100:]) > 3 * loss
    # "jumps wildly": step-to-step changes of the batch loss dwarf the whole-data loss's.
    assert np.std(np.diff(h.batch_loss[-100:])) > 5 * np.std(np.diff(h.total_loss[-100:]))


def test_shuffle_gets_close_where_the_sorted_order_does_not() -> None:
    shuffled, ordered = run("shuffle"), run("batch_1")
    _, _, loss = optimum("shuffle")
    assert np.mean(shuffled.total_loss[-100:]) < 1.5 * loss
    assert np.mean(shuffled.total_loss[-100:]) < np.mean(ordered.total_loss[-100:]) / 3
    # The text's last claim: the notebook's ordered batches of 20 repeat each epoch.
    p = presets.preset("notebook")
    steps, per_epoch = 100, p.data.n // p.train.batch_size
    seq = train(p.data, replace(p.train, steps=steps)).batch_loss[steps // 2:]
    shuf = train(p.data, replace(p.train, steps=steps, sampling="shuffle")).batch_loss[steps // 2:]
    lagged = [np.corrcoef(s[:-per_epoch], s[per_epoch:])[0, 1] for s in (seq, shuf)]
    assert lagged[0] > 0.99 > lagged[1]


def test_limit_presets_straddle_the_independent_limit() -> None:
    below, above = presets.preset("below_limit"), presets.preset("above_limit")
    ref = limit("below_limit")
    assert below.train.lr < ref < above.train.lr
    assert below.train.lr == pytest.approx(presets.BELOW * ref, rel=1e-3)  # 3 digits
    assert above.train.lr == pytest.approx(presets.ABOVE * ref, rel=1e-3)
    assert below.train.batch_size == below.data.n  # the limit is exact for full batch only


def test_below_limit_zig_zags_in_and_converges() -> None:
    h = run("below_limit")
    a, b, loss = optimum("below_limit")
    assert h.diverged_at is None
    assert h.total_loss[-1] == pytest.approx(loss, rel=1e-3)
    err = h.b - b
    assert np.all(np.sign(err[:10][1:]) != np.sign(err[:10][:-1])), "b should overshoot each step"
    assert np.all(np.abs(err[1:10]) < np.abs(err[:9]))


def test_above_limit_diverges() -> None:
    h = run("above_limit")
    assert h.diverged_at is not None or h.total_loss[-1] > 100 * h.initial_total_loss
    assert np.all(np.diff(h.total_loss[5:]) > 0), "the loss should grow step after step"


def test_raw_x_needs_a_tiny_rate_and_then_the_intercept_crawls() -> None:
    p = presets.preset("raw_x")
    ref = limit("raw_x")
    assert p.train.lr < ref < 1e-3 * 0.1  # thousands of times below the notebook's 0.1
    assert train(p.data, replace(p.train, lr=0.1)).diverged_at is not None
    h = run("raw_x")
    a, b, _ = optimum("raw_x")
    assert h.diverged_at is None
    assert abs(h.a[-1] - a) < 0.05 * abs(a)       # the slope settles ...
    assert abs(h.b[-1] - b) > 0.9 * abs(b)        # ... the intercept has hardly moved
    standardized = train(replace(p.data, standardize=True), replace(p.train, lr=0.1))
    assert abs(standardized.b[-1] - optimum("notebook")[1]) < 0.01


def test_momentum_is_faster_than_plain_sgd_and_overshoots() -> None:
    p = presets.preset("momentum")
    h = run("momentum")
    plain = train(p.data, replace(p.train, optimizer="sgd"))
    assert h.total_loss[-1] < plain.total_loss[-1] / 5
    a, _, _ = optimum("momentum")
    assert h.a.max() > a > plain.a.max()


def test_adam_first_steps_move_by_about_lr_and_then_it_hovers() -> None:
    p = presets.preset("adam")
    h = run("adam")
    lr = p.train.lr
    assert abs(h.a[0]) == pytest.approx(lr, rel=0.01) and abs(h.b[0]) == pytest.approx(lr, rel=0.01)
    _, _, loss = optimum("adam")
    plain = train(p.data, replace(p.train, optimizer="sgd", lr=0.1))  # the notebook's SGD
    assert np.mean(h.total_loss[-20:]) < 2 * loss
    assert np.mean(h.total_loss[-20:]) > np.mean(plain.total_loss[-20:])


def test_accumulation_equals_the_large_batch() -> None:
    p = presets.preset("accumulation")
    assert p.train.accumulation > 1
    h = run("accumulation")
    big = train(p.data, replace(p.train, accumulation=1))
    np.testing.assert_allclose(h.a, big.a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.b, big.b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.batch_loss, big.batch_loss, rtol=1e-5)
