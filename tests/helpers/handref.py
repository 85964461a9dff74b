"""The hand photos the hand tests use: the independent landmark run they check against
(MediaPipe Hands on its own: full model, a fresh graph in static mode, not the kiosk's
tracker), and the kiosk's own tracking of them."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import mediapipe as mp
import numpy as np
import pytest

from kiosk.track.base import Needs
from kiosk.track.hands import HandTrack
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from tests.helpers.photos import photo

HAND_PHOTOS = ["hands_on_table.jpg", "hand_on_helmet.jpg", "hand_raised.jpg", "turned_head.jpg"]


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


@pytest.fixture(scope="module")
def hands() -> Iterator[dict[str, list[HandTrack]]]:
    """The kiosk's still tracking of each hand photo."""
    tracker = MediaPipeTracker(static=True)
    try:
        yield {name: tracker.track(photo(name), Needs(hands=True), 0.0).hands for name in HAND_PHOTOS}
    finally:
        tracker.close()


def beside(hand: HandTrack, where: tuple[float, float]) -> tuple[float, float]:
    """A pixel `where` knuckle spans from the hand's centre (x right, y down)."""
    c, span = hand.points.mean(axis=0), hand.knuckle_span_px
    return float(c[0] + where[0] * span), float(c[1] + where[1] * span)
