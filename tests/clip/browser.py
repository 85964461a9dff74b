"""Headless Chromium (the Debian package) driven over the DevTools protocol on a pipe: open a
page and evaluate JavaScript in it, as the phone's browser would run it.

--remote-debugging-pipe: Chromium reads commands from fd 3 and writes answers to fd 4, each a
JSON message ended by a NUL byte. No port is opened.
"""

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

CHROMIUM = "/usr/bin/chromium"


class Browser:
    def __init__(self, width: int = 390, height: int = 844) -> None:
        if not Path(CHROMIUM).exists():
            pytest.skip("headless Chromium is not installed (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="clip-chromium-")
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
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
