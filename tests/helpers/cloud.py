"""The devcloud on a loopback port, as the tests drive it (the `cloud` fixture: tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from sync.devcloud.app import create_app
from sync.devcloud.faults import Faults
from sync.devcloud.server import Background

PASSWORD = "s3cret-pass"   # the one in tests/conftest.py's config
EMAIL = "kiosk@example.com"


@dataclass
class LiveCloud:
    app: FastAPI
    faults: Faults
    bg: Background

    @property
    def url(self) -> str:
        return self.bg.url

    @property
    def person_url(self) -> str:
        return self.url + "/api/"

    def events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        return list(self.app.state.db.events(session_id))

    def counts(self) -> dict[str, int]:
        return dict(self.app.state.db.counts())

    def requests(self) -> list[dict[str, Any]]:
        return list(self.app.state.log.list())

    def stop(self) -> None:
        self.bg.stop()


def start_cloud(data_dir: Path, faults: Faults | None = None) -> LiveCloud:
    faults = faults or Faults(seed=1)
    app = create_app(data_dir, faults, {EMAIL: PASSWORD})
    return LiveCloud(app, faults, Background(app))
