"""Face samples for the visit service: one customer per seed, its quality and jitter chosen."""

from __future__ import annotations

import numpy as np

from kiosk.session.visit import FaceSample

JPEG = b"\xff\xd8\xff\xe0" + bytes(200)


def face(seed: int, q: float = 0.8, jitter: float = 0.0) -> FaceSample:
    base = np.random.default_rng(seed).normal(0, 0.09, 128)
    v = base + np.random.default_rng(seed * 1000 + int(q * 100)).normal(0, jitter, 128)
    return FaceSample(vector=[float(x) for x in v], quality=q, jpeg=JPEG, age=31, gender="Female",
                      emotion="Happy", body_type="Normal")
