"""The reader's language: ``?lang=``, else the browser's locale, else the default."""

from __future__ import annotations

import streamlit as st

from sgdlab import i18n

TEXT: i18n.Text = {
    "language": ("Language / 语言", "语言 / Language"),
    "title": ("How SGD fits a line", "随机梯度下降如何拟合直线"),
    "intro": ("Fitting y = a·x + b to noisy points with mini-batch SGD, as in the notebook. "
              "Change the settings on the left; press ▶ in the chart to watch every step.",
              "用小批量随机梯度下降把 y = a·x + b 拟合到带噪声的数据点上,与笔记本相同。"
              "在左侧修改设置;点击图中的 ▶ 观看每一步。"),
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
            format_func=lambda code: i18n.LANG_NAMES[code], key="lang", required=True)
    return choice or i18n.DEFAULT_LANG


def title_ui(lang: str) -> None:
    """The page's title and one line on what it shows."""
    st.title(i18n.tr(TEXT, "title", lang))
    st.caption(i18n.tr(TEXT, "intro", lang))
