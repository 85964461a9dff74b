"""A hand in camera space (millimetres, OpenCV axes: kiosk/render/camera.py), for rings and
bangles drawn by the renderer the face pieces use.

MediaPipe's world landmarks give the hand's 3D shape in its own metric prior; scaled to the
kiosk's own millimetres (kiosk/tryon/sizing.py) and fitted to the 21 image points with
solvePnP, every joint gets a camera-space position. From them: the frame a ring sits in (on
the chosen finger between the knuckle and the first joint, +Y towards the fingertip, +Z out of
the back of the hand: the convention of the hand models, assets/jewelry/make_models.py), the
frame of a bangle on the wrist, and depth-only capsules for the fingers and the wrist, so the
back of a band is hidden by the finger it goes round and a closing hand hides the ring.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.capture.base import Mat
from kiosk.render.camera import Camera
from kiosk.render.occluder import Occluder
from kiosk.track.hands import FINGERS, INDEX_MCP, LITTLE_MCP, MIDDLE_MCP, THUMB, WRIST, HandTrack
from kiosk.track.occluders import cylinder, merge, slab

BANGLE_BEHIND_WRIST_MM = 22.0    # the wrist bones, up the forearm from landmark 0 (the crease)
WRIST_RADIUS_MM = 26.0           # wrist ~ 160-175 mm round: an ellipse ~ 58 x 40 mm
FOREARM_MM = 90.0
BANGLE_SLIDE_MM = 6.0            # how far a loose bangle slides along the arm under gravity
GRAVITY = np.array([0.0, 1.0, 0.0])   # camera y is down; the kiosk's camera stands upright


@dataclass
class HandPose:
    joints: Mat                  # (21, 3) camera mm
    back: Mat                    # unit normal out of the back of the hand, camera space
    px_per_mm: float             # at the hand
    side: str

    def ring_frame(self, finger: str = "ring", at: float = 0.5) -> Mat:
        """4x4: ring model (mm) -> camera, centred on the finger's axis."""
        mcp, pip = FINGERS[finger][0], FINGERS[finger][1]
        a, b = self.joints[mcp], self.joints[pip]
        return _frame(a + at * (b - a), b - a, self.back)

    def bangle_frame(self, inner_diameter_mm: float, wrist_width_mm: float) -> Mat:
        """4x4 for a bangle round the wrist: centred a little up the forearm, hanging (a loose
        bangle rests on the top of the wrist and its centre drops under it) and slid along the
        arm by gravity's share along it."""
        wrist = self.joints[WRIST]
        y = self.joints[MIDDLE_MCP] - wrist
        y /= max(float(np.linalg.norm(y)), 1e-6)
        centre = wrist - y * BANGLE_BEHIND_WRIST_MM
        across = GRAVITY - y * float(GRAVITY @ y)
        slack = max(0.0, inner_diameter_mm / 2 - wrist_width_mm / 2 * 0.8)
        if np.linalg.norm(across) > 1e-6:
            centre = centre + across / np.linalg.norm(across) * slack
        centre = centre + y * BANGLE_SLIDE_MM * float(GRAVITY @ y)
        return _frame(centre, y, self.back)

    def occluder(self, finger_radius_mm: float, wrist_radius_mm: float = WRIST_RADIUS_MM,
                 skip: str | None = None) -> Occluder:
        """Capsule-like cylinders per phalanx, the palm between the knuckles and the wrist, and
        the forearm. `skip`: "wrist" leaves the wrist's inside out (a bangle sits round it,
        its own cylinder is the forearm's)."""
        j = self.joints
        parts = []
        for name, (mcp, pip, dip, tip) in FINGERS.items():
            r = finger_radius_mm * (0.85 if name == "little" else 1.0)
            for p, q in ((mcp, pip), (pip, dip), (dip, tip)):
                parts.append(cylinder(j[p], j[q], r * 0.92))
        for p, q in zip(THUMB[:-1], THUMB[1:], strict=True):
            parts.append(cylinder(j[p], j[q], finger_radius_mm * 1.1))
        # The palm: a slab from the wrist to the knuckles, its edges rounded by cylinders.
        palm_r = finger_radius_mm * 1.2
        for p in (INDEX_MCP, MIDDLE_MCP, LITTLE_MCP):
            parts.append(cylinder(j[WRIST], j[p], palm_r))
        outline = j[[WRIST, THUMB[0], INDEX_MCP, MIDDLE_MCP, FINGERS["ring"][0], LITTLE_MCP]]
        parts.append(slab(outline, self.back, palm_r))
        y = j[MIDDLE_MCP] - j[WRIST]
        y /= max(float(np.linalg.norm(y)), 1e-6)
        arm_r = wrist_radius_mm * (0.8 if skip == "wrist" else 1.0)
        parts.append(cylinder(j[WRIST], j[WRIST] - y * FOREARM_MM, arm_r))
        return merge(parts)


