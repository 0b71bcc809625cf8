"""The teacher's controls on the board page (its sidebar, only with the teacher key):
pose or withdraw the question, open or close sending, reveal the answer, clear."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from sgdlab import i18n
from sgdlab.board import challenge
from sgdlab.board.rooms import BoardError, Challenge, Room
from sgdlab.config import DataConfig
from sgdlab.ui import board

ERROR = "_board_teacher_error"  # session_state: why the last change failed

TEXT: i18n.Text = {
    "teacher": ("Teacher", "教师"),
    "teacher_note": ("Only the board's link, which carries your key, shows these controls.",
                     "只有带有你的密钥的看板链接才会显示这些控制。"),
    "q_batch": ("Question: batch size", "问题：批次大小"),
    "q_steps": ("Question: steps", "问题：训练步数"),
    "pose": ("Pose the question", "提出问题"),
    "withdraw": ("Withdraw the question", "撤回问题"),
    "sending": ("Sending open", "允许发送"),
    "reveal": ("Reveal the answer", "公布答案"),
    "hide_answer": ("Hide the answer", "隐藏答案"),
    "clear_sure": ("Yes, remove all {n} runs", "确定删除全部 {n} 次运行"),
    "clear": ("Clear the room", "清空房间"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def _store_call(action: Any) -> None:
    """A teacher's change; a failure is kept to be shown (the callback cannot draw)."""
    try:
        action()
        st.session_state.pop(ERROR, None)
    except BoardError as e:
        st.session_state[ERROR] = e.reason


def teacher_ui(code: str, room: Room, lang: str) -> None:
    """Pose or withdraw the question, open or close sending, reveal the answer, clear."""
    st.header(tr("teacher", lang), anchor=False)
    st.caption(tr("teacher_note", lang))
    error = st.session_state.get(ERROR)
    if error:
        st.error(board.message(error, lang, code), icon=":material/error:")
    store = board.store()
    ch = room.challenge or Challenge()
    batch = st.number_input(tr("q_batch", lang), 1, DataConfig().n, ch.batch_size,
                            key="board_q_batch")
    steps = st.number_input(tr("q_steps", lang), 1, challenge.MAX_STEPS, ch.steps,
                            key="board_q_steps")
    asked = Challenge(int(batch), int(steps))
    row = st.container(horizontal=True)
    row.button(tr("pose", lang), key="board_pose", disabled=room.challenge == asked,
               on_click=_store_call, args=(lambda: store.update(
                   code, time.time(), challenge=asked, revealed=False),))
    row.button(tr("withdraw", lang), key="board_withdraw", disabled=room.challenge is None,
               on_click=_store_call, args=(lambda: store.update(
                   code, time.time(), challenge=None, revealed=False),))
    if room.challenge is not None:
        label = "hide_answer" if room.revealed else "reveal"
        st.button(tr(label, lang), key="board_reveal", on_click=_store_call,
                  args=(lambda: store.update(code, time.time(), revealed=not room.revealed),))
    st.session_state["board_open"] = not room.closed  # as the room is, whoever changed it
    st.toggle(tr("sending", lang), key="board_open", on_change=_store_call,
              args=(lambda: store.update(code, time.time(),
                                         closed=not st.session_state["board_open"]),))
    sure = st.checkbox(tr("clear_sure", lang, n=room.count), key="board_clear_sure",
                       disabled=room.count == 0)
    st.button(tr("clear", lang), key="board_clear", disabled=not sure or room.count == 0,
              on_click=_store_call, args=(lambda: _clear(store, code),))


def _clear(store: Any, code: str) -> None:
    store.clear(code, time.time())
    st.session_state["board_clear_sure"] = False
