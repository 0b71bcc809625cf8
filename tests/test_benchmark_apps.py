"""The benchmarks' reference apps run, and their one slider drives what they draw.

A benchmark whose app raised would time an exception page; nothing else runs these.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("app", ["floor_app.py", "chart_app.py"])
def test_a_reference_app_runs_and_follows_its_slider(app: str) -> None:
    at = AppTest.from_file(str(BENCH / app), default_timeout=60).run()
    assert not at.exception
    before = drawn(at)
    at.slider[0].set_value(at.slider[0].value + 1).run()
    assert not at.exception
    assert drawn(at) != before


def drawn(at: AppTest) -> list[bytes]:
    """Every element of the main area, nested ones too, as sent to the browser."""
    def walk(nodes: object) -> list[bytes]:
        out = []
        for node in nodes:  # type: ignore[attr-defined]
            proto = getattr(node, "proto", None)
            out.append(b"" if proto is None else proto.SerializeToString())
            out.extend(walk((getattr(node, "children", None) or {}).values()))
        return out
    return walk(at.main)
