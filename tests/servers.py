"""A real Streamlit server for tests and benchmarks: ``with streamlit_server(app) as url``.

Every test module that serves an app uses this, so two xdist workers never share
a server: each server gets a URL path of its own, and only that server answers
it. (Before, two workers could both pick the same "free" port; the second one's
server failed to bind, its fixture found the first worker's server healthy, and
the first worker's teardown then closed the second worker's sessions with 1012.)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8601, 8620)  # the ports this machine lets us serve on


def free_port() -> int:
    """A port in PORTS that nothing listens on (another test run may hold some)."""
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}..{PORTS.stop - 1}")


@contextlib.contextmanager
def streamlit_server(script: str | Path, env: dict[str, str] | None = None,
                     timeout: float = 90.0, cwd: str | Path = ROOT) -> Iterator[str]:
    """Run ``streamlit run script`` on 127.0.0.1 and a free port; yield its URL; stop it after.

    ``cwd`` decides which ``.streamlit/config.toml`` applies (the project's, by default).
    """
    for _ in range(3):  # another process may take the port between the check and the bind
        port = free_port()
        # A path of our own: only our server answers it, never one that took the port.
        base = f"t{os.getpid()}x{port}x{time.monotonic_ns() % 10**6}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(script),
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--server.baseUrlPath", base,
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the server)
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=log, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}/{base}/"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        if proc.poll() is None and time.monotonic() < deadline:
            break
        proc.kill()
        proc.wait(10)
        log.seek(0)
        output = log.read()[-2000:]
        log.close()
    else:
        raise RuntimeError(f"streamlit did not start; its last output:\n{output}")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
