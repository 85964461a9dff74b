"""MediaPipe tracker: face mesh (refined irises) every frame; pose and selfie segmentation only
when the current pieces need them.

Face mesh costs ~6 ms per 720p frame on 2 cores, pose (complexity 1) ~23 ms and segmentation
~11 ms. In live mode pose and segmentation therefore run on their own thread on the newest
frame and the compositor uses their latest (smoothed) answer: shoulders and clothing move
slowly, the face does not. Stills run everything synchronously.

Models come from the mediapipe wheel itself (mediapipe/modules/...); nothing is downloaded.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image
from kiosk.track.base import (
    IPD_MM,
    IRIS_A,
    IRIS_B,
    IRIS_MM,
    FaceTrack,
    Needs,
    PoseTrack,
    Tracking,
)
from kiosk.track.filters import OneEuro, match_slot
from kiosk.track.hands import HandTracker, near_face
from kiosk.track.worker import LatestWorker

log = logging.getLogger(__name__)

MAX_FACES = 2
# Live, the mesh follows one face: with room for a second MediaPipe runs its face detector on
# every frame looking for it (tracking p50 9.0 -> 6.5 ms, p95 13.2 -> 11.0 on 2 cores). The one
# followed is the first found; another face is looked for again when it is lost.
LIVE_FACES = 1
AUX_PERIOD_S = 0.1
POSE_SHOULDER_L, POSE_SHOULDER_R = 11, 12     # subject's left/right shoulder


def iris_diameter_px(points: npt.NDArray[np.float32]) -> float:
    """Mean of the horizontal and vertical ring diameters of both irises."""
    ds = []
    for _centre, right, up, left, down in (IRIS_A, IRIS_B):
        ds.append(float(np.hypot(*(points[right] - points[left]))))
        ds.append(float(np.hypot(*(points[up] - points[down]))))
    return float(np.mean(ds))


def scale_from(points: npt.NDArray[np.float32]) -> tuple[float, str]:
    iris = iris_diameter_px(points)
    ipd = float(np.hypot(*(points[IRIS_A[0]] - points[IRIS_B[0]])))
    by_ipd = ipd / IPD_MM
    if iris >= 6.0:
        by_iris = iris / IRIS_MM
        # A ring squashed by a blink or a strong turn disagrees with the IPD: trust the IPD.
        if 0.6 < by_iris / max(by_ipd, 1e-6) < 1.6:
            return by_iris, "iris"
    return by_ipd, "ipd"


class _Smoother:
    """One-Euro state for one tracked face slot."""

    def __init__(self) -> None:
        self.points = OneEuro(min_cutoff=0.5, beta=0.02)
        self.scale = OneEuro(min_cutoff=0.3, beta=0.0)
        self.center: npt.NDArray[np.float32] | None = None


class _AuxWorker:
    """Pose + segmentation on the newest frame, on the side thread (live mode only)."""

    def __init__(self, tracker: MediaPipeTracker):
        self.tracker = tracker
        self.pose: PoseTrack | None = None
        self.mask: npt.NDArray[np.float32] | None = None
        self.ms = 0.0
        # Shoulders and clothes move slowly: 10 Hz is plenty and leaves the CPU to the face.
        self._worker: LatestWorker[tuple[Image, Needs]] = LatestWorker("track-aux", self._run, AUX_PERIOD_S)

    def submit(self, frame: Image, needs: Needs) -> None:
        self._worker.submit((frame, needs))

    def _run(self, item: tuple[Image, Needs]) -> None:
        frame, needs = item
        t0 = time.perf_counter()
        pose, mask = self.tracker.aux(frame, needs, time.monotonic())
        self.pose = pose if needs.pose else None
        self.mask = mask if needs.segmentation else None
        self.ms = (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        self._worker.close()


class MediaPipeTracker:
    def __init__(self, static: bool = False):
        import mediapipe as mp

        self._mp = mp
        self.static = static
        self._face = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, max_num_faces=LIVE_FACES if not static else 1,
            refine_landmarks=True, min_detection_confidence=0.5, min_tracking_confidence=0.5)
        # Stills (photos, groups) may have faces far smaller than the face mesh's own
        # short-range detector finds: the full-range detector finds them, the mesh runs per crop.
        self._detector = (mp.solutions.face_detection.FaceDetection(model_selection=1,
                                                                     min_detection_confidence=0.5)
                          if static else None)
        self._pose: Any = None
        self._seg: Any = None
        self._smoothers: list[_Smoother] = []
        self._shoulders = OneEuro(min_cutoff=0.5, beta=0.01)
        self._aux: _AuxWorker | None = None
        self._aux_lock = threading.Lock()
        self._hands = HandTracker(static=static)

    def close(self) -> None:
        if self._aux is not None:
            self._aux.close()
        for m in (self._face, self._pose, self._seg, self._detector):
            if m is not None:
                m.close()
        self._hands.close()

    # ---- faces -----------------------------------------------------------------------------

    def _mesh(self, rgb: Image, x0: int = 0, y0: int = 0) -> list[npt.NDArray[np.float32]]:
        h, w = rgb.shape[:2]
        res = self._face.process(rgb)
        return [np.array([(p.x * w + x0, p.y * h + y0, p.z * w) for p in lms.landmark], dtype=np.float32)
                for lms in res.multi_face_landmarks or []]

    def _mesh_per_detection(self, rgb: Image) -> list[npt.NDArray[np.float32]]:
        assert self._detector is not None
        h, w = rgb.shape[:2]
        boxes = []
        for det in self._detector.process(rgb).detections or []:
            b = det.location_data.relative_bounding_box
            boxes.append((b.xmin * w, b.ymin * h, b.width * w, b.height * h))
        boxes.sort(key=lambda b: -b[2] * b[3])
        out = []
        for bx, by, bw, bh in boxes[:5]:
            m = max(bw, bh)       # a crop about three face-widths wide, like a portrait
            x0, y0 = max(0, int(bx - m)), max(0, int(by - m))
            x1, y1 = min(w, int(bx + bw + m)), min(h, int(by + bh + m))
            found = self._mesh(np.ascontiguousarray(rgb[y0:y1, x0:x1]), x0, y0)
            if found:
                out.append(found[0])
        return out

    def _faces(self, rgb: Image, w: int, h: int, t: float) -> list[FaceTrack]:
        raw = self._mesh_per_detection(rgb) if self.static else []
        if not raw:
            raw = self._mesh(rgb)
        # Largest face first: the customer in front of the kiosk, not someone passing behind.
        raw.sort(key=lambda a: -float(np.ptp(a[:, 0]) * np.ptp(a[:, 1])))
        raw = raw[: (5 if self.static else MAX_FACES)]
        faces = []
        taken: list[_Smoother] = []
        for arr in raw:
            pts = arr[:, :2].copy()
            scale, source = scale_from(pts)
            if not self.static:
                sm = self._match(pts, taken)
                pts = sm.points(pts, t)
                scale = float(sm.scale(np.array([scale], dtype=np.float32), t)[0])
            faces.append(FaceTrack(points=pts, z=arr[:, 2].copy(), px_per_mm=scale, scale_source=source))
        if not raw:
            self._smoothers.clear()
        return faces

    def _match(self, pts: npt.NDArray[np.float32], taken: list[_Smoother]) -> _Smoother:
        """The smoother of the same face in the previous frame (nearest centre), or a new one."""
        return match_slot(self._smoothers, pts.mean(axis=0), 0.5 * float(np.ptp(pts[:, 0])), taken,
                          _Smoother, MAX_FACES * 2)

    # ---- pose and segmentation ---------------------------------------------------------------

    def aux(self, frame: Image, needs: Needs,
            t: float) -> tuple[PoseTrack | None, npt.NDArray[np.float32] | None]:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        h, w = frame.shape[:2]
        pose = mask = None
        if needs.pose:
            if self._pose is None:
                self._pose = self._mp.solutions.pose.Pose(static_image_mode=self.static, model_complexity=1,
                                                          enable_segmentation=False)
            res = self._pose.process(rgb)
            if res.pose_landmarks is not None:
                lm = res.pose_landmarks.landmark
                # Subject's left shoulder is on the image's right for a camera facing them.
                sl = np.array([lm[POSE_SHOULDER_L].x * w, lm[POSE_SHOULDER_L].y * h], dtype=np.float32)
                sr = np.array([lm[POSE_SHOULDER_R].x * w, lm[POSE_SHOULDER_R].y * h], dtype=np.float32)
                left, right = (sr, sl) if sr[0] < sl[0] else (sl, sr)
                both = np.stack([left, right])
                if not self.static:
                    both = self._shoulders(both, t)
                vis = min(lm[POSE_SHOULDER_L].visibility, lm[POSE_SHOULDER_R].visibility)
                pose = PoseTrack(both[0].copy(), both[1].copy(), float(vis))
        if needs.segmentation:
            if self._seg is None:
                self._seg = self._mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=1)
            res = self._seg.process(rgb)
            if res.segmentation_mask is not None:
                mask = res.segmentation_mask.astype(np.float32)
        return pose, mask

    # ---- the stage ---------------------------------------------------------------------------

    def track(self, frame: Image, needs: Needs, t: float) -> Tracking:
        h, w = frame.shape[:2]
        t0 = time.perf_counter()
        rgb: Image = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        rgb.flags.writeable = False
        faces = self._faces(rgb, w, h, t)
        out = Tracking(width=w, height=h, faces=faces)
        out.ms["face"] = (time.perf_counter() - t0) * 1000
        if needs.hands:
            # On this thread: a ring follows a finger as closely as an earring the face.
            th = time.perf_counter()
            out.hands = self._hands.track(rgb, t)
            out.ms["hands"] = (time.perf_counter() - th) * 1000
        elif needs.hand_watch and faces:
            th = time.perf_counter()
            out.hands = self._hands.watch(rgb, t, near_face(faces[0].box))
            out.ms["hands"] = (time.perf_counter() - th) * 1000
        else:
            self._hands.reset()
        if needs.pose or needs.segmentation:
            if self.static:
                t1 = time.perf_counter()
                out.pose, out.person_mask = self.aux(frame, needs, t)
                out.ms["aux"] = (time.perf_counter() - t1) * 1000
            else:
                with self._aux_lock:
                    if self._aux is None:
                        self._aux = _AuxWorker(self)
                self._aux.submit(frame, needs)
                out.pose, out.person_mask = self._aux.pose, self._aux.mask
                out.ms["aux"] = self._aux.ms
        return out
