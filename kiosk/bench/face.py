"""`kiosk bench face`: encoding ms per face, gallery match ms at 1k/10k/100k, estimates ms.

Targets (issue 6, 2 cores): encoding <= 60 ms, match <= 5 ms at 100k.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np

from kiosk import paths
from kiosk.bench.stats import p50_p95
from kiosk.face.embed import Embedder
from kiosk.face.estimates import Estimator
from kiosk.face.gallery import Gallery


def bench_face(rounds: int = 20) -> dict[str, Any]:
    cap = cv2.VideoCapture(str(paths.SAMPLE_VIDEO))
    ok, frame = cap.read()
    cap.release()
    assert ok
    img = np.ascontiguousarray(frame, dtype=np.uint8)
    embedder, estimator = Embedder(), Estimator()
    try:
        face = embedder.detect(img)[0]
        detect_ms, encode_ms, est_ms = [], [], []
        vec = embedder.encode(img, face)
        estimator.estimate(img, face.box)
        for _ in range(rounds):
            t0 = time.perf_counter()
            embedder.detect(img)
            t1 = time.perf_counter()
            vec = embedder.encode(img, face)
            t2 = time.perf_counter()
            estimator.estimate(img, face.box)
            t3 = time.perf_counter()
            detect_ms.append((t1 - t0) * 1000)
            encode_ms.append((t2 - t1) * 1000)
            est_ms.append((t3 - t2) * 1000)
    finally:
        embedder.close()
        estimator.close()
    rng = np.random.default_rng(0)
    match: dict[str, Any] = {}
    for n in (1_000, 10_000, 100_000):
        g = Gallery()
        for i, v in enumerate(rng.normal(0, 0.1, (n, 128)).astype(np.float32)):
            g.add(str(i), v)
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            g.match(vec)
            times.append((time.perf_counter() - t0) * 1000)
        match[str(n)] = p50_p95(times)
    return {"bench": "face", "face_px": face.box[2] - face.box[0],
            "detect_ms": p50_p95(detect_ms),
            "encode_ms": p50_p95(encode_ms),
            "estimates_ms": p50_p95(est_ms),
            "gallery_match_ms": match,
            "targets": {"encode_ms": 60, "match_100k_ms": 5}}
