"""What the window is built from that a test or the harness may replace. Every default is the
product's own: `kiosk app` passes nothing; kiosk.cli (the composition root) passes the soak's
autopilot and camera cable when KIOSK_AUTOPILOT is set, and the UI tests pass fakes
(tests/fakes/) so that screens are tested without loading MediaPipe or dlib."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.capture import FrameSource
from kiosk.face.worker import FaceModels, load_models
from kiosk.track.base import Tracker
from kiosk.tryon.stage import live_tracker

if TYPE_CHECKING:
    from kiosk.ui.app import MainWindow


@dataclass(frozen=True)
class Wiring:
    # Both factories are called lazily on the thread that uses what they make (the try-on
    # worker, the face worker): a MediaPipe graph must never run in two threads at once (the
    # try-on worker hands its frames' tracking to one thread of its own: kiosk/tryon/ahead.py).
    tracker: Callable[[], Tracker] = live_tracker
    face_models: Callable[[], FaceModels] = load_models
    # Every source the live view runs goes through this (the soak's unpluggable cable).
    wrap_source: Callable[[FrameSource], FrameSource] | None = None
    # Called by `run` once the window is shown and systemd told it is ready.
    on_started: Callable[[MainWindow], None] | None = None
