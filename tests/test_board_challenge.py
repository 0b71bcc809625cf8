"""The teacher's challenge and its answer (sgdlab.board.challenge), against single runs
trained one by one and the Hessian's eigenvalues from numpy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sgdlab import DataConfig, TrainConfig, make_data, train
from sgdlab.board import challenge
from sgdlab.board.rooms import Challenge
from sgdlab.board.summary import RunSummary, summarize


@pytest.fixture(scope="module")
def data():
    return make_data(DataConfig())


def _converges(data, lr: float, ch: Challenge, minimum: float) -> bool:
    h = train(DataConfig(), TrainConfig(lr=lr, batch_size=ch.batch_size, steps=ch.steps))
    return challenge.converged(float(h.total_loss[-1]) if h.steps else None,
                               h.diverged_at is not None, minimum)


def test_the_answer_agrees_with_runs_trained_one_by_one(data) -> None:
    ch = Challenge(batch_size=20, steps=20)
    ans = challenge.answer(ch, data)
    x, y = data.xy64
    minimum = np.mean((y - np.polyval(np.polyfit(x, y, 1), x)) ** 2)
    assert ans.minimum == pytest.approx(minimum, rel=1e-9)
    lam = np.linalg.eigvalsh(2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1]]))
    assert ans.full_batch == pytest.approx(2 / lam[-1], rel=1e-9)
    # in order, the steepest batch of 20 (of the first 20 steps) sets the batch limit
    worst = max(np.linalg.eigvalsh(2 * np.array([[np.mean(w * w), np.mean(w)],
                                                 [np.mean(w), 1]]))[-1]
                for w in (x[i:i + 20] for i in range(0, 200, 20)))
    assert ans.worst_batch == pytest.approx(2 / worst, rel=1e-9)
    assert ans.swept_lr is not None and ans.swept_lr < ans.full_batch
    assert _converges(data, ans.swept_lr, ch, minimum)
    assert not _converges(data, ans.swept_lr * 1.02, ch, minimum)


def test_a_challenge_no_rate_meets_says_so(data) -> None:
    # one point per step for 20 steps: no rate fits the line that fast
    ans = challenge.answer(Challenge(batch_size=1, steps=20), data)
    assert ans.swept_lr is None


@pytest.mark.parametrize("ch", [Challenge(0, 20), Challenge(201, 20), Challenge(20, 0),
                                Challenge(20, challenge.MAX_STEPS + 1)])
def test_a_challenge_out_of_range_is_refused(ch: Challenge) -> None:
    with pytest.raises(ValueError):
        challenge.check(ch)


def test_attempts_are_the_converged_runs_at_the_challenges_settings(data) -> None:
    ch = Challenge(batch_size=20, steps=20)
    minimum = challenge.answer(ch, data).minimum

    def sent(seq: int, **changes) -> RunSummary:
        d, t = challenge.base_configs(ch)
        t = replace(t, **changes)
        return replace(summarize(train(d, t), d, t), seq=seq)

    runs = [sent(1, lr=0.1), sent(2, lr=0.15), sent(3, lr=0.5),  # 0.5: does not converge
            sent(4, lr=0.15, batch_size=10),  # another batch size: not an attempt
            sent(5, lr=0.12, optimizer="momentum"), sent(6, lr=0.01)]  # too slow
    assert [r.seq for r in challenge.attempts(runs, ch, minimum)] == [2, 1]
    assert challenge.answers(runs[2], ch) and not challenge.answers(runs[3], ch)
