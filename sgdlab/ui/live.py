"""The live view: the run on screen, every rate of its family, its numbers and step table.

One element (:mod:`sgdlab.ui.live_view`) draws it all. Scrubbing the rate, stepping
and playing happen in the browser; a rate or a step the reader lets go of comes back
as a commit, which sets the sidebar's rate and the page's step: the sidebar, the link,
the metrics and the tabs follow, and the element, which shows that state already,
draws nothing new.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import streamlit as st

from sgdlab import diagnosis, styles, sweep
from sgdlab.config import DataConfig, TrainConfig, lr_marks, spec
from sgdlab.data import Data
from sgdlab.family import Family, family_values, fits, prepared, with_run
from sgdlab.figures.live import live_view
from sgdlab.figures.theme import Ghosts
from sgdlab.history import History
from sgdlab.ui import classroom, process
from sgdlab.ui import live_view as element
from sgdlab.ui.charts import image_format
from sgdlab.ui.context import Run

STEP_KEY = "live_step"  # session_state: the step on screen (the tabs and exports read it)
VIEW_KEY = "live_view"  # the element's key
# How the caches below hash settings: a frozen dataclass's repr names every field
# and value exactly (floats round-trip), and is ~10x cheaper than Streamlit's
# generic hashing of the object, which runs on every call, hit or miss.
CONFIG_HASH: dict[Any, Any] = {DataConfig: repr, TrainConfig: repr}


def data_key(data: Data) -> tuple[str, int, str]:
    """What identifies a data set for caching: its name and a digest of its values."""
    return data.name, data.n, data.digest


# Runs in cache_resource, not cache_data: every session gets the same History
# (read-only by contract) instead of an unpickled copy of its tensors per rerun.
@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def cached_train(data_config: DataConfig, train_config: TrainConfig) -> History:
    """The run for these settings, computed once per distinct pair."""
    return process.train_run(data_config, train_config)


@st.cache_resource(max_entries=16, show_spinner=False,
                   hash_funcs={Data: data_key, **CONFIG_HASH})
def cached_train_on(data: Data, train_config: TrainConfig) -> History:
    """The run on a built-in or uploaded data set, computed once per distinct pair."""
    return process.train_run(data, train_config)


def family_config(config: TrainConfig) -> TrainConfig:
    """What a family depends on: the settings, with the rate only if it is not a mark
    (every mark's family is the same family)."""
    marks = lr_marks()
    return config if config.lr not in marks else replace(config, lr=marks[0])


@st.cache_resource(max_entries=16, show_spinner=False,
                   hash_funcs={Data: data_key, **CONFIG_HASH})
def cached_family(data: Data, config: TrainConfig
                  ) -> tuple[Family, dict[str, list[str | None]]] | None:
    """The family of ``config`` (:func:`family_config`) and its warnings; None when it
    does not fit the budget (then the server draws each rate)."""
    if not fits(data, config):
        return None
    return process.in_worker(prepared, data, config)


@st.cache_data(max_entries=64, show_spinner=False)
def _tried_rate(_data: Data, key: tuple[str, int, str],
                config: TrainConfig) -> sweep.TriedRate | None:
    return sweep.tried_rate(_data, config)


def warning(history: History, lang: str) -> str | None:
    """The warning of the run on screen, from its own History (a member's is approximate)."""
    if not history.troubled:
        return None
    tried = (_tried_rate(history.data, data_key(history.data), history.config)
             if diagnosis.needs_tried_rate(history) else None)
    return diagnosis.warning(history, lang, tried)


def view_blob(run: Run, step: int, ghosts: Ghosts = ()) -> bytes:
    """The element's blob for the run on screen at ``step``: its family, or itself alone."""
    args = (run.data, run.data_config, run.train_config, run.history, run.lang, step,
            classroom.locked("lr"), classroom.hidden("lr"), image_format())
    return blob(*args, ghosts=ghosts) if ghosts else cached_blob(*args)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={Data: data_key, **CONFIG_HASH})
