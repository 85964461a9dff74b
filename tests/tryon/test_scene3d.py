"""The 3D pieces on a head: posed, hidden behind it, swinging, lit like the photo (issue 20)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.catalog.pieces import Catalog
from kiosk.render.camera import Camera
from kiosk.render.context import RenderUnavailable, probe
from kiosk.render.environment import Environment
from kiosk.track.base import FACE_OVAL, Tracking
from kiosk.track.headpose import rigid_pose, rotation_from_angles
from kiosk.tryon.scene3d import Scene3D

ROOT = Path(__file__).resolve().parents[2]
CAM = Camera.from_hfov(1280, 720, 60.0)
CATALOG = Catalog.load()

try:
    probe()
except RenderUnavailable as e:
    pytest.skip(f"no OpenGL context here: {e.reason}", allow_module_level=True)


@pytest.fixture
def scene() -> Iterator[Scene3D]:
    s = Scene3D()
    yield s
    s.close()


def head(yaw: float, x_mm: float = 0.0, t_mm: float = 600.0) -> object:
    return rigid_pose(rotation_from_angles(yaw), [x_mm, 0.0, t_mm], CAM)


def coverage(scene: Scene3D, ids: list[str], yaw: float) -> dict[str, float]:
    """Alpha summed per earring side, the head at `yaw`, studio light."""
    scene.pose = head(yaw)  # type: ignore[assignment]
    posed = scene.place(CATALOG.expand(ids), Tracking(1280, 720), None, live=True)
    out = {}
    for p, layer, _ms in scene.render(posed, CAM, Environment.studio()):
        out[p.side] = 0.0 if layer is None else float(layer.alpha.sum())
    return out


def test_the_far_earring_goes_behind_the_head_as_it_turns(scene: Scene3D) -> None:
    front = coverage(scene, ["jhumka_gold"], 0.0)
    assert front["image-left"] > 0 and 0.8 < front["image-left"] / front["image-right"] < 1.25
    # Nose towards the image's right: the image-right ear turns away, behind the head.
    for yaw, most in ((25.0, 0.6), (40.0, 0.15)):
        turned = coverage(scene, ["jhumka_gold"], yaw)
        assert turned["image-right"] < most * turned["image-left"], (yaw, turned)
        mirrored = coverage(scene, ["jhumka_gold"], -yaw)
        assert mirrored["image-left"] < most * mirrored["image-right"], (-yaw, mirrored)


def test_the_near_earring_narrows_as_the_head_turns(scene: Scene3D) -> None:
    def width(yaw: float) -> int:
        scene.pose = head(yaw)  # type: ignore[assignment]
        posed = scene.place(CATALOG.expand(["hoop_rose_gold"]), Tracking(1280, 720), None, live=True)
        near = next(p for p in posed if p.side == "image-left")
        layer = scene.render([near], CAM, Environment.studio())[0][1]
        assert layer is not None
        cols = np.nonzero(layer.alpha.max(axis=0) > 0.2)[0]
        return int(cols[-1] - cols[0] + 1)

    # The hoop's ring faces the front and turns with the head: at 50 degrees it is seen at an
    # angle, an ellipse (the camera also sees the near ear from further round than the nose).
    assert width(50.0) < 0.95 * width(0.0) and width(70.0) < width(50.0)


def test_a_jhumka_swings_after_the_head_moves_and_settles(scene: Scene3D) -> None:
    pieces = CATALOG.expand(["jhumka_gold"])

    def bell_angle() -> float:
        item = next(p for p in scene.last if p.side == "image-right").item
        name = next(n for n in item.joints if "bell" in n) if any("bell" in n for n in item.joints) \
            else next(iter(item.joints))
        r = item.joints[name]
        return math.degrees(math.acos(max(-1.0, min(1.0, (float(np.trace(r)) - 1) / 2))))

    angles = []
    for i in range(90):                        # 3 s at 30 fps
        t = i / 30
        x = 60.0 * min(t / 0.2, 1.0)           # a quick step sideways, then still
        scene.pose = head(0.0, x_mm=x)  # type: ignore[assignment]
        scene.place(pieces, Tracking(1280, 720), t, live=True)
        angles.append(bell_angle())
    peak = max(angles[:30])
    assert peak > 5.0, angles[:30]                       # it swung
    assert max(angles[-15:]) < 0.1 * peak, angles[-30:]  # and settled within about a second


def _lightness(img: np.ndarray, mask: np.ndarray) -> float:
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB).astype(np.float32)
    return float(lab[..., 0][mask].mean())


def _chroma(img: np.ndarray, mask: np.ndarray) -> np.ndarray:
    lin = (img.astype(np.float32) / 255.0) ** 2.2
    m = lin[mask].mean(axis=0) + 1e-6
    return np.array([math.log(m[2] / m[1]), math.log(m[0] / m[1])])   # ln R/G, ln B/G


def _worn(photo: np.ndarray,
          ids: tuple[str, ...] = ("jhumka_gold",)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo with the pieces (by default two jhumkas) in 3D, the pieces' opaque pixels and
    the skin's."""
    from kiosk.track.mediapipe_tracker import MediaPipeTracker
    from kiosk.tryon.engine import TryOn

    tracker = MediaPipeTracker(static=True)
    engine = TryOn(CATALOG, tracker, list(ids), still=True)
    layers = []
    real = engine.scene.render

    def keep(*a: object, **k: object) -> object:
        got = real(*a, **k)  # type: ignore[arg-type]
        layers.extend(got)
        return got

    engine.scene.render = keep  # type: ignore[method-assign]
    out = photo.copy()
    try:
        engine.process(out, None)
        face = engine.last_face
    finally:
        tracker.close()
        engine.scene.close()
    assert face is not None and layers
    piece = np.zeros(photo.shape[:2], bool)
    for _p, layer, _ms in layers:
        x0, y0, w, h = layer.rect
        piece[y0:y0 + h, x0:x0 + w] |= layer.alpha > 0.97
    skin = np.zeros(photo.shape[:2], np.uint8)
    cv2.fillPoly(skin, [face.points[list(FACE_OVAL)].astype(np.int32)], (1,))
    skin_mask = (skin > 0) & ~piece
    return out, piece, skin_mask


