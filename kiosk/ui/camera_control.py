"""The window's camera: which source the live view runs, and what the technician's camera page
does with it (screens/camera.CameraControl): list, test, switch, keep the choice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import config as config_mod
from kiosk.capture import FrameSource, devices, open_source
from kiosk.capture.pipeline import Stage
from kiosk.tryon.stage import TryOnStage
from kiosk.ui.live import LivePipeline
from kiosk.ui.live_view import LiveView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceOverride:
    kind: str  # camera | video | image
    value: str


def source_value(cfg: config_mod.KioskConfig, override: SourceOverride | None) -> tuple[str, str]:
    """(kind, value) of the source to run: the command line, else the technician screen's
    choice, else the config."""
    if override is not None:
        return override.kind, override.value
    value = devices.load_choice(Path(cfg.store.data_dir)) or cfg.camera.source
    return config_mod.camera_kind(value), value


def _describe(value: str) -> str:
    kind = config_mod.camera_kind(value)
    return value if kind == "camera" else f"{kind} {Path(value).name}"


def build_source(cfg: config_mod.KioskConfig, kind: str, value: str) -> FrameSource:
    return open_source(kind, value, cfg.camera.width, cfg.camera.height, cfg.camera.fps)


class LiveCamera:
    """The source the live view runs and its pipeline (None until `start`)."""

    def __init__(self, cfg: config_mod.KioskConfig, view: LiveView, tryon: TryOnStage | None,
                 override: SourceOverride | None,
                 wrap_source: Callable[[FrameSource], FrameSource] | None = None) -> None:
        self.cfg, self.view, self.tryon = cfg, view, tryon
        self.override = override
        self.wrap_source = wrap_source
        self.live: LivePipeline | None = None
        self.source_kind, self.source = source_value(cfg, override)

    def start(self) -> None:
        stages: list[tuple[str, Stage]] = [("tryon", self.tryon)] if self.tryon is not None else []
        source = build_source(self.cfg, self.source_kind, self.source)
        if self.wrap_source is not None:
            source = self.wrap_source(source)
        self.live = LivePipeline(source, self.view, stages)
        self.live.start()
        log.info("live view started on %s", self.live.source.name)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def camera_options(self) -> list[tuple[str, str]]:
        """The configured source, the one running, and every camera plugged in."""
        out: dict[str, str] = {}
        for value in (self.cfg.camera.source, self.source):
            out.setdefault(value, _describe(value) + (" (config)" if value == self.cfg.camera.source else ""))
        for cam in devices.list_cameras():
            out.setdefault(cam.device, f"{cam.device} · {cam.name}")
        return list(out.items())

    def current_camera(self) -> str:
        return self.source

    def live_check(self) -> devices.CameraTest:
        if self.live is None:
            return devices.CameraTest(False, "The camera is not running.")
        st = self.live.stats()
        frame = self.tryon.last_raw if self.tryon is not None else None
        size = f"{frame.shape[1]}x{frame.shape[0]}, " if frame is not None else ""
        age = "no frame yet" if st.frame_age_s is None else f"last frame {st.frame_age_s:.2f} s ago"
        ok = st.state == "live" and st.capture_fps >= 15 and st.frame_age_s is not None
        return devices.CameraTest(ok, f"in use now: {size}{st.capture_fps:.1f} fps, {age}"
                                      + ("" if st.state == "live" else f" ({st.state})"), frame)

    def open_camera(self, value: str) -> FrameSource:
        return build_source(self.cfg, config_mod.camera_kind(value), value)

    def switch_camera(self, value: str) -> None:
        """The technician's choice: the live view moves to it now and keeps it across restarts."""
        if self.live is None:
            return
        self.live.stop()
        self.source_kind, self.source = config_mod.camera_kind(value), value
        self.override = None
        try:
            devices.save_choice(Path(self.cfg.store.data_dir),
                                None if value == self.cfg.camera.source else value)
        except OSError as e:
            log.error("the camera choice is not kept for the next start: %s", e)
        self.start()

    def report_rows(self) -> list[tuple[str, str]]:
        """The technician report's camera lines: what runs, in what state, chosen by whom."""
        if self.live is None:
            return []
        st = self.live.stats()
        chosen = devices.load_choice(Path(self.cfg.store.data_dir))
        why = (" (command line)" if self.override else " (chosen on this screen)" if chosen
               else " ([camera] source)")
        return [("camera", f"{st.source} · {st.state}{why}"), ("frames", st.overlay())]
