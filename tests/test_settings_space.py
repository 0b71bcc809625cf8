"""Every setting the controls allow, through every view's pure builders: none of them raises.

Hypothesis draws settings over each control's full range (tests/settings_space.py)
and each view is built as the page builds it: the live figure and its frames,
the stability map, the seed bands, the gradient noise at every step, the
comparison and its metrics, and the exports (step-log CSV, HTML, code). Runs are
kept short (few points and steps) where the property does not need more; the
explicit examples are settings that crashed a view.
"""

from __future__ import annotations

import math
from dataclasses import replace

import nbformat
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sgdlab import analysis, diagnosis, export, figures_lab, styles, sweep, theory
from sgdlab.config import MAX_POINTS, DataConfig, TrainConfig, lr_marks
from sgdlab.data import make_data
from sgdlab.family import lr_family, with_run
from sgdlab.figures.encode import unpack
from sgdlab.figures.live import live_view
from sgdlab.history import History
from sgdlab.train import train
from sgdlab.ui import lab
from sgdlab.urlstate import wide_enough
from tests.settings_space import data_configs
from tests.settings_space import settings as runs

LANGS = st.sampled_from(["en", "zh"])
WHERE = st.floats(0, 1)  # which step a view shows, as a fraction of the run


def _step(h: History, where: float) -> int:
    return max(1, math.ceil(where * h.steps))


def _check_history(h: History, config: TrainConfig) -> None:
    assert 0 <= h.steps <= config.steps
    for name in ("a", "b", "batch_loss", "total_loss", "grad_a", "grad_b", "lr"):
        assert len(getattr(h, name)) == h.steps, name
    assert np.isfinite(h.total_loss).all()  # a diverged step is cut, not kept as inf/NaN


@given(runs(work=200_000, max_steps=1_000), LANGS, st.booleans(), WHERE)
@example((DataConfig(), TrainConfig(batch_size=150, steps=2)), "en", False, 1.0)
@example((DataConfig(), TrainConfig(batch_size=101, steps=2, sampling="shuffle")), "zh", True,
         0.0)
@settings(max_examples=40)
def test_the_live_view_and_its_family(run, lang, log_y, where) -> None:
    data_config, config = run
    h = train(data_config, config)
    _check_history(h, config)
    header, arrays = unpack(_view(h, lang, _step(h, where) if h.steps else 1, log_y,
                                  (data_config.slope, data_config.intercept)))
    for i, member in enumerate(header["members"]):
        kept = arrays.get(f"m{i}.t")
        count = member["steps"] if kept is None else len(kept)
        assert all(len(arrays[f"m{i}.{k}"]) == count for k in ("a", "b", "bl", "ga", "gb"))
        assert np.isfinite(arrays[f"m{i}.a"]).all()
    assert set(arrays["stops"].tolist()) <= set(range(1, config.steps + 1))


def _view(h: History, lang: str, step: int, log_y: bool = False,
          true_line: tuple[float, float] | None = None) -> bytes:
    """The live view's blob as the page builds it, over a family of three rates."""
    values = tuple(sorted({lr_marks()[0], h.config.lr, lr_marks()[-1]}))
    fam = with_run(lr_family(h.data, h.config, values), h)
    said = diagnosis.warnings(fam.members, [lang])[lang]
    return live_view(fam, lang, step, log_y=log_y, true_line=true_line, warnings=said)


@given(data_configs(max_n=2_000, x_range="any"))
@example(DataConfig(x_min=999999.0, x_max=1e6))
@example(DataConfig(x_min=0.0, x_max=1e-3, standardize=False))
@settings(max_examples=60)
def test_an_x_range_the_sidebar_accepts_gives_data(data_config) -> None:
    """The sidebar refuses an x range that is not wide_enough; every other one computes."""
    if wide_enough(data_config.x_min, data_config.x_max):
        d = make_data(data_config)
        assert np.isfinite(d.xy64[0]).all() and np.ptp(d.xy64[0]) > 0


