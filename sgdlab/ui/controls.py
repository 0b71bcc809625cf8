"""The sidebar: every widget derived from a config field's Spec, keyed by the field's name.

Other views load settings by writing ``st.session_state[<field name>]`` before
the widgets are drawn (then ``st.rerun()``); the widgets pick the values up.
``controls_ui`` is three independent parts (main, training details, data), so a
data-source choice or URL binding can replace or wrap one part alone.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import streamlit as st

from sgdlab import i18n, urlstate
from sgdlab.config import (
    DataConfig,
    Spec,
    TrainConfig,
    choice_label,
    log_marks,
    lr_marks,
    nearest_mark,
    spec,
)
from sgdlab.data import Data
from sgdlab.ui import classroom

TEXT: i18n.Text = {
    "training": ("Training details", "训练细节"),
    "data": ("Data", "数据"),
    "lr_exact": ("exact learning rate", "精确学习率"),
    "steps_exact": ("exact number of steps", "精确步数"),
    "exact_help": ("Type any value from {lo:g} to {hi:g}; the slider snaps to the nearest "
                   "mark.", "可输入 {lo:g} 到 {hi:g} 之间的任意值；滑块停在最近的刻度。"),
    "bad": ("This setting can't be used: {msg}", "这个设置无法使用：{msg}"),
    "clamped": ("{label}: {typed} is outside {lo} to {hi}, so it is {fixed} now.",
                "{label}：{typed} 超出了 {lo} 到 {hi} 的范围，已改为 {fixed}。"),
    "x_range": ("'x to' must be clearly greater than 'x from' (by a thousandth of their size "
                "at least).", "“x 终点”必须明显大于“x 起点”（至少大出它们大小的千分之一）。"),
    "accumulation_help": ("Offered: the divisors of the batch size up to 64.",
                          "这里列出批次大小不超过 64 的因数。"),
    "batch_lowered": ("Batch size lowered from {old} to {new}: these data have only {new} "
                      "points.", "批次大小从 {old} 降到 {new}：这些数据只有 {new} 个点。"),
}

MAIN = ("seed", "lr", "batch_size", "steps")  # in order of prominence
TRAIN_DETAILS = ("sampling", "optimizer", "momentum", "accumulation", "schedule", "gamma",
                 "decay_every", "sampling_seed")
DATA_DETAILS = ("n", "noise", "slope", "intercept", "x_min", "x_max", "standardize")


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in fields(cls) if f.name == name)


def _init(cls: type, name: str) -> None:
    """Put the field's default in session state once, so widgets never get value= and a key."""
    if name not in st.session_state:
        st.session_state[name] = _default(cls, name)


def field_ui(cls: type, name: str, lang: str, **override: Any) -> Any:
    """The widget for one config field, chosen from its Spec: choice, switch or number."""
    s = spec(cls, name)
    _init(cls, name)
    default = _default(cls, name)
    if classroom.hidden(name):  # a teacher's link hides it: keep the value, draw nothing
        return _clamped(name, s, default, override)
    common: dict[str, Any] = {"key": name, "help": s.help(lang),
                              "disabled": classroom.locked(name)}
    if s.choices:
        # Not bound to the URL: a bound selectbox writes its shown label there ("Adam
        # 自适应矩估计" in Chinese), and a link's "adam" matches no label, so Streamlit
        # drops it. classroom.sync_url writes drop-downs by their names instead.
        options = override.pop("options", s.choices)
        if st.session_state[name] not in options:
            st.session_state[name] = options[0]
        return st.selectbox(s.label(lang), options, **common,
                            format_func=lambda choice: choice_label(choice, lang), **override)
    # Bound to the URL, with the field's default as the widget's own (session state
    # still holds the value): a bound control leaves its parameter out while it is at
    # the default, so links stay as short as urlstate.to_query writes them.
    common["bind"] = classroom.bind(name)
    if isinstance(default, bool):
        return st.toggle(s.label(lang), default, **common, **override)
    kind = int if isinstance(default, int) else float
    lo, hi = kind(override.pop("lo", s.lo)), kind(override.pop("hi", s.hi))
    st.session_state[name] = _within(st.session_state[name], lo, hi)
    start = _within(default, lo, hi)
    if override.pop("slider", False):  # (integers only)
        return int(st.slider(s.label(lang), lo, hi, start, step=1, **common, **override))
    style = {"step": 1} if kind is int else {"format": "%g"}
    return kind(st.number_input(s.label(lang), value=start, **style, **common,
                                **checked(name, s.label(lang), lo, hi, lang), **override))


