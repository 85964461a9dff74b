"""The head's pose in six degrees of freedom, fitted every frame from the tracked face mesh.

Head space is MediaPipe's canonical face geometry (models/face_geometry/, Apache-2.0) in
millimetres: +X from the face's right to its left as seen from the front (the image's right
when the customer faces the camera), +Y up, +Z out of the face; the same axes a glTF piece has
when worn. The pose maps it into camera space (kiosk/render/camera.py: x right, y down, z away
from the camera, mm): p_cam = R (scale p_head) + t.

The fit is a perspective-n-point solve of the canonical vertices against the tracked pixels of
landmarks that stay put when the customer talks or smiles (forehead, eye corners, nose, the
face's sides at eye level; no mouth, jaw, chin or cheeks). The camera is the one the renderer
uses (`Camera.from_hfov`).

Scale: projection cannot tell a big head far away from a small one near, so the solve gives the
depth of a canonical-sized head. The iris (11.7 mm, the tracker's px_per_mm) says how big this
customer's head really is: `scale` is their ratio, averaged over time (a head does not change
size) and applied to the whole pose, which leaves the projection untouched. So the iris wins
for the absolute size (a 24 mm jhumka stays 24 mm at the iris scale, as in the 2D placement)
while the face's shape, with ~40 points instead of two small rings, gives the frame-to-frame
depth, steadier and without the iris filter's lag when the customer steps closer.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk import paths
from kiosk.capture.base import Array, Mat
from kiosk.render.camera import DEFAULT_HFOV_DEG, Camera
from kiosk.track.base import FaceTrack
from kiosk.track.filters import OneEuro

MODEL_DIR = paths.PROJECT_ROOT / "models" / "face_geometry"
CANONICAL_OBJ = MODEL_DIR / "canonical_face_model.obj"
CANONICAL_VERTICES = 468

# Fitted landmarks. MediaPipe's own geometry pipeline (geometry_pipeline_metadata_landmarks.pbtxt)
# uses a weighted set of 32; we keep its forehead, eye-corner, nose and temple points, drop its
# jaw (136/365), lower-cheek (147/376, 132/361) and mid-cheek (205/425) points, which move with
# the mouth and a smile, and add the nose ridge, mid forehead and the face's sides at eye level.
FIT_LANDMARKS = (
    10, 151, 9, 8, 109, 338, 67, 297, 54, 284, 103, 332,      # forehead
    21, 251, 162, 389, 127, 356, 234, 454,                    # temples, sides at eye level
    33, 133, 362, 263, 130, 359, 143, 372, 226, 446,          # eye corners and below them
    168, 6, 197, 195, 5, 4, 1, 198, 420, 129, 358, 98, 327,   # nose
)
# Iris centres of the same geometry (MediaPipe's face_model_with_iris.obj, vertices 469/474).
IRIS_CENTRES_MM = np.array([[-31.8175, 26.35786, 38.26339], [31.81751, 26.35786, 38.26339]])
R_FRONTAL: Mat = np.diag([1.0, -1.0, -1.0])     # head facing the camera, upright
# Trusting the iris for `scale` only while the rings are seen well.
SCALE_MAX_YAW_DEG = 30.0
# A face this far from the last one in one frame is someone else: start afresh.
RESET_JUMP_MM = 150.0
# Pose filters (One-Euro, kiosk/track/filters.py): the landmarks are already smoothed, so these
# only calm what the solve adds; high beta opens them on a turn (tuned in the report's bench).
ROT_MIN_CUTOFF, ROT_BETA = 2.0, 30.0          # Hz, per rad/s
POS_MIN_CUTOFF, POS_BETA = 2.0, 0.5           # Hz, per mm/s
# The head's scale is one number per customer: a running mean of the per-frame iris ratio, each
# frame weighing 1/n at first (settles in a few frames) and never less than this afterwards.
SCALE_MIN_WEIGHT = 1.0 / 90


class HeadModelError(RuntimeError):
    """The canonical face geometry is missing or damaged (a broken install)."""


@dataclass(frozen=True)
class CanonicalFace:
    vertices: Array        # (468, 3) mm, head space
    faces: npt.NDArray[np.int32]   # (898, 3)
    normals: Array         # (468, 3) unit, outward


@functools.lru_cache(maxsize=2)
def canonical_face(path: Path = CANONICAL_OBJ) -> CanonicalFace:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise HeadModelError(f"cannot read the face geometry {path}: {e}") from e
    verts, faces = [], []
    try:
        for line in text.splitlines():
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("f "):
                faces.append([int(tok.split("/")[0]) - 1 for tok in line.split()[1:4]])
        v = np.asarray(verts, np.float32).reshape(-1, 3) * 10.0          # cm -> mm
        f = np.asarray(faces, np.int32).reshape(-1, 3)
    except ValueError as e:
        raise HeadModelError(f"{path} is not a valid OBJ file: {e}") from e
    if len(v) != CANONICAL_VERTICES or not len(f) or f.min() < 0 or f.max() >= len(v):
        raise HeadModelError(f"{path} is not MediaPipe's canonical face ({len(v)} vertices)")
    return CanonicalFace(v, f, _vertex_normals(v, f))


def _vertex_normals(v: Array, f: npt.NDArray[np.int32]) -> Array:
    n = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    acc = np.zeros_like(v)
    for k in range(3):
        np.add.at(acc, f[:, k], n)
    acc /= np.maximum(np.linalg.norm(acc, axis=1, keepdims=True), 1e-9)
    # The OBJ's winding is not guaranteed: make the nose tip's normal point out of the face.
    if acc[4, 2] < 0:
        acc = -acc
    return np.asarray(acc, np.float32)


@dataclass(frozen=True)
class Anchor:
    """Where a piece's hook goes: a point and a frame (columns: the anchor's x, y, z axes),
    in camera space when returned by `HeadPose.anchor`, in head space in `anchor_defs`."""

    position: Mat        # (3,)
    rotation: Mat        # (3, 3)


@dataclass(frozen=True)
class HeadPose:
    R: Mat                   # (3, 3) head -> camera rotation
    t: Mat                   # (3,) head origin in camera space, mm
    camera: Camera
    scale: float             # this head's size / the canonical head's (from the iris)
    yaw_deg: float           # nose towards the image's right is positive (as FaceTrack.yaw_deg)
    pitch_deg: float         # nose up is positive
    roll_deg: float          # clockwise on screen is positive (as FaceTrack.roll_deg)
    landmarks: Array           # (468, 3) the tracked pixels lifted to the fitted depths, camera mm
    reprojection_px: float   # RMS distance of the fitted landmarks from where the pose puts them
    depth_ratio: float       # this frame's head size by the iris / the canonical head's
    fit_ms: float = 0.0

    @property
    def view_yaw_deg(self) -> float:
        """Yaw from looking straight at the camera (not along its axis): a face off to one side
        of the frame that looks at the lens reads 0 here, several degrees in `yaw_deg`."""
        return _view_yaw(self.yaw_deg, self.t)

    def to_camera(self, points_head_mm: npt.ArrayLike) -> Array:
        p = np.asarray(points_head_mm, np.float64).reshape(-1, 3)
        return np.asarray((self.scale * p) @ self.R.T + self.t, np.float32)

    def project(self, points_head_mm: npt.ArrayLike) -> Array:
        return self.camera.project(self.to_camera(points_head_mm))

    def anchor(self, name: str) -> Anchor:
        """A named attachment point (`anchor_defs`) in camera space.

        It rides on its tracked landmark (exactly where the face is in the image, whatever this
        customer's shape) offset in head space, except for an ear turned away from the camera:
        its face-edge landmark then slides onto the cheek's outline, so the rigid model's
        position of it takes over.
        """
        d = anchor_defs()[name]
        rigid = self.to_camera(canonical_face().vertices[d.landmark])[0].astype(np.float64)
        tracked = self.landmarks[d.landmark].astype(np.float64)
        away = d.side * self.view_yaw_deg
        trust = float(np.clip(1.0 - (away - 10.0) / 20.0, 0.0, 1.0)) if d.side else 1.0
        base = rigid + trust * (tracked - rigid)
        return Anchor(base + self.R @ (self.scale * d.offset_mm), self.R @ d.rotation)

    def as_json(self) -> dict[str, object]:
        return {"yaw_deg": round(self.yaw_deg, 1), "view_yaw_deg": round(self.view_yaw_deg, 1),
                "pitch_deg": round(self.pitch_deg, 1), "roll_deg": round(self.roll_deg, 1),
                "t_mm": [round(float(x), 1) for x in self.t], "scale": round(self.scale, 3),
                "reprojection_px": round(self.reprojection_px, 2)}


@dataclass(frozen=True)
class AnchorDef:
    landmark: int
    offset_mm: Mat           # head space, from the landmark
    rotation: Mat            # anchor frame -> head frame
    side: int = 0            # -1 / +1: an ear on the head's -X / +X side (see HeadPose.anchor)


# Ear lobe piercing, from the face-edge landmark 234/454 at the tragus (head mm):
#   23 mm down: the tragus sits about mid-height of the ~60-63 mm auricle and the lobule is
#     ~18 mm tall (Bozkir et al., Aesth. Plast. Surg. 30:81, 2006: total ear height 59.7 /
#     63.1 mm, lobular height 17.5 / 18.3 mm, women / men), so its lower edge is ~30 mm below
#     the tragus; the piercing is a third of the way up the lobule, ~7 mm above that edge.
#     (The 2D placement puts the lobe 22 mm below 234 on the canonical face.)
#   6 mm back: the ~19 mm wide lobule (same study: 18.5-19.8 mm) hangs behind the tragus.
#   6 mm out: the lobule hangs beside the jaw, outside the face's outline (the 2D placement's
#     3 mm put it on the cheek's edge in the sample video, where it also went behind the cheek
#     at a 7 deg turn while the far ear was plainly in sight; at 6 mm the far lobe goes behind
#     the head at ~16 deg, and is hidden in the bundled photos turned 20 deg, as in the photos).
LOBE_DOWN_MM, LOBE_BACK_MM, LOBE_OUT_MM = 23.0, 6.0, 6.0
# Nostril piercing on the customer's left ala (landmark 327), 1 mm out and down of it as the 2D
# placement does; the ring's plane holds the piercing direction (the ala's normal) and down.
NOSTRIL_OFFSET_MM = (1.0, -1.0, 0.0)
# Hair parting: the hairline is ~55-60 mm above the glabella along the forehead (Farkas'
# forehead height tr-g), about 20 mm above the mesh's top point 10 (which is ~35 mm up the
# arc from the brow-level point 9): continue the forehead's curve 20 mm beyond 10.
PARTING_BEYOND_MM = 20.0
JAW_LINE = (234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152,
            377, 400, 378, 379, 365, 397, 288, 361, 323, 454)


def _frame(y: Mat, z: Mat) -> Mat:
    """Right-handed frame with the given up (y) and front (z, made orthogonal) as columns."""
    y = y / np.linalg.norm(y)
    z = z - y * float(z @ y)
    z /= np.linalg.norm(z)
    return np.stack([np.cross(y, z), y, z], axis=1)


@functools.lru_cache(maxsize=1)
def anchor_defs() -> dict[str, AnchorDef]:
    face = canonical_face()
    v = face.vertices.astype(np.float64)
    eye = np.eye(3)
    out = {}
    for name, idx, side in (("ear_lobe_image_left", 234, -1), ("ear_lobe_image_right", 454, 1)):
        off = np.array([side * LOBE_OUT_MM, -LOBE_DOWN_MM, -LOBE_BACK_MM])
        out[name] = AnchorDef(idx, off, eye, side)
    # The nose ring faces along (ala normal) x (down), turned to the front.
    n = face.normals[327].astype(np.float64)
    ring_z = np.cross(n, [0.0, -1.0, 0.0])
    ring_z = ring_z if ring_z[2] > 0 else -ring_z
    out["nostril"] = AnchorDef(327, np.array(NOSTRIL_OFFSET_MM), _frame(np.array([0.0, 1.0, 0.0]), ring_z))
    # The forehead in the mid-sagittal plane is near a circle through points 9, 151 and 10.
    centre, radius = _circle_yz(v[9], v[151], v[10])
    a10 = math.atan2(v[10][1] - centre[1], v[10][2] - centre[2])
    a_part = a10 + PARTING_BEYOND_MM / radius
    parting = np.array([0.0, centre[1] + radius * math.sin(a_part), centre[2] + radius * math.cos(a_part)])
    up_mid = v[10] - v[9]
    out["forehead"] = AnchorDef(151, np.zeros(3), _frame(up_mid, np.array([0.0, 0.0, 1.0])))
    # A tikka hangs from the parting down the forehead to the middle of it: along that chord.
    out["hair_parting"] = AnchorDef(10, parting - v[10], _frame(parting - v[151], np.array([0.0, 0.0, 1.0])))
    out["chin"] = AnchorDef(152, np.zeros(3), eye)
    return out


def _circle_yz(a: Mat, b: Mat, c: Mat) -> tuple[Mat, float]:
    """The circle through three points of the x = 0 plane: (centre (x, y, z), radius)."""
    (ay, az), (by, bz), (cy, cz) = a[1:], b[1:], c[1:]
    d = 2 * (ay * (bz - cz) + by * (cz - az) + cy * (az - bz))
    uy = ((ay**2 + az**2) * (bz - cz) + (by**2 + bz**2) * (cz - az) + (cy**2 + cz**2) * (az - bz)) / d
    uz = ((ay**2 + az**2) * (cy - by) + (by**2 + bz**2) * (ay - cy) + (cy**2 + cz**2) * (by - ay)) / d
    centre = np.array([0.0, uy, uz])
    return centre, float(np.hypot(ay - uy, az - uz))


def jaw_line(pose: HeadPose) -> Array:
    """The lower outline of the face, ear to chin to ear, camera mm (tracked landmarks)."""
    return np.asarray(pose.landmarks[list(JAW_LINE)], np.float32)


# ---- the fit -------------------------------------------------------------------------------

NO_DISTORTION = np.zeros(4)


@dataclass
class _Solve:
    rvec: Mat
    tvec: Mat
    err_px: float


def _solve(points: Array, camera: Camera, guess: _Solve | None) -> _Solve | None:
    obj = canonical_face().vertices[list(FIT_LANDMARKS)].astype(np.float64)
    img = np.asarray(points[list(FIT_LANDMARKS)], np.float64)
    k = camera.intrinsics()
    best: _Solve | None = None
    for seeded in ([True] if guess is not None else []) + [False]:
        try:
            if seeded and guess is not None:
                ok, rv, tv = cv2.solvePnP(obj, img, k, NO_DISTORTION, guess.rvec.copy(), guess.tvec.copy(),
                                          useExtrinsicGuess=True, flags=cv2.SOLVEPNP_ITERATIVE)
            else:
                ok, rv, tv = cv2.solvePnP(obj, img, k, NO_DISTORTION, flags=cv2.SOLVEPNP_SQPNP)
        except cv2.error:
            continue
        rv, tv = np.asarray(rv, np.float64).reshape(3, 1), np.asarray(tv, np.float64).reshape(3, 1)
        if not ok or not np.all(np.isfinite(tv)) or tv[2, 0] <= 0:
            continue
        proj, _ = cv2.projectPoints(obj, rv, tv, k, NO_DISTORTION)
        err = float(np.sqrt(((np.asarray(proj).reshape(-1, 2) - img) ** 2).sum(axis=1).mean()))
        if best is None or err < best.err_px:
            best = _Solve(rv, tv, err)
        # Refining from last frame's pose is the common case; SQPnP only when it went astray.
        if seeded and guess is not None and err < 1.5 * guess.err_px + 2.0:
            break
    return best


def _rotation(rvec: npt.ArrayLike) -> Mat:
    return np.asarray(cv2.Rodrigues(np.asarray(rvec, np.float64))[0], np.float64)


def _rvec(r: Mat) -> Mat:
    return np.asarray(cv2.Rodrigues(r)[0], np.float64).reshape(3)


def _angles(r: Mat) -> tuple[float, float, float]:
    nose = r @ np.array([0.0, 0.0, 1.0])
    ex = r @ np.array([1.0, 0.0, 0.0])
    yaw = math.degrees(math.atan2(nose[0], -nose[2]))
    pitch = math.degrees(math.atan2(-nose[1], math.hypot(nose[0], nose[2])))
    roll = math.degrees(math.atan2(ex[1], math.hypot(ex[0], ex[2])))
    return yaw, pitch, roll


def _view_yaw(yaw_deg: float, t: Mat) -> float:
    """Yaw measured from the line of sight to the head instead of the camera's axis."""
    return yaw_deg - math.degrees(math.atan2(-float(t[0]), float(t[2])))


def _iris_depth_ratio(face: FaceTrack, camera: Camera, r: Mat, t: Mat) -> float:
    """How much bigger this head is than the canonical one, by the iris: the iris depth from
    px_per_mm over the depth where the canonical-sized fit puts the irises. The rings are
    taken as seen face-on: a customer turning to see an earring keeps looking at the mirror,
    next to the camera, so the eyes turn back towards it and the rings barely foreshorten."""
    z = float(((IRIS_CENTRES_MM @ r.T) + t)[:, 2].mean())
    return camera.depth_for_scale(face.px_per_mm) / max(z, 1e-6)


def _pose(face: FaceTrack, camera: Camera, r: Mat, t_canon: Mat, scale: float, ratio: float,
          err: float) -> HeadPose:
    """The pose at `scale`: the canonical fit (r, t_canon) with the whole scene scaled about the
    camera centre, which keeps every projection where it was."""
    t = t_canon * scale
    v = canonical_face().vertices.astype(np.float64)
    depth = ((scale * v) @ r.T + t)[:, 2]
    px = face.points[:CANONICAL_VERTICES].astype(np.float64)
    lifted = np.stack([(px[:, 0] - camera.cx) / camera.fx * depth,
                       (px[:, 1] - camera.cy) / camera.fy * depth, depth], axis=1)
    yaw, pitch, roll = _angles(r)
    return HeadPose(r, t, camera, scale, yaw, pitch, roll, np.asarray(lifted, np.float32), err, ratio)


def rotation_from_angles(yaw_deg: float, pitch_deg: float = 0.0, roll_deg: float = 0.0) -> Mat:
    """Head -> camera rotation for the report angles (roll in the face's plane, then pitch,
    then yaw): `HeadPose.yaw_deg` and `pitch_deg` read them back exactly, roll exactly when
    pitch is 0."""
    y, p, r = (math.radians(a) for a in (-yaw_deg, -pitch_deg, roll_deg))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return np.asarray(ry @ rx @ rz @ R_FRONTAL, np.float64)


def rigid_pose(r: Mat, t: npt.ArrayLike, camera: Camera, scale: float = 1.0) -> HeadPose:
    """A pose with no tracking behind it: its landmarks are the rigid model's (synthetic poses,
    e.g. for the swing and occlusion tests)."""
    t = np.asarray(t, np.float64).reshape(3)
    lifted = (scale * canonical_face().vertices.astype(np.float64)) @ r.T + t
    yaw, pitch, roll = _angles(r)
    return HeadPose(r, t, camera, scale, yaw, pitch, roll, np.asarray(lifted, np.float32), 0.0, scale)


def fit_head_pose(face: FaceTrack, camera: Camera) -> HeadPose | None:
    """One frame on its own (a still): no smoothing, the iris sets the scale directly."""
    s = _solve(face.points, camera, None)
    if s is None:
        return None
    r = _rotation(s.rvec)
    t = s.tvec.ravel()
    ratio = _iris_depth_ratio(face, camera, r, t)
    return _pose(face, camera, r, t, ratio, ratio, s.err_px)


@dataclass
class HeadTracker:
    """The primary face's pose frame after frame: last frame's pose seeds the solve, light
    One-Euro smoothing on rotation and translation, the head's scale averaged over time.
    Reset (or fed None) when the face is lost."""

    hfov_deg: float = DEFAULT_HFOV_DEG
    _camera: Camera | None = None
    _last: _Solve | None = None
    _rot: OneEuro = field(default_factory=lambda: OneEuro(ROT_MIN_CUTOFF, ROT_BETA))
    _pos: OneEuro = field(default_factory=lambda: OneEuro(POS_MIN_CUTOFF, POS_BETA))
    _log_scale: float | None = None
    _scale_n: int = 0
    _t_prev: Mat | None = None

    def reset(self) -> None:
        self._last, self._log_scale, self._scale_n, self._t_prev = None, None, 0, None
        for f in (self._rot, self._pos):
            f.reset()

    def camera(self, width: int, height: int) -> Camera:
        c = self._camera
        if c is None or (c.width, c.height) != (width, height):
            c = self._camera = Camera.from_hfov(width, height, self.hfov_deg)
        return c

    def update(self, face: FaceTrack | None, width: int, height: int, t: float) -> HeadPose | None:
        if face is None:
            self.reset()
            return None
        t0 = time.perf_counter()
        camera = self.camera(width, height)
        s = _solve(face.points, camera, self._last)
        if s is None:
            self.reset()
            return None
        if self._t_prev is not None and np.linalg.norm(s.tvec.ravel() - self._t_prev) > RESET_JUMP_MM:
            self.reset()
            s = _solve(face.points, camera, None) or s
        self._last = s
        self._t_prev = s.tvec.ravel().copy()
        r_raw = _rotation(s.rvec)
        t_raw = s.tvec.ravel()
        ratio = _iris_depth_ratio(face, camera, r_raw, t_raw)
        view_yaw = _view_yaw(_angles(r_raw)[0], t_raw)
        if self._log_scale is None or (face.scale_source == "iris" and abs(view_yaw) < SCALE_MAX_YAW_DEG):
            self._scale_n += 1
            w = max(1.0 / self._scale_n, SCALE_MIN_WEIGHT)
            prev = math.log(ratio) if self._log_scale is None else self._log_scale
            self._log_scale = prev + w * (math.log(ratio) - prev)
        # Filter the turn away from frontal (well inside +-180 deg: no wrap-around) and the
        # canonical-size position, so a change of scale does not read as motion.
        dev = _rvec(r_raw @ R_FRONTAL.T)
        dev_f = self._rot(dev.reshape(1, 3).astype(np.float32), t).ravel()
        t_f = self._pos(t_raw.reshape(1, 3).astype(np.float32), t).ravel().astype(np.float64)
        scale = math.exp(self._log_scale)
        pose = _pose(face, camera, _rotation(dev_f) @ R_FRONTAL, t_f, scale, ratio, s.err_px)
        return dataclasses.replace(pose, fit_ms=(time.perf_counter() - t0) * 1000)
