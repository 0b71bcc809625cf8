"""sgdlab.explain: every explanation is well-formed markdown with KaTeX maths in both languages."""

from __future__ import annotations

import re

import pytest

from sgdlab import explain


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", explain.VIEWS)
def test_every_block_formats_and_its_maths_is_balanced(view: str, lang: str) -> None:
    for optimizer in ("sgd", "momentum", "adam"):
        for kind, body in explain.explain(view, lang, optimizer=optimizer, accumulation=4,
                                          limit=0.987):
            if kind == "latex":
                continue
            assert "{{" not in body and "}}" not in body, body  # format() ran where needed
            assert body.count("$") % 2 == 0, body
            for maths in re.findall(r"\$([^$]+)\$", body):
                assert maths.count("{") == maths.count("}"), maths
                # KaTeX refuses an operator as a bare subscript (\lambda_\max): it showed red
                assert not re.search(r"_\\[a-z]", maths), maths


def test_bold_chinese_closes_before_its_punctuation() -> None:
    # "**…。**" followed by a character is not bold in CommonMark: the asterisks showed
    for view in explain.VIEWS:
        for _, body in explain.explain(view, "zh", limit=1.0):
            for m in re.finditer(r"\*\*(.+?)\*\*(\S?)", body):
                assert not (m.group(1)[-1] in "。,:;!?." and m.group(2)), m.group(0)


@pytest.mark.parametrize("optimizer", sorted(explain.UPDATE_RULES))
def test_a_line_break_in_display_maths_sits_inside_an_environment(optimizer: str) -> None:
    # A bare \\ in st.latex's display mode does nothing, and KaTeX says so on the browser's
    # console (three warnings per page that showed Adam's rule, a reviewer saw)
    for kind, body in explain.explain("fit", "en", optimizer=optimizer, accumulation=2):
        if kind == "latex" and "\\\\" in body:
            assert re.fullmatch(r"\\begin\{(\w+)\}.*\\end\{\1\}", body, re.S), body
