"""Settings that belong to the server process, not to one session: set once, first run.

Two costs every rerun paid before these, measured on 2 cores:

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
"""

from __future__ import annotations

import gc
import threading

import torch

_lock = threading.Lock()
_frozen = False


def per_run_settings() -> None:
    """Call at the top of every script run: settings that are per thread."""
    torch.set_num_threads(1)


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