@pytest.mark.slow
@pytest.mark.parametrize("photo", ["obama_portrait.jpg", "portrait_shoulders.jpg"])
def test_3d_pieces_darken_and_tint_like_the_skin(photo: str) -> None:
    base = cv2.imread(str(ROOT / "tests/fixtures/photos" / photo))
    dark = (base.astype(np.float32) * 0.5).astype(np.uint8)                 # sRGB codes x 0.5
    blue = np.clip(base.astype(np.float32) * [1.0, 0.9, 0.75], 0, 255).astype(np.uint8)   # BGR
    o0, p0, s0 = _worn(base)
    o1, p1, s1 = _worn(dark)
    o2, p2, s2 = _worn(blue)
    skin_ratio = _lightness(o1, s1) / _lightness(o0, s0)
    piece_ratio = _lightness(o1, p1) / _lightness(o0, p0)
    assert abs(piece_ratio - skin_ratio) <= 0.12, (piece_ratio, skin_ratio)
    skin_shift = float(np.linalg.norm(_chroma(o2, s2) - _chroma(o0, s0)))
    piece_shift = float(np.linalg.norm(_chroma(o2, p2) - _chroma(o0, p0)))
    assert piece_shift >= 0.6 * skin_shift, (piece_shift, skin_shift)


def test_the_renderer_lights_with_the_map_under_white_light_and_grades_by_the_light(scene: Scene3D) -> None:
    """The map holds the colours the camera recorded under the store's light: the renderer takes
    that light's colour out of it and applies level and colour afterwards, as to a photo piece."""
    from kiosk.render.light import estimate_still

    env = estimate_still(cv2.imread(str(ROOT / "tests/fixtures/photos/hand_on_helmet.jpg")), None)
    neutral, grade = scene._lighting(env)
    assert np.allclose(neutral.equirect * env.light, env.equirect, rtol=1e-5)
    assert np.allclose(neutral.sh * env.light, env.sh, rtol=1e-5, atol=1e-7)
    assert np.allclose(neutral.light, 1.0)
    assert np.allclose(grade.gain_rgb, env.exposure * env.light, rtol=1e-5)


@pytest.mark.slow
def test_gold_stays_gold_before_a_blue_backdrop_in_an_orange_suit() -> None:
    """The studio portrait of an astronaut (blue backdrop, orange suit): the jhumkas' gold was
    mirrored as teal (the map scaled to make up for the suit below turned the rest cyan)."""
    out, piece, _skin = _worn(cv2.imread(str(ROOT / "tests/fixtures/photos/hand_on_helmet.jpg")))
    lab = cv2.cvtColor(out, cv2.COLOR_BGR2LAB).astype(np.float32)[piece]
    a, b = float(lab[:, 1].mean()) - 128, float(lab[:, 2].mean()) - 128
    hue = math.degrees(math.atan2(b, a))
    assert 55 < hue < 100 and b > 8, (hue, a, b)          # yellow, as 22k gold is


