"""Headless Chromium (Debian's `chromium`, installed by script/setup for the tests) for the page
tests: a screenshot at a window size, and the DOM once the page's scripts have run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = (390, 844)          # an iPhone 12-15 held upright, in CSS pixels
DESKTOP = (1440, 1000)


def _run(url: str, size: tuple[int, int], extra: list[str], budget_ms: int) -> str:
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: run script/setup (it installs the Debian package)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        args = [CHROMIUM, "--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
                "--no-first-run", "--disable-extensions", "--autoplay-policy=no-user-gesture-required",
                f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                f"--virtual-time-budget={budget_ms}", *extra, url]
        if os.geteuid() == 0:          # CI runs as root, where Chromium's sandbox cannot start
            args.insert(1, "--no-sandbox")
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
