"""The live view's blob: the run on screen whole and exact, every member, within budget."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from sgdlab import DataConfig, TrainConfig, diagnosis, make_data, train
from sgdlab.family import Family, lr_family, with_run
from sgdlab.figures import live
from sgdlab.figures.encode import pack, unpack


def view(config: TrainConfig, step: int | None = None, lang: str = "en",
         data_config: DataConfig | None = None) -> tuple[dict, dict, Family]:
    data = make_data(data_config or DataConfig())
    history = train(data, config)
    fam = with_run(lr_family(data, config), history)
    said = diagnosis.warnings(fam.members, [lang])[lang]
    blob = live.live_view(fam, lang, history.steps if step is None else step, warnings=said,
                          true_line=(10.0, 5.0), key="k")
    return (*unpack(blob), fam)


def test_pack_round_trips_every_kind_of_array() -> None:
    arrays = {"f": np.arange(5, dtype=np.float32), "d": np.array([np.pi]),
              "u": np.arange(3, dtype=np.uint16), "i": np.array([-2], dtype=np.int32)}
    header, back = unpack(pack({"x": [1, "二"]}, arrays))
    assert header["x"] == [1, "二"]
    for name, arr in arrays.items():
        assert back[name].dtype == arr.dtype and np.array_equal(back[name], arr)
    with pytest.raises(TypeError):
        pack({}, {"bad": np.array(["text"])})


def test_the_run_on_screen_comes_whole_and_bit_for_bit() -> None:
    header, arrays, fam = view(TrainConfig())
    history = fam.members[fam.current]
    assert header["values"][header["current"]] == 0.1 and header["step"] == 20
    for name, want in (("a", history.a), ("b", history.b), ("bl", history.batch_loss),
                       ("ga", history.grad_a), ("gb", history.grad_b)):
        got = arrays[f"m{header['current']}.{name}"]
        assert np.array_equal(got.astype(np.float64), want), name  # float32 values, exact
    assert header["members"][header["current"]]["warning"] is None
    assert len(header["members"]) == len(header["values"]) == len(fam.members)
    x, y = history.data.xy64
    mx, my = x.mean(), y.mean()
    assert np.allclose(arrays["stats"], [mx, my, ((x - mx) ** 2).mean(),
                                         ((x - mx) * (y - my)).mean(), ((y - my) ** 2).mean()])


def test_each_member_says_what_it_would_say_alone() -> None:
    header, arrays, fam = view(TrainConfig())
    for i, m in enumerate(fam.members):
        member = header["members"][i]
        assert member["steps"] == m.steps and member["diverged_at"] == m.diverged_at
        assert member["title"] == live.run_title(m, "en")
        assert (member["warning"] is None) == (not m.troubled)
        assert member["forced_log"] == (m.diverged_at is not None or not bool(
            (m.total_loss <= 50 * m.initial_total_loss).all()))
    big = next(i for i, v in enumerate(header["values"]) if v == 3.0)
    assert header["members"][big]["loss_y"]["linear"]["type"] == "log"
    assert "diverged at step" in header["members"][big]["title"]


def test_the_panels_are_valid_plotly_and_name_each_moving_trace_once() -> None:
    header, _, _ = view(TrainConfig(sampling="shuffle"), step=7, lang="zh")
    moving = {"fit": ["batch", "fit"], "loss": ["batch_loss", "total_loss", "current"],
              "params": ["path", "current"]}
    for name, spec in header["panels"].items():
        go.Figure(spec)  # plotly's validators raise on any bad property
        roles = [t["meta"]["role"] for t in spec["data"]]
        for role in moving[name]:
            assert roles.count(role) == 1, (name, role)
        assert spec["layout"]["legend"]["y"] > 1  # above the plot, never on the data
    assert header["panels"]["params"]["layout"]["yaxis"]["scaleanchor"] == "x"


def test_random_batches_come_for_every_step_the_player_stops_on() -> None:
    header, arrays, fam = view(TrainConfig(sampling="shuffle", batch_size=30, steps=25), step=9)
    history = fam.members[fam.current]
    width = header["batches"]["width"]
    table = arrays["batches"].reshape(-1, width)
    for row, step in enumerate(arrays["stops"]):
        want = history.batch_indices(int(step))
        got = table[row][table[row] < header["n"]]
        assert np.array_equal(np.sort(got), np.sort(want)), step


def test_long_runs_are_sampled_within_budget_and_the_run_on_screen_stays_whole() -> None:
    short = len(pack(*unpack(live.live_view(*_family(TrainConfig()), "en", 20))))
    assert short < 300_000
    fam = _family(TrainConfig(steps=5000))[0]
    blob = live.live_view(fam, "en", 1234)
    assert len(blob) < 1_000_000
    header, arrays = unpack(blob)
    stops = arrays["stops"]
    assert 1234 in stops and 5000 in stops and len(stops) <= live.MAX_FRAMES + 20
    current = header["current"]
    assert len(arrays[f"m{current}.a"]) == 5000 and f"m{current}.t" not in arrays
    other = next(i for i, m in enumerate(fam.members) if m.steps == 5000 and i != current)
    kept = arrays[f"m{other}.t"]
    assert set(range(1, live.HEAD + 1)) <= set(kept.tolist()) and set(stops.tolist()) <= set(
        kept.tolist())
    assert np.array_equal(arrays[f"m{other}.a"], fam.members[other].a[kept - 1].astype(np.float32))


def test_a_family_of_one_is_the_run_on_screen_alone() -> None:
    data = make_data()
    history = train(data, TrainConfig())
    values = (0.01, 0.1, 1.0)
    header, _ = unpack(live.live_view(Family("lr", values, 1, (history,)), "en", 20))
    assert header["lone"] and len(header["members"]) == 1 and header["current"] == 1


def _family(config: TrainConfig) -> tuple[Family]:
    data = make_data()
    return (with_run(lr_family(data, config), train(data, config)),)


@pytest.mark.parametrize("lang, words", [
    ("en", ["lr = 0.1", "Nesterov momentum 0.8", "cosine annealing", "reshuffled every epoch",
            "accumulated over 2"]),
    ("zh", ["学习率 = 0.1", "Nesterov 动量 0.8", "余弦退火", "每轮重新打乱", "分 2 次累积"])])
def test_the_run_title_names_every_training_choice_that_is_not_the_notebooks(lang, words):
    config = TrainConfig(optimizer="nesterov", momentum=0.8, schedule="cosine",
                         sampling="shuffle", accumulation=2)
    title = live.run_title(train(DataConfig(), config), lang)
    assert all(w in title for w in words), title
    plain = live.run_title(train(DataConfig(), TrainConfig()), lang)
    assert plain.count("·") == 2  # the notebook's run: lr, batch, steps only


def test_frame_steps_keep_the_first_and_the_last() -> None:
    assert live.frame_steps(5).tolist() == [1, 2, 3, 4, 5]
    steps = live.frame_steps(1000, 200)
    assert len(steps) == 200 and steps[0] == 1 and steps[-1] == 1000
