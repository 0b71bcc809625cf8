"""A real redis-server for tests and benchmarks: ``with redis_server() as url``.

No persistence (``--save ''``, no append-only file), 127.0.0.1 only, a free port
of the system's choosing; stopped on exit. ``REDIS_SERVER`` is None when the
machine has no redis-server (``make system-deps`` installs Debian's).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(timeout: float = 20.0) -> Iterator[str]:
    """Start redis-server on a free port; yield ``redis://127.0.0.1:PORT/0``; stop it after."""
    if REDIS_SERVER is None:
        raise RuntimeError("redis-server is not installed (make system-deps installs it)")
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(3):  # another process may take the port between the check and the bind
            port = _free_port()
            proc = subprocess.Popen(
                [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", workdir, "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None and not _answers(port):
                time.sleep(0.05)
            if proc.poll() is None and _answers(port):
                break
            proc.kill()
            proc.wait(10)
        else:
            raise RuntimeError("redis-server did not start")
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
