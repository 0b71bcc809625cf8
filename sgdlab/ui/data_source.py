"""The sidebar's data source: the notebook's synthetic points, a built-in table, or your CSV.

``data_source_ui(lang)`` returns the :class:`Data` to fit, or None when the
synthetic data is in use (then the synthetic-data controls apply). An upload
is parsed once and kept in ``st.session_state``, so it survives reruns and
switching sources; a bad file shows its message and the previous data stays.
"""

from __future__ import annotations

import streamlit as st

from sgdlab import i18n, theory
from sgdlab.data import Data
from sgdlab.datasets import (
    BUILTINS,
    MAX_MB,
    MAX_ROWS,
    PREVIEW_ROWS,
    DataError,
    Message,
    Table,
    builtin_table,
    read_csv,
    to_data,
)
from sgdlab.ui import classroom
from sgdlab.ui.language import radio

SOURCES = ("synthetic", "builtin", "upload")

# session_state keys: widgets first, then what this module keeps between reruns.
SOURCE, BUILTIN, UPLOAD, X, Y, STANDARDIZE = (
    "data_source", "data_builtin", "data_upload", "data_x", "data_y", "data_standardize")
TABLE, SEEN, ERROR, CURRENT, FITTED = (
    "data_upload_table", "data_upload_seen", "data_upload_error", "data_current_",
    "data_upload_fitted")

