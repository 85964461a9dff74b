"""The kiosk's printed size card: a bank card's size (85.6 x 54 mm) with the 40 mm ArUco marker
that `kiosk tryon` takes as the hand's scale (kiosk/tryon/card.py), and a 30 mm bar to check
the print.

    python assets/sizecard/make_size_card.py        # writes size_card.png (300 dpi) and .pdf

Print the PDF at 100 % ("actual size", no fit-to-page), then check the bar with a ruler: it must
measure 30 mm (the marker 40 mm). A laminated card lasts. Regenerate after changing the marker.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository, for kiosk

from kiosk.tryon.card import CARD_MM, DICTIONARY, MARKER_ID, MARKER_MM  # noqa: E402

DPI = 300
PX_PER_MM = DPI / 25.4
INK = (30, 30, 30)
GREY = (150, 150, 150)


def mm(v: float) -> int:
    return int(round(v * PX_PER_MM))


def card() -> np.ndarray:
    w, h = mm(CARD_MM[0]), mm(CARD_MM[1])
    img = np.full((h, w, 3), 255, np.uint8)
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), GREY, 2)                 # the cut line
    side = mm(MARKER_MM)
    marker = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(DICTIONARY), MARKER_ID, side)
    x0, y0 = mm(5.0), (h - side) // 2                                   # a 5 mm white margin round it
    img[y0:y0 + side, x0:x0 + side] = marker[:, :, None]
    tx = x0 + side + mm(5.0)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for k, (text, size, thick) in enumerate((("SIZE CARD", 1.5, 4), ("Hold it beside the hand,", 0.9, 2),
                                             ("flat to the camera.", 0.9, 2), ("Print at 100 %:", 0.9, 2),
                                             ("this bar is 30 mm", 0.9, 2))):
        cv2.putText(img, text, (tx, mm(10.0) + k * mm(6.0) + (mm(1.5) if k else 0)), font, size, INK, thick,
                    cv2.LINE_AA)
    # The 30 mm check bar along the bottom, with a tick every 10 mm.
    by, bx = h - mm(6.0), tx
    cv2.rectangle(img, (bx, by), (bx + mm(30.0), by + mm(1.2)), INK, -1)
    for t in range(4):
        x = bx + mm(10.0 * t)
        cv2.line(img, (x, by - mm(2.0)), (x, by), INK, 3)
    return img


def main() -> None:
    img = card()
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    pil.save(HERE / "size_card.png", dpi=(DPI, DPI))
    pil.save(HERE / "size_card.pdf", resolution=DPI)      # a page the card's own size
    print(f"wrote size_card.png and size_card.pdf ({img.shape[1]}x{img.shape[0]} px at {DPI} dpi)")


if __name__ == "__main__":
    main()
