from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.capture.base import FrameSource, Image, SourceError

log = logging.getLogger(__name__)


class _Pacer:
    """Releases frames at a fixed rate without bursting to catch up after a stall."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._next = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if self._next == 0.0 or now - self._next > self.period:
            self._next = now  # first frame, or we fell behind: restart the schedule
        else:
            time.sleep(max(0.0, self._next - now))
        self._next += self.period


class CameraSource:
    """A V4L2 camera by index or device path."""

    def __init__(self, device: int | str, width: int, height: int, fps: int) -> None:
        self.device = device
        self.name = f"camera {device}"
        self.width, self.height, self.nominal_fps = width, height, float(fps)
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        if isinstance(self.device, str) and not Path(self.device).exists():
            raise SourceError(f"{self.device} is not present")
        cap = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.name}")
        # MJPG lets USB 2 cameras deliver 720p at 30 fps; YUYV tops out near 10 fps.
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.nominal_fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        got = cap.get(cv2.CAP_PROP_FPS)
        if got > 0:
            self.nominal_fps = float(got)
        self._cap = cap
        log.info("opened %s at %dx%d %.1f fps", self.name,
                 int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                 self.nominal_fps)

    def read(self) -> Image:
        if self._cap is None:
            raise SourceError(f"{self.name} is not open")
        ok, img = self._cap.read()
        if not ok or img is None:
            raise SourceError(f"{self.name} stopped delivering frames")
        return np.ascontiguousarray(img)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoFileSource:
    """A video file played in a loop at its own frame rate, as a camera would deliver it."""

    def __init__(self, path: str | Path, fps: float | None = None) -> None:
        self.path = Path(path)
        self.name = f"video {self.path.name}"
        self.nominal_fps = float(fps or 0)
        self._cap: cv2.VideoCapture | None = None
        self._pacer: _Pacer | None = None

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"video file not found: {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise SourceError(f"cannot decode video {self.path}")
        if not self.nominal_fps:
            file_fps = cap.get(cv2.CAP_PROP_FPS)
            self.nominal_fps = float(file_fps) if 1 <= file_fps <= 240 else 30.0
        self._cap = cap
        self._pacer = _Pacer(self.nominal_fps)

    def read(self) -> Image:
        if self._cap is None or self._pacer is None:
            raise SourceError(f"{self.name} is not open")
        ok, img = self._cap.read()
        if not ok:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, img = self._cap.read()
            if not ok:
                raise SourceError(f"cannot read frames from {self.path}")
        self._pacer.wait()
        return np.ascontiguousarray(img)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def first_frame(video: Path) -> Image:
    """The first frame of a video file (the sample face the staff previews are drawn on)."""
    src = VideoFileSource(video, fps=1000.0)
    try:
        src.open()
        return src.read()
    finally:
        src.close()


def load_photo(path: Path) -> Image:
    """A photo as BGR, or SourceError saying plainly whether it is missing or unreadable."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise SourceError(f"{path}: not an image OpenCV can read (corrupt or unsupported format)")
    return np.ascontiguousarray(img, dtype=np.uint8)


class ImageSource:
    """A still photo repeated at a fixed rate (for demos, tests and the offline try-on)."""

    def __init__(self, path: str | Path, fps: float = 30.0) -> None:
        self.path = Path(path)
        self.name = f"image {self.path.name}"
        self.nominal_fps = float(fps)
        self._img: Image | None = None
        self._pacer = _Pacer(self.nominal_fps)

    def open(self) -> None:
        img = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if img is None:
            raise SourceError(f"cannot read image {self.path} (missing or not an image)")
        self._img = np.ascontiguousarray(img)

    def read(self) -> Image:
        if self._img is None:
            raise SourceError(f"{self.name} is not open")
        self._pacer.wait()
        # A copy per frame: later stages draw on their frame, and the still must stay clean.
        return self._img.copy()

    def close(self) -> None:
        self._img = None


def open_source(kind: str, value: str, width: int = 1280, height: int = 720,
                fps: int = 30) -> FrameSource:
    """Build (not open) the source for a config value: camera index/device, video or image."""
    if kind == "camera":
        return CameraSource(int(value) if value.isdigit() else value, width, height, fps)
    if kind == "image":
        return ImageSource(value, fps)
    return VideoFileSource(value)
