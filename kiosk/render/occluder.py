"""What the renderer draws into the depth buffer only, before the pieces: the customer's head
and neck, so a piece behind them is hidden the way the real one would be."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Occluder:
    """A triangle mesh in camera space (kiosk/render/camera.py axes, millimetres).

    Winding is not meaningful: occluders are drawn without face culling, depth only.
    """

    vertices: npt.NDArray[np.float32]    # (N, 3)
    faces: npt.NDArray[np.int32]         # (M, 3) indices into vertices
    push_mm: float = 0.0                 # moved away along the view ray: a depth tolerance