def cached_blob(data: Data, data_config: DataConfig | None, config: TrainConfig,
                _history: History, lang: str, step: int, locked: bool, hidden: bool,
                fmt: str) -> bytes:
    """:func:`blob`, once per distinct view (the History follows from data and config)."""
    return blob(data, data_config, config, _history, lang, step, locked, hidden, fmt)


def blob(data: Data, data_config: DataConfig | None, config: TrainConfig, history: History,
         lang: str, step: int, locked: bool, hidden: bool, fmt: str,
         ghosts: Ghosts = ()) -> bytes:
    """The element's blob: the family of ``history`` (or it alone, past the budget), the
    words of ``lang``, and whether the link locks or hides the rate."""
    prepared_family = cached_family(data, family_config(config))
    values = family_values(config)
    own = warning(history, lang)
    if prepared_family is None:  # the server draws each rate
        fam = Family("lr", values, values.index(config.lr), (history,))
        said = [own]
    else:
        fam = with_run(prepared_family[0], history)
        said = list(prepared_family[1][lang])
        said[fam.current] = own
    data_name = data.name
    stem = styles.file_stem("live", data_config, config, data_name=data_name)
    extra = element.header(lang, stem, fmt, locked=locked, hidden=hidden,
                           server_only=prepared_family is None)
    key = repr((data_key(data), family_config(config), lang, len(ghosts)))
    true_line = None if data_config is None else (data_config.slope, data_config.intercept)
    return live_view(fam, lang, step, ghosts=ghosts, true_line=true_line, warnings=said,
                     key=key, extra=extra)


def live_ui(run: Run, ghosts: Ghosts = ()) -> None:
    """The live view, then the link to the run and step on screen.

    ``ghosts`` are pinned runs, drawn as labelled lines on the loss and parameter panels.
    """
    step = _step_follows(run)
    blob = view_blob(run, step, ghosts)
    element.live_view_ui(blob, key=VIEW_KEY,
                         on_commit=lambda value: _committed(value, run))
    shown = step if run.history.steps else None  # no step was taken: the link has none
    classroom.copy_link_ui(run, step=shown)
    classroom.sync_url(run, step=shown)


def _committed(value: dict[str, Any], run: Run) -> None:
    """The reader let go of a rate or a step (a message from the browser: checked here)."""
    lr: Any = value.get("lr")
    step: Any = value.get("step")
    s = spec(TrainConfig, "lr")
    rate_ok = (isinstance(lr, int | float) and not isinstance(lr, bool) and math.isfinite(lr)
               and (s.lo or 0) <= lr <= (s.hi or math.inf))
    step_ok = isinstance(step, int) and not isinstance(step, bool) and 1 <= step <= 10**6
    new_rate = rate_ok and float(lr) != run.train_config.lr
    if new_rate and not (classroom.locked("lr") or classroom.hidden("lr")):
        st.session_state["lr"] = float(lr)
        if step_ok:
            st.session_state[classroom.STEP] = int(step)  # where the new run opens
    elif step_ok:
        st.session_state[STEP_KEY] = min(int(step), max(run.history.steps, 1))


def _step_follows(run: Run) -> int:
    """The step on screen: a new run opens on its last step (the notebook's result), or on
    the step a link, a preset or a commit asked for; the same run keeps its step."""
    ident = (run.data_config, run.train_config, run.data.name, run.data.n)
    if st.session_state.get("live_run") != ident:
        st.session_state["live_run"] = ident
        asked = st.session_state.pop(classroom.STEP, None)
        st.session_state[STEP_KEY] = run.history.steps if asked is None else int(asked)
    step = min(max(int(st.session_state.get(STEP_KEY, 1)), 1), max(run.history.steps, 1))
    st.session_state[STEP_KEY] = step
    return step
