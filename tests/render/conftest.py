"""Fixtures for the renderer tests: one GL context for the whole session (contexts are made
and used in the same thread: pytest runs tests in the main thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.render.context import RenderUnavailable
from kiosk.render.renderer import Renderer


@pytest.fixture(scope="session")
def renderer() -> Iterator[Renderer]:
    try:
        r = Renderer()
    except RenderUnavailable as e:
        pytest.skip(f"no EGL OpenGL 3.3 context can be made on this machine: {e.reason}")
    yield r
    r.release()
