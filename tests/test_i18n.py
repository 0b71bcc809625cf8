"""Every word exists in both languages: each module's TEXT table and every config field's Spec.

A Chinese entry must contain Chinese, unless it is the English word for word
and either symbols and acronyms only ("y", "RMSE", "{step}") or listed in its module's
``UNTRANSLATED`` set (a name kept in English on purpose, like "Adam").
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import pytest

import sgdlab
from sgdlab import i18n
from sgdlab.config import DataConfig, TrainConfig, spec

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"(?=[A-Za-z]*[a-z])[A-Za-z]{3,}")  # an English word; not an acronym


def _modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(sgdlab.__path__, "sgdlab.")
             if not m.name.endswith("__main__")]  # __main__ runs the CLI on import
    return [importlib.import_module(name) for name in names]


def _tables() -> list[tuple[str, dict]]:
    """Every module's TEXT, and the config's CHOICE_LABELS (menu words)."""
    return [(m.__name__, getattr(m, name)) for m in _modules()
            for name in ("TEXT", "CHOICE_LABELS") if isinstance(getattr(m, name, None), dict)]


TABLES = _tables()
ENTRIES = [(mod, key, pair) for mod, table in TABLES for key, pair in table.items()]


def placeholders(text: str) -> set[str]:
    """The {fields} of a format string (names only; specs like :.3g may differ)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def is_symbol(text: str) -> bool:
    """No English word in it (acronyms like RMSE are fine) once {placeholders} are removed."""
    return not WORD.search(re.sub(r"\{[^}]*\}", "", text))


def test_the_walk_finds_the_tables_we_know() -> None:
    found = {mod for mod, _ in TABLES}
    assert {"sgdlab.urlstate", "sgdlab.presets", "sgdlab.explain",
            "sgdlab.ui.classroom.link"} <= found


@pytest.mark.parametrize(("mod", "key", "pair"), ENTRIES,
                         ids=[f"{m}:{k}" for m, k, _ in ENTRIES])
def test_pair_has_both_languages(mod: str, key: str, pair: object) -> None:
    assert isinstance(pair, tuple) and len(pair) == 2, f"{mod}.TEXT[{key!r}] is not (en, zh)"
    en, zh = pair
    assert isinstance(en, str) and en.strip(), f"{mod}.TEXT[{key!r}] has no English"
    assert isinstance(zh, str) and zh.strip(), f"{mod}.TEXT[{key!r}] has no Chinese"
    if not CJK.search(zh):
        untranslated = getattr(importlib.import_module(mod), "UNTRANSLATED", frozenset())
        assert zh == en and (is_symbol(zh) or key in untranslated), (
            f"{mod}.TEXT[{key!r}]: the Chinese entry {zh!r} has no Chinese in it")
    assert placeholders(en) == placeholders(zh), (
        f"{mod}.TEXT[{key!r}]: placeholders differ: {placeholders(en)} vs {placeholders(zh)}")


@pytest.mark.parametrize(("mod", "key", "pair"), ENTRIES,
                         ids=[f"{m}:{k}" for m, k, _ in ENTRIES])
def test_pair_formats_in_both_languages(mod: str, key: str, pair: tuple[str, str]) -> None:
    values = {name: 1.5 for name in placeholders(pair[0])}
    table = {key: pair}
    for lang in i18n.LANGS:
        i18n.tr(table, key, lang, **values)  # raises on a bad format spec


@pytest.mark.parametrize("cls", [DataConfig, TrainConfig])
def test_every_setting_has_both_languages(cls: type) -> None:
    for f in fields(cls):
        s = spec(cls, f.name)
        for text in (s.en, s.help_en):
            assert text.strip(), f"{cls.__name__}.{f.name} lacks English"
        for text in (s.zh, s.help_zh):
            assert CJK.search(text), f"{cls.__name__}.{f.name}: {text!r} has no Chinese"


def test_the_checks_catch_what_they_should() -> None:
    """The rules above reject the mistakes they exist for."""
    assert not CJK.search("Step") and CJK.search("训练步数")
    assert placeholders("Step {step:d} of {n}") == {"step", "n"}
    assert placeholders("第 {step} 步") != placeholders("Step {step} of {n}")
    assert is_symbol("y") and is_symbol("{a} x + {b}") and is_symbol("RMSE")
    assert not is_symbol("loss") and not is_symbol("Adam") and not is_symbol("{n} points")


def test_chinese_words_take_full_width_punctuation():
    """Every Chinese string literal in the package is set as zh_punctuation sets it
    ("发散,损失" read as machine-typed: a reviewer counted 302 such marks)."""
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tools"))
    from zh_punct import changes, files

    left = [f"{path.relative_to(root)}: {path.read_text(encoding='utf-8')[a:b][:60]}"
            for path in files([str(root / "sgdlab"), str(root / "app.py")])
            for a, b, _ in changes(path.read_text(encoding="utf-8"))]
    assert left == [], "run: .venv/bin/python tools/zh_punct.py sgdlab app.py"


@pytest.mark.parametrize(("ascii_text", "want"), [
    ("发散:损失爆炸,所以只显示到第 {n} 步。", "发散\uff1a损失爆炸\uff0c所以只显示到第 {n} 步。"),
    ("开始时(a = b = 0)的 {start:.3g} 还高", "开始时(a = b = 0)的 {start:.3g} 还高"),  # math
    ("人均 GDP(美元)的 log10", "人均 GDP\uff08美元\uff09的 log10"),
    ("按顺序(sequential):按顺序取批次", "按顺序\uff08sequential\uff09\uff1a按顺序取批次"),
    ("读成表格({detail})。", "读成表格\uff08{detail}\uff09。"),
    ("1,000 个点, 共 3.5 秒.", "1,000 个点\uff0c共 3.5 秒\u3002"),
    ("见 [文档](https://a.b/c) 吧", "见 [文档](https://a.b/c) 吧"),
    ("RMSE:典型误差; 步数", "RMSE\uff1a典型误差\uff1b步数"),
    ("$L_B$ 只用 $f(x, y)$;", "$L_B$ 只用 $f(x, y)$\uff1b"),
    ("hello, world (no Chinese)", "hello, world (no Chinese)"),
])
def test_zh_punctuation_sets_the_marks_that_stand_in_chinese(ascii_text: str, want: str) -> None:
    assert i18n.zh_punctuation(ascii_text) == want
    assert i18n.zh_punctuation(want) == want  # and leaves set text as it is


@pytest.mark.parametrize(("value", "want"), [
    (1.0, "1.00"), (1.106, "1.11"), (12.24, "12.2"), (150.0, "150"), (1234.0, "1.23e+03"),
    (0.000123, "0.000123")])
def test_three_significant_digits_never_end_in_a_point(value: float, want: str) -> None:
    # the metrics row had read "150." for a momentum run's whole-data loss
    assert i18n.sig3(value) == want
