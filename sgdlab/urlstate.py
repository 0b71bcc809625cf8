"""Settings <-> URL query parameters: parse any query string safely, write one back.

    state = parse({"lr": "0.5", "batch_size": "999", "lock": "lr"})
    state.train.lr, state.train.batch_size, state.locked   # 0.5, 200, {'lr'}
    [n.text("en") for n in state.notices]                  # why batch_size changed
    to_query(state.data, state.train)                      # {'lr': '0.5'}

Parameter names are the config field names (the same keys the sidebar
widgets use), plus ``lang``, ``step``, ``view``, ``preset``, the teacher's
``lock`` / ``hide`` lists, and the class board's ``room``, ``board`` and
``teacher`` (read by sgdlab.ui.board; here they are only known). Every value
is checked against its field's :class:`~sgdlab.config.Spec`; a bad one is
clamped or dropped and leaves a :class:`Notice`. Pure: no Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from sgdlab import i18n
from sgdlab.config import DataConfig, Spec, TrainConfig

# What the URL may ask for: guards against absurd links, not against real use.
MAX_PARAMS = 48       # more parameters than this and the rest are ignored
MAX_VALUE_CHARS = 64  # longer values are dropped unread
MAX_POINT_STEPS = 20_000_000  # steps * batch_size: about one second of training
MAX_MICRO_STEPS = 20_000      # steps * accumulation: each micro-batch is a backward pass
MIN_REL_SPAN = 1e-3  # x_max - x_min relative to |x|: narrower and float32 x is constant
LIST_SEP = ","
ALL = "all"  # lock=all / hide=all: every setting

CLASSES = (DataConfig, TrainConfig)
SETTINGS: dict[str, tuple[type, Any, Spec]] = {
    f.name: (cls, f.default, f.metadata["spec"]) for cls in CLASSES for f in fields(cls)}
# The class board's parameters (sgdlab.ui.board reads them): known here, so they leave no
# notice, and a link that is rewritten keeps them.
PASSED = ("room", "board", "teacher")
EXTRA = ("lang", "step", "view", "preset", "lock", "hide", *PASSED)
# Streamlit's own parameters (embedding options): never ours to complain about.
IGNORED = frozenset({"embed", "embed_options"})
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})

TEXT: i18n.Text = {
    "notice": ("URL parameter {name}: {reason}", "链接参数 {name}:{reason}"),
    "fixed": ("{why}; using {fixed}.", "{why}；改用 {fixed}。"),
    "dropped": ("{why}; ignored.", "{why}；已忽略。"),
    "too_long": ("value longer than {limit} characters",
                 "参数值超过 {limit} 个字符"),
    "too_many": ("{count} parameters beyond the first {limit}",
                 "前 {limit} 个之后还有 {count} 个参数"),
    "unknown_name": ("not a setting of this app", "不是本应用的设置"),
    "empty": ("no value given", "没有给出参数值"),
    "repeated": ("given {count} times, the last one counts",
                 "出现了 {count} 次，以最后一次为准"),
    # {value} is what the link wrote: Notice.text quotes it, Notice.markdown sets it as code.
    "not_number": ("{value} is not a number", "{value} 不是数字"),
    "not_finite": ("{value} is not a finite number", "{value} 不是有限的数"),
    "not_integer": ("{value} is not a whole number", "{value} 不是整数"),
    "not_bool": ("{value} is not true or false", "{value} 不是 true 或 false"),
    "out_of_range": ("{value} is outside {lo}..{hi}", "{value} 超出范围 {lo}..{hi}"),
    "not_choice": ("{value} is not one of {choices}", "{value} 不在 {choices} 之中"),
    "not_lang": ("{value} is not a language here (zh or en)",
                 "{value} 不是可选语言（zh 或 en）"),
    "x_range": ("x_max must be clearly greater than x_min", "x_max 必须明显大于 x_min"),
    "batch_gt_n": ("batch_size {batch} is larger than the {n} points",
                   "批次大小 {batch} 大于数据点数 {n}"),
    "accumulation_divides": ("accumulation {accumulation} does not divide batch_size {batch}",
                             "梯度累积 {accumulation} 不能整除批次大小 {batch}"),
    "too_much_work": ("{steps} steps would be too long a job for a link",
                      "{steps} 步对一个链接来说计算量太大"),
    "step_gt_steps": ("step {step} is beyond the {steps} training steps",
                      "第 {step} 步超出了训练步数 {steps}"),
}


@dataclass(frozen=True)
class Notice:
    """One bad URL value: which parameter, why (a TEXT key and its values), what became of it."""

    key: str
    reason: str
    values: tuple[tuple[str, str], ...] = ()
    fixed: str | None = None  # the value used instead; None when the parameter was dropped

    def text(self, lang: str) -> str:
        """The notice as one sentence in ``lang``, the link's words in quotes."""
        return self._sentence(lang, lambda words: f"'{words}'", str)

    def markdown(self, lang: str) -> str:
        """The notice for st.markdown and alerts: the link's words (the parameter's name,
        its value, the value used) as code, so that a link can add no link, image,
        formatting or formula to the page."""
        return self._sentence(lang, i18n.markdown_literal, i18n.markdown_literal)

    def _sentence(self, lang: str, quoted: Callable[[str], str],
                  fixed: Callable[[str], str]) -> str:
        values = {k: quoted(v) if k == "value" else v for k, v in self.values}
        why = i18n.tr(TEXT, self.reason, lang, **values)
        tail = (i18n.tr(TEXT, "fixed", lang, why=why, fixed=fixed(self.fixed))
                if self.fixed is not None else i18n.tr(TEXT, "dropped", lang, why=why))
        name = quoted(_short(self.key))
        if self.key in SETTINGS:  # the address's own word, and the control's (in zh: 批次大小)
            label = SETTINGS[self.key][2].label(lang)
            name += f"({label})" if lang == "zh" else f" ({label})"
        return i18n.tr(TEXT, "notice", lang, name=name, reason=tail)