TEXT: i18n.Text = {
    "source": ("Data source", "数据来源"),
    "source_help": ("The points to fit: the notebook's synthetic points, a built-in real data "
                    "set, or your own CSV file. A class link that locks or hides settings "
                    "keeps the notebook's points.",
                    "要拟合的数据点：笔记本的合成数据、内置真实数据或你自己的 CSV 文件。"
                    "锁定或隐藏了设置的课堂链接固定使用笔记本的数据。"),
    "synthetic": ("Notebook's synthetic points", "笔记本的合成数据"),
    "builtin": ("Built-in real data", "内置真实数据"),
    "upload": ("Your CSV file", "上传 CSV 文件"),
    "dataset": ("Data set", "数据集"),
    "file": ("CSV file", "CSV 文件"),
    "file_help": (
        "A table with a column of x values and a column of y values, separated by commas, "
        "semicolons or tabs; a header row is optional; UTF-8 or GBK. At most {mb} MB and "
        "{rows:,} rows.",
        "一个表格，含一列 x 值和一列 y 值，以逗号、分号或制表符分隔；表头可有可无；"
        "编码为 UTF-8 或 GBK。最大 {mb} MB、{rows:,} 行。"),
    "waiting": ("Upload a file to fit it; until then the synthetic data is used.",
                "上传文件后即可拟合；在此之前使用合成数据。"),
    "kept": ("Still fitting the last data that could be used: {name}.",
             "仍在拟合上一份可用的数据：{name}。"),
    "using": ("Using {name}.", "正在使用 {name}。"),
    "x": ("x column", "x 列"),
    "y": ("y column", "y 列"),
    "standardize": ("Standardize x", "归一化 x"),
    "standardize_help": (
        "Subtract the mean of x and divide by its standard deviation, so x is centred on 0 "
        "with spread 1. Then the gradients for a and b are of similar size and one learning "
        "rate near 1 suits both. Raw x far from 0 or spread widely makes the largest stable "
        "learning rate tiny (it shrinks like 1/x²) and the intercept crawl. "
        "The fitted a is then per standard deviation of x.",
        "把 x 减去均值再除以标准差，使 x 以 0 为中心、离散程度为 1。这样 a 和 b 的梯度大小相近，"
        "一个接近 1 的学习率对两者都合适。原始 x 若远离 0 或分布很宽，最大稳定学习率会变得很小"
        "（随 1/x² 缩小），截距也学得很慢。此时拟合出的 a 是 x 每变化一个标准差时 y 的变化。"),
    "max_lr": ("Largest stable learning rate (full batch): {lr:.3g}",
               "最大稳定学习率（全量批次）：{lr:.3g}"),
    "points": ("{n:,} points", "{n:,} 个数据点"),
    "preview": ("Preview", "预览"),
    "preview_caption": ("The first {k} of {n:,} rows.", "共 {n:,} 行中的前 {k} 行。"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """This module's words in ``lang``."""
    return i18n.tr(TEXT, key, lang, **values)


def data_source_ui(lang: str) -> Data | None:
    """Draw the data-source choice in the sidebar; the Data to fit, or None for synthetic."""
    fixed = classroom.link_fixes_settings()  # a teacher's link: the class fits its data
    if fixed:
        st.session_state[SOURCE] = SOURCES[0]
    with st.sidebar:
        source = radio(st, tr("source", lang), SOURCES, key=SOURCE, lang=lang,
                       format_func=lambda s: tr(s, lang), disabled=fixed,
                       help=tr("source_help", lang))
        if source == "builtin":
            return builtin_ui(lang)
        if source == "upload":
            return upload_ui(lang)
    return None


def builtin_ui(lang: str) -> Data | None:
    """A choice of the built-in tables, what each one is, and its data."""
    key = st.selectbox(tr("dataset", lang), list(BUILTINS), key=BUILTIN,
                       format_func=lambda k: BUILTINS[k].name(lang))
    spec = BUILTINS[key]
    st.caption(spec.about(lang))
    try:
        table = cached_builtin_table(key)
    except DataError as e:
        st.error(e.text(lang))
        return None
    return _fit_columns_ui(lang, table, ("builtin", key), spec.x_label, spec.y, choose=False)


@st.cache_resource(show_spinner=False)
def cached_builtin_table(key: str) -> Table:
    """Built-in tables are read once per server; a Table is never changed after it is made."""
    return builtin_table(key)


def upload_ui(lang: str) -> Data | None:
    """The file uploader, its message if the file is bad, and the columns to fit."""
    # No max_upload_size: the server's larger cap (datasets.UPLOAD_MB) lets a file just
    # over MAX_MB through, so read_csv can refuse it in the reader's language.
    uploaded = st.file_uploader(tr("file", lang), key=UPLOAD,
                                help=tr("file_help", lang, mb=MAX_MB, rows=MAX_ROWS))
    if uploaded is not None and uploaded.file_id != st.session_state.get(SEEN):
        # A new file: parse it once; the result is kept for every later rerun.
        st.session_state[SEEN] = uploaded.file_id
        try:
            with st.spinner():
                st.session_state[TABLE] = read_csv(uploaded.getvalue(), uploaded.name)
            st.session_state[ERROR] = None
            for key in (X, Y):
                st.session_state.pop(key, None)
        except DataError as e:
            st.session_state[ERROR] = e.message
            # Back to the table of the last data that worked: the last file read may have
            # been unfittable, and its complaint then showed under this one's (a reviewer).
            st.session_state[TABLE] = st.session_state.get(FITTED)
            # The sidebar's foot is far from the charts, which go on showing other data.
            st.toast(e.text(lang), icon="⚠️")
    table: Table | None = st.session_state.get(TABLE)
    error: Message | None = st.session_state.get(ERROR) if uploaded is not None else None
    if error is not None:
        # Say what is wrong with the new file, and go on fitting the last data that worked.
        st.error(error.text(lang))
        current = st.session_state.get(CURRENT + "upload")
        if current is not None:
            st.caption(tr("kept", lang, name=current[1].name))
            return current[1]
        return None  # the notebook's data meanwhile
    if table is None:
        st.info(tr("waiting", lang))
        return None
    if uploaded is None:
        st.caption(tr("using", lang, name=table.name))
    x, y = _guess_columns(table)
    return _fit_columns_ui(lang, table, ("upload", st.session_state.get(SEEN), table.name), x, y,
                           choose=True)


def _guess_columns(table: Table) -> tuple[str, str]:
    """Columns named x and y if there are such, else the first two numeric columns."""
    lower = {c.strip().lower(): c for c in table.numeric}
    if "x" in lower and "y" in lower and lower["x"] != lower["y"]:
        return lower["x"], lower["y"]
    return table.numeric[0], table.numeric[1]


def _fit_columns_ui(lang: str, table: Table, source: tuple, x: str, y: str,
                    choose: bool) -> Data | None:
    """Column choice (for uploads), standardize switch, notices and preview -> Data.

    The Data is kept in session state under its choices (one per source), so a
    rerun that changes nothing hands back the very same object, and a choice
    that can't be fitted keeps the last one that could.
    """
    if choose:
        x, y = _columns_ui(lang, table, x, y)
    standardize = st.toggle(tr("standardize", lang), value=True, key=STANDARDIZE,
                            help=tr("standardize_help", lang))
    key = (*source, x, y, standardize)
    current = st.session_state.get(CURRENT + source[0])
    if current is None or current[0] != key:
        try:
            data, said = to_data(table, x, y, standardize)
        except DataError as e:
            st.error(e.text(lang))
            kept = current[1] if current is not None else None
            if kept is not None:
                st.caption(tr("kept", lang, name=kept.name))
            return kept
        current = (key, data, (*table.notices, *said))
        st.session_state[CURRENT + source[0]] = current
        if source[0] == "upload":
            st.session_state[FITTED] = table
    _, data, notices = current
    _notices_ui(lang, notices)
    st.caption(tr("points", lang, n=data.n) + " · " + tr(
        "max_lr", lang, lr=theory.max_stable_lr(theory.data_hessian(data))))
    _preview_ui(lang, table, x, y)
    return data


def _columns_ui(lang: str, table: Table, x: str, y: str) -> tuple[str, str]:
    """x and y from the numeric columns; y is never the same column as x."""
    columns = list(table.numeric)
    if st.session_state.get(X) not in columns:
        st.session_state[X] = x
    x = st.selectbox(tr("x", lang), columns, key=X)
    others = [c for c in columns if c != x]
    if st.session_state.get(Y) not in others:
        # x took y's column: swap, so y gets the column x had before.
        before = st.session_state.get(X + "_before")
        st.session_state[Y] = next(c for c in (before, y, others[0]) if c in others)
    st.session_state[X + "_before"] = x
    y = st.selectbox(tr("y", lang), others, key=Y)
    return x, y


def _notices_ui(lang: str, notices: tuple[Message, ...]) -> None:
    for m in notices:
        if m.warn:
            st.warning(m.text(lang))
        else:
            st.caption(m.text(lang))


def _preview_ui(lang: str, table: Table, x: str, y: str) -> None:
    """The first rows, the fitted columns first."""
    rows = table.frame.head(PREVIEW_ROWS) if table.preview is None else table.preview
    with st.expander(tr("preview", lang)):
        order = [x, y] + [c for c in rows.columns if c not in (x, y)]
        st.dataframe(rows[order], hide_index=True)
        st.caption(tr("preview_caption", lang, k=len(rows), n=len(table.frame)))
