from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.track.mediapipe_tracker import MediaPipeTracker

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"


def photo(name: str) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(PHOTOS / name))
    assert img is not None, name
    return np.ascontiguousarray(img)


@pytest.fixture(scope="module")
def still_tracker() -> Iterator[MediaPipeTracker]:
    tr = MediaPipeTracker(static=True)
    yield tr
    tr.close()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()
