"""Reading real data: a generated corpus of tricky and broken files, and the built-in tables.

Every file in the corpus either loads to numbers written down here by hand
or fails with its own message key; the built-in tables are checked against a
least-squares fit on columns read independently with the csv module.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import random
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sgdlab import datasets
from sgdlab.config import TrainConfig
from sgdlab.datasets import BUILTINS, MAX_BYTES, MAX_ROWS, DataError, read_csv, to_data
from sgdlab.theory import data_hessian, least_squares, max_stable_lr
from sgdlab.train import train

X = [1.5, 2.0, 3.25, -4.0]
Y = [10.0, -0.5, 7.75, 1e-3]
PAIRS = list(zip(X, Y, strict=True))


@dataclass(frozen=True)
class Case:
    """One file, and either the error it must raise or the x, y it must load to."""

    raw: bytes
    error: str | None = None  # DataError key, from read_csv or from to_data
    x: str = "x"  # the columns to choose
    y: str = "y"
    xs: tuple[float, ...] = tuple(X)  # expected values after dropping unusable rows
    ys: tuple[float, ...] = tuple(Y)
    notices: tuple[str, ...] = ()  # notice keys that must be among the notices


def rows(sep: str = ",", header: str | None = "x,y", decimal: str = ".",
         xs: list = X, ys: list = Y, end: str = "\n") -> str:
    """A small table as text: optional header, then one line per (x, y)."""
    lines = [header.replace(",", sep)] if header is not None else []
    lines += [f"{x}{sep}{y}".replace(".", decimal) if decimal != "." else f"{x}{sep}{y}"
              for x, y in zip(xs, ys, strict=True)]
    return end.join(lines) + end


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _big(n_rows: int) -> bytes:
    return b"x,y\n" + b"".join(b"%d,%d\n" % (i, 2 * i + 1) for i in range(n_rows))


CORPUS: dict[str, Case] = {
    # ---- files that are not tables at all
    "empty": Case(b"", "empty"),
    "whitespace_only": Case(b"  \n\n\t \r\n", "empty"),
    "bom_only": Case(b"\xef\xbb\xbf", "empty"),
    "png_renamed": Case(png(), "binary_image"),
    "jpeg_renamed": Case(b"\xff\xd8\xff\xe0" + bytes(500), "binary_image"),
    "gif_renamed": Case(b"GIF89a" + bytes(100), "binary_image"),
    "pdf_renamed": Case(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary_pdf"),
    "xlsx_renamed": Case(xlsx(), "binary_excel"),
    "xls_renamed": Case(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "binary_excel"),
    "gzipped_csv": Case(gzip.compress(utf8(rows())), "binary_gzip"),
    "random_bytes": Case(random.Random(7).randbytes(4096), "binary"),
    "text_with_nuls": Case(utf8(rows()).replace(b"\n", b"\x00\n"), "binary"),
    "unclosed_quote": Case(b'x,y\n"1,2\n3,4\n', "parse_error"),
    # ---- tables without enough usable data
    "header_only": Case(b"x,y\n", "no_rows"),
    "one_row": Case(b"x,y\n1,2\n", "too_few_rows"),
    "one_usable_row": Case(b"x,y\n1,2\n3,\n,4\nNA,5\n", "too_few_rows"),
    "one_column": Case(b"x\n1\n2\n3\n", "one_numeric"),
    "text_only": Case(utf8("name,city\nAda,London\nLin,Beijing\n"), "no_numeric"),
    "one_numeric_of_three": Case(utf8("name,x,city\nAda,1,London\nLin,2,Beijing\n"),
                                 "one_numeric"),
    "separators_only": Case(b",,,\n,,,\n", "no_rows"),  # lines of bare separators are not rows
    "constant_x": Case(utf8(rows(xs=[3.0] * 4)), "constant_x"),
    "constant_x_after_dropping": Case(b"x,y\n2,1\n2,5\n7,\n", "constant_x"),
    "huge_y": Case(utf8(rows(ys=[1e300, 2.0, 3.0, 4.0])), "too_large"),
    "huge_x": Case(utf8(rows(xs=[1.0, -2e16, 3.0, 4.0])), "too_large"),
    "all_thousands_like": Case(b"x;y\n1,234;2,345\n3,456;4,567\n", "ambiguous_comma"),
    "same_column": Case(utf8(rows()), "same_column", y="x"),
    "unknown_column": Case(utf8(rows()), "unknown_column", x="z"),
    "text_column_chosen": Case(utf8("x,y,name\n1,2,a\n3,4,b\n"), "unknown_column", y="name"),
    "over_byte_limit": Case(b"x,y\n" + b"1,2\n" * (MAX_BYTES // 4), "too_big"),
    "too_many_rows": Case(_big(MAX_ROWS + 1), "too_many_rows"),
    "too_many_rows_no_header": Case(_big(MAX_ROWS + 1)[4:], "too_many_rows"),
    "thousands_separators": Case(b'x,y\n"1,234.5",10\n"2,345.25",20\n"3,000.5",25\n', "unread"),
    "percent_signs": Case(b"x,y\n1,10%\n2,20%\n3,35%\n", "unread"),
    "currency": Case(utf8("x,y\n1,$1.50\n2,$2.00\n3,$2.75\n"), "unread"),
    "units": Case(utf8("身高;体重\n170cm;65kg\n180cm;80kg\n"), "unread"),
    "units_spaced": Case(utf8("h,w\n170 cm,65 公斤\n180 cm,80 公斤\n"), "unread"),
    # ---- separators, headers and line endings that load
    "comma": Case(utf8(rows())),
    "unicode_minus": Case(utf8(rows().replace("-", "\u2212"))),
    # A Chinese input method's full-width digits, point, minus and comma (also as separator)
    "full_width": Case(utf8(rows().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.-,"})),
                       notices=("full_width",)),
    "full_width_gbk": Case(rows().translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789.-,"}).encode("gbk"),
                           notices=("full_width",)),
    "percent_column_beside": Case(utf8("x,y,share\n" + "".join(
        f"{a},{b},{k}%\n" for k, (a, b) in enumerate(PAIRS))), notices=("unread",)),
    "date_column_beside": Case(utf8("day,x,y\n" + "".join(
        f"2024-01-0{k + 1},{a},{b}\n" for k, (a, b) in enumerate(PAIRS)))),
    "trailing_separator_lines": Case(utf8(rows() + ",\n,\n")),
    "semicolon": Case(utf8(rows(";"))),
    "tab": Case(utf8(rows("\t"))),
    "pipe": Case(utf8(rows("|"))),
    "spaces": Case(utf8("  x     y\n" + "".join(f"{a:6} {b:8}\n" for a, b in PAIRS))),
    "crlf": Case(utf8(rows(end="\r\n"))),
    "cr_only": Case(utf8(rows(end="\r"))),
    "no_final_newline": Case(utf8(rows()).rstrip(b"\n")),
    "blank_lines": Case(utf8(rows().replace("\n", "\n\n"))),
    "no_header": Case(utf8(rows(header=None)), x="col1", y="col2", notices=("no_header",)),
    "no_header_semicolon": Case(utf8(rows(";", header=None)), x="col1", y="col2"),
    "excel_sep_line": Case(utf8("sep=;\n" + rows(";", decimal=","))),
    "spaces_around_cells": Case(utf8(rows(", ").replace("\n", " \n"))),
    "trailing_separator": Case(utf8(rows().replace("\n", ",\n"))),
    "quoted_everything": Case(utf8('"x","y"\n' + "".join(
        f'"{a}","{b}"\n' for a, b in PAIRS))),
    "quoted_text_with_commas": Case(utf8("name,x,y\n" + "".join(
        f'"Smith, J{i}",{a},{b}\n' for i, (a, b) in enumerate(PAIRS)))),
    "text_with_newline_in_quotes": Case(utf8('note,x,y\n"two\nlines",1.5,10\n' + "".join(
        f"ok,{a},{b}\n" for a, b in PAIRS[1:]))),
    "unnamed_index_column": Case(utf8(",x,y\n" + "".join(
        f"{i},{a},{b}\n" for i, (a, b) in enumerate(PAIRS)))),
    "duplicate_names": Case(utf8("x,x,y\n" + "".join(
        f"0,{a},{b}\n" for a, b in PAIRS)), x="x_2"),
    "many_columns": Case(utf8(",".join(f"c{i}" for i in range(40)) + ",x,y\n" + "".join(
        ",".join(["1"] * 40) + f",{a},{b}\n" for a, b in PAIRS))),
    "extra_fields_skipped": Case(utf8(rows() + "1,2,3\n"), notices=("skipped_lines",)),
    # ---- encodings
    "utf8_bom": Case(b"\xef\xbb\xbf" + utf8(rows())),
    "utf8_bom_chinese": Case(b"\xef\xbb\xbf" + utf8(rows(header="身高,体重")), x="身高", y="体重"),
    "gbk_chinese": Case(rows(header="身高,体重").encode("gbk"), x="身高", y="体重"),
    "gbk_semicolon_decimal_comma": Case(
        rows(";", header="温度;压强", decimal=",").encode("gbk"), x="温度", y="压强"),
    "utf16_excel_unicode_text": Case(rows("\t").encode("utf-16")),
    "cp1252_german": Case(rows(";", header="Größe;Gewicht", decimal=",").encode("cp1252"),
                          x="Größe", y="Gewicht"),
    "latin1_french": Case(rows(";", header="température;pression", decimal=",")
                          .encode("latin-1"), x="température", y="pression"),
    # ---- numbers written in other ways
    "decimal_comma_semicolon": Case(utf8(rows(";", decimal=",")), notices=("decimal_comma",)),
    "decimal_comma_tab": Case(utf8(rows("\t", decimal=","))),
    "decimal_comma_quoted": Case(utf8("x,y\n" + "".join(
        f'"{a}","{b}"\n'.replace(".", ",") for a, b in PAIRS))),
    "dot_thousands_decimal_comma": Case(b"x;y\n1.234,5;1\n2,25;2\n-1.000,0;3\n",
                                        xs=(1234.5, 2.25, -1000.0), ys=(1.0, 2.0, 3.0)),
    "scientific": Case(b"x,y\n1.5E0,1e1\n2e+0,-5E-1\n3.25,7.75\n-4,1e-3\n"),
    "plus_signs": Case(b"x,y\n+1.5,+10\n+2,-0.5\n3.25,+7.75\n-4,0.001\n"),
    # ---- missing and bad values (dropped, with a count)
    "missing_markers": Case(utf8(rows() + "NA,1\n2,\nn/a,null\n-,?\n#N/A,3\n"),
                            notices=("dropped_rows",)),
    "non_finite": Case(utf8(rows() + "inf,1\n2,-inf\nnan,3\n1e400,4\n")),
    "mixed_types": Case(utf8(rows() + "oops,1\n2,two\n")),
    "short_rows": Case(utf8(rows() + "5\n")),
    "mostly_text_column": Case(utf8("x,y,label\n" + "".join(
        f"{a},{b},{lab}\n" for a, b, lab in zip(X, Y, ["a", "b", "7", "c"], strict=True)))),
    "date_column": Case(utf8("date,x,y\n" + "".join(
        f"2024-01-0{i + 1},{a},{b}\n" for i, (a, b) in enumerate(PAIRS)))),
    "boolean_column": Case(utf8("flag,x,y\n" + "".join(
        f"{i % 2 == 0},{a},{b}\n" for i, (a, b) in enumerate(PAIRS)))),
    # ---- sizes at the limits
    "exactly_max_rows": Case(_big(MAX_ROWS), xs=(), ys=()),
    "offset_beyond_float32": Case(b"x,y\n2000000000,1\n2000000001,2\n2000000002,3\n",
                                  "x_precision"),
    "year_offset": Case(b"x,y\n10000000,1\n10000000.5,2\n10000001.5,3\n10000003,4\n",
                        xs=(1e7, 1e7, 1e7 + 2, 1e7 + 3), ys=(1.0, 2.0, 3.0, 4.0)),
    "large_y_scaled": Case(b"x,y\n1,250000\n2,500000\n3,900000\n",
                           xs=(1.0, 2.0, 3.0), ys=(250.0, 500.0, 900.0), notices=("y_scaled",)),
}


def load(case: Case):
    table = read_csv(case.raw, name="case.csv")
    data, notices = to_data(table, case.x, case.y, standardize=False)
    return table, data, notices


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 50
    assert sum(c.error is not None for c in CORPUS.values()) >= 25


@pytest.mark.parametrize("name", [n for n, c in CORPUS.items() if c.error])
def test_bad_file_gets_its_message_in_both_languages(name):
    case = CORPUS[name]
    with pytest.raises(DataError) as caught:
        load(case)
    error = caught.value
    assert error.message.key == case.error
    en, zh = error.text("en"), error.text("zh")
    assert en and zh and en != zh
    assert "{" not in en and "{" not in zh  # every placeholder was filled


@pytest.mark.parametrize("name", [n for n, c in CORPUS.items() if not c.error])
def test_good_file_loads_to_the_numbers_written(name):
    case = CORPUS[name]
    table, data, notices = load(case)
    keys = {m.key for m in (*table.notices, *notices)}
    assert set(case.notices) <= keys
    for m in (*table.notices, *notices):
        assert "{" not in m.text("en") and "{" not in m.text("zh")
    if case.xs:
        np.testing.assert_allclose(data.x_raw.double().numpy(), case.xs, rtol=1e-6)
        np.testing.assert_allclose(data.y.double().numpy(), case.ys, rtol=1e-6)


def test_dropped_rows_are_counted():
    table = read_csv(CORPUS["missing_markers"].raw)
    _, notices = to_data(table, "x", "y")
    (dropped,) = [m for m in notices if m.key == "dropped_rows"]
    assert dict(dropped.values)["n"] == 5 and dict(dropped.values)["total"] == 9
    assert "5" in dropped.text("en") and "9" in dropped.text("zh")


def test_skipped_lines_are_counted():
    table = read_csv(utf8(rows() + "1,2,3\n4,5,6,7\n"))
    (skipped,) = [m for m in table.notices if m.key == "skipped_lines"]
    assert dict(skipped.values)["n"] == 2


def test_the_row_limit_boundary_loads_every_row():
    table = read_csv(_big(MAX_ROWS))
    data, _ = to_data(table, "x", "y", standardize=False)
    assert data.n == MAX_ROWS
    assert float(data.x_raw[-1]) == MAX_ROWS - 1
    # Lines of bare separators at the end (Excel) are not rows: still every row, no notice.
    table = read_csv(_big(MAX_ROWS) + b",\n,\n")
    assert len(table.frame) == MAX_ROWS and not [m for m in table.notices if m.warn]


def test_standardize_keeps_the_spread_of_large_offsets():
    # In float32, 1e7 + 0.5 == 1e7; standardizing in float64 first keeps the points apart.
    table = read_csv(CORPUS["year_offset"].raw)
    data, _ = to_data(table, "x", "y", standardize=True)
    x = np.array([0.0, 0.5, 1.5, 3.0])
    np.testing.assert_allclose(data.x.numpy(), (x - x.mean()) / x.std(ddof=1), atol=1e-6)
    assert data.x[0] != data.x[1]


def test_ambiguous_commas_are_not_read_as_numbers_but_said():
    table = read_csv(b"x;y;z\n1,234;1;5\n2,345;2;6\n3,456;4;9\n")
    assert table.numeric == ("y", "z")
    assert "ambiguous_comma" in {m.key for m in table.notices}


def test_y_scale_is_a_power_of_a_thousand_that_fits():
    assert datasets.y_scale(np.array([9999.0])) == 1
    assert datasets.y_scale(np.array([-2e4])) == 1000
    assert datasets.y_scale(np.array([5e9])) == 1e6


@given(st.binary(max_size=300))
def test_any_bytes_load_or_raise_a_data_error(raw):
    try:
        table = read_csv(raw)
    except DataError as e:
        assert e.text("zh")
        return
    for x in table.numeric:
        for y in table.numeric:
            try:
                to_data(table, x, y)
            except DataError as e:
                assert e.text("en")


@given(st.lists(st.lists(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet="ab1,;.\t\" -eE", max_size=6)), min_size=1, max_size=4),
    min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]))
def test_any_small_table_loads_or_raises_a_data_error(cells, sep):
    text = "\n".join(sep.join(row) for row in cells)
    try:
        table = read_csv(text.encode())
        if len(table.numeric) >= 2:
            to_data(table, table.numeric[0], table.numeric[1])
    except DataError as e:
        assert e.text("en")


# ---------------------------------------------------------------- built-in data sets


def _reference_columns(key: str) -> tuple[np.ndarray, np.ndarray]:
    """The built-in pair read with gzip and csv, not pandas: an independent reference."""
    spec = BUILTINS[key]
    spec_found = importlib.util.find_spec("plotly")
    assert spec_found and spec_found.submodule_search_locations
    path = Path(spec_found.submodule_search_locations[0], "package_data", "datasets",
                f"{spec.file}.csv.gz")
    with gzip.open(path, "rt", newline="") as f:
        records = list(csv.DictReader(f))
    if spec.where is not None:
        column, value = spec.where
        records = [r for r in records if float(r[column]) == value]
    x = np.array([float(r[spec.x]) for r in records])
    y = np.array([float(r[spec.y]) for r in records])
    return (np.log10(x) if spec.log10_x else x), y


@pytest.mark.parametrize("key", list(BUILTINS))
def test_builtin_trains_to_its_least_squares_line(key):
    data = datasets.builtin_data(key)
    lr = 0.9 * max_stable_lr(data_hessian(data))
    history = train(data, TrainConfig(lr=lr, batch_size=data.n, steps=300))
    best = least_squares(data)
    assert history.diverged_at is None
    assert history.a[-1] == pytest.approx(best.a, rel=1e-4, abs=1e-5)
    assert history.b[-1] == pytest.approx(best.b, rel=1e-4, abs=1e-5)
    # ... and that line is the ordinary least-squares line of the raw columns.
    x, y = _reference_columns(key)
    slope, intercept = np.polyfit(x, y, 1)
    x_std = x.std(ddof=1)
    assert history.a[-1] / x_std == pytest.approx(slope, rel=1e-3)
    assert history.b[-1] - history.a[-1] * x.mean() / x_std == pytest.approx(intercept, rel=1e-3)


@pytest.mark.parametrize("key", list(BUILTINS))
def test_builtin_has_words_in_both_languages(key):
    spec = BUILTINS[key]
    assert spec.name("en") != spec.name("zh") and spec.about("en") != spec.about("zh")
    table = datasets.builtin_table(key)
    assert spec.x_label in table.numeric and spec.y in table.numeric


def test_builtins_are_read_without_importing_plotly():
    code = ("import sys, sgdlab.datasets as d\n"
            "[d.builtin_table(k) for k in d.BUILTINS]\n"
            "assert 'plotly' not in sys.modules, 'plotly was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_builtin_missing_plotly_is_a_data_error(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError) as caught:
        datasets.builtin_table("tips")
    assert caught.value.message.key == "builtin_missing"


def test_float32_model_inputs():
    data, _ = to_data(read_csv(utf8(rows())), "x", "y")
    assert data.x.dtype == torch.float32 and data.y.dtype == torch.float32


def test_only_numeric_columns_are_kept_whole_and_the_preview_has_every_column():
    table = read_csv(utf8("name,x,y\n" + "".join(f"n{i},{i},{2 * i}\n" for i in range(50))))
    assert list(table.frame.columns) == ["x", "y"] and len(table.frame) == 50
    assert table.preview is not None and list(table.preview.columns) == ["name", "x", "y"]
    assert list(table.preview["name"]) == [f"n{i}" for i in range(datasets.PREVIEW_ROWS)]
