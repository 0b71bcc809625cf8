"""Room codes, teacher keys, nicknames and limits (sgdlab.board.rooms)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgdlab.board import rooms
from sgdlab.board.rooms import Challenge


@pytest.mark.parametrize(("text", "code"), [
    ("AB12", "AB12"), ("ab12", "AB12"), ("  xYz ", "XYZ"), ("ABCDEFGHJK12", "ABCDEFGHJK12"),
    ("AB", None), ("ABCDEFGHJK123", None), ("AB-12", None), ("AB 12", None), ("", None),
    ("ＡＢ１２", None),  # full-width letters: not what a link or a keyboard in ASCII gives
    ("ÄBC", None), (None, None), (12345, None), ("AB12\x00", None),
])
def test_normalize_code(text: object, code: str | None) -> None:
    assert rooms.normalize_code(text) == code


def test_a_huge_code_is_refused_from_a_bounded_prefix() -> None:
    assert rooms.normalize_code("A" * 10_000_000) is None
    assert rooms.normalize_code(" " * 10_000_000 + "AB12") is None  # never read that far


def test_new_codes_are_valid_and_unambiguous() -> None:
    codes = {rooms.new_code() for _ in range(200)}
    assert len(codes) > 190
    for code in codes:
        assert rooms.normalize_code(code) == code and len(code) == rooms.CODE_LEN
        assert not set(code) & set("0O1IL")


def test_a_teacher_key_opens_only_its_room() -> None:
    key = rooms.new_key()
    stored = rooms.key_hash(key)
    assert stored == hashlib.sha256(key.encode()).hexdigest()  # an independent digest
    assert key not in stored
    assert rooms.key_matches(key, stored)
    assert not rooms.key_matches(rooms.new_key(), stored)
    assert not rooms.key_matches(key + "x", stored)
    assert not rooms.key_matches("", stored) and not rooms.key_matches(None, stored)
    assert not rooms.key_matches(key, "")  # a room without a key opens for nobody
    assert not rooms.key_matches("k" * 10_000_000, stored)  # refused before hashing


@pytest.mark.parametrize(("text", "kept"), [
    ("Ann", "Ann"), ("  Ann   Lee ", "Ann Lee"), ("小明", "小明"), ("a\tb\nc", "a b c"),
    ("evil\u202eeman", "evileman"), ("zero\u200bwidth", "zerowidth"), ("\x00\x07bell", "bell"),
    ("x" * 30, "x" * 24), ("**bold** <b>x</b> $x$", "**bold** <b>x</b> $x$"),
    (None, ""), ("   ", ""), ("a" * 23 + " b", "a" * 23),
])
def test_clean_nickname(text: object, kept: str) -> None:
    assert rooms.clean_nickname(text) == kept


@given(st.text(max_size=400))
def test_a_nickname_is_never_longer_than_the_limit_and_has_no_controls(text: str) -> None:
    kept = rooms.clean_nickname(text)
    assert len(kept) <= rooms.MAX_NICKNAME
    assert kept == kept.strip() and "  " not in kept
    assert all(ch.isprintable() or ch == " " for ch in kept)
    assert rooms.clean_nickname(kept) == kept  # cleaning twice changes nothing


def test_one_send_per_two_seconds() -> None:
    assert rooms.wait_before_send(None, 100.0) == 0.0
    assert rooms.wait_before_send(100.0, 100.5) == pytest.approx(1.5)
    assert rooms.wait_before_send(100.0, 102.0) == 0.0
    assert rooms.wait_before_send(100.0, 99.0) == pytest.approx(rooms.SEND_EVERY_S)


def test_a_challenge_round_trips_and_junk_reads_as_none() -> None:
    ch = Challenge(batch_size=10, steps=40)
    assert Challenge.from_json(ch.to_json()) == ch
    for junk in (None, "", "{", "[]", '{"batch_size": "x", "steps": 1}', '{"steps": 2}',
                 "1" * 10_000):
        assert Challenge.from_json(junk) is None


def test_room_is_full_at_the_cap() -> None:
    assert not rooms.Room("AB12", "h", count=rooms.MAX_RUNS - 1).full
    assert rooms.Room("AB12", "h", count=rooms.MAX_RUNS).full
