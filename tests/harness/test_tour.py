"""`kiosk app --tour`: every screen in both orientations, with or without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.chromium import video_state

pytestmark = pytest.mark.slow     # the whole app's tour, screenshots of every screen

NO_MIRROR = ("review", "share", "clipshare")          # whole-window screens without the live mirror


def black_share(img: np.ndarray) -> float:
    return float((img.max(axis=2) == 0).mean())


@pytest.mark.parametrize("size", ["1024x768", "768x1024"])
def test_tour_renders_every_screen(tmp_path: Path, make_config: Callable[..., Path], size: str) -> None:
    from kiosk.harness.tour import tour

    w, h = (int(x) for x in size.split("x"))
    played: list[dict[str, object]] = []
    shots = tour(tmp_path / "tour", [(w, h)], make_config(), demo=False,
                 on_clip=lambda url: played.append(video_state(url)))
    names = [p.name.split("-")[1] for p in shots]
    # no sellers or technician in the test config, so no seller, PIN or technician screens
    assert names == ["attract", "jeweler", "start", "catalogue", "closeup", "outfit", "compare", "review",
                     "share", "recording", "clipshare", "end", "forget"]
    # The clip recorded in the tour plays from its QR page in a real browser.
    (state,) = played
    assert int(state["ready"]) >= 2 and not state["error"], state  # type: ignore[call-overload]
    assert 2.5 <= float(state["duration"]) <= 5.5, state  # type: ignore[arg-type]
    for p, name in zip(shots, names, strict=True):
        img = cv2.imread(str(p))
        assert img is not None and img.shape[:2] == (h, w), p.name      # never grown past the screen
        assert img.std() > 20, f"{p.name} looks blank"
        if name not in NO_MIRROR:
            assert black_share(img) < 0.03, f"{p.name}: letterbox bars"


def _env_without_display(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(TMPDIR=str(tmp), **extra)
    return env


def test_tour_without_a_display_renders_offscreen(tmp_path: Path, make_config: Callable[..., Path]) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "shots"
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(make_config()), "app", "--tour",
                           str(out), "--size", "768x1024"],
                          env=_env_without_display(tmp), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no display found, rendering offscreen" in done.stderr
    assert "xcb" not in done.stderr
    printed = done.stdout.split()
    assert len(printed) >= 10 and all(Path(p).is_file() and p.endswith("-768x1024.png") for p in printed)
    assert [p.name for p in tmp.iterdir() if p.name.startswith("kiosk-tour-")] == []


def test_a_failed_tour_leaves_no_temp_dir(tmp_path: Path, make_config: Callable[..., Path]) -> None:
    """A platform asked for by name that cannot start: Qt aborts, but nothing is left behind."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(make_config()), "app", "--tour",
                           str(tmp_path / "shots"), "--size", "1024x768"],
                          env=_env_without_display(tmp, QT_QPA_PLATFORM="xcb"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert [p.name for p in tmp.iterdir() if p.name.startswith("kiosk-tour-")] == []


def test_tour_sizes_are_checked() -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "app", "--tour", "/nonexistent/x",
                           "--size", "1024x768,big"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--size wants WIDTHxHEIGHT" in done.stderr
    assert not Path("/nonexistent/x").exists()
