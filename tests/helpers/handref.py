"""The independent hand landmark run the hand tests check against: MediaPipe Hands on its own
(full model, a fresh graph in static mode), not the kiosk's tracker."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import mediapipe as mp
import numpy as np
import pytest


@pytest.fixture(scope="module")
def reference() -> Iterator[object]:
    with mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=2, model_complexity=1,
                                  min_detection_confidence=0.4) as hands:
        yield hands


def ref_hands(reference: object, img: np.ndarray) -> list[np.ndarray]:
    """Each hand's 21 landmarks in pixels, as the independent run finds them in a BGR image."""
    h, w = img.shape[:2]
    res = reference.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))  # type: ignore[attr-defined]
    return [np.array([(p.x * w, p.y * h) for p in lm.landmark], np.float32)
            for lm in res.multi_hand_landmarks or []]
