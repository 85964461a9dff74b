"""Encodes the mirror's frames to an H.264 MP4 on a worker thread, as they come.

What phones need to play it inline (iOS Safari, Android Chrome): H.264 Main profile, yuv420p,
even dimensions, in an MP4 whose index (moov) comes first (faststart), so playback starts
before the whole file is in. Frames carry their capture times as timestamps (1 ms units):
the clip plays at the speed it was lived whatever rate the mirror ran at, and the stream's
nominal rate is the one measured over the clip.

Frames are queued by the UI thread and never waited for there: should the encoder fall
behind, a frame is dropped (the one before it then lasts longer on playback) rather than the
mirror stuttering. A clip of 5 s at 720p stays under 4 MB: the rate is capped (VBV) at
4 Mbit/s with an 8 Mbit buffer, at most 5 × 4 + 8 = 28 Mbit = 3.5 MB.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.video.reformatter import ColorRange, Colorspace

from kiosk.capture.base import Image
from kiosk.store.files import fsync_dir
from kiosk.tryon.engine import encode_jpeg

log = logging.getLogger(__name__)

MAX_SIDE = 1280            # 720p for a 16:9 camera; a 1080p camera is scaled down
QUEUE_FRAMES = 24          # ~65 MB of 720p frames: a second of slack for the encoder
POSTER_AT_S = 1.0          # the share's photo: a frame once the customer has started to turn
SMPTE170M = 6              # ISO/IEC 23091-4 code of BT.601's primaries and transfer
X264 = {
    # ~6.5 ms of one core per 720p frame (veryfast: ~10.5 ms): what the encoder takes is taken
    # from the mirror on a 2-core kiosk. The rate cap bounds the size either way.
    "preset": "superfast",
    "profile": "main",     # decoded in hardware by every phone of the last decade
    "level": "4.0",        # up to 1080p30 / 720p60 (iPhone 4S and later, any Android phone)
    "crf": "23",
    "maxrate": "4000k",
    "bufsize": "8000k",
    "g": "60",
}
Strip = Callable[[int, int], Image]     # frame size -> BGR strip rows to put below each frame


class ClipError(Exception):
    """Why there is no clip, in one line for the seller."""


@dataclass(frozen=True)
class Clip:
    path: Path
    frames: int
    dropped: int
    duration_s: float
    fps: float
    width: int
    height: int
    poster: bytes = field(repr=False)     # JPEG of one frame, without the strip (the share brands it)


def even_size(w: int, h: int, max_side: int = MAX_SIDE) -> tuple[int, int]:
    f = min(1.0, max_side / max(w, h))
    return max(2, int(w * f) // 2 * 2), max(2, int(h * f) // 2 * 2)


def plain(e: BaseException) -> str:
    """One line for the seller: FFmpeg's own messages name C calls and option dicts."""
    if getattr(e, "errno", None) == errno.ENOSPC:
        return "the disk is full"
    if isinstance(e, av.FFmpegError):
        why = (e.strerror or "error").lower()
        return (f"the disk refused the file ({why})" if isinstance(e, OSError)
                else f"the video encoder failed ({why})")
    if isinstance(e, OSError):
        return f"the disk refused the file ({(e.strerror or 'error').lower()})"
    return str(e) or type(e).__name__


