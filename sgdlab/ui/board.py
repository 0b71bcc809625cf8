"""The class board in the lab: a room's send bar above the live view, and the teacher's
"New class room" in the sidebar. The projector's page is :mod:`sgdlab.ui.board_view`.

In ``app.py``, once the run is known::

    board.class_ui(run)   # ?room=CODE: nickname + "Send to class board"; sidebar: new room

Every failure (a bad code, an expired or full room, sending closed, the store out
of reach) is a message in the page's language; the lab around it keeps working.
"""

from __future__ import annotations

import re
import time
from typing import Any

import streamlit as st

from sgdlab import i18n
from sgdlab.board import links, rooms
from sgdlab.board.rooms import BoardError, Room
from sgdlab.board.store import BoardStore, open_store
from sgdlab.board.summary import summarize
from sgdlab.ui import classroom
from sgdlab.ui.context import Run

NICKNAME = "board_nickname"  # session_state: the nickname box
LAST_SENT = "_board_last_sent"  # session_state: time of this session's last send
RESULT = "_board_result"  # session_state: (TEXT key, values, the run it was about)
NEW_ROOM = "_board_new_room"  # session_state: (code, teacher key) of the room made here
NEW_ROOM_ERROR = "_board_new_room_error"  # session_state: (reason, values) of a failed try
ROOM_READ_S = 2.0  # a student's page reads its room at most this often per process

TEXT: i18n.Text = {
    "room": ("Class room {code}", "课堂房间 {code}"),
    "question": ("Question: {text}", "问题：{text}"),
    "nickname": ("Nickname (optional)", "昵称（可不填）"),
    "send": ("Send to class board", "发送到课堂看板"),
    "send_help": ("Sends this run's settings, final loss and curves to the board, with the "
                  "nickname (at most {n} characters) if you give one; nothing else about you "
                  "is kept.",
                  "把本次训练的设置、最终损失和曲线发送到看板，如果填写了昵称（最多 {n} 个字符）"
                  "也一起发送；不保存任何其他关于你的信息。"),
    "sent": ("Arrived: run #{seq} on the board of room {code}.",
             "已送达：房间 {code} 的看板上的第 {seq} 次运行。"),
    "bad_code": ("'{code}' is not a class room code: a code is 3 to 12 letters or digits. "
                 "Check the link with your teacher.",
                 "'{code}' 不是课堂房间代码：代码由 3 到 12 个字母或数字组成。请向老师核对链接。"),
    "no_room": ("Class room {code} is not open: it has expired (a room closes {hours} hours "
                "after its last use) or never existed. Ask your teacher for a new link.",
                "课堂房间 {code} 没有开放：它已过期（房间在最后一次使用 {hours} 小时后关闭），"
                "或者从未创建。请向老师要一个新链接。"),
    "full": ("Class room {code} is full: it holds at most {max} runs. Ask your teacher to "
             "clear it or to open a new room.",
             "课堂房间 {code} 已满：最多容纳 {max} 次运行。请老师清空房间或新建一个房间。"),
    "closed": ("The teacher has closed sending for room {code}.",
               "老师已关闭房间 {code} 的发送。"),
    "unreachable": ("The class board cannot be reached right now, so nothing was sent. Try "
                    "again in a moment; the rest of the page works as before.",
                    "现在连不上课堂看板，所以没有发送任何内容。请稍后再试；页面的其他部分照常可用。"),
    "too_soon": ("Wait {s:.1f} s: a run can be sent once every {every:g} seconds.",
                 "请等待 {s:.1f} 秒：每 {every:g} 秒只能发送一次。"),
    "not_synthetic": ("Only runs on the synthetic data can be sent to the board: data from a "
                      "file or a built-in data set stay on this page.",
                      "只有合成数据上的训练可以发送到看板：来自文件或内置数据集的数据只留在本页。"),
    "board_title": ("Class board", "课堂看板"),
    "board_intro": ("Make a room for your class: students send their runs to it, and the "
                    "board shows them all on the projector.",
                    "为你的班级新建一个房间：学生把训练发送到房间，看板在投影仪上显示所有训练。"),
    "new_room": ("New class room", "新建课堂房间"),
    "code_is": ("Room code: {code}", "房间代码：{code}"),
    "students_link": ("Students' link (or the QR code below):", "学生链接（或下面的二维码）："),
    "board_link": ("The board's link, for the projector. Keep it to yourself: it carries "
                   "your teacher key, which lets it pose questions, close sending and clear "
                   "the room.",
                   "看板链接，用于投影仪。请自己保存：它带有你的教师密钥，可以提问、关闭发送和清空房间。"),
    "qr": ("QR code of the students' link", "学生链接的二维码"),
    "question_text": ("What is the largest learning rate that still converges in {steps} "
                      "steps at batch size {batch}?",
                      "在批次大小为 {batch} 时，{steps} 步之内仍能收敛的最大学习率是多少？"),
}
ERRORS = ("bad_code", "no_room", "full", "closed", "unreachable", "too_soon")


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~&])")