@given(runs(max_n=MAX_POINTS, work=400_000), LANGS)
@example((DataConfig(n=MAX_POINTS), TrainConfig(batch_size=MAX_POINTS, steps=1)), "en")
@settings(max_examples=6)
def test_up_to_the_most_points(run, lang) -> None:
    """The live figure and the noise view at any number of points, briefly."""
    data_config, config = run
    h = train(data_config, config)
    if h.steps:
        _view(h, lang, h.steps)
        shown = min(h.steps, max(1, lab.WORK // config.batch_size))
        noise = analysis.gradient_noise(h, shown)
        figures_lab.gradient_figure(h, noise, shown, lang)


def _map_inputs(data_config: DataConfig, config: TrainConfig, count: int
                ) -> tuple[np.ndarray, np.ndarray, TrainConfig]:
    """The map's grid and steps, derived from the run as lab.stability_ui derives them."""
    d = make_data(data_config)
    limit = theory.max_stable_lr(theory.data_hessian(d))
    floor = 1e-6
    lrs = sweep.default_lrs(count, lo=max(floor, min(1e-3, limit / 100, config.lr)))
    bss = sweep.default_batch_sizes(d.n, include=[config.batch_size],
                                    multiple_of=config.accumulation)
    steps = max(1, min(config.steps, lab.MAX_MAP_STEPS, lab.WORK // (len(lrs) * int(bss.sum()))))
    return lrs, bss, replace(config, steps=steps)


@given(runs(max_n=120, work=10_000, max_steps=100), st.sampled_from([10, 15]), LANGS)
@settings(max_examples=25)
def test_the_stability_map(run, count, lang) -> None:
    data_config, config = run
    d = make_data(data_config)
    lrs, bss, base = _map_inputs(data_config, config, count)
    result = sweep.sweep(d, base, lrs, bss)
    bounds = sweep.stability_bounds(d, base, bss)
    assert config.batch_size in bss  # the current setting's ring is on the map
    figures_lab.stability_figure(result, bounds, (config.lr, config.batch_size), lang,
                                 start=float(np.mean(d.xy64[1] ** 2)))


@given(runs(max_n=200, work=20_000, max_steps=100), st.integers(2, 100),
       st.sampled_from(analysis.VARIES), st.sampled_from(["shuffle", "replacement"]), LANGS)
@settings(max_examples=20)
def test_the_seed_bands(run, k, vary, band_sampling, lang) -> None:
    data_config, config = run
    h = train(data_config, config)
    sampling = band_sampling if vary == "sampling" and config.sampling == "sequential" \
        else config.sampling
    if k * config.batch_size * config.steps > lab.WORK:
        return  # the view says it is too much work
    band = analysis.seed_band(h.data, config, k, vary, data_config, sampling)
    assert band.total_loss.shape == (k, config.steps)
    figures_lab.seed_band_figure(band, h, lang)


@given(runs(max_n=200, work=40_000, max_steps=200), LANGS)
@example((DataConfig(), TrainConfig(steps=1)), "en")
@example((DataConfig(n=2), TrainConfig(batch_size=1, steps=1)), "zh")
@settings(max_examples=20)
def test_the_gradient_noise_at_every_step(run, lang) -> None:
    data_config, config = run
    h = train(data_config, config)
    if h.steps == 0:
        return  # the view draws nothing
    shown = min(h.steps, max(1, lab.WORK // config.batch_size))
    noise = analysis.gradient_noise(h, shown)
    assert noise.batch_grad.shape == (shown, 2)
    for step in range(1, shown + 1):
        fit = analysis.batch_fit(h, step)
        assert (fit.a is None) == (fit.b is None)
    for step in sorted({1, shown, (shown + 1) // 2}):
        fit = analysis.batch_fit(h, step)
        figures_lab.batch_fit_figure(h, fit, step, float(noise.a[step - 1]),
                                     float(noise.b[step - 1]), lang)
        figures_lab.gradient_figure(h, noise, step, lang)
        figures_lab.cosine_figure(noise, step, lang)


@given(runs(max_n=200, work=20_000, max_steps=100), runs(max_n=200, work=20_000, max_steps=100),
       LANGS)
@settings(max_examples=25)
def test_compare_and_metrics(run, other, lang) -> None:
    h = train(*run)
    ghost = train(*other)  # pinned earlier: its own data and settings
    for x in (h, ghost):
        m = analysis.metrics(x)
        assert m.distance >= 0 and (m.steps_to_1pct is None or 1 <= m.steps_to_1pct <= x.steps)
    ghosts = [("#1 " + lab.difference_label(other, run, lang), ghost)]
    if h.steps:
        figures_lab.compare_figure(h, ghosts, lang)
    frame = lab.metrics_frame([("this run", h), *ghosts], lang)
    assert len(frame) == 2


@given(runs(max_n=200, work=20_000, max_steps=100), LANGS, st.sampled_from(styles.STYLES),
       st.booleans(), WHERE)
@settings(max_examples=15)
def test_the_exports(run, lang, style, stamp, where) -> None:
    data_config, config = run
    h = train(data_config, config)
    back = export.read_csv(export.to_csv(h, data_config))
    assert back.steps == h.steps and back.diverged_at == h.diverged_at
    step = _step(h, where) if h.steps else None
    text = styles.stamp_text(data_config, config, lang) if stamp else ""
    figs = export.make_figures(h, export.KINDS, lang, style, text,
                               (data_config.slope, data_config.intercept), step)
    export.to_html(figs, "sgdlab", lang, "python -m sgdlab " + export.cli_command(data_config,
                                                                                 config))
    compile(export.to_script(h.data, data_config, config, lang), "run.py", "exec")
    nbformat.validate(nbformat.reads(export.to_notebook(h.data, data_config, config, lang),
                                     as_version=4))


@given(runs(max_n=200, work=20_000, max_steps=100))
@settings(max_examples=25)
def test_the_warning_of_a_diverging_run(run) -> None:
    """What the warning computes for its cure, on the runs it warns about."""
    data_config, config = run
    h = train(data_config, config)
    if h.diverged_at is None and not h.rising:
        return
    bounds = sweep.stability_bounds(h.data, config, [config.batch_size])
    assert bounds.full_batch > 0 and not math.isnan(float(bounds.worst_batch[0]))
    sweep.tried_rate(h.data, replace(config, steps=min(config.steps, 50)), horizon=50)


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_a_batch_between_half_and_all_the_points_for_a_few_steps(steps: int) -> None:
    for batch_size in (101, 150, 199, 200):
        h = train(DataConfig(), TrainConfig(batch_size=batch_size, steps=steps))
        _view(h, "en", steps)
        export.make_figures(h, export.KINDS, "en")
