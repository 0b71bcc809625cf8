"""The server process's own settings and its training workers.

Three costs every rerun paid before these, measured on 2 cores:

- Each rerun runs in a fresh thread, and OpenMP's thread count is per thread:
  with torch's default of two threads a 200-step run in a fresh thread took
  48 ms, with one thread 28 ms. One thread per run also keeps one student from
  taking both cores.
- Streamlit runs a full ``gc.collect(2)`` after every script run
  (``runner.postScriptGC``). With torch, plotly and pandas loaded the heap holds
  about 380,000 tracked objects, and that collection took 170-210 ms: half of
  the server's CPU per rerun under a class's load (py-spy). ``gc.freeze()``
  once the modules are loaded moves those long-lived objects out of the
  collector's view, so the collection after each run only looks at what the run
  made (well under a millisecond here), and still frees it.
- Training in the script's thread shares one interpreter lock with every
  other session (sgdlab.worker says what that cost): runs go to worker
  processes, one per core by default.
"""

from __future__ import annotations

import gc
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data
from sgdlab.history import History
from sgdlab.worker import Trainers, train_task

log = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_frozen = False


def per_run_settings() -> None:
    """Call at the top of every script run: settings that are per thread.

    The first call also starts the training workers, so they are ready (each
    imports torch, about 2 s) by the time someone changes a setting.
    """
    torch.set_num_threads(1)
    _get_trainers()


def freeze_heap_once() -> None:
    """Call at the end of a script run: the first call in the process freezes the heap.

    Objects alive then (modules, classes, the first session's state) stay out of
    every later collection; any that become garbage without a reference cycle
    are still freed by reference counting.
    """
    global _frozen
    with _lock:
        if _frozen:
            return
        _frozen = True
        gc.collect()  # what the first run left behind goes now, not into the frozen set
        gc.freeze()


# --- training in worker processes (sgdlab.worker says why) ----------------------

WORKERS_ENV = "SGDLAB_TRAIN_WORKERS"
_trainers: Trainers | None = None


def available_cores() -> int:
    """Cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota.

    ``os.cpu_count()`` is the whole host's count, which in a container limited
    to 2 CPUs on a 64-core node would start 64 workers.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = Path(CPU_MAX).read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota: the affinity stands
    return max(cores, 1)


CPU_MAX = "/sys/fs/cgroup/cpu.max"


def worker_count() -> int:
    """How many training processes: ``$SGDLAB_TRAIN_WORKERS``, else one per core (at most 4).

    0 trains in the script's own thread, what a one-core machine gets by default.
    On 2 cores two workers beat one: with one, a student's 10,000-step run made
    everyone else's wait behind it (load_test, 30 sessions: p95 1.7 s vs 3.1 s).
    Each worker holds its own torch, about 290 MB.
    """
    raw = os.environ.get(WORKERS_ENV, "")
    if raw.strip():
        try:
            return max(0, min(int(raw), 16))
        except ValueError:
            log.warning("%s=%r is not a whole number; training in-process", WORKERS_ENV, raw)
            return 0
    cores = available_cores()
    return 0 if cores < 2 else min(cores, 4)


def _get_trainers() -> Trainers | None:
    """The training processes, started on first use (None: train in-process)."""
    global _trainers
    with _lock:
        if _trainers is None and (n := worker_count()) > 0:
            _trainers = Trainers(n)
        return _trainers


def in_worker(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a training worker when there are any, else right here.

    ``function`` is a module-level function of sgdlab.worker (pickled by name),
    with one torch thread either way, so the numbers are the same.
    """
    trainers = _get_trainers()
    result: T = function(*args) if trainers is None else trainers.call(function, *args)
    return result


def train_run(data: DataConfig | Data, config: TrainConfig) -> History:
    """``sgdlab.train.train(data, config)``, in a worker process when there are any."""
    return in_worker(train_task, data, config)
