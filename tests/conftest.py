from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kiosk import config, paths
from kiosk.config import KioskConfig

# Fixtures of more than one folder's tests (the share configs, the fake S3, the LAN server).
pytest_plugins = ["tests.helpers.shares"]

if TYPE_CHECKING:
    from kiosk.render.renderer import Renderer
    from kiosk.track.mediapipe_tracker import MediaPipeTracker
    from tests.helpers.cloud import LiveCloud

VALID_TOML = """
[device]
store_id = "store_1"
seller_id = "seller_1"
device_id = "ipad_1"

[jeweler]
id = "abharana"
name = "Abharana"

[camera]
source = "{source}"
fps = 30

[store]
data_dir = "{data_dir}"

[cloud]
events_url = "{events_url}"
person_url = "{person_url}"
person_email = "kiosk@example.com"
person_password = "s3cret-pass"
"""


@pytest.fixture(autouse=True)
def _clean_kiosk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own KIOSK_* variables must not change what the tests see.
    for k in list(os.environ):
        if k.startswith("KIOSK_") or k in ("CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET",
                                           "WATCHDOG_USEC", "JOURNAL_STREAM"):
            monkeypatch.delenv(k, raising=False)
    # The store-Wi-Fi share server takes any free port: tests run beside a demo on 8765.
    monkeypatch.setenv("KIOSK_SHARE__LAN_PORT", "0")


@pytest.fixture
def sample_video() -> Path:
    return paths.SAMPLE_VIDEO


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a valid config (sample video, temp data dir) with optional text replacements."""

    def make(replace: dict[str, str] | None = None, name: str = "kiosk.toml",
             events_url: str = "http://127.0.0.1:9/", person_url: str = "http://127.0.0.1:9/api/",
             source: str | None = None) -> Path:
        text = VALID_TOML.format(source=source or paths.SAMPLE_VIDEO,
                                 data_dir=tmp_path / "data",
                                 events_url=events_url, person_url=person_url)
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text)
        return path

    return make


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[LiveCloud]:
    """The devcloud on a loopback port, for the sync and the app tests."""
    from tests.helpers.cloud import start_cloud

    c = start_cloud(tmp_path / "cloud")
    yield c
    c.stop()


@pytest.fixture(scope="session")
def renderer() -> Iterator[Renderer]:
    """One GL context for the session (made and used in pytest's main thread)."""
    from kiosk.render.context import RenderUnavailable
    from kiosk.render.renderer import Renderer

    try:
        r = Renderer()
    except RenderUnavailable as e:
        pytest.skip(f"no EGL OpenGL 3.3 context can be made on this machine: {e.reason}")
    yield r
    r.release()


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


@pytest.fixture(scope="module")
def still_tracker() -> Iterator[MediaPipeTracker]:
    """One photo tracker per module (MediaPipe's graphs take a second to build)."""
    from kiosk.track.mediapipe_tracker import MediaPipeTracker

    tr = MediaPipeTracker(static=True)
    yield tr
    tr.close()
