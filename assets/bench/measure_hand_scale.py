"""How far the hand-only scale can be trusted: on every repo photo with a face and a hand, the
knuckle-span prior (kiosk/tryon/sizing.py) against the iris of the face beside it.

    python assets/bench/measure_hand_scale.py [--json]

Per hand: prior px/mm divided by iris px/mm. Near 1.0 means the prior agrees with the iris;
a hand held towards the camera or resting far behind reads larger or smaller, which is why the
kiosk uses the iris only when the two agree within SAME_DEPTH_TOLERANCE. The figures go into
the README (Rings and bangles: how far to trust the sizes). Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # the repository, for kiosk

from kiosk.track.base import Needs  # noqa: E402
from kiosk.track.mediapipe_tracker import MediaPipeTracker  # noqa: E402
from kiosk.tryon.sizing import KNUCKLE_SPAN_MM, SAME_DEPTH_TOLERANCE, finger_width_px, knuckle_span_3d_px  # noqa: E402

PHOTOS = sorted((ROOT / "tests" / "fixtures").glob("**/*.jpg")) + [HERE / "hand.jpg"]


def measure() -> list[dict[str, object]]:
    tracker = MediaPipeTracker(static=True)
    rows: list[dict[str, object]] = []
    seen: set[bytes] = set()
    try:
        for path in PHOTOS:
            data = path.read_bytes()
            if data in seen:                 # the same photo under two names
                continue
            seen.add(data)
            img = cv2.imread(str(path))
            if img is None:
                continue
            t = tracker.track(img, Needs(hands=True), 0.0)
            if not t.faces or not t.hands:
                continue
            iris = t.faces[0].px_per_mm
            for hand in t.hands:
                span = knuckle_span_3d_px(hand)
                width, measured = finger_width_px(img, hand)
                rows.append({"photo": str(path.relative_to(ROOT)), "hand": hand.side,
                             "prior_over_iris": round(span / KNUCKLE_SPAN_MM / iris, 3),
                             "knuckle_span_mm_by_iris": round(span / iris, 1),
                             "finger_mm_by_iris": round(width / iris, 1), "finger_measured": measured})
    finally:
        tracker.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = measure()
    ratios = np.array([float(r["prior_over_iris"]) for r in rows])  # type: ignore[arg-type]
    summary: dict[str, object] = {"hands": len(rows),
                                  "median_ratio": round(float(np.median(ratios)), 3) if len(rows) else None}
    # Within 25 %: hands roughly beside the face (by eye, the rest are held out or far behind);
    # within the tolerance: the hands the kiosk sizes by the iris.
    for name, window in (("within_25pct", 0.25), ("within_tolerance", SAME_DEPTH_TOLERANCE)):
        near = ratios[np.abs(ratios - 1) <= window]
        summary[name] = {"hands": len(near),
                         "spread_pct": round(float(np.std(near) * 100), 1) if len(near) > 1 else None}
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, indent=2))
    else:
        for r in rows:
            print(f"{r['photo']:48} {r['hand']:5} prior/iris {r['prior_over_iris']:.2f}  "
                  f"span {r['knuckle_span_mm_by_iris']:5.1f} mm  finger {r['finger_mm_by_iris']:4.1f} mm"
                  f"{'' if r['finger_measured'] else ' (prior)'}")
        print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
