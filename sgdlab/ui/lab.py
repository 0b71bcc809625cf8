"""Views beyond the notebook: stability map, seed bands, gradient noise and pinned runs.

Each view is ``<name>_ui(run)``; heavy results are kept per session under a key
of everything they depend on, so an unchanged rerun recomputes nothing.
:func:`pinned_runs` gives the pins as ``(label, History)`` for other charts' ghosts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from sgdlab import analysis, figures_lab, i18n, styles, sweep, theory
from sgdlab.config import DataConfig, TrainConfig, choice_label, spec
from sgdlab.history import History
from sgdlab.ui import classroom
from sgdlab.ui.charts import chart_ui, image_format, plot_config
from sgdlab.ui.context import Run
from sgdlab.ui.language import radio

MAX_MAP_STEPS = 1000  # the map trains every cell this long at most (cells x steps = time)
WORK = 50_000_000  # batch points x steps one view may train per rerun: a few seconds
MAX_PINS = 8
PINS = "lab_pins"
MAP_KEY = "lab_map"
T = TypeVar("T")

TEXT: i18n.Text = {
    "lr_count": ("Number of learning rates (the map's columns)", "学习率个数（图的列数）"),
    "computing": ("Training {cells} runs at once…", "正在同时训练 {cells} 次…"),
    "capped": ("The map trains each cell for {cap} steps (your run has {steps}).",
               "为了速度，图中每个格子只训练 {cap} 步（当前训练为 {steps} 步）。"),
    "click": ("Click a cell to load its learning rate and batch size into the sidebar.",
              "点击任一格子，即可把它的学习率和批次大小载入侧边栏。"),
    "loaded": ("Loaded learning rate {lr:.4g} and batch size {bs}.",
               "已载入学习率 {lr:.4g} 和批次大小 {bs}。"),
    "locked_all": ("The teacher's link locks the {names}: clicking a cell changes nothing.",
                   "老师的链接锁定了{names}：点击格子不会改变设置。"),
    "locked_part": ("Loaded the {what}; the teacher's link locks the {names}.",
                    "已载入{what}；老师的链接锁定了{names}。"),
    "and": (" and ", "和"),
    "why_title": ("Why are small batches less stable than the full batch?",
                  "为什么小批次比全量数据更不稳定？"),
    "why": ("Each update is a gradient step on the batch's own loss. Its curvature is the "
            "batch's Hessian 2·[[E x², E x], [E x, 1]], and a step is only safe while "
            "lr < $2/\\lambda_{{\\max}}$. All the data together allow lr < **{full:.3g}**. "
            "But the points are sorted by x and the notebook takes them in order, so a "
            "small batch holds neighbours from one end of the range, where E x² is large: "
            "the worst batch of size {bs} allows only lr < **{worst:.3g}**. One stiff batch "
            "overshoots, and the next ones come from the same end and push the same way "
            "instead of cancelling it. Shuffled batches mix both ends, so their curvature "
            "stays close to the whole data's. The lines are exact for plain SGD with a "
            "constant learning rate; momentum, Adam or a schedule move the real edge.",
            "每次更新都是在该批次自己的损失上走一步梯度。它的曲率是批次的黑塞矩阵 "
            "2·[[E x², E x], [E x, 1]]，只有当 lr < $2/\\lambda_{{\\max}}$ 时这一步才安全。"
            "全部数据允许 lr < **{full:.3g}**。但数据按 x 排好序，笔记本又按顺序取批次，"
            "所以小批次里是 x 范围一端的相邻点，E x² 很大：大小为 {bs} 的最差批次只允许 "
            "lr < **{worst:.3g}**。一个“陡”的批次会冲过头，而接下来的批次来自同一端，"
            "朝同一个方向推，无法抵消。打乱顺序后批次混合了两端的点，曲率接近整体数据。"
            "这两条线对恒定学习率的普通 SGD 是精确的；动量、Adam 或学习率调度会移动真实的边界。"),
    "why_title_not": ("Are small batches less stable here?", "这里小批次更不稳定吗？"),
    "why_not": ("Each update is a gradient step on the batch's own loss, safe while lr stays "
                "below the limit its curvature sets. All the data together allow lr < "
                "**{full:.3g}**, and batches of size {bs}, taken in this run's order, allow "
                "lr < **{worst:.3g}**: here they are not the weak point, and the map's small "
                "batches break no earlier than the full batch. The lines are exact for "
                "plain SGD with a constant learning rate; momentum, Adam or a schedule move "
                "the real edge.",
                "每次更新都是在该批次自己的损失上走一步梯度，学习率低于其曲率决定的上限时才安全。"
                "全部数据允许 lr < **{full:.3g}**，按本次训练的顺序取的大小为 {bs} 的批次允许 "
                "lr < **{worst:.3g}**：这里它们不是薄弱环节，"
                "图中的小批次并不比全量数据更早失稳。"
                "这两条线对恒定学习率的普通 SGD 是精确的；"
                "动量、Adam 或学习率调度会移动真实的边界。"),
    "vary": ("Vary", "改变"),
    "vary_sampling": ("sampling seed (batch order)", "取样种子（批次顺序）"),
    "vary_data": ("data seed (the noise)", "数据种子（噪声）"),
    "k": ("Number of seeds", "种子个数"),
    "band_sampling": ("Sampling for the band", "色带使用的取样方式"),
    "sequential_note": ("Batches in order have no randomness, so the band shows runs with "
                        "batches {sampling}, with your run in order on top.",
                        "按顺序取批次没有随机性，所以色带显示“{sampling}”取样的训练，"
                        "上面叠加你的按顺序训练。"),
    "no_data_seed": ("This data set has no seed; only the sampling seed can vary.",
                     "这个数据集没有种子，只能改变取样种子。"),
    # three significant digits, as the metrics row shows the same loss (1.106 beside 1.11)
    "rank": ("Your run ends lower than {pct:.0f}% of the {k} seeds (final whole-data loss "
             "{loss}; seeds: {lo} to {hi}).",
             "你的训练最终整体损失为 {loss}，低于 {k} 个种子中 {pct:.0f}% 的结果"
             "（种子范围：{lo} 到 {hi}）。"),
    "cant": ("Can't compute this: {msg}", "无法计算：{msg}"),
    "too_much": ("That is too much training for one view (seeds x batch size x steps); "
                 "lower one of them.", "这需要的训练量太大（种子个数 × 批次大小 × 训练步数），"
                 "请调小其中一个。"),
    "noise_capped": ("Showing the first {shown} of {steps} steps (large batches are slow to "
                     "recompute).", "只显示 {steps} 步中的前 {shown} 步（大批次重新计算较慢）。"),
    "step": ("Step", "训练步数"),
    "n_steps": ("{n} steps", "{n} 步"),
    # a pinned run's short label (a Chinese page had said "lr=0.1 · batch=20")
    "lr_is": ("lr={v:g}", "学习率={v:g}"),
    "batch_is": ("batch={v}", "批次大小={v}"),
    # (it had said the cosine drops well below 1 in the loss hump: there it is 0.85-0.9,
    # and lowest in steps 2-4, a reviewer measured)
    "noise_intro": ("The batch's gradient is a noisy estimate of the whole data's. In the "
                    "notebook's run the ordered batches each cover a narrow band of x, so the "
                    "step a batch asks for points away from the step all the data would "
                    "take: where their cosine falls below 1, the batch pulls the line aside.",
                    "批次梯度是整体梯度的带噪声估计。笔记本的训练中，"
                    "按顺序取的批次各自只覆盖 x 的一小段，所以批次要求的这一步"
                    "偏离全部数据会走的那一步：两者的余弦小于 1 的地方，批次把直线拉偏。"),
    "noise_follows": ("Follows the main view's current step ({step}); move this slider to "
                      "look at another.",
                      "跟随主视图的当前步（第 {step} 步）；拖动此滑块可查看其他步。"),
    "noise_step": ("Step shown here", "本视图显示的训练步"),
    "one_point": ("A batch with one distinct x has no line of its own.",
                  "只有一个不同 x 值的批次没有自己的最佳直线。"),
    "adaptive": ("Arrows show −lr × gradient; {opt} rescales the real step.",
                 "箭头是 −lr × 梯度；{opt} 会对实际步长重新缩放。"),
    "pin": ("Pin this run", "固定本次训练"),
    "pinned": ("Pinned: {label}", "已固定：{label}"),
    "already": ("This run is already pinned.", "本次训练已经固定过了。"),
    "full": ("At most {max} pins: remove one first.", "最多固定 {max} 个：请先移除一个。"),
    "remove": ("Remove", "移除"),
    "clear": ("Remove all", "全部移除"),
    "no_pins": ("Pin a run, change a setting, and both curves appear here and on the loss and "
                "parameter charts.",
                "固定一次训练，再改一个设置，两条曲线就会同时出现在这里以及损失图和参数图上。"),
    "this_run": ("this run", "本次训练"),
    "same_settings": ("same settings", "设置相同"),
    "other_data": ("(pinned on other data: not drawn here)", "（在其他数据上固定：此处不画）"),
    "col_run": ("run", "训练"), "col_loss": ("final loss", "最终整体损失"),
    "col_r2": ("R²", "R²"), "col_rmse": ("RMSE", "RMSE"),
    # short headers, as the caption below the table names them (it says what they mean)
    "col_dist": ("distance", "距离"),
    "col_steps": ("steps to 1%", "步数（1% 以内）"),
    "col_div": ("diverged at", "发散于"),
    "not_reached": ("not reached", "未达到"),
    "not_diverged": ("no", "否"),
    "at_step": ("step {step}", "第 {step} 步"),
    "metrics_help": ("R²: share of y's variance explained. RMSE: typical error. Distance: "
                     "from (a, b) to the least-squares (a, b). Steps: first step whose "
                     "whole-data loss is within 1% of the least-squares minimum.",
                     "R²：解释了 y 方差的比例。RMSE：典型误差。"
                     "距离：(a, b) 到最小二乘 (a, b) 的距离。"
                     "步数：整体损失第一次落在最小二乘最小值 1% 以内的训练步数。"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def labelled(bar: Any, text: str) -> Callable[[int, int], None]:
    """A sweep's progress callback that moves ``bar`` and keeps its words: each
    ``progress()`` call replaces the whole element, and one without text had left a
    bare bar on screen for the whole of a long map (a reviewer waited 53 s)."""
    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text)
    return progress


def _data_key(run: Run) -> Any:
    if run.data_config is not None:
        return run.data_config
    return run.data.digest


def _stem(run: Run, kind: str) -> str:
    """A chart's download name: its kind and the run's settings."""
    return styles.file_stem(kind, run.data_config, run.train_config, data_name=run.data.name)


def _kept(name: str, key: Any, compute: Callable[[], T], size: int = 4) -> T:
    """``compute()`` once per key, remembering the last ``size`` results in this session."""
    store: dict[Any, Any] = st.session_state.setdefault(f"lab_cache_{name}", {})
    if key not in store:
        value = compute()
        store[key] = value
        while len(store) > size:
            store.pop(next(iter(store)))
    return store[key]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- stability map


def cell_from_event(event: Any) -> tuple[float, int] | None:
    """(lr, batch size) of the first clicked map cell in a plotly selection event, if any."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    cells = [p["customdata"] for p in points if len(p.get("customdata") or []) == 3]
    # Four significant digits: a value a teacher can read out; the map cannot tell them apart.
    return (float(f"{float(cells[0][0]):.4g}"), int(cells[0][1])) if cells else None


