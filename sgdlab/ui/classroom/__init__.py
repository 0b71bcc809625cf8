"""The classroom: links that reproduce a run, teacher locks, presets with commentary, explain.

In ``app.py``, before any control is drawn::

    state = classroom.apply_url_state()     # link -> st.session_state, notices shown
    lang = sgdlab.ui.language.language_ui() # 中文 / English, key "lang"
    classroom.preset_menu_ui(lang)
    ... controls: skip classroom.hidden(name), disabled=classroom.locked(name) ...
    classroom.explain_ui(run, "loss"); classroom.copy_link_ui(run, step=..., view=...)
    classroom.finish_url_state()            # last line of the script

One idea per module: ``state`` (session keys), ``link`` (reading a link, its
notices), ``access`` (locks and hides), ``presets_menu``, ``tabs``,
``address`` (the address bar follows the run), ``copy_link`` and
``explain_panel``. Widgets use the config field names as keys, so a setting's
session-state key, its URL parameter and its field are one name.
"""

from sgdlab.ui.classroom.access import hidden, link_fixes_settings, locked
from sgdlab.ui.classroom.address import sync_url
from sgdlab.ui.classroom.copy_link import copy_link_ui, link_for
from sgdlab.ui.classroom.explain_panel import explain_ui
from sgdlab.ui.classroom.link import (
    MAX_NOTICES_SHOWN,
    apply_url_state,
    bind,
    current_lang,
    finish_url_state,
    notices_ui,
)
from sgdlab.ui.classroom.presets_menu import preset_menu_ui, preset_on_show
from sgdlab.ui.classroom.state import LANG, STEP, URL_STATE, setting
from sgdlab.ui.classroom.tabs import (
    LINK_VIEWS,
    TAB,
    TABS,
    VIEW,
    VIEW_ALIASES,
    open_view,
    tab_is_behind,
    tab_shows_step,
    tabs_ui,
)

__all__ = [
    "LANG", "LINK_VIEWS", "MAX_NOTICES_SHOWN", "STEP", "TAB", "TABS", "URL_STATE", "VIEW",
    "VIEW_ALIASES", "apply_url_state", "bind", "copy_link_ui", "current_lang", "explain_ui",
    "finish_url_state", "hidden", "link_fixes_settings", "link_for", "locked", "notices_ui",
    "open_view", "preset_menu_ui", "preset_on_show", "setting", "sync_url", "tab_is_behind",
    "tab_shows_step", "tabs_ui",
]
