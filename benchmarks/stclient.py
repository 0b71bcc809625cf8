"""A headless Streamlit client: the browser's side of ``/_stcore/stream``.

It speaks the protocol with the protobuf classes the ``streamlit`` package
ships, the way the frontend does:

- the client opens a websocket (subprotocol ``streamlit``) and asks for a run
  with a ``BackMsg`` whose ``rerun_script`` is a ``ClientState``;
- the server answers with ``ForwardMsg``\\ s: ``new_session`` when a run starts,
  ``delta``\\ s whose ``new_element`` holds each element (widgets carry their
  ``id``, range, options and default), and ``script_finished`` when it ends;
- a widget change is another ``rerun_script`` carrying the value of *every*
  widget on the page (``WidgetStates``), as the frontend sends them.

Modelled: what a student changes as a "setting" (sliders, select sliders,
select boxes, radios, checkboxes/toggles, number inputs, segmented
controls/pills, multiselects), the tabs (``st.tabs`` with a key), buttons,
clicks on a chart's points (``on_select``) and custom components' events;
uploads, downloads and text boxes are left alone. Buttons and events are
triggers: sent in the one rerun they cause, as the browser does.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.typing import Subprotocol

SETTING_KINDS = ("slider", "selectbox", "radio", "checkbox", "number_input", "button_group",
                 "multiselect")
TRIGGER_KINDS = ("button", "bidi_component")  # sent once, in the rerun they cause
KEYED_ID = re.compile(r"^\$\$ID-[0-9a-f]{32}-(.+)$")  # a widget's id ends with its key
EVENTS_ID = "$$STREAMLIT_INTERNAL_KEY_{}__events"  # a custom component's events widget
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
INTERRUPTED = ForwardMsg.FINISHED_EARLY_FOR_RERUN


@dataclass
class Widget:
    """One setting on the page, and the value this client last sent for it."""

    id: str
    kind: str  # the Element oneof name: "slider", "selectbox", ...
    proto: Any  # Slider, Selectbox, ... as the server described it
    state: WidgetState
    fragment_id: str = ""  # set when drawn inside an @st.fragment: a change reruns only it
    labels: list[str] = field(default_factory=list)  # tabs: each tab's label
    base_id: str = ""  # a custom component's own id (its events have their own)

    @property
    def label(self) -> str:
        return str(getattr(self.proto, "label", "")) or self.key

    @property
    def key(self) -> str:
        """The widget's key in the app (``st.session_state``), or '' when it has none."""
        match = KEYED_ID.match(self.base_id or self.id)
        return match.group(1) if match else ""

    @property
    def trigger(self) -> bool:
        return self.kind in TRIGGER_KINDS

    @property
    def options(self) -> list[str]:
        if self.kind in ("button_group",):
            return [o.content for o in self.proto.options]
        if self.kind == "tabs":
            return list(self.labels)
        return list(getattr(self.proto, "options", []))


def _select_slider(proto: Any) -> bool:
    return bool(proto.type == Slider.SELECT_SLIDER)


def initial_state(kind: str, proto: Any) -> WidgetState | None:
    """The value the browser shows for a widget as the server drew it.

    That is the default, unless the server pushed a value (``set_value``, e.g.
    from ``st.session_state``), which the browser then adopts.
    """
    s = WidgetState(id=proto.id)
    if kind == "slider":
        if _select_slider(proto):
            s.string_array_value.data.extend(
                proto.raw_value if proto.set_value
                else [proto.options[int(i)] for i in proto.default])
        elif proto.data_type in (Slider.INT, Slider.FLOAT):
            s.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
        else:
            return None  # dates and times: not a setting here
    elif kind in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            s.string_value = proto.raw_value
        elif proto.HasField("default") and proto.options:
            s.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "checkbox":
        s.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "number_input":
        if not proto.HasField("default"):
            return None
        s.double_value = proto.value if proto.set_value and proto.HasField("value") \
            else proto.default
    elif kind == "button_group":
        options = [o.content for o in proto.options]
        s.string_array_value.data.extend(
            proto.raw_values if proto.set_value else [options[i] for i in proto.default])
    elif kind == "multiselect":
        s.string_array_value.data.extend(
            proto.raw_values if proto.set_value else [proto.options[i] for i in proto.default])
    else:
        return None
    return s


