"""The preset menu: prepared experiments with a note on what to notice."""

from __future__ import annotations

import streamlit as st

from sgdlab import i18n, presets, urlstate
from sgdlab.ui.classroom.access import link_fixes_settings
from sgdlab.ui.classroom.state import PRESET, PRESET_PICK, STEP, setting, settings_of, write
from sgdlab.ui.context import Run

TEXT: i18n.Text = {
    "preset": ("Preset", "预设实验"),
    "preset_help": ("Load a prepared setting; a note says what to notice.",
                    "载入一个准备好的设置，并说明要注意观察什么。"),
    "preset_pick": ("Choose an experiment…", "选择一个实验……"),
    "preset_locked": ("The link locks or hides some settings, so presets are off.",
                      "链接锁定或隐藏了部分设置，因此不能载入预设。"),
    "preset_changed": ("Settings changed since the preset was loaded: its notes below "
                       "describe its own settings. Pick it again to reload them.",
                       "载入预设后设置已被修改：下面的说明针对预设自己的设置。"
                       "再选一次这个预设即可恢复。"),
    "preset_notes": ("Notes: {title}", "说明：{title}"),
}


def _load_preset() -> None:
    name = st.session_state.get(PRESET_PICK)
    if name is None:
        return
    p = presets.preset(name)
    write(settings_of(p.data, p.train))
    st.session_state[STEP] = p.train.steps
    st.session_state[PRESET] = name


def preset_on_show(run: Run) -> str | None:
    """The preset loaded, while the run on show still has its settings: a link then carries
    ``preset=`` and opens with the preset's commentary."""
    name = st.session_state.get(PRESET)
    if name is None or run.data_config is None:
        return None
    p = presets.preset(name)
    same = settings_of(p.data, p.train) == settings_of(run.data_config, run.train_config)
    return name if same else None


def preset_menu_ui(lang: str) -> presets.Preset | None:
    """The preset menu and, once one is loaded, its commentary; returns that preset."""
    is_locked = link_fixes_settings()
    name = st.session_state.get(PRESET)
    loaded = presets.preset(name) if name is not None else None
    changed = loaded is not None and ({n: setting(n) for n in urlstate.SETTINGS}
                                      != settings_of(loaded.data, loaded.train))
    if changed and st.session_state.get(PRESET_PICK) is not None:
        # The menu no longer names settings that are not on show, and picking the same
        # preset again reloads it (a pick that changes nothing runs no callback).
        st.session_state[PRESET_PICK] = None
    titles = {p.name: p.title(lang) for p in presets.presets()}
    st.selectbox(i18n.tr(TEXT, "preset", lang), list(titles), key=PRESET_PICK,
                 index=None, placeholder=i18n.tr(TEXT, "preset_pick", lang),
                 format_func=titles.__getitem__, on_change=_load_preset,
                 disabled=is_locked, help=i18n.tr(TEXT, "preset_help", lang))
    if is_locked:
        st.caption(i18n.tr(TEXT, "preset_locked", lang))
    if loaded is None:
        return None
    if not changed:
        st.info(f"**{loaded.title(lang)}**  \n{loaded.text(lang)}")
        return loaded
    # Its notes describe its own settings: shown as they were, they would contradict the
    # screen after a change ("the loss grows until the run is stopped" over a run that
    # converged). Still there to read, folded.
    st.caption(i18n.tr(TEXT, "preset_changed", lang))
    with st.expander(i18n.tr(TEXT, "preset_notes", lang, title=loaded.title(lang))):
        st.markdown(loaded.text(lang))
    return loaded
