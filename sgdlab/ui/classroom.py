"""The classroom: links that reproduce a run, teacher locks, presets with commentary, explain.

In ``app.py``, before any control is drawn::

    state = classroom.apply_url_state()     # link -> st.session_state, notices shown
    lang = sgdlab.ui.language.language_ui() # 中文 / English, key "lang"
    classroom.preset_menu_ui(lang)
    ... controls: skip classroom.hidden(name), disabled=classroom.locked(name) ...
    classroom.explain_ui(run, "loss"); classroom.copy_link_ui(run, step=..., view=...)
    classroom.finish_url_state()            # last line of the script

Widgets use the config field names as keys, so a setting's session-state
key, its URL parameter and its field are one name.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import streamlit as st

from sgdlab import explain, i18n, presets, theory, urlstate
from sgdlab.config import DataConfig, TrainConfig
from sgdlab.ui.context import Run
from sgdlab.ui.language import initial_lang

URL_STATE = "_classroom_url"  # session_state: the UrlState read from the link on first run
PRESET = "_classroom_preset"  # session_state: name of the last preset loaded
PRESET_PICK = "_classroom_preset_pick"
DISMISSED = "_classroom_dismissed"  # session_state: the reader closed the link's notices
PENDING = "_classroom_pending"  # settings to write again once the widgets exist
LANG, STEP, VIEW = "lang", "step", "view"  # widget keys the app's controls use
MAX_NOTICES_SHOWN = 8

TEXT: i18n.Text = {
    "notices": ("Some link parameters were changed or ignored:",
                "部分链接参数已被修改或忽略："),
    "more": ("… and {count} more.", "……还有 {count} 条。"),
    "dismiss": ("Got it", "知道了"),
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
    "copy_link": ("Copy link", "复制链接"),
    "copy_help": ("A link that reopens this run, at this step and view.",
                  "打开后重现本次训练、当前训练步数与视图的链接。"),
    # Browsers allow the copy button only on https or localhost: on a classroom server
    # reached by plain http it did nothing (a teacher's trial).
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
    with_base = urlstate.parse(params, base=(p.data, p.train), views=LINK_VIEWS,
                               presets=names)
    return with_base


def apply_url_state() -> urlstate.UrlState:
    """Read the link once per session into st.session_state; show its notices every run.

    Call it before any control is drawn: it writes each setting the URL gave
    (already clamped and made consistent) under the setting's widget key, and
    ``lang``, ``step`` and ``view`` likewise.
    """
    ss = st.session_state
    if PENDING in ss:
        _write(ss.pop(PENDING))
    if URL_STATE not in ss:
        state = _read_link()
        if state.preset is not None:
            values = _settings(state.data, state.train)
            ss[PRESET] = state.preset
        else:
            values = state.values()
        _write(values)
        # On a page's first run a widget bound to the URL takes the URL's value over
        # st.session_state; finish_url_state() writes the checked values once more: every
        # setting, since a number box has no bounds of its own (controls.checked) and took
        # a value the link had been refused for (?slope=1e90 "ignored" ran slope 1e90).
        ss[PENDING] = (_settings(state.data, state.train) if state.notices or state.preset
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


def _settings(data: DataConfig, train: TrainConfig) -> dict[str, Any]:
    return {name: getattr(data if cls is DataConfig else train, name)
            for name, (cls, _, _) in urlstate.SETTINGS.items()}


def _write(values: dict[str, Any]) -> None:
    for name, value in values.items():
        st.session_state[name] = value


# The tabs below the live view, by the name a link gives them (?view=stability).
TABS: dict[str, tuple[str, str]] = {
    "explain": ("Explain", "讲解"), "stability": ("Stability map", "稳定性图"),
    "compare": ("Compare runs", "比较训练"), "seeds": ("Seed bands", "种子色带"),
    "noise": ("Gradient noise", "梯度噪声"), "export": ("Export", "导出")}
# The live figure's own panels: their explanations are in the first tab.
VIEW_ALIASES = {"fit": "explain", "loss": "explain", "params": "explain"}
LINK_VIEWS = (*TABS, *VIEW_ALIASES)  # what ?view= may say
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


def _link_view() -> str | None:
    """The view a link carries: the open tab, unless it is the first (where pages open)."""
    view = open_view()
    return None if view == next(iter(TABS)) else view


def _preset_on_show(run: Run) -> str | None:
    """The preset loaded, while the run on show still has its settings: a link then carries
    ``preset=`` and opens with the preset's commentary."""
    name = st.session_state.get(PRESET)
    if name is None or run.data_config is None:
        return None
    p = presets.preset(name)
    same = _settings(p.data, p.train) == _settings(run.data_config, run.train_config)
    return name if same else None


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


def _url_state() -> urlstate.UrlState | None:
    return st.session_state.get(URL_STATE)


def link_fixes_settings() -> bool:
    """Does the teacher's link lock or hide any setting? Then presets and the data source,
    which change many settings at once, stay as the link set them."""
    state = _url_state()
    return state is not None and bool(state.locked or state.hidden)


def locked(name: str) -> bool:
    """Does the link lock control ``name``? (Draw it with ``disabled=True``.)"""
    state = _url_state()
    return state is not None and name in state.locked