def _snap(proto: Any, x: float) -> float:
    x = min(max(x, proto.min), proto.max)
    if proto.step:
        x = proto.min + round((x - proto.min) / proto.step) * proto.step
    return float(int(round(x))) if proto.data_type == Slider.INT else x


def _other(options: list[str], current: str, rng: random.Random) -> str:
    others = [o for o in options if o != current]
    return rng.choice(others) if others else current


def changed_state(w: Widget, rng: random.Random, *, to_max: bool = False,
                  direction: int = 0) -> WidgetState:
    """A new value for ``w``: a nudge of 1-3 notches, as a student makes, or its largest.

    ``direction`` (+1/-1) fixes which way a slider moves, one notch (a drag).
    The value always differs from the current one unless the widget has no other.
    """
    s = WidgetState()
    s.CopyFrom(w.state)
    notches = direction or rng.choice((-3, -2, -1, 1, 2, 3))
    if w.kind == "slider" and _select_slider(w.proto):
        opts = w.options
        data = s.string_array_value.data
        cur = opts.index(data[0]) if data[0] in opts else 0
        new = min(max(cur + notches, 0), len(opts) - 1)
        if new == cur and not direction:
            new = min(max(cur - notches, 0), len(opts) - 1)
        data[0] = opts[-1] if to_max else opts[new]
    elif w.kind == "slider":
        p = w.proto
        notch = max(p.step or 0.0, (p.max - p.min) / 50)
        data = s.double_array_value.data
        new_x = _snap(p, data[0] + notches * notch)
        if new_x == data[0] and not direction:
            new_x = _snap(p, data[0] - notches * notch)
        data[0] = p.max if to_max else new_x
    elif w.kind in ("selectbox", "radio"):
        s.string_value = w.options[-1] if to_max else _other(w.options, s.string_value, rng)
    elif w.kind == "checkbox":
        s.bool_value = True if to_max else not s.bool_value
    elif w.kind == "number_input":
        p = w.proto
        lo = p.min if p.has_min else -math.inf
        hi = p.max if p.has_max else math.inf
        x = min(max(s.double_value + notches * (p.step or 1.0), lo), hi)
        if x == s.double_value:
            x = min(max(s.double_value - notches * (p.step or 1.0), lo), hi)
        s.double_value = p.max if to_max and p.has_max else x
    elif w.kind in ("button_group", "multiselect"):
        opts = w.options
        data = list(s.string_array_value.data)
        if w.kind == "multiselect" or w.proto.click_mode == 1:  # MULTI_SELECT: toggle one
            pick = opts[-1] if to_max else rng.choice(opts)
            data = [o for o in data if o != pick] if pick in data else data + [pick]
        else:
            data = [opts[-1] if to_max else _other(opts, data[0] if data else "", rng)]
        del s.string_array_value.data[:]
        s.string_array_value.data.extend(data)
    return s


@dataclass
class RunResult:
    """How one rerun went, seen from the browser."""

    latency: float  # seconds from sending the change to script_finished
    ok: bool
    error: str = ""  # "timeout", "exception: ...", "closed", ...
    interrupted: int = 0  # earlier runs cut short by this change (fastReruns)