def md_plain(text: str, limit: int = 24) -> str:
    """Text from a link or a text box, shortened and escaped to read literally in markdown."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", short)


def message(reason: str, lang: str, code: str = "", **values: object) -> str:
    """The page's words for a board failure (a BoardError reason) or a success."""
    defaults = {"hours": rooms.TTL_S // 3600, "max": rooms.MAX_RUNS,
                "every": rooms.SEND_EVERY_S, "s": 0.0}
    return tr(reason, lang, code=md_plain(code), **{**defaults, **values})


@st.cache_resource(max_entries=1, show_spinner=False)
def store() -> BoardStore:
    """This server's store (Redis if SGDLAB_REDIS_URL is set, else SQLite), opened once."""
    return open_store()


@st.cache_data(ttl=ROOM_READ_S, max_entries=256, show_spinner=False)
def read_room(code: str) -> tuple[Room | None, str | None]:
    """The room and, when it could not be read, why (a BoardError reason): every student
    of a class reads the same room, so one read serves a process for ROOM_READ_S."""
    try:
        return store().room(code, time.time()), None
    except BoardError as e:
        return None, e.reason


def question_text(ch: rooms.Challenge, lang: str) -> str:
    """The teacher's question in words."""
    return tr("question_text", lang, steps=ch.steps, batch=ch.batch_size)


def base_url() -> str:
    """The app's address as the browser sees it, or '' when unknown (tests)."""
    return st.context.url or ""


def link_room() -> str | None:
    """The link's ``room=`` exactly as given (None when the link has none)."""
    value = st.query_params.get(links.ROOM)
    return value if value else None


def class_ui(run: Run) -> None:
    """The room's send bar when the link names a room; else the sidebar's "New class room",
    unless a teacher's link locks or hides settings (a student's page either way)."""
    given = link_room()
    if given is not None:
        send_bar_ui(run, given)
    elif not classroom.link_fixes_settings():
        with st.sidebar, st.expander(tr("board_title", run.lang), icon=":material/groups:"):
            new_room_ui(run.lang)


# A fragment: a press of the button (or a nickname typed) reruns the bar alone, not the
# live figure below it; a class pressing at once costs the server a few ms a student.
@st.fragment
def send_bar_ui(run: Run, given: str) -> None:
    """Room code, the teacher's question, a nickname box and the send button."""
    lang = run.lang
    code = rooms.normalize_code(given)
    if code is None:
        st.warning(message("bad_code", lang, given), icon=":material/meeting_room:")
        return
    room, error = read_room(code)
    # One row, wrapping on a narrow screen: above the live figure, it must not push the
    # figure's play buttons off a projector's first screen.
    with st.container(border=True, key="board_bar"):
        row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
        row.markdown(f"**{tr('room', lang, code=code)}**", width="content")
        row.text_input(tr("nickname", lang), key=NICKNAME, max_chars=rooms.MAX_NICKNAME,
                       placeholder=tr("nickname", lang), label_visibility="collapsed",
                       width=260)
        closed = room is not None and room.closed
        row.button(tr("send", lang), key="board_send", type="primary", icon=":material/send:",
                   help=tr("send_help", lang, n=rooms.MAX_NICKNAME), on_click=_send,
                   args=(run, code), disabled=closed or run.data_config is None)
        if room is not None and room.challenge is not None:
            st.markdown(tr("question", lang, text=question_text(room.challenge, lang)))
        _result_ui(run, code, room, error)


