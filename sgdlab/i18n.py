"""Two languages, one table per module: ``TEXT = {key: (english, chinese)}``.

Every module that shows words to a user owns a ``TEXT`` table next to the
code that uses it and looks words up with :func:`tr`. A pair can't exist in
one language only; ``tests/test_i18n.py`` checks every table in the package.
"""

from __future__ import annotations

import re

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


def sig3(value: float) -> str:
    """Three significant digits as a reader writes them: 1.00, 12.2, 150 (Python's
    ``#.3g`` keeps the zeros of 1.00 but also writes "150.")."""
    text = f"{value:#.3g}"
    return text[:-1] if text.endswith(".") else text


def text_px(text: str, size: float, latin: float = 0.6) -> float:
    """About how wide ``text`` sets at font ``size`` px: a CJK character one em, any other
    ``latin`` em (for wrapping and legend boxes; no font metrics at hand)."""
    return sum(size if ord(ch) > 0x2E80 else latin * size for ch in text)



# Characters a reader cannot see or that rearrange a line: control characters (a newline
# would end the Markdown line and start a block of its own) and bidirectional overrides.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def markdown_literal(text: str) -> str:
    """``text`` as a Markdown code span: shown as written, with no Markdown, HTML, LaTeX,
    link, image or emoji made of it (Streamlit's extensions leave code spans alone).

    For text from outside (a link's parameter, a file's column) inside st.markdown,
    st.warning, st.caption...; unseen characters become U+FFFD.
    """
    text = _UNSHOWN.sub("\ufffd", text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    # CommonMark drops one space at each end of a span that has both; a backtick at an end
    # needs a space between it and the fence.
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (
        text[:1] == " " and text[-1:] == " " and text.strip(" ")) else ""
    return f"{fence}{pad}{text or ' '}{pad}{fence}"


# Chinese text takes full-width punctuation: "发散,损失" set with ASCII marks reads as
# machine-typed (a reviewer counted 302). Tables are written with whatever a keyboard
# gives; tests/test_i18n.py checks that every Chinese string literal in the package is
# as zh_punctuation leaves it, and tools/zh_punct.py rewrites the ones that are not.
_HAN = "\u4e00-\u9fff"
_CJK = re.compile(f"[{_HAN}\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2026\u2014]")
_HAN_RE = re.compile(f"[{_HAN}]")
_FULL = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "?": "\uff1f", "!": "\uff01",
         "(": "\uff08", ")": "\uff09", ".": "\u3002"}
# Never touched: {placeholders} and %{plotly} ones, $LaTeX$, `code`, <tags>, addresses.
_KEEP = re.compile(r"%?\{[^{}]*\}|\$[^$]*\$|`[^`]*`|<[^<>]*>|https?://\S+")
_FULL_MARKS = "".join(_FULL.values())
_WORD = re.compile(r"[A-Za-z][A-Za-z -]*[A-Za-z]")  # (sequential), (cosine); not (a, b)


def zh_punctuation(text: str) -> str:
    """``text`` with the ASCII , : ; ? ! ( ) . that stand in Chinese set full-width.

    A comma, semicolon, ? or ! stands in Chinese when Chinese is on either side of it, or
    it ends a Chinese string (the next literal goes on); a full stop when Chinese is just
    before it; a colon when Chinese is just before or after it. Parentheses go in pairs:
    full-width around Chinese, or around a {placeholder} or a word (a setting's code name)
    beside Chinese; math such as (a, b) or (1 − η λ) keeps ASCII ones. Marks between
    digits (1,000) and in placeholders, LaTeX, code, tags and addresses stay, and so do
    markdown links' parentheses. Spaces around a full-width mark go.
    """
    if not _HAN_RE.search(text):
        return text
    for _ in range(3):  # a mark set full-width can make its neighbour stand in Chinese
        fixed = _zh_marks(text)
        if fixed == text:
            break
        text = fixed
    return text


def _zh_marks(text: str) -> str:
    keep: set[int] = set()
    for m in _KEEP.finditer(text):
        keep.update(range(m.start(), m.end()))
    chars = list(text)
    n = len(chars)

    def cjk(i: int, step: int) -> bool:  # the next character that way is CJK (past
        while 0 <= i < n and chars[i] in " *":  # spaces and markdown's ** for bold)
            i += step
        return 0 <= i < n and _CJK.match(chars[i]) is not None

    change: list[int] = []
    opened: list[int] = []
    for i, c in enumerate(chars):
        if i in keep:
            continue
        if c == "(":
            opened.append(i)
        elif c == ")" and opened:
            a = opened.pop()
            inner = _KEEP.sub("", text[a + 1:i])
            link = a > 0 and chars[a - 1] == "]"
            # beside Chinese, a {placeholder} or a word (a setting's code name) is text too
            wordlike = (not inner.strip() and bool(text[a + 1:i].strip())) \
                or _WORD.fullmatch(inner) is not None
            if not link and (_HAN_RE.search(inner)
                             or (wordlike and (cjk(a - 1, -1) or cjk(i + 1, 1)))):
                change += [a, i]
        elif c in ",;?!:.":
            before = chars[i - 1] if i else ""
            after = chars[i + 1] if i + 1 < n else ""
            if before.isdigit() and after.isdigit():
                continue
            if c in ":.":
                if c == "." and after not in ("", " ", "\n") and not _CJK.match(after):
                    continue  # 0.5, e.g., file.csv
                if (before and _CJK.match(before)) or (c == ":" and _HAN_RE.match(after)):
                    change.append(i)  # 发散:损失, and RMSE:典型误差
            elif cjk(i - 1, -1) or cjk(i + 1, 1) or (c in ",;" and i == n - 1):
                change.append(i)
    if not change:
        return text
    for i in change:
        chars[i] = _FULL[chars[i]]
    out = "".join(chars)
    return re.sub(f" *([{_FULL_MARKS}]) *", r"\1", out) if " " in out else out