@dataclass
class Session:
    """One student's browser tab."""

    url: str
    timeout: float = 30.0
    query: str = ""  # the page's query string, as the browser sends it: "room=AB12&lang=en"
    widgets: dict[str, Widget] = field(default_factory=dict)
    warnings: int = 0
    texts: list[str] = field(default_factory=list)  # st.text bodies of the last run
    alerts: list[str] = field(default_factory=list)  # st.warning/error/info of the last run
    bytes_received: int = 0
    _ws: Any = None
    _reader: asyncio.Task[None] | None = None
    _page_hash: str = ""
    _sent_at: float = 0.0
    _finished_at: float = 0.0
    _run_started: bool = False
    _run_widgets: dict[str, Widget] = field(default_factory=dict)
    _tabs: dict[tuple[int, ...], Widget] = field(default_factory=dict)  # by delta path
    _errors: list[str] = field(default_factory=list)
    _interrupted: int = 0
    _done: asyncio.Event = field(default_factory=asyncio.Event)
    _closed: bool = False
    _fragment_run: bool = False

    async def connect(self) -> None:
        """Open the websocket; the server runs nothing until asked."""
        self._ws = await websockets.connect(self.url, subprotocols=[Subprotocol("streamlit")],
                                            max_size=64 * 2**20, open_timeout=self.timeout,
                                            compression=None)
        self._reader = asyncio.create_task(self._read())

    async def open(self) -> RunResult:
        """Connect and load the page (the first run, with no widget values)."""
        await self.connect()
        return await self.rerun([])

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    def states(self, change: WidgetState | None = None) -> list[WidgetState]:
        """Every widget's value, with ``change`` replacing its widget's; a trigger (button,
        event) only when it is the change."""
        out = [w.state for w in self.widgets.values() if not w.trigger]
        if change is not None:
            out = [s for s in out if s.id != change.id] + [change]
        return out

    def settings(self) -> list[Widget]:
        """The widgets a student can change right now (enabled, not in a form)."""
        return [w for w in self.widgets.values()
                if not getattr(w.proto, "disabled", False)
                and not getattr(w.proto, "form_id", "")]

    async def send(self, states: list[WidgetState], fragment_id: str = "") -> None:
        """Ask for a rerun with these widget values, without waiting for it.

        With ``fragment_id``, only that fragment reruns, as when the browser
        changes a widget drawn inside it.
        """
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self._page_hash
        cs.fragment_id = fragment_id
        self._fragment_run = bool(fragment_id)
        cs.widget_states.widgets.extend(states)
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        for s in states:  # the page now shows these values (a trigger is spent)
            if s.id in self.widgets and not self.widgets[s.id].trigger:
                self.widgets[s.id].state = s
        self._sent_at = time.perf_counter()
        self._run_started = False
        self._errors.clear()
        self._interrupted = 0
        self._done.clear()
        await self._ws.send(msg.SerializeToString())

    async def wait(self) -> RunResult:
        """Wait for the run started after the last send to finish."""
        try:
            await asyncio.wait_for(self._done.wait(), self.timeout)
        except TimeoutError:
            return RunResult(time.perf_counter() - self._sent_at, False, "timeout")
        latency = self._finished_at - self._sent_at
        if self._errors:
            return RunResult(latency, False, self._errors[0], self._interrupted)
        return RunResult(latency, True, interrupted=self._interrupted)

    async def rerun(self, states: list[WidgetState], fragment_id: str = "") -> RunResult:
        await self.send(states, fragment_id)
        return await self.wait()

    async def send_change(self, w: Widget, state: WidgetState) -> None:
        """Send a new value for ``w`` as the browser does: every value, w's fragment."""
        await self.send(self.states(state), w.fragment_id)

    async def change(self, w: Widget, state: WidgetState) -> RunResult:
        """Change one widget and wait for the page to be redrawn."""
        await self.send_change(w, state)
        return await self.wait()

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                self.bytes_received += len(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                self._handle(msg)
        except websockets.ConnectionClosed:
            pass
        if not self._closed:
            self._errors.append("closed by server")
            self._finished_at = time.perf_counter()
            self._done.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._page_hash = msg.new_session.page_script_hash
            self._run_started = True
            self._run_widgets = {}
            self._tabs = {}
            self.texts = []
            self.alerts = []
        elif kind == "delta" and msg.delta.WhichOneof("type") == "add_block":
            self._block(msg)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            etype = element.WhichOneof("type")
            if etype == "exception":
                if element.exception.is_warning:
                    self.warnings += 1
                else:
                    self._errors.append(f"exception: {element.exception.type or '?'} "
                                        f"{element.exception.message[:80]}")
            elif etype == "text":
                self.texts.append(element.text.body)
            elif etype == "alert":
                self.alerts.append(element.alert.body)
            elif etype in SETTING_KINDS:
                proto = getattr(element, etype)
                old = self.widgets.get(proto.id)
                state = old.state if old and not proto.set_value else \
                    initial_state(etype, proto)
                if state is not None:
                    self._run_widgets[proto.id] = Widget(proto.id, etype, proto, state,
                                                         msg.delta.fragment_id)
            elif etype in ("button", "plotly_chart", "bidi_component"):
                self._other_widget(etype, getattr(element, etype), msg.delta.fragment_id)
        elif kind == "script_finished":
            if msg.script_finished == INTERRUPTED:
                self._interrupted += 1
            elif self._run_started:
                if msg.script_finished not in FINISHED:
                    self._errors.append(f"script_finished status {msg.script_finished}")
                if self._fragment_run:  # the rest of the page stays as it was
                    self.widgets = {**self.widgets, **self._run_widgets}
                else:  # widgets not drawn in a full run are gone from the page
                    self.widgets = self._run_widgets
                self._finished_at = time.perf_counter()
                self._done.set()
        elif kind == "session_event":
            event = msg.session_event.WhichOneof("type")
            if event == "script_compilation_exception":
                self._errors.append("script compilation error")


    def _block(self, msg: ForwardMsg) -> None:
        """A stateful ``st.tabs`` (its container has an id) is a widget whose value is the open
        tab's label; its tabs are the blocks drawn right below it."""
        block = msg.delta.add_block
        path = tuple(msg.metadata.delta_path)
        kind = block.WhichOneof("type")
        if kind == "tab_container" and block.tab_container.id:
            tc = block.tab_container
            w = Widget(tc.id, "tabs", tc, WidgetState(id=tc.id), msg.delta.fragment_id)
            self._tabs[path] = self._run_widgets[tc.id] = w
        elif kind == "tab" and path[:-1] in self._tabs:
            w = self._tabs[path[:-1]]
            w.labels.append(block.tab.label)
            if len(w.labels) - 1 == w.proto.default_tab_index:  # the open one, as the server says
                w.state.string_value = block.tab.label


    def _other_widget(self, kind: str, proto: Any, fragment_id: str) -> None:
        """Buttons, a chart's point selection (with ``on_select``) and a custom component's
        events: widgets that are not settings."""
        if not proto.id:
            return  # a chart without on_select, or a component without a key
        if kind == "button":
            state = WidgetState(id=proto.id, trigger_value=True)
            self._run_widgets[proto.id] = Widget(proto.id, kind, proto, state, fragment_id)
        elif kind == "plotly_chart":
            if not list(proto.selection_mode):
                return
            old = self.widgets.get(proto.id)
            # (JSON in a string_value, as the browser sends a selection)
            state = old.state if old else WidgetState(id=proto.id,
                                                       string_value=_empty_selection())
            self._run_widgets[proto.id] = Widget(proto.id, kind, proto, state, fragment_id)
        else:
            events = EVENTS_ID.format(proto.id)
            self._run_widgets[events] = Widget(events, kind, proto, WidgetState(id=events),
                                               fragment_id, base_id=proto.id)


def _empty_selection() -> str:
    return json.dumps({"selection": {"points": [], "point_indices": [], "box": [], "lasso": []}})


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks, as numpy's default."""
    if not values:
        return math.nan
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