def _within(value: Any, lo: Any, hi: Any) -> Any:
    """``value`` moved into [lo, hi], as the bounds' kind (int or float)."""
    kind = type(lo)
    return kind(min(max(kind(value), lo), hi))


# A number box has no min or max of its own: with them, Streamlit kept an out-of-range
# entry in a red box, explained only in an English tooltip, while the run went on with
# the old value (a reviewer typed 0, -1 and 1e9 as the learning rate). Here the entry is
# set to the nearest allowed value, and a toast says so in the page's language.
_CLAMPED = "_clamped"  # session_state: <name>_clamped = (typed, set), for the toast


def checked(name: str, label: str, lo: float, hi: float, lang: str) -> dict[str, Any]:
    """A number box's on_change that keeps it in [lo, hi], and the toast of its last fix."""
    fixed = st.session_state.pop(name + _CLAMPED, None)
    if fixed is not None:
        st.toast(tr("clamped", lang, label=label, typed=_shown(fixed[0]), fixed=_shown(fixed[1]),
                    lo=_shown(lo), hi=_shown(hi)), icon="⚠️")
    return {"on_change": _keep_in_range, "args": (name, lo, hi)}


def _shown(value: float) -> str:
    """A bound or an entry as the box writes it: 2147483647 in full, 1e-06 for a rate."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _keep_in_range(name: str, lo: float, hi: float) -> None:
    typed = st.session_state.get(name)
    if typed is None or not math.isfinite(typed):
        return
    fixed = _within(typed, lo, hi)
    if fixed != typed:
        st.session_state[name] = fixed
        st.session_state[name + _CLAMPED] = (typed, fixed)


def _clamped(name: str, s: Spec, default: Any, override: dict[str, Any]) -> Any:
    """The session's value of a control that is not drawn, kept inside its range."""
    value = st.session_state[name]
    if s.choices or isinstance(default, bool):
        options = override.get("options", s.choices)
        return value if not options or value in options else options[0]
    lo, hi = override.get("lo", s.lo), override.get("hi", s.hi)
    assert lo is not None and hi is not None  # every number field has a range
    kind = int if isinstance(default, int) else float
    return _within(value, kind(lo), kind(hi))


def lr_ui(lang: str) -> float:
    """Learning rate: a log-scale slider for speed, an exact box for precision."""
    # Down to the config's floor: raw (unstandardized) x is stable only near 2e-5.
    return float(marked_ui(TrainConfig, "lr", lr_marks(), lang,
                           tr("lr_exact", lang), step=1e-4))


def steps_ui(lang: str) -> int:
    """Steps the same way: 1 to 10,000 on a linear slider was 37 steps a pixel, and no
    teacher could pick 60 or 100 with the mouse (two reviewers)."""
    s = spec(TrainConfig, "steps")
    marks = [int(v) for v in log_marks(float(s.lo or 1), float(s.hi or 10_000)) if v == int(v)]
    return int(marked_ui(TrainConfig, "steps", marks, lang, tr("steps_exact", lang), step=1))


