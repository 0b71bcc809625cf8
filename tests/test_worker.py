"""sgdlab.worker: runs trained in worker processes are the runs trained here, bit for bit."""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import make_data
from sgdlab.history import COLUMNS, History
from sgdlab.train import train
from sgdlab.worker import GIVE_UP_AFTER, Trainers, train_task


@pytest.fixture(scope="module")
def trainers() -> Iterator[Trainers]:
    t = Trainers(2)
    yield t
    t.close()


def same(h1: History, h2: History) -> None:
    f1, f2 = h1.to_frame(), h2.to_frame()
    assert list(f1.columns) == list(COLUMNS) and len(f1) == len(f2)
    for c in COLUMNS:
        np.testing.assert_array_equal(f1[c].to_numpy(), f2[c].to_numpy(), err_msg=c)
    assert h1.diverged_at == h2.diverged_at and h1.config == h2.config
    for a, b in ((h1.data.x, h2.data.x), (h1.data.y, h2.data.y)):
        assert a.dtype == b.dtype and bool((a == b).all())


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig(lr=0.05, batch_size=7, steps=300, sampling="shuffle", optimizer="adam",
                schedule="cosine", accumulation=7),
    TrainConfig(lr=3.0, steps=100),  # diverges
])
def test_a_worker_trains_bit_for_bit_as_in_process(trainers: Trainers,
                                                   config: TrainConfig) -> None:
    data_config = DataConfig(n=150, noise=2.0)
    same(trainers.call(train_task, data_config, config), train(data_config, config))
    data = make_data(dataclasses.replace(data_config, seed=7))  # a Data, not a config
    same(trainers.call(train_task, data, config), train(data, config))


def test_a_bad_setting_raises_the_same_error_here(trainers: Trainers) -> None:
    with pytest.raises(ValueError, match="larger than the number of points"):
        trainers.call(train_task, DataConfig(n=10), TrainConfig(batch_size=20))
    same(trainers.call(train_task, DataConfig(), TrainConfig()), train(DataConfig(), TrainConfig()))


def test_runs_from_many_threads_each_get_their_own_result(trainers: Trainers) -> None:
    configs = [TrainConfig(batch_size=b, steps=150) for b in range(5, 17)]
    out: dict[int, History] = {}

    def one(i: int) -> None:
        out[i] = trainers.call(train_task, DataConfig(), configs[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(configs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, config in enumerate(configs):
        same(out[i], train(DataConfig(), config))


def test_a_killed_worker_is_replaced_and_the_run_still_comes_back() -> None:
    t = Trainers(1)
    try:
        (pid,) = t.pids()
        os.kill(pid, signal.SIGKILL)  # as an out-of-memory kill would
        same(t.call(train_task, DataConfig(), TrainConfig()), train(DataConfig(), TrainConfig()))
        (new,) = t.pids()
        assert new != pid
        same(t.call(train_task, DataConfig(), TrainConfig(steps=5)),
             train(DataConfig(), TrainConfig(steps=5)))
    finally:
        t.close()
    with pytest.raises(RuntimeError, match="closed"):
        t.call(train_task, DataConfig(), TrainConfig())


def test_closing_stops_the_processes() -> None:
    t = Trainers(2)
    pids = t.pids()
    t.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_at_least_one_worker() -> None:
    with pytest.raises(ValueError):
        Trainers(0)


def test_workers_that_cannot_start_give_way_to_training_here(caplog) -> None:
    t = Trainers(2, command=(sys.executable, "-c", "import sys; sys.exit(3)"))
    try:
        for steps in range(1, 7):  # every run still comes back, right
            same(t.call(train_task, DataConfig(), TrainConfig(steps=steps)),
                 train(DataConfig(), TrainConfig(steps=steps)))
        assert t.deaths == GIVE_UP_AFTER  # no endless restarts
        assert "training in-process from now on" in caplog.text
    finally:
        t.close()


def test_a_worker_imports_sgdlab_from_any_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # as `streamlit run /elsewhere/app.py` would
    monkeypatch.delenv("PYTHONPATH", raising=False)
    t = Trainers(1)
    try:
        same(t.call(train_task, DataConfig(), TrainConfig()), train(DataConfig(), TrainConfig()))
        assert t.deaths == 0
    finally:
        t.close()


def test_an_error_in_a_called_function_is_raised_here(trainers: Trainers) -> None:
    with pytest.raises(ValueError, match="larger than the number of points"):
        trainers.call(train_task, DataConfig(n=10), TrainConfig(batch_size=20))
