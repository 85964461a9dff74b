"""The headless OpenGL 3.3 core context the pieces are drawn with: EGL, no window, Mesa's
llvmpipe where there is no GPU.

A context belongs to the thread that made it: EGL makes it current there, and moderngl issues
every call on the current context. Make it in the thread that renders (the pipeline worker),
render only from there, and release it there. Rendering from another thread would draw into
whatever context is current in that thread, or none.

When no context can be made, `RenderUnavailable.reason` says why in one sentence and which
Debian packages to install; the app then falls back to sprites pre-rendered from the models.
"""

from __future__ import annotations

import ctypes.util
import re
from typing import Any

import moderngl

GL_REQUIRE = 330           # OpenGL 3.3 core: what the shaders are written for
_PACKAGES = "apt install libegl1 libegl-mesa0 libgl1 libgl1-mesa-dri"


class RenderUnavailable(Exception):
    """No OpenGL context could be made; `reason` is a plain sentence for doctor and the logs."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def explain(message: str) -> str:
    """What an EGL/glcontext error message means on a Debian kiosk, and what to install."""
    m = message.strip()
    if "not loaded" in m and "egl" in m.lower():
        return f"the EGL library cannot be loaded ({m}): {_PACKAGES}"
    if "not loaded" in m:
        return f"the OpenGL library cannot be loaded ({m}): {_PACKAGES}"
    if "found 0 devices" in m:
        return ("EGL finds no device: Mesa's EGL vendor library is missing "
                f"(Debian package libegl-mesa0): {_PACKAGES}")
    if "eglInitialize failed" in m:
        # What a bare Debian 12 shows when libgl1-mesa-dri (llvmpipe's swrast_dri.so) is absent:
        # MediaPipe still runs on the CPU, but EGL has no driver to initialise.
        return (f"EGL cannot start a driver ({m}): the Mesa DRI drivers with llvmpipe are missing "
                f"(Debian package libgl1-mesa-dri, with libegl-mesa0): {_PACKAGES}")
    if "eglCreateContext failed" in m:
        return (f"the OpenGL driver cannot make a 3.3 core context ({m}): "
                f"install Mesa's llvmpipe ({_PACKAGES}) or update the GPU driver")
    return f"no OpenGL context ({m or 'unknown error'}): {_PACKAGES}"


def create_context() -> moderngl.Context:
    """A standalone OpenGL >= 3.3 core context over EGL, current in the calling thread."""
    if ctypes.util.find_library("EGL") is None:
        raise RenderUnavailable(f"no EGL library on this machine (libEGL.so.1): {_PACKAGES}")
    if ctypes.util.find_library("GL") is None:
        raise RenderUnavailable(f"no OpenGL library on this machine (libGL.so.1): {_PACKAGES}")
    try:
        settings: dict[str, Any] = {"backend": "egl"}     # (moderngl's stub mistypes **settings)
        ctx = moderngl.create_standalone_context(require=GL_REQUIRE, **settings)
    except Exception as e:      # glcontext raises bare Exception with EGL's own words
        raise RenderUnavailable(explain(str(e))) from None
    if ctx.version_code < GL_REQUIRE:
        found = ctx.version_code
        ctx.release()
        raise RenderUnavailable(f"OpenGL {found // 100}.{found % 100 // 10} only; 3.3 core is needed: "
                                f"{_PACKAGES}")
    return ctx


def describe(ctx: moderngl.Context) -> str:
    """'llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5 core (Mesa 22.3.6), MSAA 4x'."""
    with ctx:
        renderer = str(ctx.info.get("GL_RENDERER", "unknown renderer"))
        version = str(ctx.info.get("GL_VERSION", ""))
    m = re.match(r"\s*(\d+\.\d+)\s*(\(Core Profile\))?\s*(.*)", version)
    if m:
        gl = f"OpenGL {m.group(1)}{' core' if m.group(2) else ''}"
        if m.group(3):
            gl += f" ({m.group(3).strip()})"
    else:
        gl = f"OpenGL {version}".strip()
    return f"{renderer}, {gl}, MSAA {ctx.max_samples}x"


def probe() -> str:
    """Make a context, describe it, release it (for `kiosk doctor`; ~0.1 s on llvmpipe).

    Raises `RenderUnavailable` with the reason, so doctor can show which packages are missing
    (a bare None would lose that)."""
    ctx = create_context()
    try:
        return describe(ctx)
    finally:
        ctx.release()