def hidden(name: str) -> bool:
    """Does the link hide control ``name``? (Do not draw it; use :func:`setting`.)"""
    state = _url_state()
    return state is not None and name in state.hidden


def setting(name: str) -> Any:
    """The current value of setting ``name``: its widget's, else the link's, else the default."""
    return st.session_state.get(name, urlstate.SETTINGS[name][1])


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
    """One warning listing what the link asked for that could not be used, and why."""
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


def _load_preset() -> None:
    name = st.session_state.get(PRESET_PICK)
    if name is None:
        return
    p = presets.preset(name)
    _write(_settings(p.data, p.train))
    st.session_state[STEP] = p.train.steps
    st.session_state[PRESET] = name


def preset_menu_ui(lang: str) -> presets.Preset | None:
    """The preset menu and, once one is loaded, its commentary; returns that preset."""
    is_locked = link_fixes_settings()
    name = st.session_state.get(PRESET)
    loaded = presets.preset(name) if name is not None else None
    changed = loaded is not None and ({n: setting(n) for n in urlstate.SETTINGS}
                                      != _settings(loaded.data, loaded.train))
    if changed and st.session_state.get(PRESET_PICK) is not None:
        # The menu no longer names settings that are not on show, and picking the same
        # preset again reloads it (a pick that changes nothing ran no callback).
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
    # Its notes describe its own settings: shown as they were, they contradicted the
    # screen after a change (a reviewer: "the loss grows until the run is stopped" over
    # a run that converged). Still there to read, folded.
    st.caption(i18n.tr(TEXT, "preset_changed", lang))
    with st.expander(i18n.tr(TEXT, "preset_notes", lang, title=loaded.title(lang))):
        st.markdown(loaded.text(lang))
    return loaded


def explain_ui(run: Run, view: str) -> None:
    """An expander that explains ``view``: what it shows, the update rule and loss in LaTeX."""
    limit = theory.max_stable_lr(theory.data_hessian(run.data))
    blocks = explain.explain(view, run.lang, optimizer=run.train_config.optimizer,
                             accumulation=run.train_config.accumulation, limit=limit)
    # One markdown element, formulas as $$ display maths (KaTeX, as st.latex draws
    # them): an element per block made this panel 7 messages on every rerun.
    text = "\n\n".join(f"$$\n{body}\n$$" if kind == "latex" else body for kind, body in blocks)
    key = f"title.{view}" if f"title.{view}" in explain.TEXT else "title"  # three in one tab
    with st.expander(i18n.tr(explain.TEXT, key, run.lang), icon=":material/lightbulb:"):
        st.markdown(text)


def link_for(run: Run, *, step: int | None = None, view: str | None = None,
             lock: tuple[str, ...] = (), hide: tuple[str, ...] = ()) -> str:
    """The full link (or ``?query`` when the app's address is unknown) that reopens ``run``."""
    query = urlstate.to_query(run.data_config or DataConfig(), run.train_config,
                              lang=run.lang, step=step, view=view, preset=_preset_on_show(run),
                              locked=lock, hidden=hide)
    base = st.context.url or ""
    if base and "/" not in base.split("://", 1)[-1]:
        base += "/"  # http://host:port -> http://host:port/ before the ?query
    return base + urlstate.query_string(query)


def sync_url(run: Run, *, step: int | None = None, view: str | None = None) -> None:
    """Write this run's settings into the address bar (for apps whose widgets are not bound
    with ``bind="query-params"``; Streamlit refuses to set a bound parameter by hand).

    Keeps the link's locks and hides and drops what the notices said was ignored;
    does nothing when the address already says the same, so no history entry is added.
    """
    state = _url_state()
    query = urlstate.to_query(
        run.data_config or DataConfig(), run.train_config, lang=run.lang, step=step,
        view=view if view is not None else _link_view(), preset=_preset_on_show(run),
        locked=state.locked if state else (), hidden=state.hidden if state else ())
    current = st.query_params.to_dict()  # the last of a repeated parameter's values
    # A repeated parameter is written once, with the value used (the notice says so).
    repeated = {k for k in current if len(st.query_params.get_all(k)) > 1}
    # The controls bound with bind="query-params" write their own parameters; the rest
    # (language, step, view, preset, locks, and hidden controls' values) is written here.
    bound = {k for k in set(query) | set(current) | set(urlstate.SETTINGS) if _bound(k)}
    stale = [k for k in current if k not in bound and k not in query]
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
    when a link's value had to be fixed: after ?seed=-1 the page ran seed 0 while the
    address bar said nothing of the seed, and a teacher who copied it sent the class
    seed 1024 (a reviewer). Values are compared parsed, so a number in Streamlit's own
    spelling is left alone.
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


def copy_link_ui(run: Run, *, step: int | None = None, view: str | None = None) -> str:
    """A "copy link" popover: this run's link, and a teacher's variant that locks/hides controls."""
    lang = run.lang
    state = _url_state()
    keep_lock = tuple(sorted(state.locked)) if state else ()
    keep_hide = tuple(sorted(state.hidden)) if state else ()
    view = view if view is not None else _link_view()
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
            # who typed 学习率 and took the first row locked the schedule too.
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
