"""The class board: students send runs to a room, the projector shows them all.

``rooms`` (codes, keys, limits), ``summary`` (what a run sends), ``challenge``
(the teacher's question and its answer), ``store`` (the storage interface and
its choice), ``sqlite_store`` and ``redis_store`` (the two backends). No
Streamlit here; the pages are ``sgdlab.ui.board`` (sending, a new room),
``sgdlab.ui.board_view`` (the projector's board) and ``sgdlab.ui.board_teacher``.
"""
