"""How long each bundled piece takes to draw live, full model against its live level of detail.

    python assets/jewelry/measure_lod.py [--frames 150] [--px-per-mm 2.4] [--only id ...] [--json]
    python assets/jewelry/measure_lod.py --together jhumka_gold jhumka_gold choker_gold

Each piece alone in a 1280x720 frame (60 deg horizontal field of view, the kiosk's default) at
2.4 px/mm - a customer at arm's length from a 720p camera - turning slowly with its swings
moving, through `Renderer(aa="fxaa")` at live quality, the way the mirror draws it. The figure
is the wall time of `Renderer.render` (draw and read-back of the piece's rectangle), p50/p95
over the frames after a warm-up; "parts" is the draw calls it makes (one per swinging segment
and material). `--together` draws the given pieces in one call, earrings at the two ears
(140 mm apart), a necklace 110 mm below them, as the mirror would. Not a test: speed is never
asserted (issue 20).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository, for kiosk

from kiosk.bench.stats import p50_p95  # noqa: E402
from kiosk.render.camera import Camera  # noqa: E402
from kiosk.render.context import describe  # noqa: E402
from kiosk.render.environment import Environment  # noqa: E402
from kiosk.render.model import Model, load_model  # noqa: E402
from kiosk.render.preview import rotation  # noqa: E402
from kiosk.render.renderer import FACING_CAMERA, DrawItem, Renderer  # noqa: E402

WARMUP = 10


def _joints(model: Model, t: float) -> dict[str, npt.NDArray[np.float32]]:
    """Every swing a few degrees off rest, out of phase: its segment moves every frame."""
    out = {}
    for k, s in enumerate(model.swings):
        a = 0.15 * math.sin(2.0 * t + k)
        c, si = math.cos(a), math.sin(a)
        out[s.name] = np.array([[c, -si, 0], [si, c, 0], [0, 0, 1]], np.float32)
    return out


def time_pieces(r: Renderer, models: list[Model], cam: Camera, env: Environment, px_per_mm: float,
                frames: int, at: list[tuple[float, float]] | None = None) -> dict[str, Any]:
    """Render the models together (each centred on its `at` offset, mm in the image plane)."""
    z = cam.depth_for_scale(px_per_mm)
    at = at or [(0.0, 0.0)] * len(models)
    times, rects = [], []
    for i in range(frames + WARMUP):
        t = i / 30.0
        items = []
        for model, (x, y) in zip(models, at, strict=True):
            lo, hi = model.bbox
            pose = np.eye(4, dtype=np.float32)
            pose[:3, :3] = FACING_CAMERA[:3, :3] @ rotation(20 * math.sin(t), 4 * math.cos(t))
            pose[:3, 3] = np.array([x, y, z], np.float32) - pose[:3, :3] @ ((lo + hi) / 2)
            items.append(DrawItem(model, pose, _joints(model, t)))
        t0 = time.perf_counter()
        layer = r.render(items, cam, env)
        dt = (time.perf_counter() - t0) * 1000
        if i >= WARMUP and layer is not None:
            times.append(dt)
            rects.append(layer.rect[2:])
    w, h = (int(v) for v in np.median(np.array(rects), axis=0)) if rects else (0, 0)
    return {"triangles": sum(m.triangles for m in models), "parts": sum(len(m.parts) for m in models),
            "rect_px": [w, h], "ms": p50_p95(times)}


def _together(r: Renderer, root: Path, ids: list[str], cam: Camera, env: Environment,
              a: argparse.Namespace) -> int:
    cats = {pid: json.loads((root / pid / "manifest.json").read_text())["category"] for pid in ids}
    ears = iter([(-70.0, 0.0), (70.0, 0.0)])
    at = [(0.0, 110.0) if cats[pid] == "necklace" else next(ears, (0.0, -40.0)) for pid in ids]
    for name in ("model.glb", "model_live.glb"):
        models = [load_model(root / pid / name) for pid in ids]
        got = time_pieces(r, models, cam, env, a.px_per_mm, a.frames, at)
        w, h = got["rect_px"]
        print(f"{' + '.join(ids)} ({name}): {got['triangles']:,} triangles, {got['parts']} parts, "
              f"{w}x{h} px: {got['ms']['p50']:.2f} / {got['ms']['p95']:.2f} ms p50 / p95")
        for m in models:
            r.unload(m)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--px-per-mm", type=float, default=2.4)
    ap.add_argument("--only", nargs="*", default=None, help="piece ids (default: every piece)")
    ap.add_argument("--root", type=Path, default=HERE, help="catalogue folder (default: this one)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--together", nargs="+", default=None, help="piece ids drawn in one frame")
    a = ap.parse_args(argv)
    ids = [p.parent.name for p in sorted(a.root.glob("*/model.glb"))]
    unknown = [x for x in (a.only or []) + (a.together or []) if x not in ids]
    if unknown:
        print(f"unknown piece ids: {', '.join(unknown)}; known: {', '.join(ids)}", file=sys.stderr)
        return 2
    r = Renderer(aa="fxaa")
    cam = Camera.from_hfov(1280, 720)
    env = Environment.studio()
    rows: list[dict[str, Any]] = []
    if a.together:
        try:
            return _together(r, a.root, a.together, cam, env, a)
        finally:
            r.release()
    try:
        for pid in ids:
            if a.only and pid not in a.only:
                continue
            row: dict[str, Any] = {"id": pid}
            for lod, name in (("full", "model.glb"), ("live", "model_live.glb")):
                path = a.root / pid / name
                if path.is_file():
                    model = load_model(path)
                    row[lod] = time_pieces(r, [model], cam, env, a.px_per_mm, a.frames)
                    r.unload(model)
            rows.append(row)
        info = {"renderer": describe(r.ctx), "px_per_mm": a.px_per_mm, "frames": a.frames,
                "load_1min_after": round(os.getloadavg()[0], 2)}
    finally:
        r.release()
    if a.json:
        print(json.dumps({**info, "pieces": rows}, indent=1))
        return 0
    print(f"{info['renderer']}; {a.px_per_mm} px/mm in 1280x720; FXAA; {a.frames} frames; "
          f"load {info['load_1min_after']}")
    print("| piece | drawn px | parts | full triangles | full ms p50 / p95 | live triangles "
          "| live ms p50 / p95 |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [row["id"]]
        f, lv = row.get("full"), row.get("live")
        first = f or lv or {"rect_px": ["-"], "parts": "-"}
        cells += ["x".join(str(v) for v in first["rect_px"]), str(first["parts"])]
        for d in (f, lv):
            cells += ([f"{d['triangles']:,}", f"{d['ms']['p50']:.2f} / {d['ms']['p95']:.2f}"] if d
                      else ["-", "-"])
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