@dataclass(frozen=True)
class UrlState:
    """Everything a link can say, already made valid."""

    data: DataConfig
    train: TrainConfig
    given: frozenset[str]  # settings the URL set (or that a guard changed)
    lang: str | None = None
    step: int | None = None
    view: str | None = None
    preset: str | None = None
    locked: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    notices: tuple[Notice, ...] = ()

    def values(self) -> dict[str, Any]:
        """The value of every setting the URL set, by field name (the widget keys)."""
        return {name: _value_of(self.data, self.train, name) for name in sorted(self.given)}


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(value: Any) -> str:
    """How a value is written in a URL; floats by repr so that they parse back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"  # what Streamlit's bound checkbox writes
    return repr(value) if isinstance(value, float) else str(value)


def _value_of(data: DataConfig, train: TrainConfig, name: str) -> Any:
    return getattr(data if SETTINGS[name][0] is DataConfig else train, name)


def parse_value(name: str, raw: str) -> tuple[Any, Notice | None]:
    """Parse one setting: (value or None when dropped, the notice when something was wrong)."""
    _, default, s = SETTINGS[name]
    text = raw.strip()
    v = (("value", _short(text)),)
    if isinstance(default, bool):
        low = text.lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE, None
        return None, Notice(name, "not_bool", v)
    if s.choices:
        if text.lower() in s.choices:
            return text.lower(), None
        return None, Notice(name, "not_choice", v + (("choices", ", ".join(s.choices)),))
    try:
        number = float(text)
    except ValueError:
        return None, Notice(name, "not_number", v)
    if not math.isfinite(number):
        return None, Notice(name, "not_finite", v)
    notice = None
    # Whole-number settings truncate, as Streamlit's bound number_input does with ?n=7.5.
    if isinstance(default, int) and number != int(number):
        notice = Notice(name, "not_integer", v, fixed=_fmt(int(number)))
    value: Any = int(number) if isinstance(default, int) else number
    lo, hi = s.lo, s.hi
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        value = min(max(value, lo if lo is not None else value), hi if hi is not None else value)
        value = int(value) if isinstance(default, int) else float(value)
        notice = Notice(name, "out_of_range", v + (("lo", _bound_text(lo)),
                                                   ("hi", _bound_text(hi))),
                        fixed=_fmt(value))
    return value, notice


def _bound_text(v: float | None) -> str:
    """A range's end as people write it: 2147483647, not 2.14748e+09."""
    if v is None:
        return "∞"
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else f"{v:g}"


def _last(raw: str | Sequence[str]) -> tuple[str, int]:
    if isinstance(raw, str):
        return raw, 1
    items = list(raw)
    return (items[-1] if items else ""), len(items)


