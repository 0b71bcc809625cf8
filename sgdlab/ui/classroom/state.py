"""The classroom's session state: its keys, the link as read, and the settings by name.

Widgets use the config field names as keys, so a setting's session-state
key, its URL parameter and its field are one name.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sgdlab import urlstate
from sgdlab.config import DataConfig, TrainConfig

URL_STATE = "_classroom_url"  # the UrlState read from the link on a session's first run
PRESET = "_classroom_preset"  # the name of the last preset loaded
PRESET_PICK = "_classroom_preset_pick"  # the preset menu's widget key
DISMISSED = "_classroom_dismissed"  # the reader closed the link's notices
PENDING = "_classroom_pending"  # settings to write again once the widgets exist
LANG, STEP = "lang", "step"  # widget keys the app's controls use


def url_state() -> urlstate.UrlState | None:
    """The link this session opened with, checked (None before apply_url_state)."""
    return st.session_state.get(URL_STATE)


def settings_of(data: DataConfig, train: TrainConfig) -> dict[str, Any]:
    """Every setting of a run by field name (the widget keys)."""
    return {name: getattr(data if cls is DataConfig else train, name)
            for name, (cls, _, _) in urlstate.SETTINGS.items()}


def write(values: dict[str, Any]) -> None:
    """Put settings under their widget keys (before the widgets are drawn)."""
    for name, value in values.items():
        st.session_state[name] = value


def setting(name: str) -> Any:
    """The current value of setting ``name``: its widget's, else the link's, else the default."""
    return st.session_state.get(name, urlstate.SETTINGS[name][1])
