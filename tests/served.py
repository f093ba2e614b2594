"""A real `salon serve` process on the test database, for tests that need one over TCP."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(
    database_url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    ready: str = "/health",
) -> Server:
    """`salon serve`; its stderr (its log) goes to `log` when given. `ready`: the path that
    answers 200 once the server is up (/health asks the database)."""
    port = free_port()
    environment = os.environ | {
        "SALON_DATABASE_URL": database_url,
        "SALON_LOG_LEVEL": "warning",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "salon",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    stderr = None if log is None else log.open("ab")
    try:
        process = subprocess.Popen(command, env=environment, stderr=stderr)  # noqa: S603
    finally:
        if stderr is not None:
            stderr.close()  # the process has its own copy
    server = Server(f"http://127.0.0.1:{port}", process)
    wait_until_up(server, ready)
    return server


def wait_until_up(server: Server, path: str = "/health", status: int = 200) -> None:
    """Until `path` answers `status`; kills the process if it exits or takes over 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{server.base_url}{path}", timeout=1).status_code == status:
                return
        except httpx.TransportError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.process.kill()
            raise RuntimeError(f"{server.base_url} did not come up")
        time.sleep(0.2)


def kill(server: Server) -> None:
    """SIGKILL: no shutdown hook runs, nothing is flushed by the application."""
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=30)


@contextmanager
def serving(
    database_url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    ready: str = "/health",
) -> Iterator[Server]:
    server = start(database_url, workers=workers, env=env, log=log, ready=ready)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=30)