def _names(key: str, raw: str | Sequence[str], notices: list[Notice]) -> frozenset[str]:
    """A lock/hide list: comma-separated setting names (or 'all'), repeated keys allowed."""
    parts = [raw] if isinstance(raw, str) else list(raw)
    names: set[str] = set()
    for part in parts:
        if len(part) > MAX_VALUE_CHARS * 8:
            notices.append(Notice(key, "too_long", (("limit", str(MAX_VALUE_CHARS * 8)),)))
            continue
        for name in filter(None, (p.strip() for p in part.split(LIST_SEP))):
            if name == ALL:
                names.update(SETTINGS)
            elif name in SETTINGS:
                names.add(name)
            else:
                notices.append(Notice(f"{key}={_short(name)}", "unknown_name"))
    return frozenset(names)


def parse(params: Mapping[str, str | Sequence[str]], *,
          base: tuple[DataConfig, TrainConfig] = (DataConfig(), TrainConfig()),
          views: Collection[str] = (), presets: Collection[str] = ()) -> UrlState:
    """Turn a query-parameter mapping (e.g. ``st.query_params.to_dict()``) into valid state.

    Settings not in the URL keep their value in ``base``. ``views`` and
    ``presets`` are the names ``view=`` and ``preset=`` may take. Never raises.
    """
    notices: list[Notice] = []
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    keys = [k for k in params if k.lower() not in IGNORED]
    if len(keys) > MAX_PARAMS:
        notices.append(Notice("…", "too_many", (("count", str(len(keys) - MAX_PARAMS)),
                                                ("limit", str(MAX_PARAMS)))))
        keys = keys[:MAX_PARAMS]
    for key in keys:
        raw = params[key]
        if key in ("lock", "hide"):
            extra[key] = _names(key, raw, notices)
            continue
        if key not in SETTINGS and key not in EXTRA:
            notices.append(Notice(key, "unknown_name"))
            continue
        text, count = _last(raw)
        if count > 1:
            notices.append(Notice(key, "repeated", (("count", str(count)),), fixed=_short(text)))
        if len(text) > MAX_VALUE_CHARS:
            notices.append(Notice(key, "too_long", (("limit", str(MAX_VALUE_CHARS)),)))
        elif not text.strip():
            notices.append(Notice(key, "empty"))
        elif key in SETTINGS:
            value, notice = parse_value(key, text)
            notices.extend([notice] if notice else [])
            if value is not None:
                values[key] = value
        elif key not in PASSED:
            _parse_extra(key, text.strip(), views, presets, extra, notices)
    data, train, guard_notices, changed = settle(
        {**_fields(base[0]), **{k: v for k, v in values.items() if SETTINGS[k][0] is DataConfig}},
        {**_fields(base[1]), **{k: v for k, v in values.items() if SETTINGS[k][0] is TrainConfig}})
    notices.extend(guard_notices)
    step = extra.get("step")
    if step is not None and step > train.steps:
        notices.append(Notice("step", "step_gt_steps", (("step", str(step)),
                                                         ("steps", str(train.steps))),
                              fixed=str(train.steps)))
        step = train.steps
    return UrlState(data, train, frozenset(values) | changed, extra.get("lang"), step,
                    extra.get("view"), extra.get("preset"), extra.get("lock", frozenset()),
                    extra.get("hide", frozenset()), tuple(notices))


def _parse_extra(key: str, text: str, views: Collection[str], presets: Collection[str],
                 extra: dict[str, Any], notices: list[Notice]) -> None:
    v = (("value", _short(text)),)
    if key == "lang":
        lang = i18n.normalize_lang(text)
        if lang is None:
            notices.append(Notice(key, "not_lang", v))
        extra[key] = lang
    elif key == "step":
        try:
            number = float(text)
        except ValueError:
            notices.append(Notice(key, "not_number", v))
            return
        if not math.isfinite(number):
            notices.append(Notice(key, "not_finite", v))
        elif number < 1 or number != int(number):  # steps count from 1, as the step box
            notices.append(Notice(key, "not_integer" if number >= 1 else "out_of_range",
                                  v + (("lo", "1"), ("hi", "steps")),
                                  fixed=str(max(1, int(number)))))
            extra[key] = max(1, int(number))
        else:
            extra[key] = int(number)
    else:  # view, preset
        names = views if key == "view" else presets
        if text in names:
            extra[key] = text
        else:
            notices.append(Notice(key, "not_choice", v + (("choices", ", ".join(names)),)))


def _fields(config: Any) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in fields(config)}


