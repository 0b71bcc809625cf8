"""The address bar follows the run on show, so that it can be copied as the run's link.

Streamlit's bound widgets (``bind="query-params"``) write their own parameters,
and refuse to have them set by hand; two private calls, kept here, tell which
parameters are bound and correct those that say other than the run.
"""

from __future__ import annotations

import streamlit as st

from sgdlab import urlstate
from sgdlab.config import DataConfig
from sgdlab.ui.classroom.presets_menu import preset_on_show
from sgdlab.ui.classroom.state import url_state
from sgdlab.ui.classroom.tabs import link_view
from sgdlab.ui.context import Run


def sync_url(run: Run, *, step: int | None = None, view: str | None = None) -> None:
    """Write this run's settings into the address bar (for apps whose widgets are not bound
    with ``bind="query-params"``; Streamlit refuses to set a bound parameter by hand).

    Keeps the link's locks and hides and drops what the notices said was ignored;
    does nothing when the address already says the same, so no history entry is added.
    """
    state = url_state()
    query = urlstate.to_query(
        run.data_config or DataConfig(), run.train_config, lang=run.lang, step=step,
        view=view if view is not None else link_view(), preset=preset_on_show(run),
        locked=state.locked if state else (), hidden=state.hidden if state else ())
    current = st.query_params.to_dict()  # the last of a repeated parameter's values
    # A repeated parameter is written once, with the value used (the notice says so).
    repeated = {k for k in current if len(st.query_params.get_all(k)) > 1}
    # The controls bound with bind="query-params" write their own parameters; the rest
    # (language, step, view, preset, locks, and hidden controls' values) is written here.
    bound = {k for k in set(query) | set(current) | set(urlstate.SETTINGS) if _bound(k)}
    stale = [k for k in current if k not in bound and k not in query
             and k not in urlstate.PASSED]
    changed = {k: v for k, v in query.items()
               if k not in bound and (current.get(k) != v or k in repeated)}
    for key in stale:
        del st.query_params[key]
    if changed:
        st.query_params.update(changed)
    _correct_bound(query, current, bound, repeated)


def _correct_bound(query: dict[str, str], current: dict[str, str], bound: set[str],
                   repeated: set[str]) -> None:
    """Bound parameters that say other than the run on show, set to the run's values.

    Streamlit writes a bound parameter when its widget changes in the browser, but not
    when a link's value had to be fixed: after ?seed=-1 the page runs seed 0, and an
    address bar that said nothing of the seed would give the class seed 1024. Values
    are compared parsed, so a number in Streamlit's own spelling is left alone.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    fixes: dict[str, str | None] = {}
    for name in bound & set(urlstate.SETTINGS):
        wanted = urlstate.parse_value(name, query[name])[0] if name in query else None
        shown = urlstate.parse_value(name, current[name]) if name in current else None
        if shown is None:
            if wanted is not None:
                fixes[name] = query[name]
        elif name in repeated or shown[1] is not None or shown[0] != (
                wanted if wanted is not None else urlstate.SETTINGS[name][1]):
            fixes[name] = query.get(name)
    if fixes:
        with get_session_state().query_params() as qp:
            for name, value in fixes.items():
                if value is None:
                    qp.remove_param(name)
                else:
                    qp.set_corrected_value(name, value, "string_value")


def _bound(key: str) -> bool:
    """Is URL parameter ``key`` bound to a widget? Streamlit (pinned at 1.67) has no public
    call for it, and refuses to set or delete a bound parameter by hand."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        return bool(qp.is_bound(key))
