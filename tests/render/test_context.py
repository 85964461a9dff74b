"""Making the headless context, describing it for doctor, and saying why it cannot be made."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.render import synthetic as s
from kiosk.render.context import RenderUnavailable, explain, probe
from kiosk.render.environment import Environment
from kiosk.render.renderer import DrawItem, Renderer
from tests.helpers.pieces import CAM, facing, single


def test_probe_names_the_renderer_and_gl_version(renderer: Renderer) -> None:
    text = probe()
    assert "OpenGL" in text and "MSAA" in text
    major, minor = (int(v) for v in text.split("OpenGL ")[1].split()[0].split(".")[:2])
    assert (major, minor) >= (3, 3)
    assert renderer.ctx.version_code >= 330


def test_egl_errors_name_the_missing_debian_packages() -> None:
    assert "libgl1-mesa-dri" in explain("eglInitialize failed (0x3001)")
    assert "libegl-mesa0" in explain("requested device index 0, but found 0 devices")
    assert "libegl1" in explain("libEGL.so.1 not loaded")
    assert "3.3 core" in explain("eglCreateContext failed (0x3009)")
    assert explain("").startswith("no OpenGL context")


def test_a_machine_without_the_mesa_dri_drivers_is_told_what_to_install(renderer: Renderer) -> None:
    # Pointing Mesa's loader at an empty folder is what a bare Debian 12 without
    # libgl1-mesa-dri looks like to EGL: "eglInitialize failed (0x3001)".
    code = ("from kiosk.render.context import RenderUnavailable, probe\n"
            "try:\n    print('MADE', probe())\n"
            "except RenderUnavailable as e:\n    print('REASON', e.reason)\n")
    env = dict(os.environ, LIBGL_DRIVERS_PATH="/nonexistent-dri", EGL_LOG_LEVEL="fatal")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    if out.stdout.startswith("MADE"):
        pytest.skip(f"this machine's EGL does not use Mesa's DRI loader ({out.stdout.strip()})")
    assert out.stdout.startswith("REASON"), out.stdout
    assert "eglInitialize failed (0x3001)" in out.stdout and "libgl1-mesa-dri" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_render_unavailable_carries_its_reason() -> None:
    e = RenderUnavailable("no EGL")
    assert e.reason == "no EGL" and str(e) == "no EGL"


def test_a_renderer_made_in_a_worker_thread_draws_there(renderer: Renderer, tmp_path: Path) -> None:
    # The pipeline worker makes its own context; the main thread's keeps working meanwhile.
    ball = single(tmp_path, s.uv_sphere(0.01), "ball")
    got: dict[str, float] = {}

    def work() -> None:
        r = Renderer()
        try:
            layer = r.render([DrawItem(ball, facing(600))], CAM, Environment.studio())
            got["worker"] = float(layer.alpha.sum()) if layer is not None else 0.0
        finally:
            r.release()

    t = threading.Thread(target=work)
    t.start()
    main = renderer.render([DrawItem(ball, facing(600))], CAM, Environment.studio())
    t.join(60)
    assert main is not None and got["worker"] == pytest.approx(float(main.alpha.sum()))
