"""A teacher's link locks controls (drawn, disabled) or hides them (not drawn, in force)."""

from __future__ import annotations

from sgdlab.ui.classroom.state import url_state


def link_fixes_settings() -> bool:
    """Does the teacher's link lock or hide any setting? Then presets and the data source,
    which change many settings at once, stay as the link set them."""
    state = url_state()
    return state is not None and bool(state.locked or state.hidden)


def locked(name: str) -> bool:
    """Does the link lock control ``name``? (Draw it with ``disabled=True``.)"""
    state = url_state()
    return state is not None and name in state.locked


def hidden(name: str) -> bool:
    """Does the link hide control ``name``? (Do not draw it; use ``setting(name)``.)"""
    state = url_state()
    return state is not None and name in state.hidden
