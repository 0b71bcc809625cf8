"""The projector's page, ``?room=CODE&board=1``: every run of the room, live, and with
the teacher key (``&teacher=KEY``) the teacher's controls in the sidebar
(:mod:`sgdlab.ui.board_teacher`).

In ``app.py``, after the language switch::

    if board_view.is_board_link():
        board_view.board_page_ui(lang)
        st.stop()

The page redraws within POLL_S of any change with no reload: a fragment reads
the room's version every POLL_S and reruns the page when it moved. Only new runs
are fetched and parsed, once per process; the figures are built once per change
of the room, whoever is watching, never on a poll.
"""

from __future__ import annotations

import html
import math
import time
from collections import Counter
from typing import Any

import streamlit as st

from sgdlab import figures_board, i18n, sweep
from sgdlab.board import challenge, links, rooms
from sgdlab.board.cache import RoomRuns
from sgdlab.board.rooms import BoardError, Challenge, Room
from sgdlab.board.summary import RunSummary, best_runs
from sgdlab.config import DataConfig, TrainConfig, choice_label
from sgdlab.data import make_data
from sgdlab.ui import board, board_teacher
from sgdlab.ui.charts import chart_ui

POLL_S = 1.0  # how often the board asks whether the room changed
TABLE_ROWS = 10
MAP_BATCH_SIZES = 16  # batch sizes the map's limit line is drawn through