def settle(data_values: Mapping[str, Any], train_values: Mapping[str, Any]
           ) -> tuple[DataConfig, TrainConfig, list[Notice], frozenset[str]]:
    """Valid configs from in-range field values, fixing combinations that cannot run.

    Fixes, each with a notice: x_max <= x_min, batch_size > n, accumulation
    not dividing batch_size, and more work than a link may start. Returns the
    configs, the notices and the names of the settings it changed.
    """
    notices: list[Notice] = []
    d = dict(data_values)
    t = dict(train_values)
    if not wide_enough(d["x_min"], d["x_max"]):
        lo, hi = SETTINGS["x_min"][2].lo or -math.inf, SETTINGS["x_max"][2].hi or math.inf
        # Twice the least relative span, rounded up to a power of ten: wide enough at both
        # ends of the new range, and a round number in the notice (199801 -> 200801).
        least = 2 * MIN_REL_SPAN * abs(d["x_min"])
        span = max(SETTINGS["x_max"][1] - SETTINGS["x_min"][1],
                   10.0 ** math.ceil(math.log10(least)) if least else 0.0)
        fixed = min(d["x_min"] + span, hi)
        if not wide_enough(d["x_min"], fixed):
            d["x_min"] = max(fixed - span, lo)
            notices.append(Notice("x_min", "x_range", fixed=_fmt(float(d["x_min"]))))
        notices.append(Notice("x_max", "x_range", fixed=_fmt(float(fixed))))
        d["x_max"] = float(fixed)
    if t["batch_size"] > d["n"]:
        notices.append(Notice("batch_size", "batch_gt_n", (("batch", str(t["batch_size"])),
                                                             ("n", str(d["n"]))),
                              fixed=str(d["n"])))
        t["batch_size"] = d["n"]
    if t["batch_size"] % t["accumulation"]:
        fixed = max(k for k in range(1, min(t["accumulation"], t["batch_size"]) + 1)
                    if t["batch_size"] % k == 0)
        notices.append(Notice("accumulation", "accumulation_divides",
                              (("accumulation", str(t["accumulation"])),
                               ("batch", str(t["batch_size"]))), fixed=str(fixed)))
        t["accumulation"] = fixed
    most = min(MAX_POINT_STEPS // t["batch_size"], MAX_MICRO_STEPS // t["accumulation"])
    if t["steps"] > most:
        notices.append(Notice("steps", "too_much_work", (("steps", str(t["steps"])),),
                              fixed=str(most)))
        t["steps"] = most
    data, train = DataConfig(**d), TrainConfig(**t)
    changed = frozenset(n.key for n in notices)
    return data, train, notices, changed


def wide_enough(x_min: float, x_max: float) -> bool:
    """Is the x range wide enough that float32 points spread over it are distinct?"""
    return x_max - x_min >= MIN_REL_SPAN * max(1.0, abs(x_min), abs(x_max))


def to_query(data: DataConfig, train: TrainConfig, *, lang: str | None = None,
             step: int | None = None, view: str | None = None, preset: str | None = None,
             locked: Collection[str] = (), hidden: Collection[str] = (),
             defaults: tuple[DataConfig, TrainConfig] | None = (DataConfig(), TrainConfig())
             ) -> dict[str, str]:
    """The query parameters that reproduce this state; settings equal to ``defaults`` are left
    out (as Streamlit's bound widgets do); ``defaults=None`` writes every setting."""
    query: dict[str, str] = {}
    for name in SETTINGS:
        value = _value_of(data, train, name)
        if defaults is None or value != _value_of(*defaults, name):
            query[name] = _fmt(value)
    for key, value in (("lang", lang), ("step", step), ("view", view), ("preset", preset)):
        if value is not None:
            query[key] = str(value)
    for key, names in (("lock", locked), ("hide", hidden)):
        if names:
            query[key] = ALL if set(names) >= set(SETTINGS) else LIST_SEP.join(sorted(names))
    return query


def query_string(query: Mapping[str, str]) -> str:
    """``?a=1&b=2`` (commas kept readable), or '' for no parameters."""
    return "?" + urlencode(query, safe=",") if query else ""


def with_values(base: tuple[DataConfig, TrainConfig], values: Mapping[str, Any]
                ) -> tuple[DataConfig, TrainConfig]:
    """``base`` with some settings replaced (values must already be valid together)."""
    data = replace(base[0], **{k: v for k, v in values.items() if SETTINGS[k][0] is DataConfig})
    train = replace(base[1], **{k: v for k, v in values.items() if SETTINGS[k][0] is TrainConfig})
    return data, train
