"""Every setting the controls allow, through every view's pure builders: none of them raises."""

from __future__ import annotations

import pytest

from sgdlab import export, figures
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.train import train


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_a_batch_between_half_and_all_the_points_for_a_few_steps(steps: int) -> None:
    for batch_size in (101, 150, 199, 200):
        h = train(DataConfig(), TrainConfig(batch_size=batch_size, steps=steps))
        figures.live_spec(h, "en", step=steps)
        export.make_figures(h, export.KINDS, "en")
