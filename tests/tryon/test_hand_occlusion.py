"""A ring behind the fingers of a closing hand is hidden by them (the depth-only capsules of
kiosk/track/handpose.py), and in view on an open hand; the back of the band is hidden by the
finger it goes round."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.model import load_model
from kiosk.render.renderer import DrawItem, Renderer
from kiosk.track.handpose import HandPose
from kiosk.track.hands import FINGERS, WRIST
from tests.tryon.handpieces import hand_catalog

CAM = Camera.from_hfov(640, 480, 60.0)
FINGER_R = 8.5


def hand(curl_deg: float) -> HandPose:
    """A right hand 400 mm away, palm to the camera, fingers up; each finger's joints bent by
    `curl_deg` towards the camera (a fist closes over the palm)."""
    j = np.zeros((21, 3))
    j[WRIST] = (0.0, 60.0, 400.0)
    xs = {"index": -24.0, "middle": -8.0, "ring": 8.0, "little": 23.0}
    lengths = (45.0, 27.0, 22.0)
    for name, (mcp, pip, dip, tip) in FINGERS.items():
        j[mcp] = (xs[name], -30.0, 400.0)
        angle = 0.0
        for a, b, length in ((mcp, pip, lengths[0]), (pip, dip, lengths[1]), (dip, tip, lengths[2])):
            angle += np.radians(curl_deg)
            j[b] = j[a] + length * np.array([0.0, -np.cos(angle), -np.sin(angle)])
    for i, k in enumerate((1, 2, 3, 4)):
        j[k] = (-30.0 - 8 * i, 40.0 - 15 * i, 400.0)
    return HandPose(j, np.array([0.0, 0.0, 1.0]), CAM.fx / 400.0, "right")


def coverage(renderer: Renderer, tmp: Path, pose: HandPose, occlude: bool) -> float:
    root = hand_catalog(tmp)
    model = load_model(root / "test_ring" / "model.glb")
    frame = pose.ring_frame()
    frame[:3, :3] *= (2 * FINGER_R) / 17.3
    occ = [pose.occluder(FINGER_R)] if occlude else []
    layer = renderer.render([DrawItem(model, frame.astype(np.float32))], CAM, Environment.studio(), occ)
    return 0.0 if layer is None else float(layer.rgba[..., 3].sum())


def test_a_closing_hand_hides_the_ring(renderer: Renderer, tmp_path: Path) -> None:
    bare = coverage(renderer, tmp_path / "a", hand(0), occlude=False)
    open_hand = coverage(renderer, tmp_path / "b", hand(0), occlude=True)
    fist = coverage(renderer, tmp_path / "c", hand(80), occlude=True)
    assert bare > 50
    # Open: the back of the band (about half of it) goes behind the finger, the front shows.
    assert 0.25 * bare < open_hand < 0.85 * bare
    # Closed: the bent fingers fold over the ring's segment.
    assert fist < 0.25 * open_hand