CELL_SETTINGS = ("lr", "batch_size")


def _fixed_by_link() -> list[str]:
    """The map's settings that the teacher's link locks or hides: a click must not change them."""
    return [n for n in CELL_SETTINGS if classroom.locked(n) or classroom.hidden(n)]


def load_cell() -> None:
    """on_select of the map: put the clicked cell's lr and batch size into the sidebar's keys.

    A callback runs before the script, so the sidebar widgets are not drawn yet and
    their keys may still be written (Streamlit forbids that after they are drawn).
    Settings the link locks or hides keep their value.
    """
    cell = cell_from_event(st.session_state.get(MAP_KEY))
    if cell is not None:
        fixed = _fixed_by_link()
        for name, value in zip(CELL_SETTINGS, cell, strict=True):
            if name not in fixed:
                st.session_state[name] = value
        st.session_state["lab_loaded"] = cell


def _loaded_ui(lang: str) -> None:
    """What the last click loaded, and what the link kept as it was."""
    loaded = st.session_state.pop("lab_loaded", None)
    if loaded is None:
        return
    fixed = _fixed_by_link()
    if not fixed:
        st.success(tr("loaded", lang, lr=loaded[0], bs=loaded[1]))
        return
    names = tr("and", lang).join(_setting_name(n, lang) for n in fixed)
    if len(fixed) == len(CELL_SETTINGS):
        st.warning(tr("locked_all", lang, names=names))
    else:
        free = "batch_size" if fixed == ["lr"] else "lr"
        value = f"{loaded[1]}" if free == "batch_size" else f"{loaded[0]:.4g}"
        st.warning(tr("locked_part", lang, names=names,
                      what=f"{_setting_name(free, lang)} {value}"))


