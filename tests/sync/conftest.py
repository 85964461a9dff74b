from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kiosk import config
from kiosk.config import KioskConfig
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


@pytest.fixture
def cloud_config(make_config: Callable[..., Path], cloud: LiveCloud) -> Callable[..., KioskConfig]:
    """A kiosk config pointed at the live devcloud, with fast retries for tests."""

    def make(**sync: Any) -> KioskConfig:
        path = make_config(events_url=cloud.url, person_url=cloud.person_url)
        fast = {"retry_base_s": 0.05, "retry_max_s": 1.0, "interval_s": 1.0} | sync
        text = path.read_text() + "\n[sync]\n" + "".join(f"{k} = {v}\n" for k, v in fast.items())
        path.write_text(text)
        return config.load(path)

    return make


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c