def _frame(origin: Mat, y: Mat, z_hint: Mat) -> Mat:
    y = np.asarray(y, np.float64)
    y = y / max(float(np.linalg.norm(y)), 1e-6)
    z = np.asarray(z_hint, np.float64) - y * float(np.asarray(z_hint) @ y)
    if np.linalg.norm(z) < 1e-6:
        z = np.array([0.0, 0.0, -1.0]) - y * float(-y[2])
    z /= np.linalg.norm(z)
    x = np.cross(y, z)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x, y, z, origin
    return m


def fit_hand(hand: HandTrack, camera: Camera, px_per_mm: float, span_mm: float) -> HandPose | None:
    """Joints in camera mm: MediaPipe's shape scaled so the knuckle span is `span_mm` (the
    kiosk's measure), posed by solvePnP on the image points."""
    w = hand.world_mm.astype(np.float64)
    full = float(np.linalg.norm(w[INDEX_MCP] - w[LITTLE_MCP]))
    if full < 1e-3:
        return None
    obj = (w - w[WRIST]) * (span_mm / full)
    img = hand.points.astype(np.float64)
    k = camera.intrinsics()
    # The shape is already in camera-aligned axes (MediaPipe's world x right, y down): start
    # from no rotation at the depth the scale implies, then refine.
    z0 = camera.fx / max(px_per_mm, 1e-3)
    wx = (img[WRIST, 0] - camera.cx) * z0 / camera.fx
    wy = (img[WRIST, 1] - camera.cy) * z0 / camera.fy
    rvec, tvec = np.zeros((3, 1)), np.array([[wx], [wy], [z0]])
    try:
        ok, rv, tv = cv2.solvePnP(obj.astype(np.float64), img, k, np.zeros(4), rvec, tvec,
                                  useExtrinsicGuess=True, flags=cv2.SOLVEPNP_ITERATIVE)
    except cv2.error:
        return None
    if not ok:
        return None
    r, _ = cv2.Rodrigues(np.asarray(rv, np.float64))
    tvec = np.asarray(tv, np.float64)
    # PnP alone would trade depth for size; the scale says how far the hand is: keep its
    # rotation and image position, put it at that depth.
    t = tvec.reshape(3)
    if t[2] <= 0:
        return None
    t = t * (z0 / t[2])
    joints = obj @ r.T + t
    # The fit's depths, the tracked pixels: each joint moved along its depth plane onto the
    # point the tracker saw (MediaPipe's shape is a prior; the image points are measured).
    z = np.maximum(joints[:, 2], 1.0)
    joints[:, 0] = (img[:, 0] - camera.cx) * z / camera.fx
    joints[:, 1] = (img[:, 1] - camera.cy) * z / camera.fy
    back = -(r @ hand.palm_normal().astype(np.float64))
    return HandPose(joints, back / (np.linalg.norm(back) or 1.0), px_per_mm, hand.side)
