"""The "copy link" popover: this run's link, and a teacher's variant that locks/hides controls."""

from __future__ import annotations

import streamlit as st

from sgdlab import i18n, urlstate
from sgdlab.config import DataConfig
from sgdlab.ui.classroom.presets_menu import preset_on_show
from sgdlab.ui.classroom.state import url_state
from sgdlab.ui.classroom.tabs import link_view
from sgdlab.ui.context import Run

TEXT: i18n.Text = {
    "copy_link": ("Copy link", "复制链接"),
    "copy_help": ("A link that reopens this run, at this step and view.",
                  "打开后重现本次训练、当前训练步数与视图的链接。"),
    # Browsers allow the copy button only on https or localhost: on a classroom server
    # reached by plain http it does nothing.
    "copy_hint": ("Copy with the button at the right of the box. If it does nothing (a "
                  "server reached by plain http), select the text and press Ctrl+C.",
                  "点击框右侧的按钮复制。如果没有反应（通过普通 http 访问的服务器），"
                  "请选中文字后按 Ctrl+C。"),
    "teacher": ("For a class: lock or hide controls in the link",
                "上课用：在链接中锁定或隐藏控件"),
    "lock": ("Locked (visible, cannot change)", "锁定（可见但不能修改）"),
    "hide": ("Hidden", "隐藏"),
    "choose": ("Choose settings…", "选择设置……"),
    "class_link": ("The class's link, with these locks and hides (copy it with the button "
                   "at its right):", "课堂链接，含上面的锁定和隐藏（点击框右侧的按钮复制）："),
    "no_data_in_link": ("The data here is not synthetic, so the link does not carry it.",
                        "当前数据不是合成数据，链接中不包含它。"),
}


def link_for(run: Run, *, step: int | None = None, view: str | None = None,
             lock: tuple[str, ...] = (), hide: tuple[str, ...] = ()) -> str:
    """The full link (or ``?query`` when the app's address is unknown) that reopens ``run``."""
    query = urlstate.to_query(run.data_config or DataConfig(), run.train_config,
                              lang=run.lang, step=step, view=view, preset=preset_on_show(run),
                              locked=lock, hidden=hide)
    room = st.query_params.get("room")  # a class's link keeps its room (never the teacher key)
    if room:
        query["room"] = room
    base = st.context.url or ""
    if base and "/" not in base.split("://", 1)[-1]:
        base += "/"  # http://host:port -> http://host:port/ before the ?query
    return base + urlstate.query_string(query)


def copy_link_ui(run: Run, *, step: int | None = None, view: str | None = None) -> str:
    """A "copy link" popover: this run's link, and a teacher's variant that locks/hides controls."""
    lang = run.lang
    state = url_state()
    keep_lock = tuple(sorted(state.locked)) if state else ()
    keep_hide = tuple(sorted(state.hidden)) if state else ()
    view = view if view is not None else link_view()
    with st.popover(i18n.tr(TEXT, "copy_link", lang), icon=":material/link:",
                    help=i18n.tr(TEXT, "copy_help", lang)):
        url = link_for(run, step=step, view=view, lock=keep_lock, hide=keep_hide)
        st.code(url, language=None, wrap_lines=True)
        st.caption(i18n.tr(TEXT, "copy_hint", lang))
        if run.data_config is None:
            st.caption(i18n.tr(TEXT, "no_data_in_link", lang))
        with st.expander(i18n.tr(TEXT, "teacher", lang)):
            names = list(urlstate.SETTINGS)
            label = {n: f"{urlstate.SETTINGS[n][2].label(lang)} ({n})" for n in names}
            # No "Select all" / "Select 2 matches" row: it is in English, and a teacher
            # who typed 学习率 and took the first row would lock the schedule too.
            choose = i18n.tr(TEXT, "choose", lang)
            lock = st.multiselect(i18n.tr(TEXT, "lock", lang), names, key="_classroom_lock",
                                  default=list(keep_lock), format_func=label.__getitem__,
                                  select_all=False, placeholder=choose)
            hide = st.multiselect(i18n.tr(TEXT, "hide", lang), names, key="_classroom_hide",
                                  default=list(keep_hide), format_func=label.__getitem__,
                                  select_all=False, placeholder=choose)
            if (tuple(lock), tuple(hide)) != (keep_lock, keep_hide):
                url = link_for(run, step=step, view=view, lock=tuple(lock), hide=tuple(hide))
                st.caption(i18n.tr(TEXT, "class_link", lang))  # which box is which
                st.code(url, language=None, wrap_lines=True)
    return url
