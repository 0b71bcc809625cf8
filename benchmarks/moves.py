"""What a student does to a control: any value of its whole range, as the browser sends it.

``move(w, rng, session)`` returns the new widget state for ``w``:

- a number box: any value of its setting's range (the config's Spec, as the sidebar
  allows it: the boxes have no bounds of their own), its ends often, and now and then
  a value typed beyond them (the app sets it in range with a toast);
- a slider: any value between its bounds; a select slider any option, by its text;
- a menu, radio, segmented control or tab: any other option; a multiselect any subset;
- a switch: flipped; a button: clicked;
- a chart with ``on_select`` (the stability map): a click on any of its cells;
- the live figure's component: playback stopped on any step.

Without a range to go by, a widget is nudged (:func:`stclient.changed_state`).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

from stclient import Session, Widget, changed_state
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

from sgdlab.urlstate import SETTINGS

ENDS = 0.1  # how often each end of a range is chosen
BEYOND = 0.05  # how often a number box gets a value typed beyond its range
# A custom component's events, by component name: the event a student causes, and which
# number box's range its value takes (the live figure stops playback on a step).
EVENTS = {"sgdlab.live_chart": ("stopped", "live_step")}


def spec_range(key: str) -> tuple[float, float, bool, bool] | None:
    """(lo, hi, whole numbers, logarithmic) of the setting whose widget key is ``key``."""
    for name in (key, key.removesuffix("_slider")):
        if name in SETTINGS:
            _, default, s = SETTINGS[name]
            if s.lo is None or s.hi is None:
                return None
            wide = s.lo > 0 and s.hi / s.lo >= 1000
            return float(s.lo), float(s.hi), isinstance(default, int), s.log or wide
    return None


def number(rng: random.Random, lo: float, hi: float, whole: bool, log: bool) -> float:
    """Any value of lo..hi: an end with probability ENDS each, else spread (in log if asked)."""
    u = rng.random()
    if u < ENDS:
        x = lo
    elif u < 2 * ENDS:
        x = hi
    elif log:
        x = 10 ** rng.uniform(math.log10(lo), math.log10(hi))
    else:
        x = rng.uniform(lo, hi)
    x = min(max(x, lo), hi)
    return float(round(x)) if whole else x


def _number_box(w: Widget, rng: random.Random) -> WidgetState | None:
    p = w.proto
    if p.has_min and p.has_max:
        lo, hi, whole, log = p.min, p.max, p.data_type == p.INT, False
    else:
        found = spec_range(w.key)
        if found is None:
            return None
        lo, hi, whole, log = found
    s = WidgetState()
    s.CopyFrom(w.state)
    for _ in range(8):  # a value other than the current one
        x = number(rng, lo, hi, whole, log)
        if not (p.has_min and p.has_max) and rng.random() < BEYOND:
            span = max(hi - lo, 1.0)
            x = lo - rng.uniform(0, span) if rng.random() < 0.5 else hi + rng.uniform(0, span)
            x = float(round(x)) if whole else x
        if x != s.double_value:
            break
    s.double_value = x
    return s


def _slider(w: Widget, rng: random.Random) -> WidgetState:
    s = WidgetState()
    s.CopyFrom(w.state)
    p = w.proto
    if p.type == Slider.SELECT_SLIDER:  # the browser sends the option's text
        data = s.string_array_value.data
        others = [o for o in p.options if o != data[0]] or list(p.options)
        data[0] = rng.choice(others)
        return s
    x = number(rng, p.min, p.max, p.data_type == Slider.INT, False)
    if p.step and p.data_type != Slider.INT:
        x = p.min + round((x - p.min) / p.step) * p.step
    s.double_array_value.data[0] = min(max(x, p.min), p.max)
    return s


def _chart_click(w: Widget, rng: random.Random) -> WidgetState | None:
    """A click on one point of the chart's trace that carries customdata (the map's cells)."""
    try:
        figure = json.loads(w.proto.spec)
    except ValueError:
        return None
    traces = [(i, t) for i, t in enumerate(figure.get("data", []))
              if isinstance(t.get("customdata"), list) and t["customdata"]]
    if not traces:
        return None
    curve, trace = rng.choice(traces)
    j = rng.randrange(len(trace["customdata"]))
    point: dict[str, Any] = {"curve_number": curve, "point_number": j, "point_index": j,
                             "customdata": trace["customdata"][j]}
    for axis in ("x", "y"):
        values = trace.get(axis)
        if isinstance(values, list) and j < len(values):
            point[axis] = values[j]
    return WidgetState(id=w.id, string_value=json.dumps(
        {"selection": {"points": [point], "point_indices": [j], "box": [], "lasso": []}}))


def _event(w: Widget, rng: random.Random, session: Session) -> WidgetState | None:
    event = EVENTS.get(getattr(w.proto, "component_name", ""))
    if event is None:
        return None
    name, box = event
    bound = next((x.proto for x in session.widgets.values() if x.key == box), None)
    top = int(bound.max) if bound is not None and bound.has_max else 1
    return WidgetState(id=w.id, json_trigger_value=json.dumps(
        [{"event": name, "value": rng.randint(1, max(1, top))}]))


def move(w: Widget, rng: random.Random, session: Session) -> WidgetState:
    """A new state for ``w`` anywhere in its range (see the module's docstring)."""
    state: WidgetState | None = None
    if w.kind == "number_input":
        state = _number_box(w, rng)
    elif w.kind == "slider":
        state = _slider(w, rng)
    elif w.kind == "multiselect":
        state = WidgetState()
        state.CopyFrom(w.state)
        del state.string_array_value.data[:]
        state.string_array_value.data.extend(
            o for o in w.options if rng.random() < rng.random())
    elif w.kind == "tabs":
        others = [o for o in w.options if o != w.state.string_value]
        state = WidgetState(id=w.id, string_value=rng.choice(others or w.options))
    elif w.kind == "button":
        state = WidgetState(id=w.id, trigger_value=True)
    elif w.kind == "plotly_chart":
        state = _chart_click(w, rng)
    elif w.kind == "bidi_component":
        state = _event(w, rng, session)
    return state if state is not None else changed_state(w, rng)
