"""The try-on as a live pipeline stage on the bundled sample video, and the smoothing filter."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk import paths
from kiosk.capture.base import Frame
from kiosk.capture.sources import VideoFileSource
from kiosk.catalog.pieces import Catalog
from kiosk.track.filters import OneEuro
from kiosk.tryon.stage import TryOnStage


@pytest.mark.slow
def test_stage_composites_a_copy_and_keeps_pieces_on_the_face(catalog: Catalog) -> None:
    src = VideoFileSource(paths.SAMPLE_VIDEO, fps=1000)  # no real-time pacing
    src.open()
    stage = TryOnStage(catalog, selected=["earring_gold", "choker_gold"])
    try:
        for i in range(30):
            img = src.read()
            before = img.copy()
            out = stage(Frame(img, i, 0.0))
            assert np.array_equal(img, before)           # the camera's buffer is untouched
        assert stage.last is not None and stage.hints == ()
        pls = {(p.category, p.side): p for p in stage.last.placements}
        assert {("earring", "image-left"), ("earring", "image-right"), ("necklace", "centre")} <= set(pls)
        changed = np.abs(out.image.astype(int) - img.astype(int)).max(axis=2) > 30
        for p in pls.values():
            if p.hidden:
                continue
            x, y, half = int(p.anchor[0]), int(p.anchor[1]), int(p.width_px / 2) + 4
            region = changed[y:y + 2 * half + 40, max(0, x - half):x + half]
            assert region.mean() > 0.02, f"{p.category} not drawn at its anchor"
    finally:
        stage.close()
        src.close()


def test_one_euro_removes_jitter_but_follows_a_move() -> None:
    rng = np.random.default_rng(0)
    f = OneEuro()
    truth = np.array([[640.0, 360.0]], np.float32)
    out = []
    for i in range(120):
        noisy = truth + rng.normal(0, 1.5, truth.shape).astype(np.float32)
        out.append(f(noisy, i / 30)[0].copy())
    still = np.array(out[30:])
    assert np.sqrt(((still - still.mean(axis=0)) ** 2).sum(axis=1).mean()) < 0.7   # raw noise is ~2.1 px
    # A fast 200 px move: within 3 frames (100 ms) the output is within 10 px.
    for i in range(120, 123):
        y = f(truth + np.array([[200.0, 0.0]], np.float32), i / 30)
    assert abs(float(y[0, 0]) - 840.0) < 10
