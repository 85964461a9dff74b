"""How long the renderer takes on this machine: `python -m kiosk.bench.render [--busy]`.

A ~20k-triangle gold piece with gems (a swinging bell, so its segment matrices change every
frame) turning slowly in a ~256x256 rectangle of a 720p frame, live quality, for 300 frames;
then still quality over a 1080p-sized rectangle. `--busy` keeps the other core busy with a
spinning process, as MediaPipe would. Figures are render + read-back wall time per frame.
Not a test: speed is never asserted (issue 20 reports it in `kiosk bench tryon`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kiosk.bench.stats import p50_p95
from kiosk.render import synthetic as s
from kiosk.render.camera import Camera
from kiosk.render.context import describe
from kiosk.render.environment import Environment
from kiosk.render.model import Model, load_model
from kiosk.render.preview import rotation
from kiosk.render.renderer import FACING_CAMERA, DrawItem, Renderer


def bench_piece(folder: Path) -> Model:
    """A 24 mm hoop with eight granules, a swinging bell with a drop, thirteen stones."""
    b = s.GlbBuilder()
    gold = b.material("22k yellow gold", (1.0, 0.71, 0.29, 1.0), 1.0, 0.22, {"kind": "metal"})
    diamond = b.material("diamond", (1, 1, 1, 1), 0.0, 0.0, {"kind": "gem", "ior": 2.42, "dispersion": 0.044})
    ruby = b.material("ruby", (0.7, 0.03, 0.06, 1), 0.0, 0.0,
                      {"kind": "gem", "ior": 1.76, "dispersion": 0.018})
    root = b.node("piece")
    b.node("hook", parent=root, translation=(0, 0.012, 0))
    b.node("hoop", b.mesh(s.torus(0.010, 0.0016, 96, 32), gold), parent=root)
    angles = np.linspace(0, 2 * math.pi, 8, endpoint=False)
    ring = [(0.010 * math.cos(a), 0.010 * math.sin(a)) for a in angles]
    granules = [s.transformed(s.torus(0.0012, 0.0004, 48, 12), offset=(x, y, 0)) for x, y in ring]
    b.node("granules", b.mesh(s.combined(*granules), gold), parent=root)
    stones = [s.transformed(s.brilliant(0.0011), offset=(0.010 * math.cos(a), 0.010 * math.sin(a), 0.0016))
              for a in np.linspace(0, 2 * math.pi, 12, endpoint=False) + math.pi / 12]
    b.node("stones", b.mesh(s.combined(*stones), diamond), parent=root)
    bell = b.node("swing_bell", b.mesh(s.uv_sphere(0.005, 32, 64), gold), parent=root,
                  translation=(0, -0.004, 0), extras={"swing": {"pivot": [0, 0.004, 0], "damping": 0.3}})
    b.node("ruby", b.mesh(s.brilliant(0.002), ruby), parent=bell, translation=(0, -0.006, 0.001))
    return load_model(b.save(folder / "bench.glb"))


def _frame_pose(cam: Camera, model: Model, rect_px: float, t: float) -> npt.NDArray[np.float32]:
    z = cam.fx * float(model.size_mm[:2].max()) / rect_px
    pose = np.eye(4, dtype=np.float32)
    pose[:3, :3] = FACING_CAMERA[:3, :3] @ rotation(25 * math.sin(t), 5 * math.cos(t))
    pose[:3, 3] = (0, 0, z)
    return pose


def _stills(r: Renderer, model: Model, env: Environment) -> dict[str, Any]:
    """Stills in a 1920x1080 frame: the piece large (~650 px), then twelve copies spread over
    the whole frame so every tile of it is drawn."""
    cam = Camera.from_hfov(1920, 1080)
    one = [DrawItem(model, _frame_pose(cam, model, 650.0, 0.3))]
    spread = []
    for k in range(12):
        pose = _frame_pose(cam, model, 250.0, 0.1 * k)
        u, v = 160 + 320 * (k % 6), 270 + 540 * (k // 6)
        pose[0, 3], pose[1, 3] = (u - cam.cx) * pose[2, 3] / cam.fx, (v - cam.cy) * pose[2, 3] / cam.fy
        spread.append(DrawItem(model, pose))
    out: dict[str, Any] = {}
    for name, items in (("still_1080p_one_piece", one), ("still_1080p_12_pieces", spread)):
        times, drawn = [], 0
        for _ in range(4):
            t0 = time.perf_counter()
            layer = r.render(items, cam, env, quality="still", rect=(0, 0, 1920, 1080))
            times.append((time.perf_counter() - t0) * 1000)
            drawn = int((layer.alpha > 0).sum()) if layer is not None else 0
        out[name] = {"ms": p50_p95(times[1:]), "covered_px": drawn, "triangles": model.triangles * len(items)}
    return out


def measure(frames: int = 300, aa: str = "msaa") -> dict[str, Any]:
    r = Renderer(aa=aa)
    with tempfile.TemporaryDirectory() as tmp:
        model = bench_piece(Path(tmp))
    cam = Camera.from_hfov(1280, 720)
    env = Environment.studio()
    times, reads, rects = [], [], []
    for i in range(frames + 10):
        t = i / 30.0
        a = 0.4 * math.sin(3 * t)
        joint = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]],
                         np.float32)
        item = DrawItem(model, _frame_pose(cam, model, 250.0, t), {"swing_bell": joint})
        if i % 10 == 0:
            env.version += 1               # a new light estimate every 10 frames
        t0 = time.perf_counter()
        layer = r.render([item], cam, env)
        dt = (time.perf_counter() - t0) * 1000
        if i >= 10 and layer is not None:
            times.append(dt)
            rects.append(layer.rect[2] * layer.rect[3])
            last = r._live["f1"].last
            if last is not None:
                t1 = time.perf_counter()
                with r.ctx:      # the same read again: what read-back alone costs
                    last.read(viewport=(0, 0, layer.rect[2], layer.rect[3]), components=4)
                reads.append((time.perf_counter() - t1) * 1000)
    out: dict[str, Any] = {"aa": aa, "live_rect_px": int(np.median(rects)) if rects else 0,
                           "live_ms": p50_p95(times), "readback_ms": p50_p95(reads)}
    if aa == "msaa":
        out.update(_stills(r, model, env))
    out.update(renderer=describe(r.ctx), triangles=model.triangles, parts=len(model.parts),
               LP_NUM_THREADS=os.environ.get("LP_NUM_THREADS", "default"))
    r.release()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy", action="store_true", help="keep another core busy meanwhile")
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--aa", choices=["msaa", "fxaa", "none"], action="append",
                    help="live anti-aliasing to measure (repeatable; default all three)")
    args = ap.parse_args()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        results = [measure(args.frames, aa) for aa in args.aa or ["msaa", "fxaa", "none"]]
    finally:
        if spinner is not None:
            spinner.terminate()
            spinner.wait()
    load = os.getloadavg()[0]
    print(json.dumps({"busy_core": bool(args.busy), "load_1min_after": round(load, 2), "runs": results},
                     indent=1))


if __name__ == "__main__":
    main()
