"""Set the punctuation of Chinese string literals full-width, in place.

    .venv/bin/python tools/zh_punct.py sgdlab app.py          # rewrite
    .venv/bin/python tools/zh_punct.py --check sgdlab app.py  # list, change nothing

Keyboards (and code generators) give ASCII marks; Chinese text takes full-width ones.
Each string literal with Chinese in it is passed through sgdlab.i18n.zh_punctuation,
except docstrings and literals on a line marked ``# verbatim`` (words quoted as
written, such as the seed notebook's comments). tests/test_i18n.py fails while any
literal in the package would change.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sgdlab.i18n import zh_punctuation  # noqa: E402

_OPENING = re.compile(r"([rRbBuUfF]*)('''|\"\"\"|'|\")")


def changes(source: str) -> list[tuple[int, int, str]]:
    """(start, end, new literal) for each string literal whose Chinese would change."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    skip = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)
    for k, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        before = next((t for t in reversed(tokens[:k]) if t.type not in (tokenize.NL,
                                                                          tokenize.COMMENT)), None)
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        if (before is None or before.type in skip) and after is not None \
                and after.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            continue  # a docstring: the code's own notes, not the user's words
        if "# verbatim" in tok.line.splitlines()[-1]:
            continue  # quoted as written (the notebook's own comments)
        m = _OPENING.match(tok.string)
        if m is None or "b" in m.group(1).lower():
            continue
        head = len(m.group(1)) + len(m.group(2))
        body = tok.string[head:len(tok.string) - len(m.group(2))]
        fixed = zh_punctuation(body)
        if fixed != body:
            start = offsets[tok.start[0] - 1] + tok.start[1]
            end = offsets[tok.end[0] - 1] + tok.end[1]
            out.append((start, end, tok.string[:head] + fixed + m.group(2)))
    return out


def files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        found += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return found


def main(argv: list[str]) -> int:
    check = "--check" in argv
    count = 0
    for path in files([a for a in argv if a != "--check"]):
        source = path.read_text(encoding="utf-8")
        found = changes(source)
        count += len(found)
        for start, end, new in sorted(found, reverse=True):
            if check:
                line = source.count("\n", 0, start) + 1
                print(f"{path}:{line}: {source[start:end][:70]!r}")
            source = source[:start] + new + source[end:]
        if found and not check:
            path.write_text(source, encoding="utf-8")
    print(f"{count} string(s) {'to change' if check else 'changed'}")
    return 1 if check and count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
