"""What the live view shows, read from an AppTest: the blob app.py sent to its element.

AppTest runs no JavaScript, so the numbers the element would draw are rebuilt here from
the blob with Python's own formatting, the formatting live_format.js is held to
(tests/browser/test_live_view.py).

    page = live(at)
    page.metrics["slope a"], page.line, page.warning, page.step, page.title
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sgdlab.figures.encode import MAGIC, unpack
from sgdlab.i18n import sig3


def coefficient(v: float) -> str:
    """The metrics row's a and b (live_format.coefficient)."""
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.3g}"


def total(a: float, b: float, stats: np.ndarray) -> float:
    mx, my, sxx, sxy, syy = (float(v) for v in stats)
    r = a * mx + b - my
    return syy - 2 * a * sxy + a * a * sxx + r * r


@dataclass
class Shown:
    """The state the element opens on: the run on screen at its step."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def member(self) -> dict[str, Any]:
        h = self.header
        return h["members"][0 if h["lone"] else h["current"]]

    @property
    def index(self) -> int:
        h = self.header
        return 0 if h["lone"] else h["current"]

    @property
    def step(self) -> int:
        return int(self.header["step"])

    @property
    def steps(self) -> int:
        return int(self.member["steps"])

    @property
    def lr(self) -> float:
        return float(self.header["values"][self.header["current"]])

    @property
    def title(self) -> str:
        return str(self.member["title"])

    @property
    def warning(self) -> str | None:
        return self.member["warning"]

    def value(self, name: str) -> float:
        """a, b, bl (batch loss) at the step on screen (the run on screen comes whole)."""
        return float(self.arrays[f"m{self.index}.{name}"][self.step - 1])

    @property
    def metrics(self) -> dict[str, str]:
        """The metrics row, label -> value, as the element writes them."""
        if not self.steps:
            return {}
        w = self.header["words"]
        a, b, bl = self.value("a"), self.value("b"), self.value("bl")
        oa, ob, _ = self.header["opt"]
        return {w["a"]: coefficient(a), w["b"]: coefficient(b), w["batch_loss"]: sig3(bl),
                w["total_loss"]: sig3(total(a, b, self.arrays["stats"])),
                w["distance"]: sig3(float(np.hypot(a - oa, b - ob)))}

    @property
    def line(self) -> str:
        """The notebook's log line at the step on screen."""
        a, b, bl = self.value("a"), self.value("b"), self.value("bl")
        return f"Step {self.step}, Loss: {bl: .2f}; Result: y = {a:.2f} * x + {b:.2f}"


def live(at: Any) -> Shown:
    """The live view's state in the app under test."""
    blobs = [e.proto.bytes for e in at.get("bidi_component")
             if e.proto.HasField("bytes") and e.proto.bytes[:4] == MAGIC]
    assert len(blobs) == 1, f"{len(blobs)} live views on the page"
    return Shown(*unpack(blobs[0]))
