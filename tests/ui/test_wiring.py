"""The window's wiring: tests hand it fake models (no MediaPipe, no dlib), the harness a wrapper
for every camera it opens."""

from __future__ import annotations

import dataclasses
import inspect
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.capture import FrameSource
from kiosk.face.embed import Embedder
from kiosk.face.estimates import Estimator
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from tests.fakes.embedder import FakeEmbedder, FakeEstimator
from tests.fakes.tracker import FakeTracker
from tests.helpers.screens import FAKES, LANDSCAPE, launch_at

STILL = Path(__file__).parents[1] / "fixtures" / "photos" / "close_face.jpg"

# In a fresh interpreter, so that no other test has imported the models already.
CONSENTED_VISIT = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from kiosk.ui.app import MainWindow, create_app
from tests.helpers.screens import FAKES

def wait(until):
    end = time.monotonic() + 20
    while time.monotonic() < end and not until():
        QCoreApplication.processEvents()
        time.sleep(0.01)

app = create_app()
win = MainWindow(Path(sys.argv[1]), demo=False, wiring=FAKES)
win.load_and_start()
win.show()
wait(lambda: win.live_view.painted >= 5)
v = win.visit
v.to_start()
v.start_screen.name.setText("Priya")
v.start_screen.phone.setText("98123 45678")
v.start_screen.consent.setChecked(True)
v.start_screen.start.click()
persons = lambda: win.store.db.read("SELECT COUNT(*) FROM persons")[0][0]
wait(lambda: persons() > 0)            # after the worker's first few good samples
out = {"faces": win.tryon.last.faces, "samples": v.faces.worker.samples, "persons": persons(),
       "loaded": sorted(m for m in ("mediapipe", "face_recognition", "dlib") if m in sys.modules)}
win.close()
print(json.dumps(out))
"""


def test_screens_on_the_fakes_load_no_model(make_config: Callable[..., Path]) -> None:
    root = Path(__file__).parents[2]
    run = subprocess.run([sys.executable, "-c", CONSENTED_VISIT, str(make_config())], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    # The fake tracker's face is tried on and the fake embedder's face recorded, consented...
    assert got["faces"] == 1 and got["samples"] >= 1 and got["persons"] == 1, got
    # ... and neither the try-on nor the face worker loaded a model to do it.
    assert got["loaded"] == [], got


def test_every_camera_the_live_view_runs_goes_through_wrap_source(
        qtbot: QtBot, make_config: Callable[..., Path]) -> None:
    wrapped: list[FrameSource] = []

    def wrap(source: FrameSource) -> FrameSource:
        wrapped.append(source)
        return source

    win = launch_at(qtbot, make_config(), LANDSCAPE, wiring=dataclasses.replace(FAKES, wrap_source=wrap))
    assert win.camera is not None and win.live is not None
    assert [s.name for s in wrapped] == [win.live.source.name]
    win.camera.switch_camera(str(STILL))          # the technician's camera page
    assert [s.name for s in wrapped][1:] == [f"image {STILL.name}"] and win.live.source is wrapped[1]
    # A camera only tested on that page is not the live view's: it is not wrapped.
    win.camera.open_camera(str(STILL)).close()
    assert len(wrapped) == 2


@pytest.mark.parametrize(("fake", "real", "methods"), [
    (FakeTracker, MediaPipeTracker, ["track", "close"]),
    (FakeEmbedder, Embedder, ["detect", "encode", "close"]),
    (FakeEstimator, Estimator, ["estimate", "close"]),
], ids=lambda x: getattr(x, "__name__", ""))
def test_the_fake_models_take_what_the_real_ones_take(fake: type, real: type, methods: list[str]) -> None:
    def params(f: object) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # type: ignore[arg-type]

    for m in methods:
        assert params(getattr(fake, m)) == params(getattr(real, m)), f"{fake.__name__}.{m}"
