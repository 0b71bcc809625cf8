"""benchmarks/bench_board.py's clients against a real Streamlit server: a student presses
a button drawn in a fragment; the projector keeps the auto-rerun timer as the browser
does and reads run names from the figures that arrive."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.servers import streamlit_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_board import NICK_LABEL, SEND_LABEL, Page, Projector  # noqa: E402

APP = f'''
import streamlit as st
import plotly.graph_objects as go

st.session_state.setdefault("ticks", 0)


@st.fragment
def bar():
    name = st.text_input("{NICK_LABEL}")
    if st.button("{SEND_LABEL}"):
        st.success(f"Arrived: run #1 {{name}}")
    st.text("bar ran")


@st.fragment(run_every=0.3)
def tick():
    st.session_state.ticks += 1
    if st.session_state.ticks == 3:
        st.rerun()  # as the board does when its room moved


bar()
tick()
st.text("page ran")
st.plotly_chart(go.Figure(go.Scatter(x=[1], y=[1], text=[f"#1 s{{st.session_state.ticks}}<br>"])))
'''


def test_the_benchmark_clients_press_in_a_fragment_and_follow_auto_reruns(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text(APP)

    async def go(url: str) -> None:
        projector = Projector(url, timeout=30)
        student = Page(url, timeout=30)
        try:
            assert (await projector.open()).ok
            for _ in range(50):  # two timer ticks, then the full rerun they ask for
                if "s4" in projector.seen:
                    break
                await asyncio.sleep(0.1)
            assert {"s1", "s4"} <= set(projector.seen)
            assert (await student.open()).ok
            result = await student.press_send("bob")
            assert result.ok and "Arrived: run #1 bob" in student.alerts
            assert student.texts == ["bar ran"]  # the fragment alone reran
        finally:
            await student.close()
            await projector.close()

    with streamlit_server(app) as http:
        asyncio.run(go(http.replace("http://", "ws://") + "_stcore/stream"))
