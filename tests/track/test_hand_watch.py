"""Face pieces on: a hand raised to the face is found on the side thread and followed while it
is there (kiosk/track/hands.py `watch`), so the pieces it covers can be hidden. The hand is a
real one (the astronaut's left hand in a fixture photo) pasted over the jaw and ear of the
bundled sample video's speaker, as a hand touching an earring would be: the test data has no
recording of a hand raised to a face."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from kiosk import paths
from kiosk.track.base import Needs
from kiosk.track.hands import SEARCH_PERIOD_S
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from tests.track.conftest import FIXTURES, image

pytestmark = pytest.mark.slow     # real MediaPipe face mesh and hands on 720p frames

HAND_CROP = (slice(600, 770), slice(1040, 1210))   # his left hand in hand_raised.jpg
HAND_SCALE = 1.8                                    # to a hand's size beside the video's face
HAND_AT = (100, 300)                                # its fingers over the image-left jaw and ear


def _frames(n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(paths.SAMPLE_VIDEO))
    out = []
    while len(out) < n:
        ok, img = cap.read()
        assert ok
        out.append(np.ascontiguousarray(img))
    cap.release()
    return out


def _hand() -> np.ndarray:
    crop = image(FIXTURES / "photos" / "hand_raised.jpg")[HAND_CROP]
    return np.asarray(cv2.resize(crop, None, fx=HAND_SCALE, fy=HAND_SCALE, interpolation=cv2.INTER_CUBIC))


def with_hand(frame: np.ndarray, hand: np.ndarray) -> np.ndarray:
    out = frame.copy()
    x, y = HAND_AT
    h = min(hand.shape[0], out.shape[0] - y)
    out[y:y + h, x:x + hand.shape[1]] = hand[:h]
    return out


def test_a_hand_raised_to_the_face_is_found_followed_and_let_go() -> None:
    frames, hand = _frames(45), _hand()
    x, y = HAND_AT
    pasted = (x, y, x + hand.shape[1], y + hand.shape[0])
    tracker = MediaPipeTracker(static=False)
    needs = Needs(hand_watch=True)
    try:
        # No hand: nothing followed, the side thread looks.
        for i in range(15):
            assert tracker.track(frames[i], needs, i / 30).hands == []
            time.sleep(1 / 30)
        assert not tracker._hands.watching
        # The hand comes up: found within a few of the side thread's looks, then followed on
        # every frame, where it is.
        start, i, followed = time.monotonic(), 15, 0
        while followed < 20:
            assert time.monotonic() - start < 15, f"hand not found in {i - 15} frames"
            got = tracker.track(with_hand(frames[i % len(frames)], hand), needs, i / 30).hands
            if followed or got:
                assert len(got) == 1, (i, followed)
                x0, y0, x1, y1 = got[0].box
                assert pasted[0] <= x0 and x1 <= pasted[2] and pasted[1] <= y0 and y1 <= pasted[3]
                followed += 1
            i += 1
            time.sleep(1 / 30)
        assert tracker._hands.watching
        # Gone: let go at once; no graph follows nothing.
        assert tracker.track(frames[i % len(frames)], needs, i / 30).hands == []
        assert not tracker._hands.watching
        # Without face pieces (nothing needs hands) nothing is looked for (once a look sent
        # before is done).
        time.sleep(2.5 * SEARCH_PERIOD_S)
        searches = tracker._hands.searches
        for k in range(20):
            assert tracker.track(with_hand(frames[k], hand), Needs(), (i + 1 + k) / 30).hands == []
            time.sleep(1 / 30)
        assert tracker._hands.searches == searches
    finally:
        tracker.close()