def marked_ui(cls: type, name: str, marks: list[Any], lang: str, exact: str,
              step: float) -> Any:
    """A slider over ``marks`` (log-spaced) for speed, then an exact box for precision.

    The box owns ``st.session_state[name]`` (and the URL parameter); the slider,
    ``<name>_slider``, stands on the mark nearest the value, its thumb labelled with
    the exact value, and a slide writes its mark back.
    """
    s = spec(cls, name)
    default = _default(cls, name)
    kind = int if isinstance(default, int) else float
    _init(cls, name)
    if classroom.hidden(name):
        return _clamped(name, s, default, {})
    locked = classroom.locked(name)
    assert s.lo is not None and s.hi is not None  # every number field has a range
    lo, hi = kind(s.lo), kind(s.hi)
    st.session_state[name] = _within(st.session_state[name], lo, hi)
    follow = nearest_mark(st.session_state[name], marks)
    slider = f"{name}_slider"
    # The thumb's label is the exact value, so a new value relabels its mark, and the
    # browser, which keeps the slider's choice by label, lost it: + in the box left the
    # slider on its first mark (1e-06), and the next change set the rate to that. Stating
    # the choice again whenever the labels change makes Streamlit send it.
    labelled = f"{slider}_label"
    if (st.session_state.get(slider) != follow
            or st.session_state.get(labelled) != st.session_state[name]):
        st.session_state[slider] = follow
    st.session_state[labelled] = st.session_state[name]

    def slid() -> None:
        st.session_state[name] = st.session_state[slider]

    value = st.session_state[name]

    def shown(mark: Any) -> str:
        """A mark's label; the thumb's mark says the exact value (1.1, not its mark's "1")."""
        return f"{value:g}" if mark == follow else f"{mark:g}"

    st.select_slider(s.label(lang), marks, key=slider, help=s.help(lang),
                     format_func=shown, on_change=slid, disabled=locked)
    return kind(st.number_input(exact, value=kind(default), key=name,
                                format="%g" if kind is float else "%d", step=kind(step),
                                disabled=locked, bind=classroom.bind(name),
                                help=tr("exact_help", lang, lo=lo, hi=hi),
                                label_visibility="collapsed",
                                **checked(name, s.label(lang), lo, hi, lang)))


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def main_ui(lang: str, n: int, synthetic: bool = True) -> dict[str, Any]:
    """Seed, learning rate, batch size and steps: the four settings people change most.

    The data seed is left out when the data is not the synthetic kind.
    """
    values = {"seed": field_ui(DataConfig, "seed", lang)} if synthetic else {}
    values["lr"] = lr_ui(lang)
    restore = _raised_batch(n)
    if restore is not None:
        st.session_state["batch_size"] = restore
    before = st.session_state.get("batch_size")
    values["batch_size"] = field_ui(TrainConfig, "batch_size", lang, hi=n, slider=True)
    if restore is not None:
        _restored(restore, values["batch_size"])
    # The note's place is kept whether or not it shows: a note that came and went moved
    # every control below it, and Streamlit drew the expanders anew, folded (a reviewer).
    _say_if_lowered(before, values["batch_size"], n, lang, st.empty())
    values["steps"] = steps_ui(lang)
    return values


def _raised_batch(n: int) -> int | None:
    """Back on data with more points, the batch size that smaller data pushed down, if the
    slider still stands where it was pushed.

    After a 5-row CSV and back to the notebook's points, batch size had stayed 5, and the
    page no longer printed the notebook's result (two reviewers).
    """
    lowered = st.session_state.get("_batch_lowered")
    if lowered is None or n <= lowered[1] or st.session_state.get("batch_size") != lowered[1]:
        return None
    return int(min(lowered[0], n))


def _restored(restore: int, shown: int) -> None:
    """Done, or once more: with a new maximum the slider is a new widget, which takes its
    value from the address bar (still the lowered one) over the session's; on the next run
    it is the same widget, and the session's value wins."""
    if shown == restore or st.session_state.pop("_batch_retried", False):
        st.session_state.pop("_batch_lowered", None)
        return
    st.session_state["_batch_retried"] = True
    st.rerun()


def _say_if_lowered(before: Any, now: int, n: int, lang: str, where: Any) -> None:
    """A note under the batch size while it stays where smaller data pushed it down."""
    if isinstance(before, int) and before > n:
        st.session_state["_batch_lowered"] = (before, n)
    lowered = st.session_state.get("_batch_lowered")
    if lowered is None:
        return
    if now == lowered[1] == n:
        where.caption(tr("batch_lowered", lang, old=lowered[0], new=n))
    else:  # moved since, or other data: the note no longer applies
        del st.session_state["_batch_lowered"]


