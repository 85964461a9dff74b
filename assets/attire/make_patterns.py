"""Draws the bundled attire pattern tiles (CC0-1.0). Run: .venv/bin/python assets/attire/make_patterns.py

Each tile repeats seamlessly; `tile_mm` in the manifest says how large one tile is on the body.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent


def bandhani(size: int = 128) -> np.ndarray:
    """Tie-dye dots in rings of white and yellow on red."""
    img = np.full((size, size, 3), (40, 20, 170), np.uint8)
    for cx, cy in ((size // 4, size // 4), (3 * size // 4, 3 * size // 4)):
        for r, color in ((26, (60, 200, 240)), (18, (40, 20, 170))):
            cv2.circle(img, (cx, cy), r, color, -1, cv2.LINE_AA)
        for k in range(8):
            a = k * np.pi / 4
            x, y = int(cx + 22 * np.cos(a)), int(cy + 22 * np.sin(a))
            cv2.circle(img, (x, y), 4, (235, 240, 245), -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), 5, (235, 240, 245), -1, cv2.LINE_AA)
    return img


def zari_stripes(size: int = 128) -> np.ndarray:
    """Silk in deep blue with gold zari stripes and a small diamond motif."""
    img = np.full((size, size, 3), (110, 40, 20), np.uint8)
    for y in (0, size // 2):
        cv2.rectangle(img, (0, y), (size, y + 10), (50, 170, 215), -1)
        cv2.rectangle(img, (0, y + 13), (size, y + 15), (50, 170, 215), -1)
    for cx in (size // 4, 3 * size // 4):
        cy = size // 4 + 6
        pts = np.array([(cx, cy - 10), (cx + 8, cy), (cx, cy + 10), (cx - 8, cy)], np.int32)
        cv2.fillPoly(img, [pts], (50, 170, 215), cv2.LINE_AA)
    return img


if __name__ == "__main__":
    cv2.imwrite(str(HERE / "bandhani_red.png"), bandhani())
    cv2.imwrite(str(HERE / "zari_blue.png"), zari_stripes())
