"""Styles restyle by role and leave the input alone; stamps and file names carry settings."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from sgdlab import styles
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.train import train


def _loss_fig() -> go.Figure:
    """A loss figure built by hand the way the dashboard tags its traces."""
    y = np.array([100.0, 3.6, 4.0, 14.9, 1.2], dtype=np.float32)
    return go.Figure([
        go.Scatter(x0=1, dx=1, y=y, mode="lines+markers", name="b", meta={"role": "batch_loss"},
                   line={"color": "#56B4E9", "width": 3}),
        go.Scatter(x0=1, dx=1, y=y[::-1], mode="lines+markers", name="t",
                   meta={"role": "total_loss"}, line={"color": "#D55E00", "width": 4}),
        go.Scatter(x=[0.5, 5.5], y=[0.9, 0.9], mode="lines", meta={"role": "min_loss"},
                   line={"color": "green"}),
        go.Scatter(x=[2.5, 2.5, None], y=[-1e30, 1e30, None], mode="lines",
                   meta={"role": "epoch"}),
        go.Scatter(x=[5], y=[1.2], mode="markers", meta={"role": "current"},
                   marker={"color": "orange", "symbol": "circle-open", "line": {"width": 3}}),
    ], layout={"title": {"text": "Loss"}, "plot_bgcolor": "#eef", "font": {"color": "#333"},
               "xaxis": {"title": {"text": "step"}, "range": [0.5, 5.5]},
               "yaxis": {"title": {"text": "loss"}, "range": [0, 106]}})


def _gray(color: str) -> bool:
    """Black, white, grey or transparent: no hue."""
    if color in ("black", "white"):
        return True
    m = re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", color.lower())
    if m:
        return len(set(m.groups())) == 1
    m = re.fullmatch(r"rgba\((\d+),(\d+),(\d+),([\d.]+)\)", color.replace(" ", ""))
    return bool(m) and (len(set(m.groups()[:3])) == 1 or float(m.group(4)) == 0)


def _assert_no_hue(trace: go.Scatter) -> None:
    mode = trace.mode or "lines"
    if "lines" in mode:
        assert _gray(trace.line.color), (styles.role(trace), trace.line.color)
    if "markers" in mode:
        colors = [trace.marker.color, trace.marker.line.color]
        assert all(c is None or _gray(c) for c in colors), (styles.role(trace), colors)


def test_screen_is_unchanged_and_every_style_leaves_the_input_alone() -> None:
    fig = _loss_fig()
    before = fig.to_dict()
    for style in styles.STYLES:
        out = styles.apply_style(fig, style, "zh")
        assert out is not fig
        assert fig.to_dict() == before
    assert styles.apply_style(fig, "screen", "zh").to_dict() == before
    spec = fig.to_plotly_json()  # the dashboard caches figures as JSON-ready dicts
    kept = fig.to_plotly_json()
    out = styles.apply_style(spec, "notebook", "en")
    assert spec == kept and out.data[1].line.dash == "dashdot"


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="style must be one of"):
        styles.apply_style(_loss_fig(), "neon", "en")


@pytest.mark.parametrize("lang,words", [("zh", ("训练步数", "模型损失", "批次损失", "整体损失")),
                                        ("en", ("Step", "Loss", "Batch loss",
                                                "Whole-data loss"))])
def test_notebook_style_is_the_seed_notebooks_figure(lang: str, words: tuple[str, ...]) -> None:
    out = styles.apply_style(_loss_fig(), "notebook", lang)
    batch, total, *extras = out.data
    # ax.plot(..., 'k') and ax.plot(..., 'r-.'): lines only, no markers.
    assert (batch.line.color, batch.line.dash, batch.mode) == ("black", "solid", "lines")
    assert (total.line.color, total.line.dash, total.mode) == ("red", "dashdot", "lines")
    assert all(t.visible is False for t in extras)
    assert (out.layout.xaxis.title.text, out.layout.yaxis.title.text) == words[:2]
    assert (batch.name, total.name) == words[2:]
    assert (out.layout.width, out.layout.height) == (600, 600)  # figsize=(6, 6), dpi=100
    assert out.layout.plot_bgcolor == "white" and not out.layout.title.text
    # matplotlib's 5% margins around the two lines: x 1..5, y 1.2..100.
    assert out.layout.xaxis.range == pytest.approx((1 - 0.2, 5 + 0.2))
    assert out.layout.yaxis.range == pytest.approx((1.2 - 0.05 * 98.8, 100 + 0.05 * 98.8),
                                                   rel=1e-6)


def test_print_style_is_black_on_white_with_thin_lines() -> None:
    out = styles.apply_style(_loss_fig(), "print", "en")
    layout = out.layout
    assert layout.paper_bgcolor == layout.plot_bgcolor == "white"
    assert layout.font.color == "black" and layout.xaxis.linecolor == "black"
    for trace in out.data:
        _assert_no_hue(trace)
        assert trace.line.width is None or trace.line.width <= 1.5
    # Both losses stay told apart without colour: one solid, one dashed.
    assert {out.data[0].line.dash, out.data[1].line.dash} == {"solid", "dash"}
    assert out.layout.xaxis.title.text == "step"  # print keeps the dashboard's own words


def test_print_style_greys_every_role_of_the_real_figures() -> None:
    figures = pytest.importorskip("sgdlab.figures")
    history = train(DataConfig(), TrainConfig(sampling="shuffle", steps=30, batch_size=50))
    built = [figures.fit_figure(history, 7, "en", true_line=(10.0, 5.0)),
             figures.loss_figure(history, "en", ghosts=(("pin", history),)),
             figures.params_figure(history, "en", ghosts=(("pin", history),))]
    roles = set()
    for fig in built:
        for trace in styles.apply_style(fig, "print", "en").data:
            r = styles.role(trace)
            roles.add(r)
            if r == "readout":
                assert trace.textfont.color == "black"
            else:
                _assert_no_hue(trace)
    assert {"points", "batch", "fit", "true_line", "ls_line", "batch_loss", "total_loss",
            "min_loss", "epoch", "contour", "path", "current", "optimum", "ghost",
            "batch_step", "full_step"} <= roles


def test_stamp_names_the_settings_in_both_languages() -> None:
    c = TrainConfig(lr=0.03, batch_size=25, steps=40, optimizer="adam", sampling="shuffle",
                    sampling_seed=9)
    en = styles.stamp_text(DataConfig(seed=77), c, "en")
    zh = styles.stamp_text(DataConfig(seed=77), c, "zh")
    for word in ("seed 77", "learning rate 0.03", "batch size 25", "steps 40", "Adam",
                 "reshuffled every epoch", "sampling seed 9"):
        assert word in en
    for word in ("种子 77", "学习率 0.03", "批次大小 25", "训练步数 40", "Adam 自适应矩估计",
                 "每轮重新打乱"):  # the reader's words, values too
        assert word in zh
    assert "shuffle " not in zh and "adam " not in zh
    assert "schedule" not in en and "momentum" not in en  # only what changes the run
    step = replace(c, schedule="step", optimizer="momentum", accumulation=5)
    assert all(w in styles.stamp_text(None, step, "en", "my.csv")
               for w in ("data my.csv", "momentum 0.9", "gradient accumulation 5",
                         "lr schedule step decay", "decay factor 0.5", "decay every 10"))
    # The synthetic data's own settings, when not the notebook's: a figure can be re-made.
    raw = styles.stamp_text(DataConfig(n=50, standardize=False), c, "en")
    assert "points 50" in raw and "standardize x off" in raw and "noise" not in raw


def test_stamp_is_an_annotation_on_the_figure() -> None:
    fig = styles.add_stamp(styles.apply_style(_loss_fig(), "print", "en"), "seed 1 · lr 0.1")
    notes = [a for a in fig.layout.annotations if a.name == styles.STAMP]
    assert len(notes) == 1 and notes[0].text == "seed 1 · lr 0.1"
    assert fig.layout.margin.t >= 60


LONG = TrainConfig(optimizer="nesterov", sampling="replacement", accumulation=4,
                   schedule="step")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_long_stamp_is_wrapped_and_keeps_every_setting(lang: str) -> None:
    text = styles.stamp_text(DataConfig(n=50, standardize=False), LONG, lang)
    fig = styles.add_stamp(styles.apply_style(_loss_fig(), "notebook", lang), text)
    (note,) = [a for a in fig.layout.annotations if a.name == styles.STAMP]
    lines = note.text.split("<br>")
    assert len(lines) > 1 and " · ".join(lines) == text  # wrapped, nothing lost
    assert fig.layout.margin.t >= 60 + 14 * (len(lines) - 1)


@pytest.mark.browser
@pytest.mark.parametrize("style", ["notebook", "print"])
def test_the_stamp_fits_inside_the_drawn_figure(chromium, style: str) -> None:
    """plotly.js draws the figure in Chromium; every stamp line lies inside its width."""
    import plotly

    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    page = chromium.new_page()
    try:
        page.set_content("<div id=g></div>")
        page.add_script_tag(content=js)
        for lang in ("en", "zh"):
            text = styles.stamp_text(DataConfig(n=50, standardize=False), LONG, lang)
            fig = styles.add_stamp(styles.apply_style(_loss_fig(), style, lang), text)
            fig.update_layout(width=fig.layout.width or 700, height=fig.layout.height or 500)
            box = page.evaluate("""async (spec) => {
                const gd = document.getElementById("g");
                await Plotly.newPlot(gd, spec.data, spec.layout);
                const svg = gd.querySelector(".main-svg").getBoundingClientRect();
                const note = [...gd.querySelectorAll(".annotation")].pop()
                    .getBoundingClientRect();
                return {svgLeft: svg.left, svgRight: svg.right, svgTop: svg.top,
                        left: note.left, right: note.right, top: note.top};
            }""", json.loads(fig.to_json()))
            assert box["svgLeft"] <= box["left"] and box["right"] <= box["svgRight"], (lang, box)
            assert box["top"] >= box["svgTop"], (lang, box)
    finally:
        page.close()


def test_file_stem_encodes_every_setting_that_changes_the_run() -> None:
    d, c = DataConfig(), TrainConfig()
    base = styles.file_stem("loss", d, c)
    assert base == "sgdlab_loss_seed1024_lr0.1_bs20_steps20_sgd_sequential"
    variants = {"lr": 0.2, "batch_size": 10, "steps": 30, "optimizer": "momentum",
                "sampling": "shuffle", "accumulation": 2}
    stems = {styles.file_stem("loss", d, replace(c, **{k: v})) for k, v in variants.items()}
    stems |= {styles.file_stem("loss", DataConfig(seed=5), c),
              styles.file_stem("fit", d, c), styles.file_stem("loss", d, c, "print")}
    assert base not in stems and len(stems) == len(variants) + 3
    assert styles.file_stem("loss", DataConfig(n=50, standardize=False), c) == \
        base + "_n50_raw-x"
    odd = styles.file_stem("params", None, replace(c, lr=1e-5), "notebook", "我的 data/1.csv")
    assert re.fullmatch(r"[A-Za-z0-9._+-]+", odd) and "lr1e-05" in odd


def test_chart_config_downloads_a_sharp_png_or_an_svg() -> None:
    png = styles.chart_config("stem")
    assert png["toImageButtonOptions"] == {"format": "png", "filename": "stem", "scale": 3}
    assert png["displaylogo"] is False
    assert png["showSendToCloud"] is False  # plotly.js 4 would offer a Plotly Cloud upload
    assert styles.chart_config("stem", "svg")["toImageButtonOptions"]["format"] == "svg"
    with pytest.raises(ValueError):
        styles.chart_config("stem", "gif")
    # The notebook figure is saved at its own 6 x 6 inches, however wide the page.
    sized = styles.chart_config("s", fig=styles.apply_style(_loss_fig(), "notebook", "en"))
    assert sized["toImageButtonOptions"] == {"format": "png", "filename": "s", "scale": 3,
                                             "width": 600, "height": 600}
    free = styles.chart_config("s", fig=styles.apply_style(_loss_fig(), "print", "en"))
    assert "width" not in free["toImageButtonOptions"]
