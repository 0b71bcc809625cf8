"""What every view receives: the current run and the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from sgdlab.config import DataConfig, TrainConfig
from sgdlab.data import Data
from sgdlab.history import History


@dataclass(frozen=True, eq=False)
class Run:
    """The settings, data and history of the run on screen.

    ``data_config`` is None when the data is not the synthetic kind (a
    built-in data set or an uploaded file); ``data`` is always what was fitted.
    """

    data_config: DataConfig | None
    data: Data
    train_config: TrainConfig
    history: History
    lang: str

    @property
    def true_line(self) -> tuple[float, float] | None:
        """The line the synthetic data were made from, (slope, intercept); None for others."""
        d = self.data_config
        return (d.slope, d.intercept) if d is not None else None
