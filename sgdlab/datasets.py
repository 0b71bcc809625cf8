"""Real data to fit: built-in tables that ship with our dependencies, and uploaded CSV files.

    >>> table = read_csv(open("heights.csv", "rb").read(), name="heights.csv")
    >>> data, notices = to_data(table, x="height", y="weight")   # a Data for train()

Every failure is a :class:`DataError` carrying a :class:`Message` (an i18n
key plus values), so the UI can say it in the reader's language; nothing
here shows anything or imports Streamlit or Plotly.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from sgdlab import i18n
from sgdlab.config import MAX_POINTS
from sgdlab.data import Data, from_arrays

MAX_MB = 20  # a larger file is refused with a message in the reader's language
# server.maxUploadSize in .streamlit/config.toml: files up to this size still reach the
# app, which says "too big" in the reader's language; beyond it the browser's uploader
# refuses them itself, in English (Streamlit's own text).
UPLOAD_MB = 50
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_ROWS = MAX_POINTS  # data rows in a file; more is refused, never silently cut
PREVIEW_ROWS = 10
MAX_ABS = 1e15  # beyond this, squares near float32's 3.4e38 and 7-digit precision bite
Y_SCALE_ABOVE = 1e4  # larger y is shown in thousands (etc.): the loss would trip the guard

SEPARATORS = (",", ";", "\t", "|", " ")  # " " means any run of spaces
SEP_NAMES = {",": "sep_comma", ";": "sep_semicolon", "\t": "sep_tab", "|": "sep_pipe",
             " ": "sep_space"}
MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "#n/a", "#value!", "#div/0!"}
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+([eE][+-]?\d+)?$")
_THOUSANDS_LIKE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")  # 1,234: a decimal or a thousand?
_MAGIC = ((b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"),
          (b"BM", "image"), (b"%PDF", "pdf"), (b"PK\x03\x04", "excel"),
          (b"\xd0\xcf\x11\xe0", "excel"), (b"\x1f\x8b", "gzip"))

TEXT: i18n.Text = {
    "empty": ("The file is empty.", "文件是空的。"),
    "too_big": ("The file is {mb:.1f} MB; the limit is {limit} MB.",
                "文件大小为 {mb:.1f} MB，上限是 {limit} MB。"),
    "binary_image": ("This is an image, not a CSV table.", "这是一张图片，不是 CSV 表格。"),
    "binary_pdf": ("This is a PDF, not a CSV table.", "这是 PDF 文件，不是 CSV 表格。"),
    "binary_excel": (
        "This looks like an Excel workbook (or a ZIP file). In the spreadsheet, choose "
        "File → Save As → CSV and upload that.",
        "这看起来是 Excel 工作簿（或 ZIP 压缩包）。请在表格软件里选择“文件 → 另存为 → CSV”，"
        "再上传 CSV 文件。"),
    "binary_gzip": ("This is a compressed (gzip) file; unpack it and upload the CSV inside.",
                    "这是 gzip 压缩文件，请先解压，再上传里面的 CSV。"),
    "binary": ("This is not a text file. Please upload a CSV table.",
               "这不是文本文件。请上传 CSV 表格。"),
    "parse_error": ("The file could not be read as a table ({detail}).",
                    "无法把文件读成表格（{detail}）。"),
    "no_rows": ("The file has no data rows.", "文件里没有数据行。"),
    "too_many_rows": (
        "The file has more than {limit:,} rows, the most this app trains on. "
        "Upload a sample of the rows (for example every 10th) instead.",
        "文件超过 {limit:,} 行，这是本应用训练的上限。请上传部分行（例如每隔 10 行取 1 行）。"),
    "no_numeric": ("No column of numbers was found. Fitting a line needs two: x and y.",
                   "没有找到数值列。拟合直线需要两列数值：x 和 y。"),
    "one_numeric": ("Only one column of numbers ({column}) was found; fitting a line needs "
                    "two: x and y.",
                    "只找到一列数值（{column}）；拟合直线需要两列：x 和 y。"),
    "unknown_column": ("There is no numeric column named {column}.",
                       "没有名为 {column} 的数值列。"),
    "same_column": ("x and y are the same column; choose two different columns.",
                    "x 和 y 是同一列，请选择两个不同的列。"),
    "too_few_rows": ("Only {n} row(s) have numbers in both {x} and {y}; a line needs at "
                     "least 2.",
                     "只有 {n} 行在 {x} 和 {y} 中都有数值；拟合直线至少需要 2 行。"),
    "constant_x": ("Every value of x ({x}) is {value:g}: a line through them has no slope to "
                   "learn. Choose another x column.",
                   "x（{x}）的所有值都是 {value:g}，无法确定直线的斜率。请换一个 x 列。"),
    "too_large": ("Column {column} holds values as large as {value:.3g}; the limit is "
                  "±{limit:.0e}. Rescale it first (for example, to millions).",
                  "列 {column} 中有大到 {value:.3g} 的值；上限是 ±{limit:.0e}。"
                  "请先换算单位（例如以百万为单位）。"),
    "x_precision": ("x ({x}) varies too little for its size to be told apart in 32-bit "
                    "floats (like 2000000000 + 1). Subtract a constant from it first.",
                    "x（{x}）相对其大小变化太小，32 位浮点数无法区分（如 2000000000 + 1）。"
                    "请先减去一个常数。"),
    "unusable": ("This data can't be used: {detail}.", "无法使用这些数据：{detail}。"),
    "builtin_missing": ("The built-in data sets come with Plotly, which is not installed.",
                        "内置数据集随 Plotly 提供，但 Plotly 没有安装。"),
    "read_as": ("{rows:,} rows, {cols} columns (encoding {encoding}, separator {sep}).",
                "{rows:,} 行，{cols} 列（编码 {encoding}，分隔符 {sep}）。"),
    "sep_comma": ("comma", "逗号"),
    "sep_semicolon": ("semicolon", "分号"),
    "sep_tab": ("tab", "制表符"),
    "sep_pipe": ("vertical bar", "竖线"),
    "sep_space": ("spaces", "空格"),
    "no_header": ("No header row: the columns are named col1, col2, …",
                  "没有表头行：各列依次命名为 col1、col2……"),
    "decimal_comma": ("Read decimal commas in: {columns}.", "以下列按小数逗号读取：{columns}。"),
    "full_width": ("Full-width digits and signs (as a Chinese input method types them) were "
                   "read as ordinary ones.", "全角数字和符号（中文输入法输入的）已按半角读取。"),
    "unread": ("Not read as numbers: {columns} (for example “{example}”). Write plain "
               "numbers: a dot for decimals, and no thousands separators, units or % signs.",
               "以下列没有读成数值：{columns}（例如“{example}”）。请写成普通数字：用小数点，"
               "不要千位分隔符、单位或百分号。"),
    "ambiguous_comma": (
        "Not read as numbers: {columns}. A value like 1,234 could mean 1.234 or 1234; "
        "use a dot for decimals and no thousands separator.",
        "以下列没有读成数值：{columns}。像 1,234 这样的值可能是 1.234 也可能是 1234；"
        "请用小数点表示小数，并去掉千位分隔符。"),
    "skipped_lines": ("{n:,} line(s) with more fields than the header were skipped.",
                      "跳过了 {n:,} 行字段数多于表头的行。"),
    "dropped_rows": ("{n:,} of {total:,} rows were left out: missing or non-numeric values "
                     "in {x} or {y}.",
                     "{total:,} 行中有 {n:,} 行被略去：{x} 或 {y} 中有缺失值或非数值。"),
    "y_scaled": ("y is {y} divided by {scale:,g}, so that the loss stays in a readable range; "
                 "the fitted b and the line's y are in those units.",
                 "y 是 {y} 除以 {scale:,g}，使损失保持在易读的范围；拟合得到的 b 和直线的 y "
                 "都以此为单位。"),
}


@dataclass(frozen=True)
class Message:
    """Words to show, not yet in a language: a key of :data:`TEXT` and its values."""

    key: str
    values: tuple[tuple[str, object], ...] = ()
    warn: bool = False  # a warning (something was left out) rather than information

    def text(self, lang: str) -> str:
        values = {k: tr_value(v, lang) for k, v in self.values}
        return i18n.tr(TEXT, self.key, lang, **values)


def message(key: str, *, warn: bool = False, **values: object) -> Message:
    """A :class:`Message` for ``key`` of :data:`TEXT`, formatted with ``values`` when shown."""
    return Message(key, tuple(values.items()), warn)


def tr_value(value: object, lang: str) -> object:
    """A value that is itself a message (e.g. the name of a separator) in ``lang``."""
    return value.text(lang) if isinstance(value, Message) else value


class DataError(ValueError):
    """Data that can't be used, with a :class:`Message` that says why in either language."""

    def __init__(self, key: str, **values: object) -> None:
        self.message = Message(key, tuple(values.items()))
        super().__init__(self.message.text("en"))

    def text(self, lang: str) -> str:
        return self.message.text(lang)


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed file: numeric columns as float64 (NaN where unreadable), and a preview."""

    frame: pd.DataFrame  # the numeric columns only
    numeric: tuple[str, ...]
    name: str
    notices: tuple[Message, ...] = field(default=())
    preview: pd.DataFrame | None = None  # the first rows of every column, for a look


# ---------------------------------------------------------------- reading CSV


def read_csv(raw: bytes, name: str = "upload.csv") -> Table:
    """Parse uploaded bytes into a :class:`Table`; raises :class:`DataError` on a bad file.

    Works out the encoding (UTF-8 with or without BOM, UTF-16 with BOM, GBK), the
    separator, whether the first row is a header, and which columns hold numbers.
    """
    if len(raw) > MAX_BYTES:
        raise DataError("too_big", mb=len(raw) / 2**20, limit=MAX_MB)
    if not raw.strip():
        raise DataError("empty")
    text, encoding = decode(raw)
    if not text.strip():
        raise DataError("empty")
    full_width = _FULL_WIDTH.search(text) is not None
    if full_width:  # a Chinese input method's digits, signs and separators (１２，３．５)
        text = unicodedata.normalize("NFKC", text)
    text, sep = _excel_sep_line(text)
    sep = sep or sniff_separator(text)
    names = _header(_read(text, sep, nrows=50, dtype=str))
    notices: list[Message] = []
    if names is None:
        notices.append(message("no_header"))
    # Lines of bare separators (",,", as Excel exports often end) are not rows: they go
    # before rows are counted. A row that says NA is a row, and is counted when dropped.
    if sep != " ":
        text = re.sub(rf"(?m)^[ \t]*(?:{re.escape(sep)}[ \t]*)+\r?$\n?", "", text)
        if not text.strip():
            raise DataError("no_rows")
    cells = _read(text, sep, names=names, nrows=MAX_ROWS + 1)
    skipped = cells.attrs.get("skipped", 0)
    if skipped:
        notices.append(message("skipped_lines", warn=True, n=skipped))
    if len(cells) == 0:
        raise DataError("no_rows")
    if len(cells) > MAX_ROWS:
        raise DataError("too_many_rows", limit=MAX_ROWS)
    frame, preview, commas, ambiguous, unread = _numeric_columns(cells)
    numeric = list(frame.columns)
    sep_name: object = message(SEP_NAMES[sep]) if sep in SEP_NAMES else repr(sep)
    notices.insert(0, message("read_as", rows=len(frame), cols=cells.shape[1],
                              encoding=encoding, sep=sep_name))
    if full_width:
        notices.append(message("full_width"))
    if commas:
        notices.append(message("decimal_comma", columns=", ".join(commas)))
    if ambiguous:
        notices.append(message("ambiguous_comma", warn=True, columns=", ".join(ambiguous)))
    if len(numeric) < 2 and ambiguous:
        raise DataError("ambiguous_comma", columns=", ".join(ambiguous))
    if unread:
        columns, example = ", ".join(c for c, _ in unread), unread[0][1]
        if len(numeric) < 2:  # what would have been x or y was written in another way
            raise DataError("unread", columns=columns, example=example)
        notices.append(message("unread", columns=columns, example=example))
    if not numeric:
        raise DataError("no_numeric")
    if len(numeric) == 1:
        raise DataError("one_numeric", column=numeric[0])
    return Table(frame, tuple(numeric), name, tuple(notices), preview)


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name); raises :class:`DataError` for binary files."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise DataError("binary") from None
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise DataError(f"binary_{kind}")
    head = raw[:8192]
    controls = sum(head.count(bytes([c])) for c in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or controls > len(head) // 100:
        raise DataError("binary")
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
        if _looks_chinese(text[:65536]):
            return text, "GBK"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _looks_chinese(text: str) -> bool:
    """Whether GBK-decoded text reads as Chinese rather than as Western accents mis-paired.

    Latin-1 "é" followed by "r" is also a valid GBK pair; such pairs decode
    to rare characters (outside GB2312) or to a "character" wedged inside a
    Latin word (Gr鲞e), which real Chinese text almost never has.
    """
    wide = [c for c in text if ord(c) > 127]
    common = sum(_in_gb2312(c) for c in wide)
    wedged = len(re.findall(r"[A-Za-z][^\x00-\x7f][A-Za-z]", text))
    return common >= 0.9 * len(wide) and wedged <= 0.05 * len(wide)


def _in_gb2312(c: str) -> bool:
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most regular, most numeric fields."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", (-1.0, -1.0, 0)
    for sep in SEPARATORS:
        if sep == " ":
            rows = [line.split() for line in lines]
        else:
            rows = list(csv.reader(lines, delimiter=sep))
        counts = [len(r) for r in rows]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        regular = counts.count(mode) / len(counts)
        fields = [f for r in rows[1:] for f in r]
        numeric = sum(_number(f) is not None for f in fields) / max(len(fields), 1)
        score = (round(regular, 2), round(numeric, 2), 0 if sep == " " else 1)
        if score > best_score:
            best, best_score = sep, score
    return best


def _excel_sep_line(text: str) -> tuple[str, str | None]:
    """Excel may start a CSV with a line like ``sep=;`` that names the separator."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    found = re.fullmatch(r"\s*sep=(.)\s*", first)
    return (rest, found.group(1)) if found else (text, None)


