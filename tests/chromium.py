"""Headless Chromium (Debian's `chromium`, installed by script/setup for the tests) for the page
tests: a screenshot at a window size and the DOM once the page's scripts have run (one run of
the command line), or a browser driven over the DevTools protocol on a pipe to evaluate
JavaScript in a page, as the phone's browser would run it (`Browser`, `video_state`).

--remote-debugging-pipe: Chromium reads commands from fd 3 and writes answers to fd 4, each a
JSON message ended by a NUL byte. No port is opened."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = (390, 844)          # an iPhone 12-15 held upright, in CSS pixels
DESKTOP = (1440, 1000)


def base_args(profile: str, size: tuple[int, int]) -> list[str]:
    """The browser with no GPU, sound or first-run pages, videos allowed to play by themselves."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: run script/setup (it installs the Debian package)")
    args = [CHROMIUM, "--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
            "--no-first-run", "--disable-extensions", "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
    if os.geteuid() == 0:          # CI runs as root, where Chromium's sandbox cannot start
        args.insert(1, "--no-sandbox")
    return args


def _run(url: str, size: tuple[int, int], extra: list[str], budget_ms: int) -> str:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        args = [*base_args(profile, size), f"--virtual-time-budget={budget_ms}", *extra, url]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def open_page(url: str, out: Path, size: tuple[int, int] = PHONE,
              budget_ms: int = 1500) -> tuple[Image.Image, str]:
    """The screenshot (saved at `out`) and the DOM, from one browser run."""
    dom = _run(url, size, [f"--screenshot={out}", "--dump-dom"], budget_ms)
    img = Image.open(out)
    img.load()
    return img.convert("RGB"), dom


def screenshot(url: str, out: Path, size: tuple[int, int] = PHONE, budget_ms: int = 1500) -> Image.Image:
    return open_page(url, out, size, budget_ms)[0]


def save_for_readme(img: Image.Image, name: str) -> None:
    """With SAVE_SCREENS=DIR (e.g. docs/screens) the screenshot is kept there for the README."""
    where = os.environ.get("SAVE_SCREENS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        img.save(Path(where) / name, optimize=True)


def find_picture(shot: Image.Image, expected: Image.Image, max_top: int = 300) -> tuple[int, float]:
    """Where `expected` (as wide as the shot) sits vertically in the screenshot, and the share of
    the whole screenshot's pixels that show it (within a JPEG/scaling tolerance)."""
    import numpy as np

    s = np.asarray(shot, dtype=np.int16)
    e = np.asarray(expected, dtype=np.int16)
    h = e.shape[0]
    best, top = 1e9, 0
    for y in range(0, min(max_top, s.shape[0] - h) + 1, 2):
        d = float(np.abs(s[y:y + h:4, ::4] - e[::4, ::4]).mean())
        if d < best:
            best, top = d, y
    close = np.abs(s[top:top + h] - e).max(axis=2) < 40
    return top, float(close.sum()) / (s.shape[0] * s.shape[1])


class Browser:
    def __init__(self, width: int = 390, height: int = 844) -> None:
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        args = [*base_args(self.profile, (width, height)), "--remote-debugging-pipe", "about:blank"]
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child gets the two ends as fds 3 and 4, whatever numbers they have here.
        os.set_inheritable(to_browser_r, True)
        os.set_inheritable(from_browser_w, True)

        def wire() -> None:
            # Above 10 first: either end may itself be fd 3 or 4.
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self.session = ""

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> int:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        return self._id

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        want = self._send(method, params, self.session if session is None else session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" not in self._buf:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\0", 1)
            msg = json.loads(raw)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"}, session="")["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session="")["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        got = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True})
        if "exceptionDetails" in got:
            raise RuntimeError(str(got["exceptionDetails"]))
        return got.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Polls until the expression is truthy; returns its last value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        return value

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


VIDEO_STATE = """(() => { const v = document.querySelector('video');
  return v ? {ready: v.readyState, duration: v.duration, width: v.videoWidth, height: v.videoHeight,
              error: v.error ? v.error.code : 0, src: v.currentSrc,
              playsinline: v.hasAttribute('playsinline'), muted: v.muted} : null; })()"""


def video_state(url: str) -> dict[str, Any]:
    """The page's <video> once it has its current frame (readyState >= 2) or 30 s have passed."""
    b = Browser()
    try:
        b.open(url)
        b.wait_for("document.readyState === 'complete'")
        b.wait_for("(() => { const v = document.querySelector('video');"
                   " return v && (v.readyState >= 2 || v.error); })()")
        return dict(b.evaluate(VIDEO_STATE) or {})
    finally:
        b.close()
