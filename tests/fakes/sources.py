"""Fake frame sources for unit tests."""

from __future__ import annotations

import threading
import time

import numpy as np

from kiosk.capture.base import Image, SourceError


class ScriptedSource:
    """Delivers synthetic frames; can be 'unplugged' and 'plugged back' by a test."""

    def __init__(self, fps: float = 200.0, size: tuple[int, int] = (64, 48)) -> None:
        self.name = "scripted"
        self.nominal_fps = fps
        self.size = size
        self.plugged = threading.Event()
        self.plugged.set()
        self.opens = 0
        self.n = 0

    def open(self) -> None:
        if not self.plugged.is_set():
            raise SourceError("device not present")
        self.opens += 1

    def read(self) -> Image:
        time.sleep(1 / self.nominal_fps)
        if not self.plugged.is_set():
            raise SourceError("stopped delivering frames")
        self.n += 1
        img = np.zeros((self.size[1], self.size[0], 3), np.uint8)
        img[:, :, 2] = self.n % 256
        return img

    def close(self) -> None:
        pass
