"""Live 3D pieces drawn while the frame is tracked, then moved to where the frame puts them."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.model import Model, load_model
from kiosk.render.renderer import DrawItem, Layer
from kiosk.track.base import Needs, Tracking
from kiosk.tryon.ahead import DEPTH_TOL, SHIFT_TOL_PX, TURN_TOL_DEG, moved
from kiosk.tryon.engine import TryOn
from kiosk.tryon.scene3d import PosedPiece
from tests.fakes.renderer import FakeRenderer, fake_renderer
from tests.fakes.tracker import FakeTracker
from tests.helpers.pieces import CAM, facing

PIECE = "jhumka_gold"


@functools.cache
def _model(catalog: Catalog) -> Model:
    path = catalog.expand([PIECE])[0].model
    assert path is not None
    return load_model(path.with_name("model_live.glb"))


def _posed(catalog: Catalog, pose: np.ndarray) -> PosedPiece:
    piece = catalog.expand([PIECE])[0]
    model = _model(catalog)
    return PosedPiece(piece, "image-left", DrawItem(model, pose.astype(np.float32)),
                      pose[:3, 3].astype(np.float64))


def _turned(pose: np.ndarray, deg: float) -> np.ndarray:
    a = np.radians(deg)
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    out = pose.copy()
    out[:3, :3] = pose[:3, :3] @ ry
    return out


def test_a_layer_moves_with_its_hook_in_whole_pixels(catalog: Catalog) -> None:
    before = _posed(catalog, facing(600, -60, 20))
    layer = Layer(np.ones((40, 30, 4), np.float32), 500, 300)
    # 2.3 mm right and 1.1 mm down at 600 mm: the projected shift, rounded.
    now = _posed(catalog, facing(600, -57.7, 21.1))
    got = moved(before, layer, now, CAM, CAM)
    shift = CAM.fx * 2.3 / 600, CAM.fy * 1.1 / 600
    assert got is not None and got.rgba is layer.rgba
    assert (got.x0, got.y0) == (500 + round(shift[0]), 300 + round(shift[1]))
    # Held still: exactly where it was.
    still = moved(before, layer, before, CAM, CAM)
    assert still is not None and (still.x0, still.y0) == (500, 300)


@pytest.mark.parametrize("change", ["turned", "nearer", "jumped", "other model", "other camera", "cut"])
def test_what_a_shift_cannot_show_is_drawn_again(catalog: Catalog, change: str) -> None:
    base = facing(600, -60, 20)
    before = _posed(catalog, base)
    layer = Layer(np.ones((40, 30, 4), np.float32), 500, 300)
    now, cam = before, CAM
    if change == "turned":
        now = _posed(catalog, _turned(base, TURN_TOL_DEG * 1.3))
        assert moved(before, layer, _posed(catalog, _turned(base, TURN_TOL_DEG * 0.7)), CAM, CAM) is not None
    elif change == "nearer":
        now = _posed(catalog, facing(600 * (1 - DEPTH_TOL * 1.5), -60, 20))
    elif change == "jumped":
        now = _posed(catalog, facing(600, -60 + (SHIFT_TOL_PX + 5) * 600 / CAM.fx, 20))
    elif change == "other model":
        now = dataclasses.replace(before, item=dataclasses.replace(
            before.item, model=dataclasses.replace(before.item.model)))
    elif change == "other camera":
        cam = Camera.from_hfov(1920, 1080, 60.0)
    else:
        layer = Layer(layer.rgba, 0, 300)                    # cut by the frame's left edge
        now = _posed(catalog, facing(600, -57, 20))
    assert moved(before, layer, now, CAM, cam) is None


class _Shifting(FakeTracker):
    """The recorded face, `step` px further right each frame; each call waits (up to a few
    seconds) for the renderer to be drawing, and notes whether it was."""

    def __init__(self, drawing: threading.Event, step: float) -> None:
        super().__init__()
        self.drawing, self.step, self.overlapped = drawing, step, []

    def track(self, frame: np.ndarray, needs: Needs, t: float) -> Tracking:
        out = super().track(frame, needs, t)
        face = out.faces[0]
        dx = np.float32([self.step * (self.calls - 1), 0])
        shifted = dataclasses.replace(face, points=face.points + dx)
        self.overlapped.append(self.drawing.wait(3.0) if self.calls > 1 else False)
        self.drawing.clear()
        return Tracking(width=out.width, height=out.height, faces=[shifted])


@dataclasses.dataclass
class _Signalling(FakeRenderer):
    drawing: threading.Event = dataclasses.field(default_factory=threading.Event)

    def render_each(self, groups: Sequence[tuple[Sequence[DrawItem], Sequence]], camera: Camera,
                    env: Environment) -> list[Layer | None]:
        self.drawing.set()
        return super().render_each(groups, camera, env)


def _engine(catalog: Catalog, step: float) -> tuple[TryOn, _Shifting]:
    drawing = threading.Event()
    tracker = _Shifting(drawing, step)
    engine = TryOn(catalog, tracker, [PIECE])
    fake_renderer(engine.scene)
    engine.scene._gl.renderer = _Signalling(aa=engine.scene.aa, drawing=drawing)  # type: ignore[assignment]
    return engine, tracker


@pytest.mark.parametrize("step, again", [(6.0, 0), (120.0, 2)], ids=["moving", "jumping"])
def test_live_frames_are_drawn_while_tracked_and_land_where_the_frame_puts_them(
        catalog: Catalog, step: float, again: int) -> None:
    engine, tracker = _engine(catalog, step)
    frame = np.full((720, 1280, 3), 90, np.uint8)
    try:
        for i in range(4):
            res = engine.process(frame.copy(), i / 30)
            assert len(res.drawn) == 2
            if i == 0:
                assert "render_ahead" not in res.ms          # nothing posed yet to draw ahead
                continue
            assert "render_ahead" in res.ms and res.ms["redrawn"] == again
            # Where the frame's own poses would have drawn each earring, within the rounding.
            cam = engine.scene.pose.camera
            for d, p in zip(res.drawn, engine.scene.last, strict=True):
                layer = engine.scene.render([p], cam, engine.env)[0][1]
                assert layer is not None and d.rect is not None
                assert abs(d.rect[0] - layer.x0) <= 1 and abs(d.rect[1] - layer.y0) <= 1, (i, d.rect)
    finally:
        engine.close()
    assert tracker.overlapped == [False, True, True, True]


def test_stills_are_drawn_after_tracking(catalog: Catalog) -> None:
    engine = TryOn(catalog, FakeTracker(), [PIECE], still=True)
    fake_renderer(engine.scene)
    frame = np.full((720, 1280, 3), 90, np.uint8)
    for _ in range(2):
        res = engine.process(frame.copy(), None)
        assert "render_ahead" not in res.ms and len(res.drawn) == 2
    engine.close()


def test_the_face_lost_draws_nothing_ahead(catalog: Catalog) -> None:
    tracker = FakeTracker([True, False, True])
    engine = TryOn(catalog, tracker, [PIECE])
    fake = fake_renderer(engine.scene)
    frame = np.full((720, 1280, 3), 90, np.uint8)
    got = [engine.process(frame.copy(), i / 30) for i in range(3)]
    engine.close()
    assert [len(r.drawn) for r in got] == [2, 0, 2]
    # The frame that lost the face was drawn ahead for nothing; the one after it had nothing
    # posed to draw ahead, and drew after tracking. Each frame with the face draws the next
    # one's pieces once it is done; the one without it does not.
    assert "render_ahead" in got[1].ms and "render_ahead" not in got[2].ms
    assert len(fake.calls) == 2 * (1 + 1) + 2 * (1 + 1)



@dataclasses.dataclass
class _Noting(FakeRenderer):
    """Notes the thread each live drawing ran on."""
    threads: list[str] = dataclasses.field(default_factory=list)

    def render_each(self, groups: Sequence[tuple[Sequence[DrawItem], Sequence]], camera: Camera,
                    env: Environment) -> list[Layer | None]:
        out = super().render_each(groups, camera, env)
        self.threads.append(threading.current_thread().name)
        return out


def test_the_next_frames_pieces_are_drawn_between_frames_on_the_renderers_thread(catalog: Catalog) -> None:
    tracker = FakeTracker()
    engine = TryOn(catalog, tracker, [PIECE])
    fake = _Noting(aa=engine.scene.aa)
    engine.scene._gl.renderer = fake  # type: ignore[assignment]
    frame = np.full((720, 1280, 3), 90, np.uint8)
    def drawings(n: int) -> bool:
        for _ in range(100):
            if len(fake.threads) >= n:
                return len(fake.threads) == n
            threading.Event().wait(0.05)
        return False

    try:
        engine.process(frame.copy(), 0.0)
        # This frame's own pieces, drawn after tracking; then, with no frame being processed,
        # the next one's at this one's poses.
        assert drawings(2)
        res = engine.process(frame.copy(), 1 / 30)
        # The next frame took those layers (nothing drawn again) and its pieces land where its
        # own poses put them; once it is done, the frame after it is drawn for.
        assert res.ms["redrawn"] == 0 and "render_ahead" in res.ms and len(res.drawn) == 2
        assert drawings(3)
        cam = engine.scene.pose.camera
        for d, p in zip(res.drawn, engine.scene.last, strict=True):
            layer = engine.scene.render([p], cam, engine.env)[0][1]
            assert layer is not None and d.rect is not None
            assert abs(d.rect[0] - layer.x0) <= 1 and abs(d.rect[1] - layer.y0) <= 1
    finally:
        engine.close()
        engine.scene.close()
    me = threading.current_thread().name
    assert fake.threads and all(t.startswith("render") and t != me for t in fake.threads), fake.threads
