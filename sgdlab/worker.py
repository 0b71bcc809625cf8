"""Training in worker processes: ``Trainers(n).call(train_task, data, config)`` == ``train(...)``.

A server's script runs share one interpreter lock. Torch releases it around
each of the ~15 small ops of a training step and must then wait to take it back
while another session's thread runs Python, up to the switch interval (5 ms):
under a class's load a 620-step run took 17 s. A worker process gives training
an interpreter (and a core) of its own.

Each worker is ``python -m sgdlab.worker``: it reads pickled ``(function,
args)`` requests on stdin (module-level functions such as :func:`train_task`,
pickled by name) and writes pickled ``("ok", result)`` or ``("error",
exception)`` replies on its own copy of stdout (anything it prints goes to
stderr). Not ``multiprocessing``: its spawn start method re-runs the parent's
``__main__`` in every worker, and in a Streamlit server that is the app script.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data
from sgdlab.history import History
from sgdlab.train import train

log = logging.getLogger(__name__)


def train_task(data: DataConfig | Data, config: TrainConfig) -> History:
    """``train(data, config)``, with the data's float64 arrays made here, not in the server."""
    history = train(data, config)
    history.data.xy64  # noqa: B018 (a cached property: converted once, pickled along)
    return history


COMMAND = (sys.executable, "-m", "sgdlab.worker")
GIVE_UP_AFTER = 3  # workers that died; then every run trains in the calling process
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])  # where ``import sgdlab`` works


class _Worker:
    """One ``python -m sgdlab.worker`` process and its two pipes."""

    def __init__(self, command: tuple[str, ...]) -> None:
        path = os.environ.get("PYTHONPATH", "")
        env = {**os.environ, "OMP_NUM_THREADS": "1",  # and sgdlab importable from any cwd
               "PYTHONPATH": _PACKAGE_ROOT + (os.pathsep + path if path else "")}
        self.proc = subprocess.Popen(command, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        pickle.dump(request, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.flush()
        reply: tuple[str, Any] = pickle.load(self.proc.stdout)
        return reply

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a dead reader: nothing left to flush to
                    pipe.close()


class Trainers:
    """``n`` worker processes; ``train`` hands a run to an idle one, or waits for one."""

    def __init__(self, n: int, command: tuple[str, ...] = COMMAND) -> None:
        if n < 1:
            raise ValueError(f"need at least one worker, not {n}")
        self._command = command
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self.deaths = 0
        for _ in range(n):
            self._start_one()

    def _start_one(self) -> None:
        worker = _Worker(self._command)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in an idle worker (waiting for one); its errors are raised here.

        ``function`` must be a module-level function (pickled by name). A worker
        that dies mid-call (killed, out of memory) is replaced, and this call
        runs in the calling process instead.
        """
        if self._closed:
            raise RuntimeError("these trainers are closed")
        if self.deaths >= GIVE_UP_AFTER:  # workers cannot start here: run in-process
            return function(*args)
        worker = self._idle.get()
        try:
            status, value = worker.call((function, args))
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            with self._lock:
                if worker in self._all:  # (a dead one put back after giving up is not)
                    self._all.remove(worker)
                self.deaths += 1
                give_up = self.deaths >= GIVE_UP_AFTER
            worker.stop()
            if give_up:
                log.error("%d training workers died; training in-process from now on "
                          "(is `python -m sgdlab.worker` runnable here?)", self.deaths)
                self._idle.put(worker)  # dead, never called again: wakes anyone waiting
            else:
                log.warning("a training worker died (%s); starting another, training here", e)
                if not self._closed:
                    self._start_one()
            return function(*args)
        self._idle.put(worker)
        if status == "error":
            raise value
        return value

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._all]

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The worker's loop: one reply per request until stdin closes."""
    import torch

    torch.set_num_threads(1)
    while True:
        try:
            function, args = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except Exception as e:  # noqa: BLE001 (every error goes back to the caller)
            reply = ("error", e)
        try:
            out = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 (an exception that does not pickle)
            out = pickle.dumps(("error", RuntimeError(f"{type(e).__name__}: {e}")))
        replies.write(out)
        replies.flush()


def main() -> None:
    replies = os.fdopen(os.dup(1), "wb")  # our own copy of stdout, for replies only ...
    os.dup2(2, 1)  # ... and whatever else writes to stdout lands on stderr
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
