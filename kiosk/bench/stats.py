"""The figures every benchmark reports."""

from __future__ import annotations

import os
import platform
from typing import Any


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def p50_p95(values: list[float]) -> dict[str, float]:
    """The two figures every timing in the reports is given by, in ms to 0.01."""
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2)}


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.machine(), "qpa": os.environ.get("QT_QPA_PLATFORM", "default")}
