"""Ring and bangle sizes from millimetres, and which scale a hand is measured with."""

from __future__ import annotations

import numpy as np

from kiosk.track.hands import INDEX_MCP, LITTLE_MCP, HandTrack
from kiosk.tryon.sizing import KNUCKLE_SPAN_MM, bangle_size, hand_scale, knuckle_span_3d_px, ring_size


def flat_hand(span_px: float, tilt: float = 0.0) -> HandTrack:
    """21 points with only the knuckle span meaningful; `tilt` turns the hand about its long
    axis (the image span shortens, the 3D one does not)."""
    pts = np.zeros((21, 2), np.float32)
    pts[INDEX_MCP] = (100.0, 100.0)
    pts[LITTLE_MCP] = (100.0 + span_px * np.cos(tilt), 100.0)
    world = np.zeros((21, 3), np.float32)
    world[LITTLE_MCP] = (60 * np.cos(tilt), 0.0, 60 * np.sin(tilt))
    return HandTrack(pts, np.zeros(21, np.float32), world, "right", 1.0)


def test_ring_sizes_on_the_indian_and_us_scales() -> None:
    size = ring_size(17.3, 0.04)                 # US 7 by definition, Indian 14 (54 mm round)
    assert (size.indian, size.us) == (14, 7.0)
    assert size.text().startswith("about size 14 (±")
    assert ring_size(15.7, 0.04).indian == 9 and ring_size(19.8, 0.04).indian == 22
    assert ring_size(17.3, 0.12).plus_minus > ring_size(17.3, 0.04).plus_minus


def test_bangle_sizes_grow_with_the_hand_and_stay_on_the_trades_scale() -> None:
    names = [bangle_size(span, 0.05).size for span in (52, 58, 64, 70, 76)]
    assert names == sorted(names, key=["2.2", "2.4", "2.6", "2.8", "2.10"].index)
    assert set(names) <= {"2.2", "2.4", "2.6", "2.8", "2.10"} and len(set(names)) >= 3
    typical = bangle_size(KNUCKLE_SPAN_MM, 0.05)
    assert typical.size in ("2.4", "2.6") and 54 < typical.inner_diameter_mm < 62


def test_a_turned_hand_is_not_taken_for_a_small_one() -> None:
    square, turned = flat_hand(132.0), flat_hand(132.0, tilt=np.radians(50))
    assert abs(knuckle_span_3d_px(turned) - knuckle_span_3d_px(square)) < 1.0


def test_the_iris_is_used_only_for_a_hand_at_the_faces_distance() -> None:
    hand = flat_hand(132.0)                      # 2 px/mm by the prior
    assert hand_scale(hand, 2.1).source == "iris" and hand_scale(hand, 2.1).px_per_mm == 2.1
    far = hand_scale(hand, 3.5)                  # the face much nearer than the hand
    assert far.source == "hand" and abs(far.px_per_mm - 2.0) < 0.01
    assert hand_scale(hand, None).source == "hand" and far.spread > hand_scale(hand, 2.1).spread
