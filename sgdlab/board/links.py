"""A room's two links and the QR code of the students' one.

    students_link("http://10.0.0.5:8501/", "AB12C", "zh")  # ...?room=AB12C&lang=zh
    board_link("http://10.0.0.5:8501/", "AB12C", key, "zh") # ...&board=1&teacher=KEY
    qr_png(url)                                             # PNG bytes for the projector

The teacher key goes only into the board's link: whoever opens the students'
link can send runs, never change the board.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno

ROOM, BOARD, TEACHER = "room", "board", "teacher"  # the links' parameter names


def _with_query(base: str, query: dict[str, str]) -> str:
    if base and "/" not in base.split("://", 1)[-1]:
        base += "/"  # http://host:port -> http://host:port/ before the ?query
    return f"{base}?{urlencode(query)}"


def students_link(base: str, code: str, lang: str | None = None) -> str:
    """The link students open: the lab, joined to room ``code``."""
    query = {ROOM: code, **({"lang": lang} if lang else {})}
    return _with_query(base, query)


def board_link(base: str, code: str, key: str, lang: str | None = None) -> str:
    """The projector's link: the board of ``code``, with the teacher's controls."""
    query = {ROOM: code, BOARD: "1", TEACHER: key, **({"lang": lang} if lang else {})}
    return _with_query(base, query)


def is_on(value: object) -> bool:
    """Does a link's flag say yes (``board=1``, ``true``, ``yes``, ``on``)?"""
    return isinstance(value, str) and value.strip().lower()[:8] in ("1", "true", "yes", "on")


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG bytes (error correction M: readable from the back)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