def _read(text: str, sep: str, names: list[str] | None = None, nrows: int | None = None,
          dtype: type | None = None) -> pd.DataFrame:
    """pandas' C parser; lines with more fields than the first are skipped (and counted).

    Without ``dtype`` it reads numbers itself (fast, no Python object per
    cell); columns it leaves as text go through :func:`_numeric_column`.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cells = pd.read_csv(
                io.StringIO(text), sep=r"\s+" if sep == " " else sep,
                header=None if names is None else 0, names=names, dtype=dtype,
                na_values=sorted(MISSING | {m.upper() for m in MISSING}),
                keep_default_na=dtype is None, na_filter=dtype is None,
                skipinitialspace=True, on_bad_lines="warn", nrows=nrows, engine="c")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
            detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise DataError("parse_error", detail=detail[:200]) from None
    if names is None:
        cells.columns = [f"col{i + 1}" for i in range(cells.shape[1])]
    cells.attrs["skipped"] = sum(str(w.message).count("Skipping line") for w in caught)
    return cells


def _header(sample: pd.DataFrame) -> list[str] | None:
    """Column names from the first row when it is text above numbers (or all text), else None."""
    first = [str(v).strip() for v in sample.iloc[0]]
    rest = sample.iloc[1:]
    first_is_text = [_number(v) is None and v.lower() not in MISSING for v in first]
    header = all(first_is_text) or any(
        is_text and len(rest) > 0 and _share_numeric(rest[col]) >= 0.5
        for col, is_text in zip(sample.columns, first_is_text, strict=True))
    if not header:
        return None
    names: list[str] = []
    for i, v in enumerate(first):
        base = v or f"col{i + 1}"
        names.append(base if base not in names else f"{base}_{i + 1}")
    return names


def _numeric_columns(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str],
                                                     list[str], list[tuple[str, str]]]:
    """(numeric columns as float64, first rows of every column, decimal-comma and
    ambiguous columns, and (column, example) for text that looks like numbers written
    another way: "1,234.5", "10%", "$3"). Only numeric columns are kept whole."""
    out: dict[str, pd.Series] = {}
    commas: list[str] = []
    ambiguous: list[str] = []
    unread: list[tuple[str, str]] = []
    for col in cells.columns:
        s = cells[col]
        if pd.api.types.is_bool_dtype(s) or not s.notna().any():
            continue
        if pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64")
            continue
        text = s.astype(str).where(s.notna(), "")
        values, how = _numeric_column(text)
        if how == "ambiguous":
            ambiguous.append(col)
        elif values is not None:
            out[col] = values
            if how == "comma":
                commas.append(col)
        else:
            example = _numberish(text)
            if example is not None:
                unread.append((col, example))
    frame = pd.DataFrame(out, index=cells.index)
    preview = cells.head(PREVIEW_ROWS).copy()
    for col in frame.columns:
        preview[col] = frame[col].head(PREVIEW_ROWS)
    return frame, preview, commas, ambiguous, unread


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")  # full-width ASCII and the ideographic space
# Digits among symbols (1,234.5; 10%; $3), perhaps with a short unit after them (170cm,
# 65 kg, 12公斤): a reviewer's "170cm;65kg" file was told only "no column of numbers".
_NUMBERISH = re.compile(r"^[^A-Za-z\u4e00-\u9fff]*\d[^A-Za-z\u4e00-\u9fff]*"
                        r"(?:[A-Za-z\u4e00-\u9fff°µ]{1,4}[^A-Za-z\u4e00-\u9fff\d]*)?$")
# Dates and times are columns of their own kind, not numbers written another way.
_DATE_TIME = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T].*)?$|^\d{1,2}:\d{2}(:\d{2})?$")


def _numberish(s: pd.Series) -> str | None:
    """An example cell if most filled cells are digits mixed only with symbols (1,234.5;
    10%; $3; 2024-01-05): numbers the reader did not take. None for text columns."""
    head = s.head(1000).str.strip()
    filled = head[~head.str.lower().isin(MISSING)]
    looks = filled[filled.str.len().le(30) & filled.str.fullmatch(_NUMBERISH)
                   & ~filled.str.fullmatch(_DATE_TIME)]
    return str(looks.iloc[0]) if len(filled) and len(looks) >= 0.5 * len(filled) else None


def _numeric_column(s: pd.Series) -> tuple[pd.Series | None, str]:
    """Text cells -> (float64 with NaN where unreadable, or None if not numbers; how read).

    A column is numeric when at least half its filled cells are numbers. Decimal
    commas count when most filled cells look like 1,5 and none like 1.5; when
    every such cell is d,ddd it could be a thousands separator: "ambiguous".
    """
    s = s.str.replace("\u2212", "-", regex=False)  # the typographic minus of some exports
    head = s.head(1000).str.strip()
    if not (pd.to_numeric(head, errors="coerce").notna().any()
            or head.str.fullmatch(_DECIMAL_COMMA).any()):
        return None, ""  # text from the start: not worth a look at every cell
    s = s.str.strip()
    filled = s[~s.str.lower().isin(MISSING)]
    values = pd.to_numeric(s, errors="coerce")
    how = ""
    comma_like = filled.str.fullmatch(_DECIMAL_COMMA)
    if len(filled) and comma_like.mean() >= 0.5 and not filled.str.contains(r"\.\d*$").any():
        if filled[comma_like].str.fullmatch(_THOUSANDS_LIKE).all():
            return None, "ambiguous"
        values = pd.to_numeric(s.str.replace(".", "", regex=False)
                               .str.replace(",", ".", regex=False), errors="coerce")
        how = "comma"
    if values.notna().sum() >= max(1, 0.5 * len(filled)):
        return values.astype("float64"), how
    return None, ""


def _number(v: str) -> float | None:
    if _DECIMAL_COMMA.fullmatch(v):
        v = v.replace(".", "").replace(",", ".")
    try:
        return float(v) if "_" not in v else None
    except ValueError:
        return None


def _share_numeric(s: pd.Series) -> float:
    filled = [v.strip() for v in s.fillna("") if v.strip().lower() not in MISSING]
    return sum(_number(v) is not None for v in filled) / len(filled) if filled else 0.0


# ---------------------------------------------------------------- columns to Data


def to_data(table: Table, x: str, y: str, standardize: bool = True) -> tuple[Data, list[Message]]:
    """The :class:`Data` of columns ``x`` and ``y``, and notices about what was done to it.

    Rows missing either value are dropped (and counted). x is standardized in
    float64 before the float32 cast, so large offsets (years, timestamps) keep
    their spread. y larger than :data:`Y_SCALE_ABOVE` is divided by a power of
    1000 and the notice says so: at a = b = 0 its squares alone would count as
    a diverged loss.
    """
    for col in (x, y):
        if col not in table.numeric:
            raise DataError("unknown_column", column=col)
    if x == y:
        raise DataError("same_column")
    xs = table.frame[x].to_numpy(dtype=np.float64)
    ys = table.frame[y].to_numpy(dtype=np.float64)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    notices: list[Message] = []
    if not keep.all():
        notices.append(message("dropped_rows", warn=True, n=int((~keep).sum()),
                               total=len(keep), x=x, y=y))
    if len(xs) < 2:
        raise DataError("too_few_rows", n=len(xs), x=x, y=y)
    if len(xs) > MAX_POINTS:
        raise DataError("too_many_rows", limit=MAX_POINTS)
    for col, v in ((x, xs), (y, ys)):
        biggest = float(np.abs(v).max())
        if biggest > MAX_ABS:
            raise DataError("too_large", column=col, value=biggest, limit=MAX_ABS)
    spread = xs.std(ddof=1)
    if not spread > 0:
        raise DataError("constant_x", x=x, value=float(xs[0]))
    if np.ptp(xs.astype(np.float32)) == 0:
        raise DataError("x_precision", x=x)
    scale = y_scale(ys)
    if scale != 1:
        notices.append(message("y_scaled", y=y, scale=scale))
    x_model = torch.as_tensor((xs - xs.mean()) / spread, dtype=torch.float32) if standardize \
        else None
    try:
        data = from_arrays(xs, ys / scale, standardize_x=standardize, x=x_model,
                           name=f"{table.name}: {x} → {y}", x_label=x,
                           y_label=y if scale == 1 else f"{y} ÷ {scale:g}")
    except ValueError as e:
        raise DataError("unusable", detail=str(e)) from None
    return data, notices


def y_scale(y: np.ndarray) -> float:
    """1, or the power of 1000 that brings the largest |y| to at most :data:`Y_SCALE_ABOVE`."""
    biggest = float(np.abs(y).max())
    if not biggest > Y_SCALE_ABOVE:
        return 1.0
    return 1000.0 ** math.ceil(math.log(biggest / Y_SCALE_ABOVE, 1000))


# ---------------------------------------------------------------- built-in data sets


@dataclass(frozen=True)
class Builtin:
    """A real table bundled with Plotly Express, and the pair of its columns we fit."""

    file: str  # in plotly/package_data/datasets
    x: str
    y: str
    en: str
    zh: str
    about_en: str
    about_zh: str
    where: tuple[str, object] | None = None  # keep only rows where column == value
    log10_x: bool = False  # fit against log10(x): the relation is linear in orders of size

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def about(self, lang: str) -> str:
        return self.about_zh if lang == "zh" else self.about_en

    @property
    def x_label(self) -> str:
        return f"log10({self.x})" if self.log10_x else self.x


BUILTINS: dict[str, Builtin] = {
    "tips": Builtin(
        "tips", "total_bill", "tip", "Restaurant tips", "餐厅小费",
        "244 restaurant bills: the tip grows by about 10 cents per dollar of the bill, "
        "with much scatter. x = total bill, y = tip, in US dollars.",
        "244 张餐厅账单：账单每多 1 美元，小费约多 10 美分，但很分散。"
        "x = 账单总额，y = 小费，单位为美元。"),
    "iris": Builtin(
        "iris", "petal_length", "petal_width", "Iris petals", "鸢尾花花瓣",
        "Fisher's 150 iris flowers: petal width against petal length, in cm. Three species "
        "form three clusters along one almost straight line.",
        "Fisher 的 150 朵鸢尾花：花瓣宽度对花瓣长度，单位厘米。三个品种沿一条几乎笔直的线"
        "聚成三团。"),
    "gapminder_2007": Builtin(
        "gapminder", "gdpPercap", "lifeExp", "Wealth and life expectancy, 2007",
        "财富与预期寿命（2007 年）",
        "142 countries in 2007: life expectancy (years) against log10 of GDP per person "
        "(US dollars). Each tenfold rise in income goes with about 17 more years.",
        "2007 年的 142 个国家：预期寿命（岁）对人均 GDP（美元）的 log10。"
        "收入每增加十倍，预期寿命约多 17 岁。",
        where=("year", 2007), log10_x=True),
    "gapminder_years": Builtin(
        "gapminder", "year", "lifeExp", "Life expectancy over the years", "历年预期寿命",
        "1,704 rows: 142 countries every 5 years from 1952 to 2007. The trend is up about "
        "3.3 years per decade, but countries differ far more than that: a noisy data set "
        "where mini-batches disagree.",
        "1,704 行：142 个国家，1952 到 2007 年每 5 年一次。总体每十年约增加 3.3 岁，"
        "但国家之间的差异大得多：这是一个噪声很大的数据集，各个小批次的梯度很不一致。"),
    "stocks": Builtin(
        "stocks", "GOOG", "AAPL", "Google and Apple stock", "谷歌与苹果股价",
        "105 weeks of 2018-2019: Apple's share price against Google's, both divided by "
        "their price on 1 January 2018. They rise and fall together.",
        "2018-2019 年的 105 周：苹果股价对谷歌股价，都除以 2018 年 1 月 1 日的价格。"
        "两者同涨同跌。"),
}


def builtin_table(key: str) -> Table:
    """The built-in table ``key`` of :data:`BUILTINS`, read without importing Plotly."""
    spec = BUILTINS[key]
    found = importlib.util.find_spec("plotly")
    roots = found.submodule_search_locations if found else None
    path = Path(roots[0]) / "package_data" / "datasets" / f"{spec.file}.csv.gz" if roots else None
    if path is None or not path.is_file():
        raise DataError("builtin_missing")
    frame = pd.read_csv(path)
    if spec.where is not None:
        column, value = spec.where
        frame = frame[frame[column] == value].reset_index(drop=True)
    if spec.log10_x:
        frame.insert(0, spec.x_label, np.log10(frame[spec.x]))
    numeric = tuple(c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]))
    return Table(frame[list(numeric)].astype("float64"), numeric, key,
                 preview=frame.head(PREVIEW_ROWS))


def builtin_data(key: str, standardize: bool = True) -> Data:
    """The :class:`Data` of built-in data set ``key``: its chosen pair of columns."""
    spec = BUILTINS[key]
    data, _ = to_data(builtin_table(key), spec.x_label, spec.y, standardize)
    return data
