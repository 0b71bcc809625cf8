"""benchmarks/stclient.py against a real Streamlit server: what the client sends
is what the app's widgets return, read back from the page the app draws."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from stclient import Session, changed_state, percentile  # noqa: E402

from tests.servers import streamlit_server  # noqa: E402

ECHO_APP = '''
import streamlit as st
a = st.slider("A", 0, 10, 3)
r = st.slider("R", 0.0, 1.0, 0.25, step=0.05)
b = st.select_slider("B", ["x", "y", "z"], value="y")
c = st.selectbox("C", ["p", "q", "s"])
d = st.checkbox("D")
e = st.number_input("E", 0.0, 5.0, 1.5, step=0.5)
f = st.segmented_control("F", ["u", "v"], default="u")
st.text(repr((a, r, b, c, d, e, f)))
if st.toggle("Boom"):
    raise ValueError("boom")


if "seg" not in st.session_state:
    st.session_state["seg"] = "two"
st.text(repr(("s", st.segmented_control("S", ["one", "two"], key="seg", required=True))))


@st.fragment
def part():
    st.text(repr(("fragment", st.slider("G", 0, 5, 1))))


part()
'''


def test_percentile_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 100):
        xs = list(rng.exponential(size=n))
        for q in (50, 95, 99):
            assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("echo")
    (folder / "echo.py").write_text(ECHO_APP)
    # cwd: Streamlit's default settings, not the project's .streamlit/config.toml
    with streamlit_server(folder / "echo.py", cwd=folder) as url:
        yield "ws" + url.removeprefix("http") + "_stcore/stream"


def texts(session: Session) -> list[tuple[object, ...]]:
    return [eval(t) for t in session.texts]  # the app's own repr of what its widgets returned


def echoed(session: Session) -> tuple[object, ...]:
    (value,) = [t for t in texts(session) if t[0] not in ("fragment", "s")]
    return value


def test_widget_values_round_trip(server: str) -> None:
    async def scenario() -> None:
        s = Session(server, timeout=20)
        first = await s.open()
        assert first.ok, first.error
        assert echoed(s) == (3, 0.25, "y", "p", False, 1.5, "u")
        kinds = sorted(w.kind for w in s.widgets.values())
        assert kinds == ["button_group", "button_group", "checkbox", "checkbox", "number_input",
                         "selectbox", "slider", "slider", "slider", "slider"]
        by_label = {w.label: w for w in s.widgets.values()}
        rng = random.Random(3)
        for label, index in [("A", 0), ("R", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5),
                             ("F", 6)]:
            before = echoed(s)[index]
            w = by_label[label]
            result = await s.change(w, changed_state(w, rng))
            assert result.ok, result.error
            assert result.latency > 0
            after = echoed(s)
            assert after[index] != before, label  # the app saw the change ...
            by_label = {w.label: w for w in s.widgets.values()}
        # ... and the largest value is the largest.
        a = by_label["A"]
        assert (await s.change(a, changed_state(a, rng, to_max=True))).ok
        assert echoed(s)[0] == 10
        # An exception on the page is an error, not a success.
        boom = await s.change(by_label["Boom"], changed_state(by_label["Boom"], rng, to_max=True))
        assert not boom.ok and "ValueError" in boom.error
        await s.close()

    asyncio.run(scenario())


def test_other_values_are_kept_when_one_changes(server: str) -> None:
    async def scenario() -> None:
        s = Session(server, timeout=20)
        await s.open()
        by_label = {w.label: w for w in s.widgets.values()}
        rng = random.Random(5)
        await s.change(by_label["C"], changed_state(by_label["C"], rng))
        c = echoed(s)[3]
        by_label = {w.label: w for w in s.widgets.values()}
        await s.change(by_label["A"], changed_state(by_label["A"], rng))
        assert echoed(s)[3] == c != "p"  # C kept its new value when A changed
        await s.close()

    asyncio.run(scenario())


def test_a_widget_in_a_fragment_reruns_only_the_fragment(server: str) -> None:
    async def scenario() -> None:
        s = Session(server, timeout=20)
        await s.open()
        g = next(w for w in s.widgets.values() if w.label == "G")
        assert g.fragment_id and not any(w.fragment_id for w in s.widgets.values() if w is not g)
        before = len(s.widgets)
        result = await s.change(g, changed_state(g, random.Random(1), to_max=True))
        assert result.ok, result.error
        assert texts(s) == [("fragment", 5)]  # only the fragment was drawn ...
        assert len(s.widgets) == before  # ... and the rest of the page is still there
        a = next(w for w in s.widgets.values() if w.label == "A")
        assert (await s.change(a, changed_state(a, random.Random(2)))).ok
        assert ("fragment", 5) in texts(s)  # a full rerun still sends G's value
        await s.close()

    asyncio.run(scenario())


def test_a_value_the_server_sets_is_adopted(server: str) -> None:
    # "S" starts from st.session_state, so its default is not what the page shows.
    async def scenario() -> None:
        s = Session(server, timeout=20)
        await s.open()
        a = next(w for w in s.widgets.values() if w.label == "A")
        await s.change(a, changed_state(a, random.Random(0)))
        assert echoed_session(s) == ("s", "two")  # not reset to the widget's default
        await s.close()

    asyncio.run(scenario())


def echoed_session(session: Session) -> tuple[object, ...]:
    (value,) = [t for t in texts(session) if t[0] == "s"]
    return value


CONTROLS_APP = '''
import plotly.graph_objects as go
import streamlit as st
lr = st.number_input("exact learning rate", value=0.1, key="lr", format="%g")
mark = st.select_slider("Steps", ["1", "10", "100"], value="10", key="steps_slider")
n = st.slider("Points", 2, 500, 20, key="pts")
names = st.multiselect("Locked", ["lr", "n", "seed"], key="lock")
tabs = st.tabs(["One", "Two", "Three"], key="tab", on_change="rerun")
clicks = st.session_state.setdefault("clicks", 0)
if st.button("Pin", key="pin"):
    st.session_state["clicks"] = clicks = clicks + 1
fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[0, 1, 2], customdata=[[9, "a"], [8, "b"], [7, "c"]],
                           mode="markers"))
event = st.plotly_chart(fig, key="map", on_select="rerun", selection_mode="points")
points = event["selection"]["points"]
st.text(repr((lr, mark, n, names, [t.open for t in tabs].index(True), clicks,
              points[0]["customdata"] if points else None)))
'''


@pytest.fixture(scope="module")
def controls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("controls")
    (folder / "controls.py").write_text(CONTROLS_APP)
    with streamlit_server(folder / "controls.py", cwd=folder) as url:
        yield "ws" + url.removeprefix("http") + "_stcore/stream"


def test_moves_cover_each_control_s_range_and_reach_the_app(controls_server: str) -> None:
    """benchmarks/moves.py: a number box over its setting's Spec (lr: 1e-6..10, typed beyond
    now and then), a select slider by its option's text, tabs, a button, a chart click."""
    from moves import move

    async def scenario() -> None:
        s = Session(controls_server, timeout=20)
        assert (await s.open()).ok
        assert {w.kind for w in s.widgets.values()} == {
            "number_input", "slider", "multiselect", "tabs", "button", "plotly_chart"}
        rng = random.Random(7)
        seen: dict[str, set[object]] = {k: set() for k in ("lr", "steps", "n", "tab", "click")}
        clicks = 0
        for _ in range(60):
            w = rng.choice(s.settings())
            result = await s.change(w, move(w, rng, s))
            assert result.ok, (w.key, result.error)
            lr, mark, n, names, tab, pins, cell = echoed(s)
            clicks += w.key == "pin"
            assert pins == clicks and set(names) <= {"lr", "n", "seed"} and 2 <= n <= 500
            seen["lr"].add(lr), seen["steps"].add(mark), seen["n"].add(n), seen["tab"].add(tab)
            seen["click"].add(cell[0] if cell else None)
        assert min(seen["lr"]) < 1e-3 and max(seen["lr"]) > 5  # decades of the rate's range
        assert seen["steps"] == {"1", "10", "100"} and seen["tab"] == {0, 1, 2}
        assert max(seen["n"]) - min(seen["n"]) > 250 and len(seen["click"] - {None}) >= 2
        await s.close()

    asyncio.run(scenario())
