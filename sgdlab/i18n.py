"""Two languages, one table per module: ``TEXT = {key: (english, chinese)}``.

Every module that shows words to a user owns a ``TEXT`` table next to the
code that uses it and looks words up with :func:`tr`. A pair can't exist in
one language only; ``tests/test_i18n.py`` checks every table in the package.
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"  # the notebook and much of our audience read Chinese first
LANG_NAMES = {"zh": "中文", "en": "English"}

Text = dict[str, tuple[str, str]]


def normalize_lang(value: object) -> str | None:
    """'zh', 'zh-CN', 'zh_TW', 'en-US' ... -> 'zh' or 'en'; None when not understood."""
    if not isinstance(value, str):
        return None
    head = value.strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else None


def tr(table: Text, key: str, lang: str, **values: object) -> str:
    """The words for ``key`` in ``lang`` (English for an unknown language), formatted."""
    en, zh = table[key]
    words = zh if lang == "zh" else en
    return words.format(**values) if values else words


def text_px(text: str, size: float, latin: float = 0.6) -> float:
    """About how wide ``text`` sets at font ``size`` px: a CJK character one em, any other
    ``latin`` em (for wrapping and legend boxes; no font metrics at hand)."""
    return sum(size if ord(ch) > 0x2E80 else latin * size for ch in text)

