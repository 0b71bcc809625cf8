"""The live view: one animated figure (fit, parameter space, loss), metrics, log line, table.

Playback runs in the browser (plotly frames), so playing costs no server round
trip. The step box below picks the step the page opens on and that the
metrics, the log line and the table describe; stepping reruns only this
fragment, never the training or the sidebar.
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import streamlit as st

from sgdlab import figures, i18n, styles, sweep, theory, worker
from sgdlab.config import DataConfig, TrainConfig, choice_label, spec
from sgdlab.data import Data
from sgdlab.history import History
from sgdlab.ui import classroom, live_chart, process
from sgdlab.ui.charts import chart_ui, image_format
from sgdlab.ui.context import Run

TEXT: i18n.Text = {
    "step": ("Current step", "当前步"),
    "step_help": ("The step shown when the page opens; the − and + buttons step back and "
                  "forward. ▶ in the chart plays every step in the browser.",
                  "页面显示的训练步；− 和 + 按钮后退、前进一步。图中的 ▶ 在浏览器里逐步播放。"),
    "log_y": ("Log-scale loss", "损失用对数坐标"),
    "log_y_help": ("Show the loss axis on a log scale: small losses near the minimum and "
                   "early large ones both stay readable.",
                   "损失轴用对数坐标：接近最小值的小损失和开始时的大损失都看得清。"),
    "log_forced_help": ("This run's loss blows up or leaves the frame, and that only reads on "
                        "a log scale: its loss axis is logarithmic whatever the switch says.",
                        "这次训练的损失爆炸或超出画面，只有对数坐标才看得清：它的损失轴总是对数坐标。"),
    "a": ("slope a", "斜率 a"),
    "b": ("intercept b", "截距 b"),
    "batch_loss": ("batch loss", "批次损失"),
    "total_loss": ("whole-data loss", "整体损失"),
    "distance": ("distance to optimum", "到最优点的距离"),
    "distance_help": ("Euclidean distance from (a, b) to the least-squares (a*, b*).",
                      "(a, b) 到最小二乘解 (a*, b*) 的欧氏距离。"),
    "diverged": ("Training diverged at step {step}: the loss blew up, so the run is shown "
                 "up to step {last}. ",
                 "训练在第 {step} 步发散：损失爆炸，所以只显示到第 {last} 步。"),
    "diverged_first": ("Training diverged at the first update: the loss blew up at once. ",
                       "训练在第一次更新就发散：损失立刻爆炸。"),
    "blowup": ("That update threw (a, b) from ({a0}, {b0}) to ({a}, {b}), and the whole-data "
               "loss from {before} to {after}. ",
               "这一步把 (a, b) 从 ({a0}, {b0}) 甩到了 ({a}, {b})，整体损失从 {before} "
               "变成了 {after}。"),
    "rising": ("The whole-data loss ends at {end:.3g}, above the {start:.3g} it started from "
               "(a = b = 0), after coming down to {low:.3g}: this run is heading for "
               "divergence. ",
               "整体损失最后是 {end:.3g}，比开始时(a = b = 0)的 {start:.3g} 还高，"
               "而中途曾降到 {low:.3g}：这次训练正在走向发散。"),
    # "no step blows up", not "safe": below it, in-order batch-1 SGD still circles far from
    # the optimum (loss 9.6 after 10,000 steps at 0.25, against 1.1; a reviewer)
    "cure": ("Cure: a smaller learning rate; below {batch_lr:.3g} no step blows up. On all "
             "the data, "
             "gradient descent converges below {max_lr:.4g} (2 / largest eigenvalue of the "
             "loss's Hessian), but each step here sees a batch of {batch}, and the steepest "
             "batch this run uses is stable only below {batch_lr:.3g}.",
             "解决办法：减小学习率；小于 {batch_lr:.3g} 时，没有哪一步会让损失爆炸。"
             "在全部数据上，梯度下降在学习率小于 "
             "{max_lr:.4g}（2 / 损失的黑塞矩阵 H 的最大特征值）时收敛；但这里每一步只看到 {batch} "
             "个点的批次，本次训练用到的最陡的批次只在学习率小于 {batch_lr:.3g} 时稳定。"),
    "cure_full": ("Cure: a smaller learning rate. For these data, plain gradient descent "
                  "converges only for a learning rate below {max_lr:.4g} (2 / largest "
                  "eigenvalue of the loss's Hessian).",
                  "解决办法：减小学习率。对这些数据，梯度下降只有在学习率小于 {max_lr:.4g}"
                  "（2 / 损失的黑塞矩阵 H 的最大特征值）时才收敛。"),
    "cure_tried": ("Cure: a smaller learning rate. Tried by training at halved rates, "
                   "{lr:.3g} lasts {steps} steps of these batches without blowing up.",
                   "解决办法：减小学习率。把学习率逐次减半来试训练：{lr:.3g} 能在这些批次上"
                   "训练 {steps} 步而不发散。"),
    "not_sgd": (" (The limits from the loss's curvature, {batch_lr:.3g} for these batches, "
                "are plain SGD's: {optimizer} has its own.)",
                "(由损失曲率算出的上限，对这些批次是 {batch_lr:.3g}，只适用于普通 SGD；"
                "{optimizer} 有自己的上限。)"),
    "cure_none": ("Cure: a smaller learning rate; halving it {halvings} times was not "
                  "enough to last {steps} steps.",
                  "解决办法：减小学习率；把它减半 {halvings} 次仍不能稳定训练 {steps} 步。"),
    "standardize_hint": (" Or switch 'Standardize x' on, which makes much larger rates stable.",
                         "或者打开“归一化 x”，可以用大得多的学习率。"),
    "too_small": (" That is below the smallest rate this app offers ({lo:g}): switch "
                  "'Standardize x' on, and rates near 1 become stable.",
                  "这比本应用能设的最小学习率（{lo:g}）还小：请打开“归一化 x”，"
                  "学习率接近 1 也能稳定。"),
    "table": ("Step by step", "逐步数据"),
    "table_window": ("Rows {lo}–{hi} of {n}, around the chosen step.",
                     "第 {lo}–{hi} 行（共 {n} 行），围绕所选的训练步。"),
    "no_steps": ("No step could be taken. Here are the data as the model sees them: "
                 "look at the range of the x axis.",
                 "一步也没有完成。下图是模型看到的数据：注意 x 轴的范围。"),
}
STEP_KEY = live_chart.STEP_BOX  # the step box's key (its CSS fades it while ▶ plays)
LOG_Y = "live_log_y"  # session_state: the log-scale switch, read before it is drawn too
TABLE_ROWS = 20  # rows drawn around the chosen step; the full history is in the export
_TABLE_CSS = """<style>
.sgdlab-steps {border-collapse: collapse; font-size: 0.95rem; font-variant-numeric: tabular-nums}
.sgdlab-steps th, .sgdlab-steps td {padding: 0.2rem 0.8rem; text-align: right;
  border-bottom: 1px solid #e6e6e6}
.sgdlab-steps th {border-bottom: 2px solid #999}
.sgdlab-steps tr.current {background: #fde9c9; font-weight: 600}
</style>"""


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


# How the caches below hash settings: a frozen dataclass's repr names every field
# and value exactly (floats round-trip), and is ~10x cheaper than Streamlit's
# generic hashing of the object, which runs on every call, hit or miss.
CONFIG_HASH: dict[Any, Any] = {DataConfig: repr, TrainConfig: repr}


# Runs in cache_resource, not cache_data: every session gets the same History
# (read-only by contract) instead of an unpickled copy of its tensors per rerun.
@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def cached_train(data_config: DataConfig, train_config: TrainConfig,
                 _opening: tuple[str, bool] | None = None) -> History:
    """The run for these settings, computed once per distinct pair.

    With ``_opening`` = (language, log scale), not part of the key, the worker
    that trains the run also builds the live figure the page opens on (the last
    step), and :func:`cached_live_payload` takes it from there.
    """
    if _opening is None:
        return process.train_run(data_config, train_config)
    lang, log_y = _opening
    history, spec = process.in_worker(worker.live_task, data_config, train_config, lang, log_y,
                                      (data_config.slope, data_config.intercept))
    _OPENING.put(_spec_key(data_config, train_config, lang, history.steps, log_y), spec)
    return history


def _spec_key(data_config: DataConfig, train_config: TrainConfig, lang: str, step: int,
              log_y: bool) -> tuple[str, str, str, int, bool]:
    """What a live figure is built from: the key of the hand-over between the two caches."""
    return repr(data_config), repr(train_config), lang, step, log_y


def page_run(data_config: DataConfig, train_config: TrainConfig, lang: str) -> History:
    """The run the page shows; a new one arrives with the figure it opens on."""
    log_y = bool(st.session_state.get(LOG_Y, False))
    return cached_train(data_config, train_config, _opening=(lang, log_y))


class _Handover:
    """Figures built beside a run, waiting for the first rerun that draws them (bounded)."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def put(self, key: Any, spec: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = spec
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def take(self, key: Any) -> dict[str, Any] | None:
        with self._lock:
            return self._items.pop(key, None)


_OPENING = _Handover()


def data_key(data: Data) -> tuple[str, int, str]:
    """What identifies a data set for caching: its name and a digest of its values."""
    return data.name, data.n, data.digest


@st.cache_resource(max_entries=16, show_spinner=False,
                   hash_funcs={Data: data_key, **CONFIG_HASH})
def cached_train_on(data: Data, train_config: TrainConfig) -> History:
    """The run on a built-in or uploaded data set, computed once per distinct pair."""
    return process.train_run(data, train_config)


# The chart's payload (JSON bytes) stays in cache_data: a hit is a copy of bytes, where a
# cached spec was unpickled and serialised again on every rerun (1.4 ms at 5,000 steps).
@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def cached_live_payload(data_config: DataConfig, train_config: TrainConfig, lang: str,
                        step: int, log_y: bool, image_format: str = "png") -> bytes:
    """The live figure as the chart's payload, cached: an unchanged rerun rebuilds nothing."""
    history = cached_train(data_config, train_config)
    spec = _OPENING.take(_spec_key(data_config, train_config, lang, step, log_y))
    if spec is None:
        spec = figures.live_spec(history, lang, step=step, log_y=log_y,
                                 true_line=(data_config.slope, data_config.intercept))
    return live_payload(history, spec, lang, styles.file_stem("live", data_config, train_config),
                        image_format)


def live_payload(history: History, spec: dict[str, Any], lang: str, stem: str,
                 image_format: str) -> bytes:
    """The chart's payload for ``spec``, with the page's numbers for each of its frames."""
    return live_chart.payload(spec, lang, stem, image_format,
                              readouts=frame_readouts(history, spec))


Ghosts = tuple[tuple[str, History], ...]


def live_ui(run: Run, ghosts: Ghosts = ()) -> None:
    """The diverging-run warning, then the live figure with its step controls.

    ``ghosts`` are pinned runs, drawn as labelled lines on the loss and parameter panels.
    """
    history = run.history
    warning = trouble(run)
    if warning:
        st.warning(warning, icon="⚠️")
    if history.steps == 0:
        # Not a blank: raw x at the notebook's rate dies here, and the data's x axis
        # (100 to 300, not -1.7 to 1.7) is the lesson (a reviewer).
        st.caption(tr("no_steps", run.lang))
        chart_ui(figures.fit_figure(history, lang=run.lang, true_line=run.true_line),
                 key="live_no_steps",
                 stem=styles.file_stem("fit", run.data_config, run.train_config,
                                       data_name=run.data.name))
        classroom.copy_link_ui(run)
        classroom.sync_url(run)  # (otherwise step_ui writes the address, with the step)
        return
    _step_key_follows(run)
    step_ui(run, ghosts)


def trouble(run: Run) -> str | None:
    """What the page warns about, with the cure: a run that diverged, or one on its way.

    The cure's rate comes from the run's own batches: gradient descent on all
    the data tolerates up to 2 / lambda_max, but a step on an ordered batch from
    one end of x sees a steeper loss, so a rate below the full-data limit can
    still blow up (a fresh-user report: lr 0.95 diverged while the warning said
    "below 1").
    """
    h, lang, config = run.history, run.lang, run.train_config
    if h.diverged_at is not None:
        head = tr("diverged" if h.steps else "diverged_first", lang, step=h.diverged_at,
                  last=h.steps) + blowup_text(h, lang)
    elif h.rising:
        head = tr("rising", lang, start=h.initial_total_loss, end=float(h.total_loss[-1]),
                  low=float(np.min(h.total_loss)))
    else:
        return None
    bounds = sweep.stability_bounds(run.data, config, [config.batch_size])
    max_lr, batch_lr = bounds.full_batch, float(bounds.worst_batch[0])
    partial = config.batch_size < run.data.n and batch_lr < 0.999 * max_lr
    if config.optimizer == "sgd" and config.lr > (batch_lr if partial else max_lr):
        cure = (tr("cure", lang, batch_lr=batch_lr, max_lr=max_lr, batch=config.batch_size)
                if partial else tr("cure_full", lang, max_lr=max_lr))
    else:
        # Plain SGD's limits from the curvature do not cover momentum, Nesterov or the
        # adaptive optimizers: "below 0.292 is safe" stood over a momentum run at 0.1
        # (a reviewer). The cure's rate is then one found by training.
        tried = cached_tried_rate(run.data, config)
        cure = (tr("cure_none", lang, halvings=sweep.TRIED_HALVINGS,
                   steps=sweep.tried_steps(config)) if tried is None
                else tr("cure_tried", lang, lr=tried.lr, steps=tried.steps))
        if config.optimizer != "sgd":
            cure += tr("not_sgd", lang, batch_lr=min(batch_lr, max_lr),
                       optimizer=choice_label(config.optimizer, lang))
    raw_x = not run.data.standardized
    lowest = float(spec(TrainConfig, "lr").lo or 0.0)
    if raw_x and min(max_lr, batch_lr) < lowest:
        cure += tr("too_small", lang, lo=lowest)  # no rate on the slider would do
    elif raw_x:
        cure += tr("standardize_hint", lang)
    return head + cure


@st.cache_data(max_entries=64, show_spinner=False)
def _tried_rate(_data: Data, key: tuple[str, int, str],
                config: TrainConfig) -> sweep.TriedRate | None:
    return sweep.tried_rate(_data, config)


def cached_tried_rate(data: Data, config: TrainConfig) -> sweep.TriedRate | None:
    """:func:`sgdlab.sweep.tried_rate`, once per data and settings (up to a second)."""
    return _tried_rate(data, data_key(data), config)


def blowup_text(history: History, lang: str) -> str:
    """What the diverging update did, in numbers: where it threw (a, b) and the loss.

    A teacher's "look what happened" (raw x at the notebook's rate dies on the first
    update, and the page had only said so). Empty when the history does not know.
    """
    if history.blowup is None:
        return ""
    a, b, after = history.blowup
    if history.steps:
        a0, b0 = float(history.a[-1]), float(history.b[-1])
        before = float(history.total_loss[-1])
    else:
        a0 = b0 = 0.0
        before = history.initial_total_loss
    return tr("blowup", lang, a0=_num(a0), b0=_num(b0), a=_num(a), b=_num(b),
              before=_num(before), after=_num(after))


def _num(value: float) -> str:
    """A number that may have blown up: 3 significant digits, or ∞ / NaN."""
    if np.isnan(value):
        return "NaN"
    if np.isinf(value):
        return "−∞" if value < 0 else "∞"
    return f"{value:.3g}"


def _step_key_follows(run: Run) -> None:
    """A new run opens on its last step (the notebook's result), or on the step a link or
    preset asked for; the same run keeps its step."""
    ident = (run.data_config, run.train_config, run.data.name, run.data.n)
    if st.session_state.get("live_run") != ident:
        st.session_state["live_run"] = ident
        asked = st.session_state.pop(classroom.STEP, None)
        st.session_state[STEP_KEY] = run.history.steps if asked is None else int(asked)
    st.session_state[STEP_KEY] = min(max(int(st.session_state.get(STEP_KEY, 1)), 1),
                                        run.history.steps)


@st.fragment
def step_ui(run: Run, ghosts: Ghosts = ()) -> None:
    """The figure, then its step box and log switch, the metrics and the table for the step."""
    lang, history = run.lang, run.history
    # The figure first, its step box and switches below it: above it they pushed the
    # figure's play buttons below the first screen of a 1920x1080 projector.
    chart_slot = st.container()
    # One row that wraps, not three columns: at 1024 px a quarter of the row cut the link
    # button to "复…" and the step box lost its − and + (a reviewer).
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    step = int(row.number_input(tr("step", lang), 1, history.steps, step=1, key=STEP_KEY,
                                help=tr("step_help", lang), width=220))
    if figures.forced_log(history):  # the figure is on a log axis anyway: say so, switched on
        row.toggle(tr("log_y", lang), True, key="live_log_forced", disabled=True,
                   help=tr("log_forced_help", lang), width="content")
        log_y = bool(st.session_state.get(LOG_Y, False))
    else:
        log_y = row.toggle(tr("log_y", lang), key=LOG_Y, help=tr("log_y_help", lang),
                           width="content")
    # A new step reruns only this fragment; an open tab that shows the step follows it.
    if _in_fragment_run() and classroom.tab_is_behind(step):
        st.rerun()
    with row:  # here, not in the sidebar: a step change reruns only this fragment,
        classroom.copy_link_ui(run, step=step)  # and the link must carry that step
    if run.data_config is not None and not ghosts:
        payload = cached_live_payload(run.data_config, run.train_config, lang, step, log_y,
                                      image_format())
    else:  # other data or pinned runs: not worth a cache entry per combination
        stem = styles.file_stem("live", run.data_config, run.train_config,
                                data_name=run.data.name)
        spec = figures.live_spec(history, lang, step=step, log_y=log_y, ghosts=ghosts,
                                 true_line=run.true_line)
        payload = live_payload(history, spec, lang, stem, image_format())
    with chart_slot:
        live_chart.live_chart_ui(payload,
                                 on_stopped=lambda s: _playback_stopped(s, history.steps))
    # The address bar follows the step box here too: a change of step reruns only
    # this fragment, never the end of app.py where the link is written.
    classroom.sync_url(run, step=step)
    # What describes the step box's step. While ▶ plays, the metrics and the log line
    # follow the figure's frames (live_chart.js), and the table, which catches up only
    # where playback stops, fades (live_chart.PLAYING_CSS).
    with st.container(key=live_chart.STEP_VIEW):
        step_view_ui(run, step)
    with st.container(key=live_chart.STEP_TABLE):
        table_ui(run, step)


def _playback_stopped(step: int, steps: int) -> None:
    """Playback in the browser stopped on ``step``: the step box (and all it drives) follows."""
    if 1 <= step <= steps:
        st.session_state[STEP_KEY] = step


def _in_fragment_run() -> bool:
    """Is this a rerun of a fragment alone (not of the whole page)?"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def step_view_ui(run: Run, step: int) -> None:
    """The metrics row (step, a, b, batch loss, whole-data loss, distance to the optimum)
    and the notebook's log line at ``step``: what follows playback frame by frame."""
    lang = run.lang
    *metrics, line = step_values(run.history, step)
    # One horizontal container, not six columns: six fewer messages every rerun.
    row = st.container(horizontal=True, gap="medium")
    for key, value in zip(METRICS, metrics, strict=True):
        row.metric(tr(key, lang), value,
                   help=tr("distance_help", lang) if key == "distance" else None)
    st.code(line, language=None)


# The metrics row, in order; step_values gives their values and then the log line.
METRICS = ("step", "a", "b", "batch_loss", "total_loss", "distance")


def step_values(history: History, step: int,
                opt: theory.Optimum | None = None) -> list[str]:
    """What the metrics row shows at ``step`` (METRICS' order), then the notebook's log line.

    One formatting for the page and for playback: the chart sends these for each frame
    (:func:`frame_readouts`), and the page's numbers follow ▶ with the same digits.
    """
    opt = opt or theory.least_squares(history.data)
    i = step - 1
    a, b = float(history.a[i]), float(history.b[i])
    return [f"{step} / {history.steps}",
            f"{a:.4f}" if abs(a) < 1e4 else f"{a:.3g}",
            f"{b:.4f}" if abs(b) < 1e4 else f"{b:.3g}",
            i18n.sig3(history.batch_loss[i]),
            i18n.sig3(history.total_loss[i]),
            i18n.sig3(float(np.hypot(a - opt.a, b - opt.b))),
            figures.notebook_line(history, step)]


def frame_readouts(history: History, spec: dict[str, Any]) -> dict[str, list[str]]:
    """:func:`step_values` for each of the live figure's frames, by frame name (its step)."""
    opt = theory.least_squares(history.data)  # once, not per frame
    return {frame["name"]: step_values(history, int(frame["name"]), opt)
            for frame in spec.get("frames", [])}


# The step table's columns: (History attribute, English, Chinese header, format).
TABLE_COLUMNS = (
    ("step", "step", "步", "d"),
    ("batch_loss", "batch loss", "批次损失", ".6g"),
    ("total_loss", "whole-data loss", "整体损失", ".6g"),
    ("a", "a", "a", ".6g"),
    ("b", "b", "b", ".6g"),
    # the batch loss's gradient (the Explain tab's L_B), not the whole data's
    ("grad_a", "∂L_B/∂a", "∂L_B/∂a", ".6g"),
    ("grad_b", "∂L_B/∂b", "∂L_B/∂b", ".6g"),
    ("lr", "learning rate", "学习率", ".6g"),
    ("batch_size", "batch size", "批次大小", "d"),
)


def table_html(run: Run, step: int) -> tuple[str, int]:
    """The rows around ``step`` as an HTML table, and the 0-based index of its first row.

    Written directly from the history's arrays: a DataFrame and to_html cost
    about 10 ms per rerun, a tenth of the server's work under a class's load.
    """
    h, lang = run.history, run.lang
    n = h.steps
    lo = int(min(max(step - TABLE_ROWS // 2, 0), max(n - TABLE_ROWS, 0)))
    hi = min(lo + TABLE_ROWS, n)
    columns = [(getattr(h, name)[lo:hi].tolist(), fmt) for name, _, _, fmt in TABLE_COLUMNS]
    head = "".join(f"<th>{html.escape(zh if lang == 'zh' else en)}</th>"
                   for _, en, zh, _ in TABLE_COLUMNS)
    body = []
    for i in range(hi - lo):
        cells = "".join(f"<td>{values[i]:{fmt}}</td>" for values, fmt in columns)
        mark = ' class="current"' if lo + i + 1 == step else ""  # the chosen step's row
        body.append(f"<tr{mark}>{cells}</tr>")
    table = (f'<table class="sgdlab-steps"><thead><tr>{head}</tr></thead>'
             f"<tbody>{''.join(body)}</tbody></table>")
    return table, lo


def table_ui(run: Run, step: int) -> None:
    """The history around ``step`` as a static table: every row of a short run, else a window.

    Plain HTML, not st.dataframe or st.table: the interactive grid costs about
    240 ms of browser time on every rerun here, a third of the page's redraw.
    """
    table, lo = table_html(run, step)
    n = run.history.steps
    st.subheader(tr("table", run.lang))
    if n > TABLE_ROWS:
        st.caption(tr("table_window", run.lang, lo=lo + 1, hi=min(lo + TABLE_ROWS, n), n=n))
    st.html(table + _TABLE_CSS)
