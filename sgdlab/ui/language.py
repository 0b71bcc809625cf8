"""The reader's language: ``?lang=``, else the browser's locale, else the default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from sgdlab import i18n

TEXT: i18n.Text = {
    "language": ("Language / 语言", "语言 / Language"),
    "language_help": ("The page and its figures in Chinese or English; the settings, the "
                      "open tab and the step stay as they are.",
                      "页面和图用中文或英文显示；设置、打开的标签页和当前步都保持不变。"),
    "title": ("How SGD fits a line", "随机梯度下降如何拟合直线"),
    "intro": ("Fitting y = a·x + b to noisy points with mini-batch SGD, as in the notebook. "
              "Drag the learning rate above the charts to see every rate at once, press ▶ "
              "to watch every step, and change the other settings here.",
              "用小批量随机梯度下降把 y = a·x + b 拟合到带噪声的数据点上，与笔记本相同。"
              "拖动图上方的学习率滑块可以看到每个学习率的结果，点击 ▶ 观看每一步，"
              "其他设置在这里修改。"),
}


def initial_lang() -> str:
    """``?lang=`` if it names a language we have, else the browser's locale, else the default."""
    from_url = i18n.normalize_lang(st.query_params.get("lang"))
    if from_url:
        return from_url
    return i18n.normalize_lang(getattr(st.context, "locale", None)) or i18n.DEFAULT_LANG


def language_ui() -> str:
    """The 中文 / English switch at the top of the sidebar; returns 'zh' or 'en'."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = initial_lang()
    with st.sidebar:
        choice = st.segmented_control(
            i18n.tr(TEXT, "language", st.session_state["lang"]), list(i18n.LANGS),
            format_func=lambda code: i18n.LANG_NAMES[code], key="lang", required=True,
            help=i18n.tr(TEXT, "language_help", st.session_state["lang"]))
    return choice or i18n.DEFAULT_LANG


def title_ui(lang: str) -> None:
    """The app's name and one line on what it shows, at the top of the sidebar: the main
    area's height belongs to the live view (a 1920x1080 projector shows all of it)."""
    with st.sidebar:
        st.subheader(i18n.tr(TEXT, "title", lang), anchor=False)
        st.caption(i18n.tr(TEXT, "intro", lang))


def radio(where: Any, label: str, options: Sequence[str], *, key: str, lang: str,
          format_func: Callable[[str], str], disabled: bool = False,
          help: str | None = None) -> str:
    """``where.radio(...)`` whose option texts are in ``lang``, keeping its choice on a switch.

    The browser's radio finds its selection by the option's shown text: after
    a language switch it showed no option selected (the value itself was kept).
    Stating the value again when the language changed makes Streamlit send it,
    and the browser selects it.
    """
    shown_in = f"{key}__lang"  # the language this radio was last drawn in
    if st.session_state.get(shown_in) not in (None, lang) and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    st.session_state[shown_in] = lang
    choice: str = where.radio(label, options, key=key, format_func=format_func,
                              disabled=disabled, help=help)
    return choice
