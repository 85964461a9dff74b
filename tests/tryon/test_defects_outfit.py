"""Issue 21 defects of the outfit recolour, measured on the fixture portraits: no hard seam
where the clothing mask ends, and a white shirt under a recoloured jacket stays white."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.track.base import Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon.attire import clothing_mask, load_attire
from kiosk.tryon.engine import TryOn
from tests.helpers.photos import photo

pytestmark = pytest.mark.slow     # real MediaPipe on photos


def lab(img: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB), np.float32)


def test_the_mask_edge_is_feathered_over_several_millimetres(still_tracker: MediaPipeTracker) -> None:
    for name in ("obama_portrait.jpg", "portrait_shoulders.jpg"):
        img = photo(name)
        tracking = still_tracker.track(img, Needs(pose=True, segmentation=True), 0.0)
        face = tracking.primary
        assert face is not None and tracking.person_mask is not None
        m = clothing_mask(img, tracking.person_mask, face)
        assert float(m.max()) > 0.9                      # there is a garment to recolour
        # The steepest change of the weight per millimetre of body, down and across: a seam
        # the eye sees goes from 0 to 1 in about 5 mm (0.2/mm); a soft edge takes 10 mm or more.
        per_mm = 1.0 / face.px_per_mm
        down = float(np.abs(np.diff(m, axis=0)).max()) / per_mm
        across = float(np.abs(np.diff(m, axis=1)).max()) / per_mm
        assert max(down, across) < 0.1, (name, down, across)


def test_a_white_shirt_stays_white_under_a_red_jacket(catalog: Catalog,
                                                     still_tracker: MediaPipeTracker) -> None:
    original = photo("obama_portrait.jpg")
    tracking = still_tracker.track(original, Needs(pose=True, segmentation=True), 0.0)
    assert tracking.primary is not None and tracking.person_mask is not None
    m = clothing_mask(original, tracking.person_mask, tracking.primary)
    before = lab(original)
    chroma0 = np.hypot(before[:, :, 1], before[:, :, 2])
    # The shirt: light, nearly grey pixels the mask covers (the jacket is dark navy).
    shirt = (before[:, :, 0] > 75) & (chroma0 < 10) & (m > 0.5)
    jacket = (before[:, :, 0] < 35) & (m > 0.9)
    assert shirt.sum() > 3000 and jacket.sum() > 20000
    red = load_attire()["saree_red_silk"]
    img = original.copy()
    TryOn(catalog, still_tracker, [], red).process(img, t=None)
    after = lab(img)
    chroma1 = np.hypot(after[:, :, 1], after[:, :, 2])
    assert float(chroma1[shirt].mean()) < 10, float(chroma1[shirt].mean())   # not pink
    assert float(after[:, :, 0][shirt].mean()) > 80                          # still light
    assert float(chroma1[jacket].mean()) > 30                                # the jacket is red
