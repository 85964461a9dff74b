"""The kiosk's printed size card (assets/sizecard/size_card.png) drawn into a photo as a camera
would see it held there: its marker's centre at a pixel and a depth, turned about its vertical
axis, projected through the camera, softened like a lens and noised like a sensor."""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from kiosk import paths
from kiosk.render.camera import Camera
from kiosk.tryon.card import MARKER_MM

CARD_PNG = paths.ASSETS_DIR / "sizecard" / "size_card.png"
CARD_PX_PER_MM = 300 / 25.4
MARKER_LEFT_MM = 5.0            # where make_size_card.py puts the marker on the card


def draw_card(img: npt.NDArray[np.uint8], camera: Camera, at: tuple[float, float], px_per_mm: float,
              turn_deg: float = 0.0, seed: int = 0) -> None:
    """In place: the marker's centre lands on pixel `at`, at the depth where 1 mm spans
    `px_per_mm` pixels (the truth a finder should give back), the card turned `turn_deg`."""
    card = cv2.imread(str(CARD_PNG))
    assert card is not None, CARD_PNG
    ch, cw = card.shape[:2]
    mcx = (MARKER_LEFT_MM + MARKER_MM / 2) * CARD_PX_PER_MM
    mcy = ch / 2
    z = camera.depth_for_scale(px_per_mm)
    centre = np.array([(at[0] - camera.cx) * z / camera.fx, (at[1] - camera.cy) * z / camera.fy, z])
    a = math.radians(turn_deg)
    rot = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    mm = np.column_stack([(src[:, 0] - mcx) / CARD_PX_PER_MM, (src[:, 1] - mcy) / CARD_PX_PER_MM,
                          np.zeros(4)])
    dst = camera.project((centre + mm @ rot.T).astype(np.float32))
    h, w = img.shape[:2]
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(card, m, (w, h), flags=cv2.INTER_AREA)
    cover = cv2.warpPerspective(np.ones((ch, cw), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)
    rng = np.random.default_rng(seed)
    shot = cv2.GaussianBlur(warped.astype(np.float32) * 0.85 + 20, (0, 0), 0.8)   # paper in room light
    shot += rng.normal(0, 2.5, shot.shape).astype(np.float32)
    out = img.astype(np.float32) * (1 - cover[:, :, None]) + shot * cover[:, :, None]
    img[:] = np.clip(out, 0, 255).astype(np.uint8)
