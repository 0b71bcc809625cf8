"""Figures: every trace tagged, valid plotly, and its numbers equal to independent references."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from sgdlab import DataConfig, TrainConfig, figures, train
from sgdlab.data import from_arrays
from sgdlab.figures import fit, layout, loss, params

ROLES = {
    "fit": {"points", "batch", "fit", "true_line", "ls_line"},
    "loss": {"batch_loss", "total_loss", "min_loss", "epoch"},
    "params": {"contour", "path", "current", "optimum"},
}


@pytest.fixture(scope="module")
def notebook():
    return train(DataConfig(), TrainConfig())


def values(v) -> np.ndarray:
    """Coordinates back as float64, from a list or plotly's base64 typed array."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def by_role(fig: go.Figure, role: str) -> list:
    return [t for t in fig.data if t.meta and t.meta["role"] == role]


def data_np(config: DataConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's data rebuilt with numpy-side steps (seeded torch draw, float64 maths)."""
    import torch

    config = config or DataConfig()
    torch.manual_seed(config.seed)
    x_raw = torch.linspace(config.x_min, config.x_max, config.n)
    x = (x_raw - x_raw.mean()) / x_raw.std() if config.standardize else x_raw
    eps = torch.randn(x.shape)
    y = config.slope * x + config.intercept + config.noise * eps
    return x.double().numpy(), y.double().numpy()


def mse(x: np.ndarray, y: np.ndarray, a, b) -> np.ndarray:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return ((y[None, :] - a.reshape(-1, 1) * x[None, :] - b.reshape(-1, 1)) ** 2).mean(1)


@pytest.mark.parametrize("kind", ["fit", "loss", "params"])
def test_every_trace_has_a_role_and_the_figure_is_valid_plotly(notebook, kind):
    fig = {"fit": lambda: figures.fit_figure(notebook, None, "en", true_line=(10, 5)),
           "loss": lambda: figures.loss_figure(notebook, "en"),
           "params": lambda: figures.params_figure(notebook, "en")}[kind]()
    go.Figure(fig.to_dict())  # plotly's validators raise on any bad property
    roles = {t.meta["role"] for t in fig.data}
    assert ROLES[kind] <= roles
    assert fig.layout.title.text
    json.dumps(fig.to_dict())  # plain JSON: nothing numpy left for a slow encoder


def test_fit_line_and_batch_are_the_runs_at_the_chosen_step(notebook):
    x, y = data_np()
    for step in (1, 7, 20):
        fig = figures.fit_figure(notebook, step, "en", true_line=(10, 5))
        (line,) = by_role(fig, "fit")
        fx, fy = values(line.x), values(line.y)
        a, b = notebook.a[step - 1], notebook.b[step - 1]
        assert np.allclose(fy, a * fx + b, rtol=1e-5, atol=1e-4)
        (batch,) = by_role(fig, "batch")
        start = ((step - 1) * 20) % 200  # the notebook's ix = (t * batch_size) % n
        assert np.allclose(values(batch.x), x[start:start + 20], atol=1e-6)
        assert np.allclose(values(batch.y), y[start:start + 20], atol=1e-5)
    (ls,) = by_role(fig, "ls_line")
    slope, intercept = np.polyfit(x, y, 1)
    assert np.allclose(values(ls.y), slope * values(ls.x) + intercept, atol=1e-4)
    (readout,) = by_role(fig, "readout")
    assert readout.text[0] == "Step 20, Loss:  1.27; Result: y = 9.94 * x + 5.21"


def test_loss_curves_equal_the_mse_recomputed_from_the_path(notebook):
    x, y = data_np()
    fig = figures.loss_figure(notebook, "en")
    (total,) = by_role(fig, "total_loss")
    assert np.allclose(values(total.y), mse(x, y, notebook.a, notebook.b), rtol=1e-5)
    (batch,) = by_role(fig, "batch_loss")
    assert values(batch.y)[-1] == pytest.approx(1.265, abs=1e-3)  # the notebook's 1.27
    (floor,) = by_role(fig, "min_loss")
    slope, intercept = np.polyfit(x, y, 1)
    assert values(floor.y)[0] == pytest.approx(mse(x, y, slope, intercept)[0], rel=1e-9)
    (epoch,) = by_role(fig, "epoch")
    assert [v for v in epoch.x if v is not None][0] == 10.5  # 200 points / 20 per batch


def test_contours_are_level_sets_of_the_loss(notebook):
    x, y = data_np()
    levels = by_role(figures.params_figure(notebook, "en"), "contour")
    assert len(levels) >= 6
    losses = [mse(x, y, values(t.x), values(t.y)) for t in levels]
    for loss_at, trace in zip(losses, levels, strict=True):
        # one level per trace (within float32 rounding), the level its hover text names
        assert np.ptp(loss_at) <= 1e-3 * loss_at.mean() + 1e-4
        named = float(trace.hovertemplate.split()[-1].split("<")[0])
        assert loss_at.mean() == pytest.approx(named, rel=1e-3)
    assert all(a.mean() > b.mean() for a, b in zip(losses, losses[1:], strict=False))


def test_levels_fill_every_box_they_are_drawn_for():
    history = train(DataConfig(), TrainConfig())
    small = params.landscape_box(history)
    big = ([-100.0, 120.0], [-80.0, 90.0])
    heights = params.levels(history.data, [small, big])
    inside_small = heights[heights <= params.top_level(history.data, small)]
    assert heights[0] == pytest.approx(params.top_level(history.data, big))
    assert len(inside_small) >= 9  # the smaller box still shows nine level sets


def test_landscape_adapts_to_other_data():
    rng = np.random.default_rng(0)
    x_raw = np.linspace(-3, 3, 50)
    data = from_arrays(x_raw, -40 * x_raw + 300 + rng.normal(size=50), standardize_x=False)
    history = train(data, TrainConfig(lr=0.05, steps=200, batch_size=10))
    a_range, b_range = figures.landscape_box(history)
    slope, intercept = np.polyfit(x_raw, data.y.double().numpy(), 1)
    for v, (lo, hi) in ((slope, a_range), (intercept, b_range), (0.0, a_range), (0.0, b_range)):
        assert lo < v < hi
    assert a_range[1] - a_range[0] < 200 and b_range[1] - b_range[0] < 1000


def test_diverging_run_keeps_sane_axes():
    history = train(DataConfig(), TrainConfig(lr=5))
    assert history.diverged_at is not None
    _, y = loss.axes(history, "en", log_y=False)
    assert y["type"] == "log"
    box = figures.landscape_box(history)
    assert all(np.isfinite(r).all() and abs(r[1]) < 1e3 for r in box)


def test_loss_axes_label_whole_steps_and_powers_of_ten() -> None:
    # a diverged run: 4 steps, losses over ten decades (a fresh user saw steps 0.5,
    # 1.5, ... and a log axis labelled "100, 5, 2, 10, 5, 2, 1, 5")
    bad = train(DataConfig(), TrainConfig(lr=5.0))
    loss_x, loss_y = loss.axes(bad, "zh", log_y=False)
    assert loss_y["type"] == "log" and loss_y["exponentformat"] == "power"
    assert isinstance(loss_y["dtick"], int) and loss_y["dtick"] >= 1
    assert loss_x["dtick"] == 1
    long = train(DataConfig(), TrainConfig(steps=200))
    assert "dtick" not in loss.axes(long, "en", log_y=False)[0]


def test_a_loss_that_runs_away_is_drawn_on_a_log_axis_whole() -> None:
    rising = train(DataConfig(), TrainConfig(optimizer="momentum", momentum=0.9, lr=0.5))
    assert rising.diverged_at is None and rising.total_loss[-1] > 100 * rising.total_loss[0]
    assert loss.forced_log(rising)
    _, y = loss.axes(rising, "en", log_y=False)
    assert y["type"] == "log"
    assert 10 ** y["range"][1] >= rising.total_loss.max()  # the top of the curve is on it
    calm = train(DataConfig(), TrainConfig())
    assert not loss.forced_log(calm) and loss.axes(calm, "en", False)[1]["type"] == "linear"


def test_a_diverging_run_keeps_its_current_point_on_the_panel_as_an_arrow():
    """The parameter panel frames the sane part of the path; where (a, b) has left it, the
    current-step marker becomes an arrow on the edge, its hover giving the real values."""
    history = train(DataConfig(), TrainConfig(lr=1.5))
    assert history.diverged_at is not None
    box = figures.landscape_box(history)
    (a_lo, a_hi), (b_lo, b_hi) = box
    arrows = 0
    for s in range(1, history.steps + 1):
        mark = params.marker(history, s, "en", box)
        x, y = mark["x"][0], mark["y"][0]
        assert a_lo <= x <= a_hi and b_lo <= y <= b_hi
        a, b = history.a[s - 1], history.b[s - 1]
        inside = a_lo <= a <= a_hi and b_lo <= b <= b_hi
        assert (mark["marker"]["symbol"] == "arrow") == (not inside)
        assert f"a={a:.6g}" in mark["text"][0]
        arrows += not inside
    assert arrows >= 1  # this run does leave the panel
    calm = train(DataConfig(), TrainConfig())
    calm_box = figures.landscape_box(calm)
    assert all(params.marker(calm, s, "en", calm_box)["marker"]["symbol"] == "circle"
               for s in range(1, 21))


def test_a_files_columns_name_the_fit_axes_and_a_thinned_scatter_says_so():
    from sgdlab.datasets import read_csv, to_data

    rows = "\n".join(f"{i},{2 * i + 1}" for i in range(5000))
    table = read_csv(("height_cm,weight_kg\n" + rows).encode(), "people.csv")
    for standardize, en, zh in ((True, "height_cm (standardized)", "height_cm（已归一化）"),
                                (False, "height_cm", "height_cm")):
        data, _ = to_data(table, "height_cm", "weight_kg", standardize)
        history = train(data, TrainConfig(lr=1e-6, steps=3))
        for lang, want in (("en", en), ("zh", zh)):
            traces, xaxis, yaxis = fit.fit_panel(history, 3, lang, None)
            assert xaxis["title"]["text"] == want
            assert yaxis["title"]["text"] == "weight_kg"
    traces = fit.fit_panel(history, 3, "en", None)[0]
    assert traces[0]["name"] == "data (2,000 of 5,000 shown)"  # training used all 5,000
    synthetic = train(DataConfig(), TrainConfig(steps=2))
    traces, xaxis, _ = fit.fit_panel(synthetic, 2, "en", (10, 5))
    assert xaxis["title"]["text"] == "x (as the model sees it)" and traces[0]["name"] == "data"


def test_chinese_words_and_ghosts(notebook):
    other = train(DataConfig(), TrainConfig(lr=0.05))
    fig = figures.loss_figure(notebook, "zh", ghosts=[("lr 0.05", other)])
    assert "训练步数" in fig.layout.xaxis.title.text
    assert {t.name for t in fig.data} >= {"批次损失", "整体损失", "lr 0.05"}
    (ghost,) = by_role(fig, "ghost")
    assert np.allclose(values(ghost.y), other.total_loss, rtol=1e-6)
    assert by_role(figures.params_figure(notebook, "en", ghosts=[("g", other)]), "ghost")


def test_legends_and_titles_get_their_room_from_the_margins(notebook):
    """One rule for every figure: the legend outside the plot area, the title in the top
    margin, axes pushing their own margins, so no text lands on another or on the data."""
    for fig in (figures.fit_figure(notebook, None, "zh", (10, 5)),
                figures.loss_figure(notebook, "en"), figures.params_figure(notebook, "zh")):
        lay = fig.layout
        assert lay.legend.x >= 1 or lay.legend.y >= 1  # outside the plot area
        assert lay.title.automargin and lay.title.yref == "container"
        assert lay.xaxis.automargin and lay.yaxis.automargin
    top = layout.legend("top")
    assert top["orientation"] == "h" and top["y"] > 1 and top["yanchor"] == "bottom"


def test_epoch_lines_say_how_many_they_stand_for_and_full_batch_draws_none():
    def epoch(config: TrainConfig, lang: str = "en") -> list[dict]:
        return loss.epoch_trace(train(DataConfig(), config), lang)

    assert epoch(TrainConfig(batch_size=200)) == []  # a line at every step said nothing
    (thinned,) = epoch(TrainConfig(batch_size=100, steps=200), "zh")
    assert thinned["name"] == "轮次边界（每 4 轮一条）"  # 99 boundaries, one line per 4
    (every,) = epoch(TrainConfig())
    assert every["name"] == "epoch boundary"


def test_parameter_space_is_drawn_to_scale_when_x_is_standardized():
    # Standardized x makes the loss's level sets near circles (the Explain tab says so); a
    # panel twice as wide as tall had drawn them as flat ellipses (a teacher's trial).
    std = train(DataConfig(), TrainConfig(steps=5))
    assert figures.params_figure(std).layout.yaxis.scaleanchor == "x"
    raw = train(DataConfig(standardize=False), TrainConfig(lr=1e-5, steps=5))
    assert figures.params_figure(raw).layout.yaxis.scaleanchor is None  # a valley, not a line


def test_the_two_steps_drawn_are_the_batch_update_and_the_whole_datas():
    """For plain SGD the batch's arrow is the update itself, from (a, b) before it; the
    whole data's arrow is -lr times the gradient of the full loss, computed here from the
    data by central differences."""
    history = train(DataConfig(), TrainConfig(lr=0.3))
    x, y = data_np()
    for step in (1, 2, 9):
        full, batch = params.steps_taken(history, step, "en")
        assert (full["meta"]["role"], batch["meta"]["role"]) == ("full_step", "batch_step")
        a0, b0 = (history.a[step - 2], history.b[step - 2]) if step > 1 else (0.0, 0.0)
        assert batch["x"][0] == full["x"][0] == a0 and batch["y"][0] == full["y"][0] == b0
        assert batch["x"][1] == pytest.approx(history.a[step - 1], abs=1e-5)
        assert batch["y"][1] == pytest.approx(history.b[step - 1], abs=1e-5)
        h = 1e-4
        ga = (mse(x, y, a0 + h, b0)[0] - mse(x, y, a0 - h, b0)[0]) / (2 * h)
        gb = (mse(x, y, a0, b0 + h)[0] - mse(x, y, a0, b0 - h)[0]) / (2 * h)
        assert full["x"][1] == pytest.approx(a0 - 0.3 * ga, rel=1e-5, abs=1e-6)
        assert full["y"][1] == pytest.approx(b0 - 0.3 * gb, rel=1e-5, abs=1e-6)
    zh = [t["name"] for t in params.steps_taken(history, 3, "zh")]
    assert zh == ["整体数据的一步 −lr·∇L", "批次的一步 −lr·∇L_B"]