class ClipEncoder(threading.Thread):
    """feed() from the UI thread; finish() then wait(); `clip` or `error` tells the outcome."""

    def __init__(self, path: Path, strip: Strip | None = None, options: dict[str, str] | None = None,
                 codec: str = "libx264") -> None:
        super().__init__(name="clip-encoder", daemon=True)
        self.path, self.strip, self.codec = path, strip, codec
        self.options = dict(X264 if options is None else options)
        self.frames: queue.Queue[tuple[Image, float] | None] = queue.Queue(QUEUE_FRAMES)
        self.dropped = 0
        self.clip: Clip | None = None
        self.error: str | None = None
        self._finished = threading.Event()

    def feed(self, image: Image, t: float) -> bool:
        """A frame the mirror showed, captured at `t` (seconds, monotonic). Never blocks."""
        if self._finished.is_set():
            return False
        try:
            self.frames.put_nowait((image, t))
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def finish(self) -> None:
        if not self._finished.is_set():
            self._finished.set()
            self.frames.put(None)          # the worker drains the queue, so room comes

    def wait(self, timeout: float | None = None) -> bool:
        self.join(timeout)
        return not self.is_alive()

    def run(self) -> None:
        part = self.path.with_name(self.path.name + ".part")
        try:
            self.clip = self._encode(part)
            os.replace(part, self.path)
            fsync_dir(self.path.parent)
        except Exception as e:          # av.FFmpegError, OSError, ValueError: one line, no trace
            self.error = plain(e)
            log.error("the clip could not be made: %s", self.error)
            self._drain()
            try:
                part.unlink(missing_ok=True)
            except OSError:
                pass

    def _drain(self) -> None:
        self._finished.set()
        while True:
            try:
                if self.frames.get_nowait() is None:
                    return
            except queue.Empty:
                return

    def _encode(self, part: Path) -> Clip:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        first = self.frames.get()
        if first is None:
            raise ClipError("no frame came from the mirror")
        h0, w0 = first[0].shape[:2]
        w, h = even_size(w0, h0)
        strip = self.strip(w, h) if self.strip is not None else np.zeros((0, w, 3), np.uint8)
        strip = strip[: strip.shape[0] // 2 * 2]
        out_h = h + strip.shape[0]
        # One canvas for every frame: the strip is drawn into it once, each frame over the top.
        canvas = np.empty((out_h, w, 3), np.uint8)
        canvas[h:] = strip
        top = canvas[:h]
        t0 = first[1]
        count, last_pts, poster = 0, -1, b""
        last_t = t0
        with av.open(str(part), mode="w", format="mp4", options={"movflags": "+faststart"}) as box:
            stream = box.add_stream(self.codec, options=self.options)
            assert isinstance(stream, av.VideoStream)
            cc = stream.codec_context
            cc.width, cc.height, cc.pix_fmt = w, out_h, "yuv420p"
            cc.time_base = Fraction(1, 1000)
            # What cvtColor's I420 is (BT.601, limited range), said in the stream so that
            # players do not guess BT.709 for a picture this size.
            cc.colorspace, cc.color_range = Colorspace.ITU601, ColorRange.MPEG
            cc.color_primaries = cc.color_trc = SMPTE170M
            cc.thread_count = 1             # the other core is the mirror's
            stream.time_base = Fraction(1, 1000)
            item: tuple[Image, float] | None = first
            while item is not None:
                image, t = item
                pts = int(round((t - t0) * 1000))
                if pts > last_pts:          # two frames in one millisecond: keep the first
                    if image.shape[:2] != (h, w):
                        cv2.resize(image, (w, h), dst=top, interpolation=cv2.INTER_AREA)
                    else:
                        top[:] = image
                    if not poster and t - t0 >= POSTER_AT_S:
                        poster = encode_jpeg(top)
                    # OpenCV's conversion is ~5x quicker than swscale's from bgr24 here.
                    yuv = np.asarray(cv2.cvtColor(canvas, cv2.COLOR_BGR2YUV_I420), np.uint8)
                    frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                    frame.pts, frame.time_base = pts, Fraction(1, 1000)
                    box.mux(stream.encode(frame))
                    count, last_pts, last_t = count + 1, pts, t
                item = self.frames.get()
            box.mux(stream.encode(None))
        if not poster:
            poster = encode_jpeg(top)
        span = last_t - t0
        # The last frame is on screen for one frame period too.
        duration = span * count / (count - 1) if count > 1 else 0.0
        fps = (count - 1) / span if span > 0 else 0.0
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        return Clip(self.path, count, self.dropped, duration, fps, w, out_h, poster)