def _setting_name(name: str, lang: str) -> str:
    words = spec(TrainConfig, name)
    return (words.en.lower() if lang == "en" else words.zh)


def stability_ui(run: Run) -> None:
    """Final loss over learning rate x batch size, theory lines, click a cell to load it."""
    lang, c = run.lang, run.train_config
    count = st.slider(tr("lr_count", lang), 10, 60, 40, step=5, key="lab_lr_count")
    # Start two decades below the full-batch limit (raw x is stable only near 2e-5).
    limit = theory.max_stable_lr(theory.data_hessian(run.data))
    floor = float(spec(TrainConfig, "lr").lo or 1e-6)
    # ... and never above the current rate, whose ring must be on the map.
    lrs = sweep.default_lrs(count, lo=max(floor, min(1e-3, limit / 100, c.lr)))
    bss = sweep.default_batch_sizes(run.data.n, include=[c.batch_size],
                                    multiple_of=c.accumulation)
    steps = max(1, min(c.steps, MAX_MAP_STEPS, WORK // (len(lrs) * int(bss.sum()))))
    base = replace(c, steps=steps)
    # Every cell sets its own lr and batch size: loading a cell must not recompute the map.
    shared = {k: v for k, v in asdict(base).items() if k not in ("lr", "batch_size")}
    key = (_data_key(run), tuple(sorted(shared.items())), count, tuple(bss.tolist()))

    def compute() -> sweep.Sweep:
        text = tr("computing", lang, cells=len(lrs) * len(bss))
        bar = st.progress(0.0, text)
        result = sweep.sweep(run.data, base, lrs, bss, progress=labelled(bar, text))
        bar.empty()
        return result

    result = _kept("map", key, compute)
    bounds = _kept("bounds", key, lambda: sweep.stability_bounds(run.data, base, bss))
    if steps < c.steps:
        st.caption(tr("capped", lang, cap=steps, steps=c.steps))
    _loaded_ui(lang)
    fig = figures_lab.stability_figure(result, bounds, (c.lr, c.batch_size), lang,
                                       start=run.history.initial_total_loss)
    st.plotly_chart(fig, key=MAP_KEY, on_select=load_cell, selection_mode="points", theme=None,
                    config=plot_config(_stem(run, "stability"), image_format()),
                    width="stretch")
    fixed = _fixed_by_link()
    if len(fixed) == len(CELL_SETTINGS):
        names = tr("and", lang).join(_setting_name(n, lang) for n in fixed)
        st.caption(tr("locked_all", lang, names=names))
    else:
        st.caption(tr("click", lang))
    # The usual story (small ordered batches break first) holds only when they do: with
    # raw x they allow more than the whole data, and the text had said the opposite of
    # its own numbers (a reviewer).
    worst = float(bounds.worst_batch[0])
    why = "why" if worst < 0.999 * bounds.full_batch else "why_not"
    with st.expander(tr("why_title" if why == "why" else "why_title_not", lang), expanded=True):
        st.markdown(tr(why, lang, full=bounds.full_batch, worst=worst,
                       bs=int(bounds.batch_sizes[0])))


# ---------------------------------------------------------------- seed bands


def seeds_ui(run: Run) -> None:
    """K runs that differ only in one seed as a band, with the current run on top."""
    lang, c = run.lang, run.train_config
    options = ["sampling", "data"] if run.data_config is not None else ["sampling"]
    left, mid, right = st.columns(3)
    vary = radio(left, tr("vary", lang), options, key="lab_vary", lang=lang,
                 format_func=lambda v: tr("vary_" + v, lang))
    k = mid.slider(tr("k", lang), 2, 100, 20, key="lab_k")
    sampling = c.sampling
    if vary == "sampling" and c.sampling == "sequential":
        sampling = right.selectbox(tr("band_sampling", lang), ["shuffle", "replacement"],
                                   key="lab_band_sampling",
                                   format_func=lambda v: choice_label(v, lang))
        st.info(tr("sequential_note", lang, sampling=choice_label(sampling, lang)))
    if run.data_config is None:
        st.caption(tr("no_data_seed", lang))
    key = (_data_key(run), c, vary, k, sampling)
    if k * c.batch_size * c.steps > WORK:
        st.warning(tr("too_much", lang))
        return
    try:
        band = _kept("band", key, lambda: _band(run, k, vary, sampling))
    except ValueError as e:
        st.error(tr("cant", lang, msg=e))
        return
    chart_ui(figures_lab.seed_band_figure(band, run.history, lang), key="lab_band",
             stem=_stem(run, f"seeds-{vary}"))
    finals = band.total_loss[:, -1]
    finals = finals[np.isfinite(finals)]
    if run.history.diverged_at is None and len(finals):
        loss = float(run.history.total_loss[-1])
        st.caption(tr("rank", lang, pct=100 * float(np.mean(finals > loss)), k=len(band.seeds),
                      loss=i18n.sig3(loss), lo=i18n.sig3(float(finals.min())),
                      hi=i18n.sig3(float(finals.max()))))


def _band(run: Run, k: int, vary: str, sampling: str) -> analysis.Band:
    with st.spinner(tr("computing", run.lang, cells=k)):
        return analysis.seed_band(run.data, run.train_config, k, vary, run.data_config,
                                  sampling)


# ---------------------------------------------------------------- gradient noise


def noise_ui(run: Run) -> None:
    """At one step: the batch's own best line and the two gradients; over the run: their cosine."""
    lang, h = run.lang, run.history
    if h.steps == 0:
        return
    st.markdown(tr("noise_intro", lang))
    shown = min(h.steps, max(1, WORK // run.train_config.batch_size))
    main = st.session_state.get("live_step")  # the dashboard's step box, when there is one
    if main is not None and st.session_state.get("lab_step_follows") != main:
        # The main view moved since this view was drawn: open on its step.
        st.session_state["lab_step_follows"] = main
        st.session_state["lab_step"] = int(main)
    st.session_state["lab_step"] = min(max(int(st.session_state.get("lab_step", 4)), 1), shown)
    # A one-step run has no other step to look at, and a slider from 1 to 1 raises.
    step = int(st.slider(tr("noise_step", lang), 1, shown, key="lab_step")) if shown > 1 else 1
    if main is not None:
        classroom.tab_shows_step(int(main))
        st.caption(tr("noise_follows", lang, step=main))
    if shown < h.steps:
        st.caption(tr("noise_capped", lang, shown=shown, steps=h.steps))
    noise = _kept("noise", (_data_key(run), run.train_config, shown),
                  lambda: analysis.gradient_noise(h, shown))
    fit = analysis.batch_fit(h, step)
    left, right = st.columns(2)
    with left:
        chart_ui(figures_lab.batch_fit_figure(h, fit, step, float(noise.a[step - 1]),
                                              float(noise.b[step - 1]), lang), key="lab_fit",
                 stem=_stem(run, f"batch-fit-step{step}"))
        if fit.a is None:
            st.caption(tr("one_point", lang))
    with right:
        chart_ui(figures_lab.gradient_figure(h, noise, step, lang), key="lab_arrows",
                 stem=_stem(run, f"gradients-step{step}"))
        if run.train_config.optimizer != "sgd":
            st.caption(tr("adaptive", lang, opt=run.train_config.optimizer))
    chart_ui(figures_lab.cosine_figure(noise, step, lang), key="lab_cosine",
             stem=_stem(run, "cosine"))


# ---------------------------------------------------------------- compare runs


def _setting_parts(data_config: DataConfig | None, config: TrainConfig,
                   lang: str) -> dict[str, str]:
    """Each setting of a run as short text, keyed by field name ("lr" -> "lr=0.1")."""
    parts = {"lr": tr("lr_is", lang, v=config.lr),
             "batch_size": tr("batch_is", lang, v=config.batch_size),
             "sampling": choice_label(config.sampling, lang),
             "optimizer": choice_label(config.optimizer, lang),
             "steps": tr("n_steps", lang, n=config.steps)}
    for name, value in asdict(config).items():
        if name not in parts:
            label = spec(TrainConfig, name).zh if lang == "zh" else name
            parts[name] = f"{label}={value:g}" if isinstance(value, float) else f"{label}={value}"
    for name, value in asdict(data_config or DataConfig()).items():
        label = spec(DataConfig, name).label(lang)
        parts["data." + name] = (f"{label}={value:g}" if isinstance(value, float)
                                 else f"{label}={value}")
    return parts


def settings_label(data_config: DataConfig | None, config: TrainConfig, lang: str) -> str:
    """Short settings of a run: lr, batch, sampling, optimizer, steps, and any other non-default."""
    parts = _setting_parts(data_config, config, lang)
    defaults = _setting_parts(DataConfig() if data_config is not None else None, TrainConfig(),
                              lang)
    always = ("lr", "batch_size", "sampling", "optimizer", "steps")
    return " · ".join(v for k, v in parts.items() if k in always or v != defaults[k])


def difference_label(pinned: tuple[DataConfig | None, TrainConfig],
                     run: tuple[DataConfig | None, TrainConfig], lang: str) -> str:
    """The settings in which a pinned run differs from the run on screen, e.g. "lr=0.5".

    That is what a ghost's legend entry says: change one control, and the
    legend names exactly that control.
    """
    ours, theirs = _setting_parts(*run, lang), _setting_parts(*pinned, lang)
    changed = [v for k, v in theirs.items() if v != ours[k]]
    return " · ".join(changed) if changed else tr("same_settings", lang)


def _comparable(pin: dict[str, Any], run: Run) -> bool:
    """Can the pin be drawn beside ``run``? Both on the synthetic data (whose settings are
    themselves something to compare), or both on the same table and columns."""
    if run.data_config is not None or pin["data_config"] is not None:
        return run.data_config is not None and pin["data_config"] is not None
    return bool(pin["data_name"] == run.data.name)


def _pin_label(pin: dict[str, Any], lang: str) -> str:
    label = f"#{pin['id']} " + settings_label(pin["data_config"], pin["train_config"], lang)
    return label if pin["data_config"] is not None else f"{label} · {pin['data_name']}"


def pinned_runs(run: Run) -> list[tuple[str, History]]:
    """Pins drawable beside ``run`` as (legend label, History), oldest first: ``ghosts=``.

    A label is the pin's number and how its settings differ from ``run``'s, in
    ``run``'s language. Pins on other data are left out: their losses are not
    on the same scale.
    """
    here = (run.data_config, run.train_config)
    return [(f"#{p['id']} " + difference_label((p["data_config"], p["train_config"]), here,
                                               run.lang), p["history"])
            for p in st.session_state.get(PINS, []) if _comparable(p, run)]


def pin(run: Run) -> str:
    """Pin the current run; returns "pinned", "already" or "full"."""
    pins = st.session_state.setdefault(PINS, [])
    ident = (_data_key(run), run.train_config)
    if any(p["ident"] == ident for p in pins):
        return "already"
    if len(pins) >= MAX_PINS:
        return "full"
    number = int(st.session_state.get("lab_pin_counter", 0)) + 1
    st.session_state["lab_pin_counter"] = number
    pins.append({"id": number, "ident": ident, "data_config": run.data_config,
                 "train_config": run.train_config, "data_name": run.data.name,
                 "history": run.history})
    return "pinned"


def _pin_clicked(run: Run) -> None:
    st.session_state["lab_pin_outcome"] = pin(run)


def unpin(pin_id: int | None = None) -> None:
    """Remove the pin with ``pin_id``, or every pin when None."""
    pins = st.session_state.get(PINS, [])
    st.session_state[PINS] = [] if pin_id is None else [p for p in pins if p["id"] != pin_id]


def compare_ui(run: Run) -> None:
    """Pin runs, see their whole-data loss beside this run's, and compare fit metrics."""
    lang = run.lang
    # A callback pins before the script reruns, so charts drawn above this view
    # (the dashboard's loss and parameter charts) already show the new ghost.
    st.button(tr("pin", lang), key="lab_pin", type="primary", icon=":material/push_pin:",
              on_click=_pin_clicked, args=(run,))
    outcome = st.session_state.pop("lab_pin_outcome", None)
    pins = st.session_state.get(PINS, [])
    if outcome == "pinned":
        st.toast(tr("pinned", lang, label=_pin_label(pins[-1], lang)))
    elif outcome is not None:
        st.warning(tr(outcome, lang, max=MAX_PINS))
    ghosts = pinned_runs(run)
    if not pins:
        st.info(tr("no_pins", lang))
    for p in pins:
        text, button = st.columns([6, 1], vertical_alignment="center")
        other = "" if _comparable(p, run) else " " + tr("other_data", lang)
        text.markdown(f"`{_pin_label(p, lang)}`{other}")
        button.button(tr("remove", lang), key=f"lab_unpin_{p['id']}", on_click=unpin,
                      args=(p["id"],))
    if len(pins) > 1:
        st.button(tr("clear", lang), key="lab_unpin_all", on_click=unpin)
    if run.history.steps:
        chart_ui(figures_lab.compare_figure(run.history, ghosts, lang), key="lab_compare",
                 stem=_stem(run, "compare"))
    rows = [(tr("this_run", lang), run.history)] + ghosts
    frame = metrics_frame(rows, lang)
    # Four significant digits: "−11720.2242" in a narrow column lost its sign and
    # first digits on a 1280-px screen.
    number = st.column_config.NumberColumn(format="%.4g")
    # The run's label (every setting that differs) took the table's width at 1366 px, and
    # the "diverged at" column the student needed sat behind a scroll (a reviewer): the
    # label column is held to a medium width, its full text in the cell's tooltip.
    label = st.column_config.TextColumn(width="medium", pinned=True)
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={frame.columns[0]: label,
                                **{c: number for c in frame.columns[1:5]}})
    st.caption(tr("metrics_help", lang))


def metrics_frame(rows: list[tuple[str, History]], lang: str) -> pd.DataFrame:
    """One row per run: final loss, R², RMSE, distance to the optimum, steps to 1%, divergence.

    The last two say "not reached" and "no" in words: a blank or "None" in a
    projected table reads as missing data.
    """
    records = []
    for label, h in rows:
        m = analysis.metrics(h)
        records.append({
            tr("col_run", lang): label,
            tr("col_loss", lang): float(h.total_loss[-1]) if h.steps else float("nan"),
            tr("col_r2", lang): m.r2, tr("col_rmse", lang): m.rmse,
            tr("col_dist", lang): m.distance,
            tr("col_steps", lang): (tr("not_reached", lang) if m.steps_to_1pct is None
                                    else str(m.steps_to_1pct)),
            tr("col_div", lang): (tr("not_diverged", lang) if h.diverged_at is None
                                  else tr("at_step", lang, step=h.diverged_at))})
    return pd.DataFrame(records)