TEXT: i18n.Text = {
    "title": ("Class board · room {code}", "课堂看板 · 房间 {code}"),
    "join": ("Students: scan the QR code, or open", "学生：扫描二维码，或打开"),
    "count": ("{n} runs", "{n} 次运行"),
    "count_one": ("1 run", "1 次运行"),
    "closed": ("Sending is closed.", "已关闭发送。"),
    "empty": ("No runs yet: students press “Send to class board” above their chart.",
              "还没有训练：学生点击图上方的“发送到课堂看板”。"),
    "best": ("Best runs: lowest final whole-data loss", "最佳训练：最终整体损失最低"),
    "attempts": ("Answers to the question: converged, largest learning rate first",
                 "问题的回答：已收敛，学习率从大到小"),
    "no_attempts": ("No run has answered yet: a run at batch size {batch} and {steps} steps "
                    "(the other settings the notebook's) that converges.",
                    "还没有人回答：需要批次大小 {batch}、{steps} 步（其他设置与笔记本相同）"
                    "并且收敛的训练。"),
    "rule": ("A run converges when its whole-data loss after {steps} steps is at most "
             "{factor:g}× the least-squares minimum, that is {target:.3g}.",
             "训练收敛是指 {steps} 步之后的整体损失不超过最小二乘最小值的 {factor:g} 倍，"
             "即 {target:.3g}。"),
    "answer": ("**Answer: {lr:.3g}.** A batched sweep of {tried} rates at batch size {batch}: "
               "{lr:.3g} is the largest that converges in {steps} steps. Theory: the "
               "steepest batch of {batch} taken in order is stable below "
               "$2/\\lambda_{{\\max}}$ = {worst:.3g}, all the data below {full:.3g}.",
               "**答案：{lr:.3g}。** 在批次大小 {batch} 下批量扫描了 {tried} 个学习率："
               "{lr:.3g} 是 {steps} 步之内能收敛的最大学习率。理论：按顺序取的大小为 {batch} "
               "的最陡批次在 $2/\\lambda_{{\\max}}$ = {worst:.3g} 以下稳定，"
               "全部数据在 {full:.3g} 以下稳定。"),
    "answer_none": ("**Answer: no rate.** A batched sweep of {tried} rates at batch size "
                    "{batch}: none converges in {steps} steps. Theory: the steepest batch is "
                    "stable below $2/\\lambda_{{\\max}}$ = {worst:.3g}, all the data below "
                    "{full:.3g}.",
                    "**答案：没有。** 在批次大小 {batch} 下批量扫描了 {tried} 个学习率："
                    "没有一个能在 {steps} 步之内收敛。理论：最陡批次在 "
                    "$2/\\lambda_{{\\max}}$ = {worst:.3g} 以下稳定，"
                    "全部数据在 {full:.3g} 以下稳定。"),
    "map_note": ("Lines: plain SGD's limits, batches in order, on {data}; hollow circles are "
                 "runs on other data.",
                 "参考线：普通 SGD 按顺序取批次时的上限，数据为{data}；空心圆是其他数据上的训练。"),
    "notebook_data": ("the notebook's data", "笔记本的数据"),
    "common_data": ("the data most runs used", "多数训练使用的数据"),
    "col_name": ("Nickname", "昵称"),
    "col_lr": ("Learning rate", "学习率"),
    "col_batch": ("Batch size", "批次大小"),
    "col_steps": ("Steps", "步数"),
    "col_optimizer": ("Optimizer", "优化算法"),
    "col_loss": ("Final loss", "最终损失"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def is_board_link() -> bool:
    """Does the link ask for a room's board (``?room=CODE&board=1``)?"""
    return links.is_on(st.query_params.get(links.BOARD)) and board.link_room() is not None


def _read(code: str) -> tuple[Room | None, str | None]:
    """The room now (not the students' shared read: the board must see every change)."""
    try:
        return board.store().room(code, time.time()), None
    except BoardError as e:
        return None, e.reason


def board_page_ui(lang: str) -> None:
    """The whole board page: title and how to join, the count, both figures, the table."""
    given = board.link_room() or ""
    code = rooms.normalize_code(given)
    if code is None:
        st.title(board.tr("board_title", lang))
        st.error(board.message("bad_code", lang, given), icon=":material/error:")
        return
    room, error = _read(code)
    teacher = room is not None and rooms.key_matches(st.query_params.get(links.TEACHER),
                                                     room.key_hash)
    # The projector shows the board, not the language switch; the teacher's controls stay.
    st.set_page_config(page_title=tr("title", lang, code=code),
                       initial_sidebar_state="expanded" if teacher else "collapsed")
    if room is None:
        st.title(tr("title", lang, code=code), anchor=False)
        st.error(board.message(error or "no_room", lang, code), icon=":material/error:")
        _watch(code, error or "no_room")
        return
    found, error = _ROOM_RUNS.runs(board.store(), room)
    runs = list(found)
    if error is not None:
        st.error(board.message(error, lang, code), icon=":material/error:")
    _head_ui(code, room, runs, lang)
    if runs:
        best = best_runs(runs, figures_board.BEST_SHOWN)
        curves, board_map = board_figures(room, lang, found)
        left, right = st.columns(2, gap="medium")
        with left:
            chart_ui(curves, key="board_curves", stem=f"board-{code}-curves")
        with right:
            chart_ui(board_map, key="board_map", stem=f"board-{code}-map")
            data = "notebook_data" if reference_data(room, runs) == DataConfig() else "common_data"
            st.caption(tr("map_note", lang, data=tr(data, lang)))
        colours = dict(zip((r.seq for r in best), figures_board.BEST_COLORS, strict=False))
        _table_ui(room, runs, lang, colours)
    if teacher:
        with st.sidebar:
            board_teacher.teacher_ui(code, room, lang)
    _watch(code, (room.version, room.epoch))


@st.fragment(run_every=POLL_S)
def _watch(code: str, drawn: Any) -> None:
    """Rerun the page when the room is not as drawn (a send, a teacher's change, an outage)."""
    room, error = _read(code)
    now = (room.version, room.epoch) if room is not None else (error or "no_room")
    if now != drawn:
        st.rerun()


_ROOM_RUNS = RoomRuns()  # every board in this process reads a room's runs through it


# The same objects for every viewer of a room (cache_resource: no copy per hit): 500
# runs take plotly a third of a second to build, and a room's board may be open on
# thirty screens. The key is the room's state; the runs themselves are not hashed.
@st.cache_resource(max_entries=16, show_spinner=False)
def board_figures(room: Room, lang: str, _runs: tuple[RunSummary, ...]
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The board's two figures as JSON-ready dicts: loss curves, and the map."""
    runs = list(_runs)
    best = best_runs(runs, figures_board.BEST_SHOWN)
    ref = reference_data(room, runs)
    answer = (cached_answer(room.challenge).swept_lr
              if room.challenge is not None and room.revealed else None)
    board_map = figures_board.map_figure(
        runs, cached_bounds(ref), lang, reference=ref, answer_lr=answer,
        challenge_batch=room.challenge.batch_size if room.challenge else None)
    return (figures_board.curves_figure(runs, lang, best=best).to_dict(),
            board_map.to_dict())


def _head_ui(code: str, room: Room, runs: list[RunSummary], lang: str) -> None:
    """The count and how to join (link and QR code), the question and its answer."""
    text, qr = st.columns([6, 1], vertical_alignment="top")
    students = links.students_link(board.base_url(), code)
    with text:
        # One row for the room and the count, wrapping on a narrow screen: the figures
        # below must start high enough for a 768-pixel projector.
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="large")
        count = tr("count_one", lang) if len(runs) == 1 else tr("count", lang, n=len(runs))
        with row:
            st.header(tr("title", lang, code=code), anchor=False, width="content")
            st.header(count, anchor=False, width="content")
        st.markdown(f"{tr('join', lang)} `{students}`")
        if room.closed:
            st.caption(tr("closed", lang))
        if not runs:
            st.caption(tr("empty", lang))
        if room.challenge is not None:
            st.info(board.question_text(room.challenge, lang), icon=":material/help:")
            if room.revealed:
                st.success(answer_text(room.challenge, lang), icon=":material/lightbulb:")
    with qr:
        st.image(links.qr_png(students), width=140)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_answer(ch: Challenge) -> challenge.Answer:
    """The challenge's answer (a sweep of about 200 rates), once per question per process."""
    return challenge.answer(ch, make_data(challenge.base_configs(ch)[0]))


def answer_text(ch: Challenge, lang: str) -> str:
    """The revealed answer: the sweep's largest converging rate and the theory's limits."""
    ans = cached_answer(ch)
    values = {"tried": ans.rates_tried, "batch": ch.batch_size, "steps": ch.steps,
              "worst": ans.worst_batch, "full": ans.full_batch}
    if ans.swept_lr is None:
        return tr("answer_none", lang, **values)
    return tr("answer", lang, lr=ans.swept_lr, **values)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_bounds(data_config: DataConfig) -> sweep.Bounds:
    """Plain SGD's limits on these data: all the data, and the steepest batch in order of
    each size over one epoch."""
    data = make_data(data_config)
    n = data.n
    sizes = sweep.default_batch_sizes(n, count=MAP_BATCH_SIZES)  # divisors: no ragged batch
    steps = min(n, sweep.MAX_BATCHES)
    return sweep.stability_bounds(data, TrainConfig(steps=steps), sizes)


def reference_data(room: Room, runs: list[RunSummary]) -> DataConfig:
    """The data the map's lines are for: the question's, else what most runs used."""
    if room.challenge is not None or not runs:
        return challenge.base_configs(room.challenge or Challenge())[0]
    return Counter(r.data for r in runs).most_common(1)[0][0]


def _table_ui(room: Room, runs: list[RunSummary], lang: str,
              colours: dict[int, str]) -> None:
    """The best runs (or, with a question, its converged answers) as a plain HTML table:
    nicknames are escaped, never read as markdown or HTML."""
    ch = room.challenge
    if ch is not None:
        minimum = cached_answer(ch).minimum
        rows = challenge.attempts(runs, ch, minimum, TABLE_ROWS)
        st.subheader(tr("attempts", lang), anchor=False)
        st.caption(tr("rule", lang, steps=ch.steps, factor=challenge.CONVERGED_FACTOR,
                      target=challenge.CONVERGED_FACTOR * minimum))
        if not rows:
            st.caption(tr("no_attempts", lang, batch=ch.batch_size, steps=ch.steps))
            return
    else:
        rows = best_runs(runs, TABLE_ROWS)
        st.subheader(tr("best", lang), anchor=False)
    st.html(table_html(rows, lang, colours))


def table_html(rows: list[RunSummary], lang: str, colours: dict[int, str] | None = None) -> str:
    """Rows of runs as an HTML table, every cell escaped; a run drawn in colour on the
    curves (``colours`` by place) gets a swatch of that colour."""
    heads = ["#", tr("col_name", lang), tr("col_lr", lang), tr("col_batch", lang),
             tr("col_steps", lang), tr("col_optimizer", lang), tr("col_loss", lang)]
    body = []
    for r in rows:
        loss = "–" if r.final_loss is None or not math.isfinite(r.final_loss) \
            else i18n.sig3(r.final_loss)
        cells = [str(r.seq), r.nickname or "–", f"{r.lr:.4g}", str(r.batch_size),
                 str(r.train.steps), choice_label(r.train.optimizer, lang), loss]
        swatch = (f'<span class="swatch" style="background:{colours[r.seq]}"></span>'
                  if colours and r.seq in colours else "")
        tds = [f"<td>{swatch if i == 0 else ''}{html.escape(c)}</td>"
               for i, c in enumerate(cells)]
        body.append("<tr>" + "".join(tds) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return (f'<table class="sgdlab-board"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{_TABLE_CSS}")


_TABLE_CSS = """<style>
.sgdlab-board {border-collapse: collapse; font-size: 1.1rem; font-variant-numeric: tabular-nums}
.sgdlab-board th, .sgdlab-board td {padding: 0.25rem 0.9rem; border-bottom: 1px solid #ddd;
  text-align: right}
.sgdlab-board th:nth-child(2), .sgdlab-board td:nth-child(2) {text-align: left;
  max-width: 16rem; overflow-wrap: anywhere}
.sgdlab-board th {border-bottom: 2px solid #999}
.sgdlab-board .swatch {display: inline-block; width: 1.6rem; height: 0.35rem;
  margin-right: 0.5rem; vertical-align: middle; border-radius: 2px}
</style>"""
