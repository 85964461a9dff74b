"""The neck base a necklace hangs from, and the torso's frame, from the head pose and (when the
pose tracker sees them) the shoulders."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.track.base import PoseTrack
from kiosk.track.headpose import R_FRONTAL, Anchor, HeadPose


@dataclass(frozen=True)
class NeckBase:
    anchor: Anchor           # centre of the neck's cross-section at its base; torso frame
    source: str              # "shoulders" or "head"
    shoulder_width_mm: float | None = None


# The head turns and nods about the top of the neck, under the ear canals (~10 mm behind the
# tragus, 234/454 at z -24 mm, and a little below it); the neck base's centre lies straight
# down the torso from there. NECK_DROP_MM is calibrated on the bundled portraits with visible
# shoulders against the shoulder-based estimate (see tests/track/test_headpose.py).
NECK_PIVOT_MM = (0.0, -5.0, -35.0)
NECK_DROP_MM = 155.0
# The neck base (the pit of the neck, where a 3D necklace's hook goes: each model carries how
# high its own style sits above it) from the chin towards the shoulders' midpoint in the image.
# The shoulder points are the joints, a few cm below the pit: 0.65 of the way, judged on the
# bundled portraits (0.28, the 2D sprites' value for a drawing's top edge, put a choker on the
# chin).
NECK_BASE_FRACTION = 0.65
MIN_SHOULDER_VISIBILITY = 0.5


def neck_base(pose: HeadPose, shoulders: PoseTrack | None) -> NeckBase:
    """The neck base for a necklace's hook, and the torso's frame (x along the shoulders from
    the image's left to right, y up, z out of the chest).

    Customers face the mirror with their body and turn their head, so the torso is taken as
    facing the camera, leaning only as far as the shoulder line does (2D shoulders carry no
    depth: their depth is the neck's, from the head's)."""
    pivot = pose.to_camera(NECK_PIVOT_MM)[0].astype(np.float64)
    depth = float(pivot[2])
    cam = pose.camera
    if shoulders is not None and shoulders.visibility >= MIN_SHOULDER_VISIBILITY:
        sl, sr = shoulders.shoulder_image_left, shoulders.shoulder_image_right
        chin = cam.project(pose.landmarks[152:153])[0]
        px = chin + NECK_BASE_FRACTION * ((sl + sr) / 2 - chin)
        pos = np.array([(px[0] - cam.cx) / cam.fx * depth, (px[1] - cam.cy) / cam.fy * depth, depth])
        lean = math.atan2(float(sr[1] - sl[1]), float(sr[0] - sl[0]))
        c, s = math.cos(lean), math.sin(lean)
        rz = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        width = float(np.hypot(*(sr - sl))) * depth / cam.fx
        return NeckBase(Anchor(pos, rz @ R_FRONTAL), "shoulders", width)
    return NeckBase(Anchor(pivot + np.array([0.0, NECK_DROP_MM * pose.scale, 0.0]), R_FRONTAL.copy()), "head")
