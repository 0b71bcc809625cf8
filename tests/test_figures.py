"""Figures: every trace tagged, valid plotly, and its numbers equal to independent references."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from sgdlab import DataConfig, TrainConfig, figures, i18n, train
from sgdlab.data import from_arrays

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


@pytest.mark.parametrize("kind", ["fit", "loss", "params", "live"])
def test_every_trace_has_a_role_and_the_figure_is_valid_plotly(notebook, kind):
    fig = {"fit": lambda: figures.fit_figure(notebook, None, "en", true_line=(10, 5)),
           "loss": lambda: figures.loss_figure(notebook, "en"),
           "params": lambda: figures.params_figure(notebook, "en"),
           "live": lambda: figures.live_figure(notebook, "en", true_line=(10, 5))}[kind]()
    go.Figure(fig.to_dict())  # plotly's validators raise on any bad property
    roles = {t.meta["role"] for t in fig.data}
    expected = set().union(*ROLES.values()) if kind == "live" else ROLES[kind]
    assert expected <= roles
    assert fig.layout.title.text or kind != "live"
    json.dumps(fig.to_dict())  # plain JSON: nothing numpy left for a slow encoder


def test_fit_line_and_batch_are_the_runs_at_the_chosen_step(notebook):
    x, y = data_np()
    for step in (1, 7, 20):
        fig = figures.fit_figure(notebook, step, "en", true_line=(10, 5))
        (fit,) = by_role(fig, "fit")
        fx, fy = values(fit.x), values(fit.y)
        a, b = notebook.a[step - 1], notebook.b[step - 1]
        assert np.allclose(fy, a * fx + b, rtol=1e-5, atol=1e-4)
        (batch,) = by_role(fig, "batch")
        start = ((step - 1) * 20) % 200  # the notebook's ix = (t * batch_size) % n
        assert np.allclose(values(batch.x), x[start:start + 20], atol=1e-6)
        assert np.allclose(values(batch.y), y[start:start + 20], atol=1e-5)
    (ls,) = by_role(fig, "ls_line")
    slope, intercept = np.polyfit(x, y, 1)
    assert np.allclose(values(ls.y), slope * values(ls.x) + intercept, atol=1e-4)
    assert "Step 20, Loss:  1.27; Result: y = 9.94 * x + 5.21" in by_role(
        figures.live_figure(notebook, "en"), "readout")[0].text


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
    for loss, trace in zip(losses, levels, strict=True):
        # one level per trace (within float32 rounding), the level its hover text names
        assert np.ptp(loss) <= 1e-3 * loss.mean() + 1e-4
        named = float(trace.hovertemplate.split()[-1].split("<")[0])
        assert loss.mean() == pytest.approx(named, rel=1e-3)
    assert all(a.mean() > b.mean() for a, b in zip(losses, losses[1:], strict=False))


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
    fig = figures.live_figure(history, "en")
    assert fig.layout.yaxis3.type == "log"
    assert all(np.isfinite(fig.layout[ax].range).all() and abs(fig.layout[ax].range[1]) < 1e3
               for ax in ("xaxis", "yaxis", "xaxis2", "yaxis2"))
    assert str(history.diverged_at) in fig.layout.title.text


def test_long_runs_subsample_frames_but_draw_every_step():
    history = train(DataConfig(), TrainConfig(steps=5000))
    spec = figures.live_spec(history, "en")
    names = [f["name"] for f in spec["frames"]]
    assert len(names) <= figures.MAX_FRAMES and names[0] == "1" and names[-1] == "5000"
    fig = go.Figure(spec, _validate=False)
    assert len(values(by_role(fig, "total_loss")[0].y)) == 5000
    assert len(values(by_role(fig, "path")[0].x)) == 5001  # with the start (0, 0)
    assert len(json.dumps(spec)) < 1_000_000
    short = figures.live_spec(train(DataConfig(), TrainConfig()), "en")
    assert len(short["frames"]) == 20 and len(json.dumps(short)) < 300_000


def test_frames_move_only_the_moving_traces(notebook):
    spec = figures.live_spec(notebook, "en")
    roles = [t["meta"]["role"] for t in spec["data"]]
    for frame in spec["frames"]:
        assert sorted(roles[i] for i in frame["traces"]) == sorted(
            ["batch", "fit", "readout", "current", "current"])
    step7 = next(f for f in spec["frames"] if f["name"] == "7")
    marker = step7["data"][3]  # the parameter-space current point
    assert values(marker["x"])[0] == pytest.approx(notebook.a[6], rel=1e-6)


def test_chinese_words_and_ghosts(notebook):
    other = train(DataConfig(), TrainConfig(lr=0.05))
    fig = figures.loss_figure(notebook, "zh", ghosts=[("lr 0.05", other)])
    assert "训练步数" in fig.layout.xaxis.title.text
    assert {t.name for t in fig.data} >= {"批次损失", "整体损失", "lr 0.05"}
    (ghost,) = by_role(fig, "ghost")
    assert np.allclose(values(ghost.y), other.total_loss, rtol=1e-6)
    assert by_role(figures.params_figure(notebook, "en", ghosts=[("g", other)]), "ghost")


def test_frame_steps_and_legend_corner():
    assert figures.frame_steps(5).tolist() == [1, 2, 3, 4, 5]
    steps = figures.frame_steps(1000, 200)
    assert len(steps) == 200 and steps[0] == 1 and steps[-1] == 1000
    # points along the rising diagonal leave the top-left and bottom-right empty
    t = np.linspace(0, 1, 50)
    assert figures.emptiest_corner(t, t, [0, 1], [0, 1]) in ((1, 0), (0, 1))
    assert figures.emptiest_corner(t, 1 - t, [0, 1], [0, 1]) in ((1, 1), (0, 0))


def test_loss_axes_label_whole_steps_and_powers_of_ten() -> None:
    # a diverged run: 4 steps, losses over ten decades (a fresh user saw steps 0.5,
    # 1.5, ... and a log axis labelled "100, 5, 2, 10, 5, 2, 1, 5")
    bad = train(DataConfig(), TrainConfig(lr=5.0))
    layout = figures.live_spec(bad, "zh", step=bad.steps)["layout"]
    loss_x, loss_y = layout["xaxis3"], layout["yaxis3"]
    assert loss_y["type"] == "log" and loss_y["exponentformat"] == "power"
    assert isinstance(loss_y["dtick"], int) and loss_y["dtick"] >= 1
    assert loss_x["dtick"] == 1
    long = train(DataConfig(), TrainConfig(steps=200))
    assert "dtick" not in figures.live_spec(long, "en", step=200)["layout"]["xaxis3"]


def test_a_loss_that_runs_away_is_drawn_on_a_log_axis_whole() -> None:
    rising = train(DataConfig(), TrainConfig(optimizer="momentum", momentum=0.9, lr=0.5))
    assert rising.diverged_at is None and rising.total_loss[-1] > 100 * rising.total_loss[0]
    y = figures.live_spec(rising, "en", step=rising.steps)["layout"]["yaxis3"]
    assert y["type"] == "log"
    assert 10 ** y["range"][1] >= rising.total_loss.max()  # the top of the curve is on it
    calm = train(DataConfig(), TrainConfig())
    assert figures.live_spec(calm, "en", step=20)["layout"]["yaxis3"].get("type") != "log"


def test_a_diverging_run_keeps_its_current_point_on_the_panel_as_an_arrow():
    """The parameter panel frames the sane part of the path; where (a, b) has left it, the
    current-step marker becomes an arrow on the edge, its hover giving the real values."""
    history = train(DataConfig(), TrainConfig(lr=1.5))
    assert history.diverged_at is not None
    spec = figures.live_spec(history, "en")
    a_range, b_range = spec["layout"]["xaxis2"]["range"], spec["layout"]["yaxis2"]["range"]
    arrows = 0
    for frame in spec["frames"]:
        marker = frame["data"][3]
        s = int(frame["name"])
        x, y = values(marker["x"])[0], values(marker["y"])[0]
        assert a_range[0] <= x <= a_range[1] and b_range[0] <= y <= b_range[1]
        a, b = history.a[s - 1], history.b[s - 1]
        inside = a_range[0] <= a <= a_range[1] and b_range[0] <= b <= b_range[1]
        assert (marker["marker"]["symbol"] == "arrow") == (not inside)
        assert f"a={a:.6g}" in marker["text"][0]
        arrows += not inside
    assert arrows >= 1  # this run does leave the panel
    # its loss climbs into the top right corner, so the loss legend goes to the bottom
    assert spec["layout"]["legend3"]["yanchor"] == "bottom"
    calm = figures.live_spec(train(DataConfig(), TrainConfig()), "en")
    assert calm["layout"]["legend3"]["yanchor"] == "top"
    assert all(f["data"][3]["marker"]["symbol"] == "circle" for f in calm["frames"])


def test_a_files_columns_name_the_fit_axes_and_a_thinned_scatter_says_so():
    from sgdlab.datasets import read_csv, to_data

    rows = "\n".join(f"{i},{2 * i + 1}" for i in range(5000))
    table = read_csv(("height_cm,weight_kg\n" + rows).encode(), "people.csv")
    for standardize, en, zh in ((True, "height_cm (standardized)", "height_cm（已归一化）"),
                                (False, "height_cm", "height_cm")):
        data, _ = to_data(table, "height_cm", "weight_kg", standardize)
        history = train(data, TrainConfig(lr=1e-6, steps=3))
        for lang, want in (("en", en), ("zh", zh)):
            layout = figures.live_spec(history, lang)["layout"]
            assert layout["xaxis"]["title"]["text"] == want
            assert layout["yaxis"]["title"]["text"] == "weight_kg"
    points = figures.live_spec(history, "en")["data"][0]
    assert points["name"] == "data (2,000 of 5,000 shown)"  # training used all 5,000
    synthetic = figures.live_spec(train(DataConfig(), TrainConfig(steps=2)), "en")
    assert synthetic["layout"]["xaxis"]["title"]["text"] == "x (as the model sees it)"
    assert synthetic["data"][0]["name"] == "data"


def test_the_loss_legend_makes_room_for_pinned_runs_too():
    # A diverging run keeps its legend bottom right, out of its climbing curves; a pinned
    # run that converged lies along that bottom edge, so the legend moves to the top left.
    diverging = train(DataConfig(), TrainConfig(steps=60, lr=0.9))
    settled = train(DataConfig(), TrainConfig(steps=60))
    alone = figures.live_spec(diverging, "en")["layout"]["legend3"]
    pinned = figures.live_spec(diverging, "en", ghosts=[("#1 lr=0.1", settled)])
    legend = pinned["layout"]["legend3"]
    assert (alone["xanchor"], alone["yanchor"]) == ("right", "bottom")
    assert (legend["xanchor"], legend["yanchor"]) == ("left", "top")


@pytest.mark.parametrize("lang, words", [
    ("en", ["lr = 0.1", "Nesterov momentum 0.8", "cosine annealing", "reshuffled every epoch",
            "accumulated over 2"]),
    ("zh", ["学习率 = 0.1", "Nesterov 动量 0.8", "余弦退火", "每轮重新打乱", "分 2 次累积"])])
def test_the_live_title_names_every_training_choice_that_is_not_the_notebooks(lang, words):
    config = TrainConfig(optimizer="nesterov", momentum=0.8, schedule="cosine",
                         sampling="shuffle", accumulation=2)
    title = figures.live_spec(train(DataConfig(), config), lang)["layout"]["title"]["text"]
    assert all(w in title for w in words), title
    plain = figures.live_spec(train(DataConfig(), TrainConfig()), lang)["layout"]["title"]
    assert plain["text"].count("·") == 2  # the notebook's run: lr, batch, steps only


def test_a_long_runs_slider_stands_on_the_shown_step_not_the_nearest_frame():
    history = train(DataConfig(), TrainConfig(steps=1000))
    for step in (500, 999, 1, 1000):
        layout = figures.live_spec(history, "en", step=step, max_frames=50)["layout"]
        slider = layout["sliders"][0]
        assert slider["steps"][slider["active"]]["label"] == str(step)
    frames = figures.live_spec(history, "en", step=500, max_frames=50)["frames"]
    assert len(frames) == 51 and "500" in [f["name"] for f in frames]


def test_on_a_narrow_screen_the_three_panels_stack_each_full_width():
    spec = figures.live_spec(train(DataConfig(), TrainConfig()), "zh")
    wide, narrow = spec["layout"], spec[figures.NARROW_KEY]
    assert wide["xaxis"]["domain"] == [0, 0.45] and wide["xaxis2"]["domain"] == [0.55, 1]
    patch = narrow["layout"]
    rows = [patch[f"yaxis{n}"]["domain"] for n in ("", "2", "3")]
    assert all(patch[f"xaxis{n}"]["domain"] == [0, 1] for n in ("", "2", "3"))
    # top to bottom, apart (room for each panel's tick labels and axis title)
    assert rows[0][0] - rows[1][1] >= 0.09 and rows[1][0] - rows[2][1] >= 0.09
    assert patch["height"] > wide["height"]
    titles = [a["y"] for a in patch["annotations"]]
    assert [round(t - r[1], 3) for t, r in zip(titles, rows, strict=True)] == [0.005] * 3
    assert [a["text"] for a in patch["annotations"]] == [a["text"] for a in wide["annotations"]]
    assert narrow["readout_size"] < 17
    # the step slider and the buttons stay as many pixels below the loss panel
    for key in ("sliders", "updatemenus"):
        assert narrow["menus_y"][key] * (patch["height"] - 260) == pytest.approx(
            wide[key][0]["y"] * (wide["height"] - 260))
    assert figures.NARROW_KEY not in figures.live_figure(
        train(DataConfig(), TrainConfig()), "zh").to_dict()


@pytest.mark.parametrize("log_y", [False, True])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_the_loss_legend_hides_none_of_the_notebook_runs_points(log_y, optimizer):
    """With the log scale on, the legend went to the bottom left, over the batch losses of
    steps 2 and 3 (audit): their nearest-point distance was larger, but inside its box.
    Momentum's loss swings into all four corners: its legend sat on steps 1-3 (a
    reviewer), and the axis now makes room above the curves."""
    history = train(DataConfig(), TrainConfig(optimizer=optimizer))
    spec = figures.live_spec(history, "zh", log_y=log_y)
    layout = spec["layout"]
    loss = [t for t in spec["data"] if t.get("legend") == "legend3"]
    bw, bh = figures.legend_box(loss, (1.0, 0.36))
    cx, cy = layout["legend3"]["xanchor"] == "right", layout["legend3"]["yanchor"] == "top"
    x = np.concatenate([np.arange(1, 21)] * 2)
    y = np.concatenate([history.batch_loss, history.total_loss])
    y = np.log10(y) if log_y else y
    (x0, x1), (y0, y1) = layout["xaxis3"]["range"], layout["yaxis3"]["range"]
    u, v = (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)
    inside = (np.abs(u - cx) <= bw) & (np.abs(v - cy) <= bh)
    assert not inside.any(), list(zip(x[inside], y[inside], strict=True))


def test_epoch_lines_say_how_many_they_stand_for_and_full_batch_draws_none():
    def epoch(config: TrainConfig, lang: str = "en") -> list[dict]:
        spec = figures.live_spec(train(DataConfig(), config), lang)
        return [t for t in spec["data"] if (t.get("meta") or {}).get("role") == "epoch"]

    assert epoch(TrainConfig(batch_size=200)) == []  # a line at every step said nothing
    (thinned,) = epoch(TrainConfig(batch_size=100, steps=200), "zh")
    assert thinned["name"] == "轮次边界（每 4 轮一条）"  # 99 boundaries, one line per 4
    (every,) = epoch(TrainConfig())
    assert every["name"] == "epoch boundary"


def test_a_legend_counts_the_lines_between_points_too():
    """The parameter legend sat over a stretch of the path between two of its points."""
    assert [v.tolist() for v in figures.along(np.array([0, 1, 3.0]), np.array([0, 2, 2.0]), 2)
            ] == [[0, 0.5, 1, 2, 3], [0, 1, 2, 2, 2]]
    history = train(DataConfig(), TrainConfig())
    spec = figures.live_spec(history, "en")
    layout = spec["layout"]
    params = [t for t in spec["data"] if t.get("legend") == "legend2"]
    bw, bh = figures.legend_box(params, (0.45, 0.36))
    cx, cy = layout["legend2"]["xanchor"] == "right", layout["legend2"]["yanchor"] == "top"
    x, y = figures.along(np.append(0.0, history.a), np.append(0.0, history.b), 50)
    (x0, x1), (y0, y1) = layout["xaxis2"]["range"], layout["yaxis2"]["range"]
    u, v = (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)
    assert not ((np.abs(u - cx) <= bw) & (np.abs(v - cy) <= bh)).any()


def test_parameter_space_is_drawn_to_scale_when_x_is_standardized():
    # Standardized x makes the loss's level sets near circles (the Explain tab says so); a
    # panel twice as wide as tall had drawn them as flat ellipses (a teacher's trial).
    from sgdlab.figures import live_spec, params_figure

    std = train(DataConfig(), TrainConfig(steps=5))
    layout = live_spec(std, "en")["layout"]
    assert layout["yaxis2"]["scaleanchor"] == "x2" and layout["yaxis2"]["scaleratio"] == 1
    assert params_figure(std).layout.yaxis.scaleanchor == "x"
    raw = train(DataConfig(standardize=False), TrainConfig(lr=1e-5, steps=5))
    assert "scaleanchor" not in live_spec(raw, "en")["layout"]["yaxis2"]  # a valley, not a line


def test_a_troubled_runs_figure_gives_the_warning_above_it_room():
    """A warning above the figure pushed its play buttons below a 1920x1080 projector's
    edge (a reviewer): a troubled run's figure is shorter, its slider and buttons as far
    below its plot area in pixels."""
    calm = figures.live_spec(train(DataConfig(), TrainConfig()), "zh")["layout"]
    for config in (TrainConfig(lr=10.0), TrainConfig(optimizer="momentum")):
        history = train(DataConfig(), config)
        assert history.troubled
        layout = figures.live_spec(history, "zh")["layout"]
        assert layout["height"] == calm["height"] - figures.WARNED_CUT
        for key in ("sliders", "updatemenus"):
            assert layout[key][0]["y"] * (layout["height"] - 260) == pytest.approx(
                calm[key][0]["y"] * (calm["height"] - 260))
    assert calm["height"] == figures.WIDE["height"]


def test_a_long_run_title_goes_on_two_lines_that_fit():
    """Every non-notebook choice in the title had cut it at "drawn with re" on a 1366 px
    laptop (a reviewer)."""
    config = TrainConfig(optimizer="nesterov", sampling="replacement", schedule="step",
                         accumulation=4, lr=1.1e-05, steps=50)
    for lang in ("en", "zh"):
        title = figures.live_spec(train(DataConfig(), config), lang)["layout"]["title"]
        lines = title["text"].split("<br>")
        assert len(lines) == 2 and all(lines)
        size = title["font"]["size"]
        assert size >= figures.FONT - 2
        for line in lines:
            assert i18n.text_px(line, size, latin=0.55) <= figures.TITLE_PX
    short = figures.live_spec(train(DataConfig(), TrainConfig()), "zh")["layout"]["title"]
    assert "<br>" not in short["text"] and short["font"]["size"] == figures.FONT + 5
