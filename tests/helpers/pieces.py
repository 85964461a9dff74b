"""Small .glb pieces built in the tests, and poses for them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.render import synthetic as s
from kiosk.render.camera import Camera
from kiosk.render.model import Model, load_model
from kiosk.render.renderer import FACING_CAMERA

GOLD = (1.0, 0.71, 0.29, 1.0)
CAM = Camera.from_hfov(1280, 720, 60.0)


def facing(z: float, x: float = 0.0, y: float = 0.0, yaw_deg: float = 0.0) -> np.ndarray:
    """Model -> camera: the piece's front towards the camera at (x, y, z) mm, turned by yaw
    about its own up axis."""
    a = math.radians(yaw_deg)
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    pose = np.eye(4, dtype=np.float32)
    pose[:3, :3] = FACING_CAMERA[:3, :3] @ ry
    pose[:3, 3] = (x, y, z)
    return pose


def single(tmp: Path, mesh: s.Mesh, name: str = "piece", kind: str = "metal", base: tuple[float, ...] = GOLD,
           metallic: float = 1.0, roughness: float = 0.3, extras: dict[str, Any] | None = None,
           hook: bool = True, **mat: Any) -> Model:
    """One mesh, one material, a hook 5 mm above the origin."""
    b = s.GlbBuilder()
    m = b.material(name, base, metallic, roughness, extras if extras is not None else {"kind": kind}, **mat)
    root = b.node(name, b.mesh(mesh, m))
    if hook:
        b.node("hook", parent=root, translation=(0, 0.005, 0))
    return load_model(b.save(tmp / f"{name}.glb"))


def jhumka(tmp: Path) -> Path:
    """A stud with a swinging bell under it and a drop swinging under the bell."""
    b = s.GlbBuilder()
    gold = b.material("22k yellow gold", GOLD, 1.0, 0.25, {"kind": "metal"})
    ruby = b.material("ruby", (0.7, 0.03, 0.06, 1.0), 0.0, 0.02,
                      {"kind": "gem", "ior": 1.76, "dispersion": 0.018})
    root = b.node("jhumka")
    b.node("hook", parent=root, translation=(0, 0.0, 0))
    b.node("stud", b.mesh(s.brilliant(0.003), ruby), parent=root, translation=(0, -0.002, 0))
    bell = b.node("swing_bell", b.mesh(s.uv_sphere(0.006, 12, 24), gold), parent=root,
                  translation=(0, -0.012, 0), extras={"swing": {"pivot": [0, -0.004, 0], "damping": 0.3}})
    b.node("swing_drop", b.mesh(s.uv_sphere(0.002, 8, 16), gold), parent=bell, translation=(0, -0.009, 0),
           extras={"swing": {"pivot": [0, -0.006, 0], "damping": 0.5}})
    return b.save(tmp / "jhumka.glb", scene_extras={"generator": "test"})
