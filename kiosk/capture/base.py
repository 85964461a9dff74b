from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]          # (H, W) in 0..1: where the person is
# The numbers everything else passes around: float32 as the renderer and MediaPipe hold them,
# float64 for the geometry (poses, pendulums) that compounds rounding frame after frame.
Array = npt.NDArray[np.float32]
Mat = npt.NDArray[np.float64]


class SourceError(Exception):
    """The source cannot give a frame now (unplugged, unreadable, ended)."""


@dataclass(frozen=True, slots=True)
class Frame:
    image: Image  # BGR, uint8, H x W x 3, C-contiguous
    index: int
    captured_at: float  # time.monotonic() when it left the source

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class FrameSource(Protocol):
    """A camera, a video file or a still image. read() blocks until the next frame is due."""

    name: str
    nominal_fps: float

    def open(self) -> None: ...

    def read(self) -> Image: ...

    def close(self) -> None: ...
