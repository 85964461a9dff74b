"""A renderer without OpenGL: each piece is a plain gold rectangle where the real renderer
would draw it (the screen rectangle its model's parts project to).

For tests of what uses the renderer (placement, hand pieces, sizes, the still path's bookkeeping)
rather than of how a piece looks: those are in tests/render/ and tests/tryon/test_scene3d.py.
Nothing is drawn through GL, so no EGL context is made and none is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.layout import clip_rect, screen_rect
from kiosk.render.model import Model
from kiosk.render.occluder import Occluder
from kiosk.render.renderer import DrawItem, Layer
from kiosk.tryon.scene3d import Scene3D

GOLD_BGR = (0.22, 0.62, 0.83)     # display sRGB, the colour of the bundled gold pieces


@dataclass
class Drawn:
    """One render call: the models' files, the rectangle returned (None: nothing in view)."""
    models: list[str]
    quality: str
    rect: tuple[int, int, int, int] | None


@dataclass
class FakeRenderer:
    """kiosk.render.renderer.Renderer's `render`/`render_each`/`load`/`unload`/`release`: the same rectangle
    (screen_rect of the items, clipped to `rect` when given), filled opaque."""

    aa: str = "msaa"
    calls: list[Drawn] = field(default_factory=list)
    loaded: set[int] = field(default_factory=set)
    released: bool = False
    last_ms: list[float] = field(default_factory=list)

    def load(self, model: Model) -> None:
        self.loaded.add(id(model))

    def unload(self, model: Model) -> None:
        self.loaded.discard(id(model))

    def release(self) -> None:
        self.released = True

    def render(self, items: Sequence[DrawItem], camera: Camera, env: Environment,
               occluders: Sequence[Occluder] = (), quality: str = "live",
               rect: tuple[int, int, int, int] | None = None, linear: bool = False) -> Layer | None:
        shown = [it for it in items if it.opacity > 0 and it.model.parts]
        box = screen_rect(shown, camera) if shown else None
        if box is not None and rect is not None:
            box = clip_rect(box, rect)
        self.calls.append(Drawn([str(it.model.path) for it in shown], quality, box))
        if box is None:
            return None
        x0, y0, w, h = box
        opacity = max(it.opacity for it in shown)
        rgba = np.empty((h, w, 4), np.float32)      # premultiplied, as the real layer is
        rgba[:, :, :3] = np.multiply(GOLD_BGR, opacity, dtype=np.float32)
        rgba[:, :, 3] = opacity
        return Layer(rgba, x0, y0)

    def render_each(self, groups: Sequence[tuple[Sequence[DrawItem], Sequence[Occluder]]], camera: Camera,
                    env: Environment) -> list[Layer | None]:
        out = [self.render(items, camera, env, occluders) for items, occluders in groups]
        self.last_ms = [0.0] * len(groups)
        return out


def fake_renderer(scene: Scene3D) -> FakeRenderer:
    """Give `scene` (a TryOn's `engine.scene`) a FakeRenderer before its first frame: Scene3D
    makes its Renderer lazily in `renderer()` and keeps it on its render thread (`_gl`), the
    one seam there is short of a renderer factory in kiosk/tryon/scene3d.py. The fake is then
    called on that thread, as the real one is."""
    fake = FakeRenderer(aa=scene.aa)
    scene._gl.renderer = fake  # type: ignore[assignment]
    return fake
