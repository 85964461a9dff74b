"""Frame sources (camera, video file, still image) and the capture thread."""

from kiosk.capture.base import Frame, FrameSource, SourceError
from kiosk.capture.slot import LatestSlot
from kiosk.capture.sources import CameraSource, ImageSource, VideoFileSource, open_source
from kiosk.capture.thread import CaptureStats, CaptureThread

__all__ = [
    "CameraSource",
    "CaptureStats",
    "CaptureThread",
    "Frame",
    "FrameSource",
    "ImageSource",
    "LatestSlot",
    "SourceError",
    "VideoFileSource",
    "open_source",
]
