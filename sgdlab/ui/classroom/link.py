"""A link's settings into the session, once, with a notice for each value it could not use."""

from __future__ import annotations

import math
from typing import Literal

import streamlit as st

from sgdlab import i18n, presets, urlstate
from sgdlab.ui.classroom.state import (
    DISMISSED,
    LANG,
    PENDING,
    PRESET,
    STEP,
    URL_STATE,
    settings_of,
    write,
)
from sgdlab.ui.classroom.tabs import LINK_VIEWS, VIEW
from sgdlab.ui.language import initial_lang

MAX_NOTICES_SHOWN = 8

TEXT: i18n.Text = {
    "notices": ("Some link parameters were changed or ignored:",
                "部分链接参数已被修改或忽略："),
    "more": ("… and {count} more.", "……还有 {count} 条。"),
    "dismiss": ("Got it", "知道了"),
}


def current_lang() -> str:
    """The reader's language: the switch, else what the switch will start on.

    Before the switch is drawn (a link's notices come first) that is the link's
    ``lang``, else the browser's locale: the same choice language_ui makes, so
    a notice is never in the other language from the page.
    """
    value = st.session_state.get(LANG)
    return value if value in i18n.LANGS else initial_lang()


def _read_link() -> urlstate.UrlState:
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    names = presets.names()
    state = urlstate.parse(params, views=LINK_VIEWS, presets=names)
    if state.preset is None:
        return state
    # A preset in the link is the base; the link's own settings override it.
    p = presets.preset(state.preset)
    return urlstate.parse(params, base=(p.data, p.train), views=LINK_VIEWS, presets=names)


def apply_url_state() -> urlstate.UrlState:
    """Read the link once per session into st.session_state; show its notices every run.

    Call it before any control is drawn: it writes each setting the URL gave
    (already clamped and made consistent) under the setting's widget key, and
    ``lang``, ``step`` and ``view`` likewise.
    """
    ss = st.session_state
    if PENDING in ss:
        write(ss.pop(PENDING))
    if URL_STATE not in ss:
        state = _read_link()
        if state.preset is not None:
            values = settings_of(state.data, state.train)
            ss[PRESET] = state.preset
        else:
            values = state.values()
        write(values)
        # On a page's first run a widget bound to the URL takes the URL's value over
        # st.session_state; finish_url_state() writes the checked values once more: every
        # setting, since a number box has no bounds of its own (controls.checked) and would
        # run a value the link was refused for (?slope=1e90, "ignored").
        ss[PENDING] = (settings_of(state.data, state.train) if state.notices or state.preset
                       else {})
        for key, value in ((LANG, state.lang), (STEP, state.step), (VIEW, state.view)):
            if value is not None:
                ss[key] = value
        ss[URL_STATE] = state
    state = ss[URL_STATE]
    if not ss.get(DISMISSED):
        notices_ui(state.notices, current_lang(), dismissible=True)
    return state


def finish_url_state() -> None:
    """Call at the very end of the script: one rerun when the link held values that had
    to be fixed, so that widgets bound to the URL show the fixed values, not the link's."""
    if st.session_state.get(PENDING):
        st.rerun()
    st.session_state.pop(PENDING, None)


def bind(name: str) -> Literal["query-params"] | None:
    """``bind=`` for the widget of setting ``name``: "query-params", or None while the link
    holds a value that would crash Streamlit's own URL binding.

    Streamlit 1.67 raises OverflowError (uncaught) when a bound integer
    number_input is seeded from ``?n=inf`` or ``?n=1e999``; such a value is
    dropped with a notice by :func:`apply_url_state` instead.
    """
    if not isinstance(urlstate.SETTINGS[name][1], int) or name not in st.query_params:
        return "query-params"
    return None if any(_overflows(v) for v in st.query_params.get_all(name)) else "query-params"


def _overflows(text: str) -> bool:
    try:
        return math.isinf(float(text))
    except (ValueError, OverflowError):
        return False


def notices_ui(notices: tuple[urlstate.Notice, ...], lang: str, *,
               dismissible: bool = False) -> None:
    """One warning listing what the link asked for that could not be used, and why.

    The link's own words are shown as written (Notice.markdown), never as Markdown.
    """
    if not notices:
        return
    lines = [f"- {n.markdown(lang)}" for n in notices[:MAX_NOTICES_SHOWN]]
    if len(notices) > MAX_NOTICES_SHOWN:
        lines.append(f"- {i18n.tr(TEXT, 'more', lang, count=len(notices) - MAX_NOTICES_SHOWN)}")
    st.warning("\n".join([i18n.tr(TEXT, "notices", lang), "", *lines]), icon=":material/link:")
    if dismissible:
        st.button(i18n.tr(TEXT, "dismiss", lang), key="_classroom_dismiss", on_click=_dismiss)


def _dismiss() -> None:
    st.session_state[DISMISSED] = True
