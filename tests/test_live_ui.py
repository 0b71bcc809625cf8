"""sgdlab.ui.live's step table, read back with an HTML parser and checked against the history."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.history import COLUMNS
from sgdlab.train import train
from sgdlab.ui.context import Run
from sgdlab.ui.live import TABLE_ROWS, table_html


class Cells(HTMLParser):
    """Header texts, row texts and which rows are marked current."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[str] = []
        self.rows: list[list[str]] = []
        self.current: list[int] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and self.head:
            self.rows.append([])
            if ("class", "current") in attrs:
                self.current.append(len(self.rows) - 1)
        if tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            (self.rows[-1] if tag == "td" else self.head).append("".join(self._cell))
            self._cell = None


def parse(table: str) -> Cells:
    cells = Cells()
    cells.feed(table)
    return cells


def run_of(steps: int, lang: str = "en") -> Run:
    history = train(DataConfig(), TrainConfig(steps=steps, batch_size=30))
    return Run(DataConfig(), history.data, history.config, history, lang)


@pytest.mark.parametrize(("steps", "step", "first"), [(20, 20, 1), (20, 1, 1), (500, 250, 241),
                                                      (500, 3, 1), (500, 500, 481)])
def test_the_window_holds_the_step_and_the_history_s_numbers(steps: int, step: int,
                                                             first: int) -> None:
    run = run_of(steps)
    table, lo = table_html(run, step)
    cells = parse(table)
    assert lo == first - 1
    assert len(cells.rows) == min(TABLE_ROWS, steps)
    assert [int(r[0]) for r in cells.rows] == list(range(first, first + len(cells.rows)))
    assert [int(cells.rows[i][0]) for i in cells.current] == [step]
    frame = run.history.to_frame()
    for row in cells.rows:
        expected = frame.iloc[int(row[0]) - 1]
        for text, column in zip(row, COLUMNS, strict=True):
            assert float(text) == pytest.approx(float(expected[column]), rel=1e-5), column
    assert int(cells.rows[-1][-1]) in (30, 200 % 30)  # batch sizes, ragged last batch


def test_headers_speak_the_reader_s_language() -> None:
    assert parse(table_html(run_of(5, "en"), 5)[0]).head[:3] == ["step", "batch loss",
                                                                  "whole-data loss"]
    assert parse(table_html(run_of(5, "zh"), 5)[0]).head[:3] == ["步", "批次损失", "整体损失"]