def training_ui(lang: str, batch_size: int) -> dict[str, Any]:
    """Sampling, optimizer, accumulation and schedule, in an expander."""
    values: dict[str, Any] = {}
    # Every control hidden by the link: no empty expander (its values still apply).
    box = st.container() if all(map(classroom.hidden, TRAIN_DETAILS)) else st.expander(
        tr("training", lang))
    with box:
        for name in TRAIN_DETAILS:
            if name == "momentum" and values.get("optimizer") not in ("momentum", "nesterov"):
                continue
            if name in ("gamma", "decay_every") and values.get("schedule") not in (
                    "step", "exponential"):
                continue
            if name == "accumulation":
                divisors = tuple(d for d in range(1, min(batch_size, 64) + 1)
                                 if batch_size % d == 0)
                asked = st.session_state.get(name)
                if isinstance(asked, int) and asked > 64 and batch_size % asked == 0:
                    divisors += (asked,)  # a link's (urlstate held it to its work cap)
                values[name] = _accumulation_ui(lang, divisors)
                continue
            values[name] = field_ui(TrainConfig, name, lang)
    return values


def _accumulation_ui(lang: str, divisors: tuple[int, ...]) -> int:
    s = spec(TrainConfig, "accumulation")
    _init(TrainConfig, "accumulation")
    if st.session_state["accumulation"] not in divisors:
        st.session_state["accumulation"] = 1
    if classroom.hidden("accumulation"):
        return int(st.session_state["accumulation"])
    return int(st.selectbox(s.label(lang), divisors, key="accumulation",  # not bound: above
                            disabled=classroom.locked("accumulation"),
                            help=s.help(lang) + " " + tr("accumulation_help", lang)))


def data_ui(lang: str, batch_size: int) -> dict[str, Any]:
    """The synthetic data's settings, in an expander.

    While a link locks or hides the batch size, the points cannot go below it:
    fewer points would push the locked batch size down.
    """
    fixed = classroom.locked("batch_size") or classroom.hidden("batch_size")
    lo = max(int(spec(DataConfig, "n").lo or 1), batch_size) if fixed else None
    box = st.container() if all(map(classroom.hidden, DATA_DETAILS)) else st.expander(
        tr("data", lang))
    with box:
        return {name: field_ui(DataConfig, name, lang, **({"lo": lo} if name == "n" and lo
                                                          else {}))
                for name in DATA_DETAILS}


def controls_ui(lang: str, data: Data | None = None,
                where: Any = None) -> tuple[DataConfig | None, TrainConfig]:
    """Draw the controls (in ``where``, a sidebar container, else the sidebar's end) and
    return the settings they show; bad settings stop with a message.

    With ``data`` (a built-in or uploaded data set) the synthetic data's
    controls are not drawn, the batch size is bounded by its size, and the
    returned DataConfig is None.
    """
    with where if where is not None else st.sidebar:
        _init(DataConfig, "n")
        n = int(st.session_state["n"]) if data is None else data.n
        main = main_ui(lang, n, synthetic=data is None)
        train = training_ui(lang, main["batch_size"])
        values = data_ui(lang, main["batch_size"]) if data is None else {}
    try:
        data_config = None
        if data is None:
            # The rule a link's x range is held to: narrower, and float32 x is constant.
            if not urlstate.wide_enough(values["x_min"], values["x_max"]):
                raise ValueError(tr("x_range", lang))
            data_config = DataConfig(seed=main["seed"], **values)
        train_config = TrainConfig(lr=main["lr"], batch_size=main["batch_size"],
                                   steps=main["steps"], **train)
    except ValueError as e:
        st.error(tr("bad", lang, msg=e))
        # A link's values that were fixed are not in the boxes yet (bound widgets take the
        # link's on a first run): that rerun comes first, or the error stays for good.
        classroom.finish_url_state()
        st.stop()
    return data_config, train_config
