"""The tabs below the live view: which is open, by a name that links use in any language."""

from __future__ import annotations

from typing import Any

import streamlit as st

# The tabs below the live view, by the name a link gives them (?view=stability).
TABS: dict[str, tuple[str, str]] = {
    "explain": ("Explain", "讲解"), "stability": ("Stability map", "稳定性图"),
    "compare": ("Compare runs", "比较训练"), "seeds": ("Seed bands", "种子色带"),
    "noise": ("Gradient noise", "梯度噪声"), "export": ("Export", "导出")}
# The live figure's own panels: their explanations are in the first tab.
VIEW_ALIASES = {"fit": "explain", "loss": "explain", "params": "explain"}
LINK_VIEWS = (*TABS, *VIEW_ALIASES)  # what ?view= may say
VIEW = "view"  # session_state: the view a link asked for, until the tabs are drawn
TAB = "tab"  # the tabs' widget key: its value is the open tab's label
TAB_STEP = "_tab_step"  # the live view's step the open tab was drawn at, if it shows one


def open_view() -> str | None:
    """The name of the open tab (``"stability"``), whichever language its label is in; on
    a link's first run, before the tabs are drawn, the view the link asked for."""
    asked = st.session_state.get(VIEW)
    if asked is not None:
        return VIEW_ALIASES.get(asked, asked)
    label = st.session_state.get(TAB)
    return next((name for name, words in TABS.items() if label in words), None)


def link_view() -> str | None:
    """The view a link carries: the open tab, unless it is the first (where pages open)."""
    view = open_view()
    return None if view == next(iter(TABS)) else view


def tabs_ui(lang: str) -> dict[str, Any]:
    """The tabs, by name, opened on the link's view; a language switch keeps the open one.

    Only the open tab's ``.open`` is true, and only it should run (``on_change="rerun"``).
    """
    ss = st.session_state
    view = open_view()
    ss.pop(VIEW, None)
    ss.pop(TAB_STEP, None)  # set again by the open tab if it shows the step
    if view is not None:
        ss[TAB] = TABS[view][lang == "zh"]  # the label in this language
    labels = [words[lang == "zh"] for words in TABS.values()]
    return dict(zip(TABS, st.tabs(labels, key=TAB, on_change="rerun"), strict=True))


def tab_shows_step(step: int) -> None:
    """Called by a tab drawn at the live view's ``step``: a new step must redraw it too."""
    st.session_state[TAB_STEP] = step


def tab_is_behind(step: int) -> bool:
    """Was the open tab drawn at another step of the live view than ``step``?"""
    drawn = st.session_state.get(TAB_STEP)
    return drawn is not None and drawn != step
