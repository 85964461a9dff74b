"""A 3D piece (.glb) for the local catalogue: checked, and its front sprite rendered from it.

Staff (`kiosk assets add MODEL.glb`, the add-a-piece screen) may bring a glTF 2.0 binary instead
of a product photo. It is checked the way the renderer will read it (size in mm for the
category, triangle budget, PBR materials, a `hook` node: check_model below),
kept as the piece's model.glb, and its front view in studio light becomes the piece's sprite:
what photo-only paths draw and what is shown where no OpenGL context can be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.catalog.pieces import WIDTH_MM, AssetError
from kiosk.render.model import DEFAULT_MATERIAL, TRIANGLE_BUDGET, ModelError, load_model

SPRITE_PX_PER_MM = 12.0       # a sharp sprite at any live scale (~2-5 px/mm) and in photos
SPRITE_MAX_PX = 1024


@dataclass(frozen=True)
class ModelPiece:
    glb: bytes
    png: bytes                 # straight-alpha BGRA PNG of the front view, cropped
    anchor: tuple[int, int]    # the hook's pixel in it
    width_mm: float            # the sprite's width in mm (the image's, as manifests count it)
    model_width_mm: float      # the piece's own width


def straight_png(rgba_premultiplied: npt.NDArray[np.float32]) -> tuple[bytes, tuple[int, int, int, int]]:
    """A premultiplied RGB(A) render as a cropped straight-alpha PNG, and the crop (x, y, w, h)."""
    a = rgba_premultiplied[:, :, 3]
    ys, xs = np.nonzero(a > 1.0 / 255)
    if not xs.size:
        raise AssetError("the model renders to nothing (empty, or not facing +Z)")
    pad = 2
    x0, y0 = max(0, int(xs.min()) - pad), max(0, int(ys.min()) - pad)
    x1 = min(a.shape[1], int(xs.max()) + 1 + pad)
    y1 = min(a.shape[0], int(ys.max()) + 1 + pad)
    crop = rgba_premultiplied[y0:y1, x0:x1]
    alpha = crop[:, :, 3:4]
    rgb = np.where(alpha > 1e-4, crop[:, :, :3] / np.maximum(alpha, 1e-4), 0.0)
    bgra = np.concatenate([rgb[:, :, ::-1], alpha], axis=2)
    ok, png = cv2.imencode(".png", np.clip(np.round(bgra * 255), 0, 255).astype(np.uint8))
    if not ok:
        raise AssetError("could not encode the rendered sprite as PNG")
    return png.tobytes(), (x0, y0, x1 - x0, y1 - y0)


def prepare_model(path: Path, category: str, width_mm: float | None = None) -> ModelPiece:
    """Check a .glb for `category` and render its sprite. AssetError in plain words."""
    from kiosk.render.context import RenderUnavailable
    from kiosk.render.preview import render_preview
    from kiosk.render.renderer import Renderer

    try:
        glb = path.read_bytes()
    except OSError as e:
        raise AssetError(f"cannot read {path}: {e.strerror}") from None
    problems = check_model(path, category)
    if problems:
        raise AssetError(f"{path.name}: " + "; ".join(problems))
    model = load_model(path)
    real = float(model.size_mm[0])
    if width_mm is not None and abs(width_mm - real) > 0.05 * real:
        raise AssetError(f"{path.name} is {real:.1f} mm wide, not {width_mm:g} mm: a glTF model is "
                         "measured in metres; fix the model or leave --width-mm out")
    size = int(min(SPRITE_MAX_PX, max(64, float(np.linalg.norm(model.size_mm)) * SPRITE_PX_PER_MM)))
    try:
        renderer = Renderer()
    except RenderUnavailable as e:
        raise AssetError(f"its sprite cannot be rendered here: {e.reason}") from None
    try:
        view = render_preview(renderer, model, size, yaw_deg=0.0, pitch_deg=0.0)
    finally:
        renderer.release()
    png, (x0, y0, w, _h) = straight_png(view.rgba)
    if view.hook_px is None:
        raise AssetError(f"{path.name} has no hook node")
    anchor = (int(round(view.hook_px[0] - x0)), int(round(view.hook_px[1] - y0)))
    return ModelPiece(glb, png, anchor, round(w / view.px_per_mm, 2), real)


def check_model(path: Path, category: str | None = None, budget: int = TRIANGLE_BUDGET) -> list[str]:
    """Everything wrong with a .glb for the kiosk, in plain words (empty when it is fine):
    for `kiosk assets add` and `assets check`. `category` narrows the size check."""
    try:
        m = load_model(path)
    except ModelError as e:
        return [str(e)]
    problems = list(m.problems)
    width = float(m.size_mm[0])
    if category in WIDTH_MM:
        lo, hi = WIDTH_MM[category]
        label = ("an " if category[0] in "aeiou" else "a ") + category.replace("_", " ")
    else:
        lo, hi = min(r[0] for r in WIDTH_MM.values()), max(r[1] for r in WIDTH_MM.values())
        label = "any piece"
    if not lo <= width <= hi:
        hint = ""
        if width > hi and lo <= width / 1000 <= hi:
            hint = " (it looks modelled in millimetres; glTF is in metres)"
        elif width > hi and lo <= width / 10 <= hi:
            hint = " (it looks modelled in centimetres; glTF is in metres)"
        elif width < lo and lo <= width * 1000 <= hi:
            hint = " (it looks 1000 times too small)"
        problems.append(f"the piece is {width:.1f} mm wide, outside {lo}-{hi} mm for {label}{hint}")
    if m.triangles > budget:
        problems.append(f"{m.triangles:,} triangles is over the budget of {budget:,}: simplify the mesh")
    if not any(mat is not DEFAULT_MATERIAL for mat in (m.materials[p.material] for p in m.parts)):
        problems.append("the piece has no materials")
    if category == "necklace" and m.necklace is None:
        problems.append('a necklace needs scene extras {"necklace": {"neck_radius_mm": r}}')
    return problems