def _ident(run: Run) -> tuple[Any, ...]:
    return (run.data_config, run.train_config)


def _send(run: Run, code: str) -> None:
    """The send button's callback: checks, one store write, and what the page says after."""
    ss = st.session_state
    now = time.time()
    wait = rooms.wait_before_send(ss.get(LAST_SENT), now)
    if wait > 0:
        ss[RESULT] = ("too_soon", {"s": wait}, _ident(run))
        return
    if run.data_config is None:
        ss[RESULT] = ("not_synthetic", {}, _ident(run))
        return
    summary = summarize(run.history, run.data_config, run.train_config, ss.get(NICKNAME, ""))
    ss[LAST_SENT] = now
    try:
        place = store().send(code, summary.to_json(), now)
    except BoardError as e:
        ss[RESULT] = (e.reason, {}, _ident(run))
        return
    ss[RESULT] = ("sent", {"seq": place}, _ident(run))


def _result_ui(run: Run, code: str, room: Room | None, error: str | None) -> None:
    """What the last send did (while the run on show is the one sent), else the room's state."""
    lang = run.lang
    result = st.session_state.get(RESULT)
    if result is not None and result[2] == _ident(run):
        reason, values, _ = result
        text = message(reason, lang, code, **values)
        if reason == "sent":
            st.success(text, icon=":material/check_circle:")
        else:
            st.error(text, icon=":material/error:")
        return
    if run.data_config is None:
        st.caption(tr("not_synthetic", lang))
    elif error is not None:
        st.error(message(error, lang, code), icon=":material/error:")
    elif room is None:
        st.error(message("no_room", lang, code), icon=":material/error:")
    elif room.closed:
        st.info(message("closed", lang, code), icon=":material/block:")
    elif room.full:
        st.error(message("full", lang, code), icon=":material/error:")


def new_room() -> tuple[str, str] | str:
    """Open a room with a fresh code and key: (code, key), or a BoardError reason."""
    key = rooms.new_key()
    try:
        for _ in range(5):  # a code already in use (1 in millions): draw another
            code = rooms.new_code()
            if store().create(code, rooms.key_hash(key), time.time()):
                return code, key
    except BoardError as e:
        return e.reason
    return "unreachable"


def _new_room_clicked() -> None:
    ss = st.session_state
    now = time.time()
    wait = rooms.wait_before_send(ss.get(LAST_SENT), now)
    if wait > 0:  # one store write per session per 2 s, rooms as runs
        ss[NEW_ROOM_ERROR] = ("too_soon", {"s": wait})
        return
    ss[LAST_SENT] = now
    made = new_room()
    if isinstance(made, str):
        ss[NEW_ROOM_ERROR] = (made, {})
    else:
        ss[NEW_ROOM] = made
        ss.pop(NEW_ROOM_ERROR, None)


def new_room_ui(lang: str) -> None:
    """The teacher's "New class room": the code, both links and a QR code to project."""
    st.caption(tr("board_intro", lang))
    st.button(tr("new_room", lang), key="board_new_room", icon=":material/add:",
              on_click=_new_room_clicked)
    error = st.session_state.pop(NEW_ROOM_ERROR, None)  # said once; the room made stays
    if error is not None:
        st.error(message(error[0], lang, **error[1]), icon=":material/error:")
    made = st.session_state.get(NEW_ROOM)
    if made is None:
        return
    code, key = made
    students = links.students_link(base_url(), code, lang)
    st.markdown(f"**{tr('code_is', lang, code=code)}**")
    st.caption(tr("students_link", lang))
    st.code(students, language=None, wrap_lines=True)
    st.image(links.qr_png(students), caption=tr("qr", lang), width=200)
    st.caption(tr("board_link", lang))
    st.code(links.board_link(base_url(), code, key, lang), language=None, wrap_lines=True)
