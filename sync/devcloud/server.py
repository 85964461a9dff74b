"""`kiosk devcloud`: serve the reference cloud with uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sync.devcloud.app import DEFAULT_USERS, create_app
from sync.devcloud.faults import Faults

log = logging.getLogger(__name__)


def parse_users(specs: list[str] | None) -> dict[str, str]:
    if not specs:
        return dict(DEFAULT_USERS)
    users = {}
    for spec in specs:
        email, sep, password = spec.partition(":")
        if not sep or not email or not password:
            raise ValueError(f"--user wants EMAIL:PASSWORD, got {spec!r}")
        users[email] = password
    return users


def main(host: str, port: int, data_dir: Path, faults: Faults, users: list[str] | None,
         upload_key: str | None = None) -> int:
    try:
        app = create_app(data_dir, faults, parse_users(users), upload_key or None)
    except (ValueError, OSError) as e:
        print(f"kiosk devcloud: {e}", file=sys.stderr)
        return 2
    print(f"devcloud: http://{host}:{port}/  (HQ page; events at /v1/events, person API at /api/,"
          " messaging at /api/v1/, shared photos at /s/, commerce catalogue at /commerce/api/)",
          flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit as e:  # uvicorn exits this way when the port is taken
        return int(e.code or 1)
    return 0


class Background:
    """The devcloud on a loopback port in a thread (benchmarks and tests)."""

    def __init__(self, app: FastAPI, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="devcloud", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the devcloud did not start on port {self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