def _lab(img: np.ndarray, where: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB).astype(np.float32)[where]
    return np.stack([lab[:, 0] * (100 / 255), lab[:, 1] - 128, lab[:, 2] - 128], axis=1)


@pytest.mark.slow
def test_a_gold_band_is_as_light_as_the_real_gold_ring_beside_it() -> None:
    """The astronaut wears his wedding band in the photo: a 22k band drawn on the same hand is
    about as light as that real ring (polished gold mirrors the dim studio and a few lamps, so
    it is darker than the skin beside it: drawn as bright as the skin, it looked painted on)."""
    photo = cv2.imread(str(ROOT / "tests/fixtures/photos/hand_on_helmet.jpg"))
    box = np.zeros(photo.shape[:2], bool)
    box[1450:1510, 810:860] = True                         # round his ring, on the ring finger
    lab = _lab(photo, box)
    gold = (np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) > 55) & (np.hypot(lab[:, 1], lab[:, 2]) > 10)
    assert gold.sum() > 60                                 # the ring, not the skin round it
    real = float(lab[gold, 0].mean())
    out, piece, _skin = _worn(photo, ("ring_gold_band",))
    drawn = _lab(out, piece)
    assert len(drawn) > 100
    assert abs(float(drawn[:, 0].mean()) - real) < 8, (float(drawn[:, 0].mean()), real)


@pytest.mark.slow
def test_on_a_photo_of_a_turned_head_the_far_earring_is_mostly_behind_it() -> None:
    """A real photo turned ~22 degrees (the sample video turns only ~13, where the far ear is
    still in sight beside the cheek, and a truthful occluder keeps its earring in sight)."""
    from kiosk.track.mediapipe_tracker import MediaPipeTracker
    from kiosk.tryon.engine import TryOn

    photo = cv2.imread(str(ROOT / "tests/fixtures/faces/chris_ferguson/1.jpg"))
    tracker = MediaPipeTracker(static=True)
    engine = TryOn(CATALOG, tracker, ["jhumka_gold"], still=True)
    sums: dict[str, float] = {}
    real = engine.scene.render

    def keep(*a: object, **k: object) -> object:
        got = real(*a, **k)  # type: ignore[arg-type]
        for p, layer, _ms in got:
            sums[p.side] = 0.0 if layer is None else float(layer.alpha.sum())
        return got

    engine.scene.render = keep  # type: ignore[method-assign]
    try:
        res = engine.process(photo.copy(), None)
    finally:
        tracker.close()
        engine.scene.close()
    assert res.head is not None and float(res.head["view_yaw_deg"]) < -15   # type: ignore[arg-type]
    # Nose towards the image's left: the image-left ear is the far one.
    assert sums["image-left"] < 0.5 * sums["image-right"], sums
    assert {d.how for d in res.drawn} == {"3d"}


def test_without_an_opengl_context_3d_pieces_are_their_turned_sprites(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Never a blank mirror: no context, and each 3D piece is drawn as the sprite rendered
    nearest the head's yaw; kiosk tryon --json says so."""
    from kiosk.track.mediapipe_tracker import MediaPipeTracker
    from kiosk.tryon import engine as eng_mod

    def no_gl(self: Scene3D) -> None:
        self.unavailable = "eglInitialize failed (0x3001): install libgl1-mesa-dri"
        return None

    monkeypatch.setattr(Scene3D, "renderer", no_gl)
    used: list[str] = []
    real = eng_mod.draw

    def spy(dst: np.ndarray, piece: object, *a: object, **k: object) -> None:
        used.append(piece.id)  # type: ignore[attr-defined]
        real(dst, piece, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(eng_mod, "draw", spy)
    photo = cv2.imread(str(ROOT / "tests/fixtures/faces/chris_ferguson/1.jpg"))
    out = photo.copy()
    tracker = MediaPipeTracker(static=True)
    engine = eng_mod.TryOn(CATALOG, tracker, ["jhumka_gold"], still=True)
    try:
        res = engine.process(out, None)
    finally:
        tracker.close()
    assert not engine.scene.ready and res.drawn and {d.how for d in res.drawn} == {"sprite"}
    assert used and all(u.startswith("jhumka_gold@-20") for u in used), used   # turned ~-22 deg
    assert float(np.abs(out.astype(np.int16) - photo).sum()) > 0                 # something drawn
