"""Class rooms: codes, teacher keys, nicknames and the limits of a room, as pure functions.

    code = normalize_code(" ab12 ")    # 'AB12' (None for anything that is not a code)
    key = new_key(); room_hash = key_hash(key)
    key_matches(key, room_hash)        # True: the board's link holds the teacher's key
    clean_nickname("  Ann\\u202e  ")  # 'Ann' (controls and bidi overrides removed)

Every check here reads a bounded prefix of its input: codes, keys and
nicknames come from links and text boxes, and a long one must cost no more
than a short one. No Streamlit, no storage.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

CODE_MIN, CODE_MAX = 3, 12  # a room code: 3 to 12 letters or digits, any case
CODE_LEN = 5  # generated codes: 31^5 = 29 million, read aloud in a class
# No 0/O, 1/I/L: a code read from a projector or said aloud is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_BYTES = 12  # the teacher key: 96 random bits, 16 characters in a link
MAX_KEY_CHARS = 64
MAX_NICKNAME = 24  # characters, shown as plain text on the board
MAX_RUNS = 500  # runs one room holds
TTL_S = 24 * 3600  # a room expires this long after its last use (a send or a teacher's change)
SEND_EVERY_S = 2.0  # one send per session per this many seconds


class BoardError(Exception):
    """A send, a read or a teacher's change that could not be done; ``reason`` says why.

    Reasons: "bad_code", "no_room" (expired, or never created), "full", "closed",
    "unreachable" (the store does not answer), "too_soon", "bad_key", "taken".
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def normalize_code(text: object) -> str | None:
    """A room code in capitals, or None when ``text`` is not 3 to 12 ASCII letters or digits."""
    if not isinstance(text, str):
        return None
    code = text[: CODE_MAX + 8].strip().upper()  # a bounded look: spaces around a pasted code
    ok = CODE_MIN <= len(code) <= CODE_MAX and code.isascii() and code.isalnum()
    return code if ok else None


def new_code() -> str:
    """A fresh random room code of CODE_LEN unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def new_key() -> str:
    """A fresh teacher key (URL-safe): whoever holds it may change the room's board."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """What a store keeps of a teacher key: its SHA-256, so a copy of the store grants nothing."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: object, stored_hash: str) -> bool:
    """Does ``key`` (from a link) open the room whose key hash is ``stored_hash``?"""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS or not stored_hash:
        return False
    return hmac.compare_digest(key_hash(key), stored_hash)


def clean_nickname(text: object) -> str:
    """A nickname as it is kept: at most MAX_NICKNAME characters, runs of blanks as one
    space, no control or format characters (a right-to-left override would reorder
    the board's table), "" for none."""
    if not isinstance(text, str):
        return ""
    kept: list[str] = []
    for ch in text[: MAX_NICKNAME * 8]:
        if ch.isspace():
            ch = " "
        elif unicodedata.category(ch)[0] == "C":
            continue
        if ch == " " and (not kept or kept[-1] == " "):
            continue
        kept.append(ch)
    return "".join(kept).strip()[:MAX_NICKNAME].strip()


def wait_before_send(last_sent: float | None, now: float) -> float:
    """Seconds this session must still wait before it may send again (0: it may)."""
    if last_sent is None:
        return 0.0
    # capped: a clock set back must not lock a student out for longer than the rule says
    return min(SEND_EVERY_S, max(0.0, SEND_EVERY_S - (now - last_sent)))


@dataclass(frozen=True)
class Challenge:
    """The teacher's question: the largest learning rate that still converges in
    ``steps`` steps at batch size ``batch_size`` (the other settings the notebook's)."""

    batch_size: int = 20
    steps: int = 20

    def to_json(self) -> str:
        return json.dumps({"batch_size": self.batch_size, "steps": self.steps})

    @staticmethod
    def from_json(text: str | None) -> Challenge | None:
        """The challenge a store kept, or None (none posed, or not one of ours)."""
        if not text:
            return None
        try:
            data: Any = json.loads(text[:200])
            return Challenge(int(data["batch_size"]), int(data["steps"]))
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class Room:
    """A room as the store holds it; ``version`` grows with every change, ``epoch`` with
    every clearing (a board that saw an older epoch reads every run again)."""

    code: str
    key_hash: str
    count: int = 0
    closed: bool = False
    challenge: Challenge | None = None
    revealed: bool = False
    version: int = 0
    epoch: int = 0
    last_used: float = 0.0

    @property
    def full(self) -> bool:
        return self.count >= MAX_RUNS
