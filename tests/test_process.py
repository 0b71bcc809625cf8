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
                                                ("two", 0), ("", 1)])
def test_worker_count_from_the_environment(monkeypatch, raw: str, expected: int) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setenv(process.WORKERS_ENV, raw)
    assert process.worker_count() == expected


def test_the_default_leaves_a_core_for_the_server(monkeypatch) -> None:
    monkeypatch.delenv(process.WORKERS_ENV, raising=False)
    for cores, workers in ((1, 0), (2, 1), (4, 3), (64, 4), (None, 0)):
        monkeypatch.setattr(os, "cpu_count", lambda c=cores: c)
        assert process.worker_count() == workers


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
