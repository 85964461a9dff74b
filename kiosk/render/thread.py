"""The renderer on a thread of its own.

An OpenGL context is current on one thread at a time, and the frame pipeline, the tracker and
the UI each have threads of their own: the renderer is made, used and released on one thread
kept for it, and any caller hands it work, waiting for the result (`run`) or not (`later`: a
live frame's pieces drawn between frames, kiosk/tryon/ahead.py). Work runs in the order sent.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from kiosk.render.context import RenderUnavailable
from kiosk.render.renderer import Renderer

T = TypeVar("T")


class RenderThread:
    def __init__(self, aa: str) -> None:
        self.aa = aa
        self.renderer: Renderer | None = None
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> str | None:
        """Makes the renderer on its thread; the reason when no OpenGL context can be made."""
        def make() -> str | None:
            try:
                self.renderer = Renderer(aa=self.aa)
            except RenderUnavailable as e:
                return e.reason
            return None

        return self.run(make)

    def later(self, job: Callable[[], T]) -> Future[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        return self._pool.submit(job)

    def run(self, job: Callable[[], T]) -> T:
        return self.later(job).result()

    def close(self) -> None:
        if self.renderer is not None:
            self.run(self.renderer.release)
            self.renderer = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
