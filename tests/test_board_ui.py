"""The class board in the real app.py (AppTest): sending, the board, the teacher's
controls and every failure, in Chinese and English, on a store in a fresh directory."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sgdlab import DataConfig, TrainConfig, train
from sgdlab.board import rooms
from sgdlab.board import store as store_mod
from sgdlab.board.cache import RoomRuns
from sgdlab.board.rooms import Challenge
from sgdlab.board.summary import RunSummary, summarize
from sgdlab.ui import board, board_view
from tests.live_page import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")
KEY = "teacher-key-for-tests"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[store_mod.BoardStore]:
    """An empty embedded store that the app opens too (the process-wide caches cleared:
    every test's room has the same code and key, which two real rooms never share)."""
    monkeypatch.setenv(store_mod.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(store_mod.REDIS_URL_ENV, raising=False)
    monkeypatch.setattr(board_view, "_ROOM_RUNS", RoomRuns())
    board_view.board_figures.clear()
    board.store.clear()
    board.read_room.clear()
    yield store_mod.open_store()
    board.store.clear()
    board.read_room.clear()


def room(store: store_mod.BoardStore, code: str = "CLASS1") -> str:
    assert store.create(code, rooms.key_hash(KEY), time.time())
    return code


def open_app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def alerts(at: AppTest) -> str:
    return " ".join(e.value for kind in (at.success, at.error, at.warning, at.info)
                    for e in kind)


def lab_works(at: AppTest) -> bool:
    """The lab around the board still shows its run."""
    return live(at).line.startswith("Step 20, Loss:")


def html_bodies(at: AppTest) -> str:
    return " ".join(e.proto.body for e in at.get("html"))


def send(store: store_mod.BoardStore, code: str, nickname: str = "", **changes) -> None:
    d, t = DataConfig(), TrainConfig(**changes)
    store.send(code, summarize(train(d, t), d, t, nickname).to_json(), time.time())


@pytest.mark.parametrize(("lang", "arrived"), [("en", "Arrived: run #1"), ("zh", "已送达")])
def test_a_student_sends_the_run_on_show_with_a_nickname(store, lang: str, arrived: str,
                                                         monkeypatch: pytest.MonkeyPatch):
    # The rule's own number is tested in test_board_rooms; here a rerun of the app may
    # take longer than 2 s on a loaded machine, so the wait is made long enough to see.
    monkeypatch.setattr(rooms, "SEND_EVERY_S", 600.0)
    code = room(store)
    at = open_app({"room": code.lower(), "lang": lang, "lr": "0.2"})
    at.text_input(key=board.NICKNAME).input("  Ann <b>  ").run()
    at.button(key="board_send").click().run()
    assert not at.exception
    assert arrived in alerts(at)
    (body,) = store.runs(code)
    sent = RunSummary.from_json(body)
    assert sent is not None and sent.nickname == "Ann <b>"
    assert sent.train == TrainConfig(lr=0.2) and sent.data == DataConfig()
    want = train(DataConfig(), TrainConfig(lr=0.2))
    assert sent.final_loss == pytest.approx(float(want.total_loss[-1]), rel=1e-4)
    assert set(json.loads(body)) == {"v", "nick", "q", "final", "div", "step", "loss", "a", "b"}
    # At once again: refused, and the store holds one run.
    at.button(key="board_send").click().run()
    assert ("Wait" if lang == "en" else "请等待") in alerts(at)
    assert len(store.runs(code)) == 1
    assert lab_works(at)


def test_a_room_link_keeps_the_teachers_locks_and_leaves_no_notice(store):
    code = room(store)
    at = open_app({"room": code, "lock": "lr", "lang": "en"})
    assert at.number_input(key="lr").disabled
    assert not at.warning  # neither room nor lock is an unknown parameter
    # the address bar keeps the room when the page writes the run's settings into it
    at.number_input(key="seed").set_value(7).run()
    assert at.query_params.get("room") == code and at.query_params.get("lock") == "lr"
    copied = [c.value for c in at.code if "lock=lr" in c.value]  # the copy-link box
    assert copied and all(f"room={code}" in u for u in copied)
    # a student's page: no "New class room", in a room or under a teacher's locks
    assert not [b for b in at.button if b.key == "board_new_room"]
    locked = open_app({"lock": "lr", "lang": "en"})
    assert not [b for b in locked.button if b.key == "board_new_room"]
    assert "Class room CLASS1" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(("query", "lang", "words"), [
    ({"room": "A!"}, "en", "is not a class room code"),
    ({"room": "<b>x</b>" * 3}, "zh", "不是课堂房间代码"),
    ({"room": "NOROOM"}, "en", "is not open: it has expired"),
    ({"room": "NOROOM"}, "zh", "没有开放"),
])
def test_a_bad_or_expired_code_says_so_and_the_lab_works(store, query, lang, words):
    at = open_app({**query, "lang": lang})
    assert words in alerts(at)
    assert "<b>" not in alerts(at)  # the code is shown escaped, never as markup
    assert lab_works(at)


def test_sending_to_a_closed_or_full_room(store):
    code = room(store)
    store.update(code, time.time(), closed=True)
    at = open_app({"room": code, "lang": "en"})
    assert at.button(key="board_send").disabled
    assert "closed sending" in alerts(at)
    store.update(code, time.time(), closed=False)
    for i in range(rooms.MAX_RUNS):
        store.send(code, str(i), time.time())
    board.read_room.clear()
    at = open_app({"room": code, "lang": "zh"})
    at.button(key="board_send").click().run()
    assert "已满" in alerts(at) and lab_works(at)
    assert store.room(code, time.time()).count == rooms.MAX_RUNS


def test_an_unreachable_redis_is_a_message_and_the_lab_works(store, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(store_mod.REDIS_URL_ENV, f"redis://127.0.0.1:{port}/0")
    board.store.clear()
    for lang, words in (("en", "cannot be reached"), ("zh", "连不上")):
        at = open_app({"room": "CLASS1", "lang": lang})
        assert words in alerts(at) and lab_works(at)
        at.button(key="board_send").click().run()
        assert words in alerts(at) and not at.exception
        board_page = open_app({"room": "CLASS1", "board": "1", "lang": lang})
        assert words in alerts(board_page)
        teacher = open_app({"lang": lang})
        teacher.button(key="board_new_room").click().run()
        assert words in alerts(teacher) and board.NEW_ROOM not in teacher.session_state


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_new_class_room_gives_both_links_and_a_qr_code(store, lang: str,
                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(rooms, "SEND_EVERY_S", 600.0)  # see the student's test
    at = open_app({"lang": lang})
    at.button(key="board_new_room").click().run()
    code, key = at.session_state[board.NEW_ROOM]
    made = store.room(code, time.time())
    assert made is not None and rooms.key_matches(key, made.key_hash)
    links = [c.value for c in at.code if "room=" in c.value]
    students = next(u for u in links if "teacher=" not in u)
    board_link = next(u for u in links if "teacher=" in u)
    assert f"room={code}" in students and key not in students
    assert f"room={code}" in board_link and "board=1" in board_link and key in board_link
    assert at.get("image"), "no QR code"
    at.button(key="board_new_room").click().run()  # again at once: refused, the room stays
    assert ("Wait" if lang == "en" else "请等待") in alerts(at)
    assert at.session_state[board.NEW_ROOM] == (code, key)


def test_the_board_shows_the_count_the_figures_and_the_best_runs_escaped(store):
    code = room(store)
    send(store, code, "<b>bold</b>", lr=0.15)
    send(store, code, "$x$", lr=5.0)  # diverges
    send(store, code, "Ann", lr=0.01, batch_size=5)
    at = open_app({"room": code, "board": "1", "lang": "en"})
    assert "3 runs" in [h.value for h in at.header]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2
    roles = {t["meta"]["role"]: t for c in charts for t in c["data"] if "meta" in t}
    assert len(roles["runs"]["x"]) == 2 and len(roles["diverged"]["x"]) == 1  # the map
    assert any("&lt;b&gt;bold&lt;/b&gt;" in t for t in roles["runs"]["text"])
    table = html_bodies(at)
    assert "&lt;b&gt;bold&lt;/b&gt;" in table and "<b>bold" not in table
    assert table.index("&lt;b&gt;bold") < table.index("Ann")  # lowest loss first
    assert "$x$" not in table  # the diverged run is not among the best
    assert not [b for b in at.button if b.key == "board_clear"]  # no key, no controls
    zh = open_app({"room": code, "board": "1", "lang": "zh"})
    assert "3 次运行" in [h.value for h in zh.header]


def test_the_board_follows_the_room_on_its_next_run(store):
    code = room(store)
    at = open_app({"room": code, "board": "1", "lang": "en"})
    assert "0 runs" in [h.value for h in at.header]
    send(store, code, "late")
    at.run()
    assert "1 run" in [h.value for h in at.header]


def test_a_wrong_teacher_key_gets_no_controls(store):
    code = room(store)
    at = open_app({"room": code, "board": "1", "teacher": "guess", "lang": "en"})
    assert not [b for b in at.button if b.key == "board_clear"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_teacher_poses_reveals_closes_and_clears(store, lang: str):
    code = room(store)
    send(store, code, "Ann", lr=0.15)
    send(store, code, "Bob", lr=0.18)
    send(store, code, "Cy", lr=0.3)  # does not converge in 20 steps
    at = open_app({"room": code, "board": "1", "teacher": KEY, "lang": lang})
    at.button(key="board_pose").click().run()
    assert store.room(code, time.time()).challenge == Challenge(20, 20)
    question = board.question_text(Challenge(20, 20), lang)
    assert question in alerts(at)
    table = html_bodies(at)
    assert table.index("Bob") < table.index("Ann") and "Cy" not in table  # largest rate first
    at.button(key="board_reveal").click().run()
    assert store.room(code, time.time()).revealed
    answer = board_view.cached_answer(Challenge(20, 20)).swept_lr
    assert f"{answer:.3g}" in alerts(at)
    board.read_room.clear()
    student = open_app({"room": code, "lang": lang})
    assert question in " ".join(m.value for m in student.markdown)
    at.toggle(key="board_open").set_value(False).run()
    assert store.room(code, time.time()).closed
    at.checkbox(key="board_clear_sure").check().run()
    at.button(key="board_clear").click().run()
    assert not at.exception
    assert store.room(code, time.time()).count == 0 and store.runs(code) == []
    assert ("0 runs" if lang == "en" else "0 次运行") in [h.value for h in at.header]
