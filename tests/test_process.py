"""sgdlab.ui.process: the server's process-wide settings."""

from __future__ import annotations

import gc
import os

import pytest

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.train import train
from sgdlab.ui import process
from tests.test_worker import same


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("2", 2), ("99", 16), ("-1", 0),
                                                ("two", 0), ("", 2), (" ", 2)])
def test_worker_count_from_the_environment(monkeypatch, raw: str, expected: int) -> None:
    monkeypatch.setattr(process, "available_cores", lambda: 2)
    monkeypatch.setenv(process.WORKERS_ENV, raw)
    assert process.worker_count() == expected


def test_the_default_is_one_worker_per_core_and_none_on_one_core(monkeypatch) -> None:
    monkeypatch.delenv(process.WORKERS_ENV, raising=False)
    for cores, workers in ((1, 0), (2, 2), (3, 3), (64, 4)):
        monkeypatch.setattr(process, "available_cores", lambda c=cores: c)
        assert process.worker_count() == workers


@pytest.mark.parametrize(("cpu_max", "affinity", "expected"), [
    ("max 100000\n", 8, 8),  # no quota
    ("200000 100000\n", 8, 2),  # a 2-CPU limit on an 8-core node
    ("150000 100000\n", 8, 2),  # 1.5 CPUs: round up
    ("50000 100000\n", 8, 1),
    ("400000 100000\n", 2, 2),  # the affinity is the smaller
    (None, 3, 3),  # no cgroup v2 file
    ("garbage", 3, 3),
])
def test_available_cores_reads_the_cgroup_quota(monkeypatch, tmp_path, cpu_max, affinity,
                                                expected) -> None:
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    monkeypatch.setattr(process, "CPU_MAX", str(path))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(affinity)))
    assert process.available_cores() == expected


def test_no_workers_trains_in_process(monkeypatch) -> None:
    monkeypatch.setenv(process.WORKERS_ENV, "0")
    monkeypatch.setattr(process, "_trainers", None)
    same(process.train_run(DataConfig(), TrainConfig()), train(DataConfig(), TrainConfig()))
    assert process._trainers is None


def test_workers_are_started_once_and_used(monkeypatch) -> None:
    monkeypatch.setenv(process.WORKERS_ENV, "1")
    monkeypatch.setattr(process, "_trainers", None)
    try:
        process.per_run_settings()
        trainers = process._trainers
        assert trainers is not None and len(trainers.pids()) == 1
        process.per_run_settings()
        assert process._trainers is trainers
        same(process.train_run(DataConfig(), TrainConfig(steps=30)),
             train(DataConfig(), TrainConfig(steps=30)))
    finally:
        if process._trainers is not None:
            process._trainers.close()


def test_freezing_happens_once(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(process, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(1))
    process.freeze_heap_once()
    process.freeze_heap_once()
    assert calls == [1]
