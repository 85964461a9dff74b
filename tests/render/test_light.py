"""The light estimate and the scene light for photo pieces, on the bundled portraits and video.

The acceptance ("darken the photo by half and the pieces' lightness falls like the skin's, within
0.12 of the skin's ratio; tint it and the metal's colour shifts at least 60 % as far as the
skin's") is checked as a user would see it: the real tracker on the edited photo, the real
placement and `compose.draw`, with the sprite graded the way draw will grade it.

- "Darken by half" halves the photo's sRGB codes, as an editor's brightness slider does (the
  issue's own figure, skin lightness falling to 0.51, is what that gives); lightness is CIELAB
  L*, the mean over the pixels.
- A tint multiplies the sRGB codes per channel, never above 255 (no clipping). Colour is the
  log-chromaticity (ln R/G, ln B/G) of the pixels' mean linear RGB: a change of light multiplies
  every surface's linear RGB by the same gains, which moves every colour by the same vector
  there, whatever its hue. (In a*b* a saturated gold moves less than skin under the very same
  light, so a*b* would judge the light's colour by the paint's.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk import paths
from kiosk.catalog.pieces import Catalog, Piece
from kiosk.render import keylight
from kiosk.render.environment import Environment, equirect_dirs, sh_eval
from kiosk.render.light import (
    SRGB_TO_LINEAR,
    LightEstimator,
    SpriteGrade,
    estimate_still,
    grade_bgr,
    grade_layer,
    linear_to_srgb,
    sprite_grade,
)
from kiosk.track.base import FACE_OVAL, FaceTrack, Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.tryon import compose
from kiosk.tryon.placement import Placement, PlacementState, place

Frame = npt.NDArray[np.uint8]
PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"
PORTRAITS = ("obama_portrait.jpg", "close_face.jpg", "portrait_shoulders.jpg")
GOLD = "jhumka_gold"                         # a bundled gold sprite (earrings on both ears)
BLUE, WARM = (1.0, 0.9, 0.75), (0.75, 0.9, 1.0)      # BGR multipliers on the codes
LUMA = np.array([0.2126, 0.7152, 0.0722])


@pytest.fixture(scope="module")
def tracker() -> Iterator[MediaPipeTracker]:
    tr = MediaPipeTracker(static=True)
    yield tr
    tr.close()


def _photo(name: str) -> Frame:
    img = cv2.imread(str(PHOTOS / name))
    assert img is not None, name
    return np.ascontiguousarray(img)


def darken(img: Frame) -> Frame:
    return np.asarray(np.round(img.astype(np.float32) * 0.5), np.uint8)


def tint(img: Frame, bgr: tuple[float, float, float]) -> Frame:
    return np.asarray(np.clip(np.round(img.astype(np.float32) * np.array(bgr, np.float32)), 0, 255), np.uint8)


def light_scale(img: Frame, k: float) -> Frame:
    """The scene with k times the light (in linear light, clipped like a camera)."""
    return np.asarray(np.round(255 * linear_to_srgb(SRGB_TO_LINEAR[img] * k)), np.uint8)


@contextmanager
def graded_sprites(how: Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float32]]) -> Iterator[None]:
    """compose.draw with its scaled sprite passed through `how` first. Grading the scaled sprite is
    the same as grading the warped layer (a per-channel factor and a min with alpha both commute
    with bilinear warping), which is where draw will call `grade_layer`."""
    original = compose._scaled

    def scaled(piece: Piece, side: str, width_px: float, px_per_mm: float = 1.0) -> tuple[
            npt.NDArray[np.float32], float, npt.NDArray[np.float32]]:
        sprite, f, shadow = original(piece, side, width_px, px_per_mm)
        return how(sprite.copy()), f, shadow

    with mock.patch.object(compose, "_scaled", scaled):
        yield


@dataclass
class Portrait:
    img: Frame
    pieces: dict[str, Piece]
    placements: list[Placement]
    face: FaceTrack
    piece_px: npt.NDArray[np.bool_]          # the piece's opaque pixels
    skin_px: npt.NDArray[np.bool_]           # skin, clear of the piece

    def draw(self, frame: Frame, grade: SpriteGrade | None) -> Frame:
        out = frame.copy()
        with graded_sprites(lambda s: s if grade is None else grade_layer(s, grade)):
            for pl in self.placements:
                compose.draw(out, self.pieces[pl.piece_id], pl, self.face)
        return out

    def tried_on(self, tracker: MediaPipeTracker, frame: Frame, graded: bool = True) -> Frame:
        """The photo as the kiosk shows it: tracked afresh, the light estimated, the piece drawn."""
        face = tracker.track(frame, Needs(), 0.0).primary
        assert face is not None, "the tracker lost the face in the edited photo"
        return self.draw(frame, sprite_grade(estimate_still(frame, face)) if graded else None)


def _portrait(tracker: MediaPipeTracker, name: str) -> Portrait:
    img = _photo(name)
    face = tracker.track(img, Needs(), 0.0).primary
    assert face is not None, name
    catalog = Catalog.load()
    pieces = {p.id: p for p in catalog.expand([GOLD])}
    pls = [p for p in place(list(pieces.values()), face, None, PlacementState(), None) if not p.hidden]
    assert pls
    # The piece's coverage: drawn white (colour = alpha) on black, where the shadow changes nothing.
    cover = np.zeros_like(img)
    with graded_sprites(lambda s: np.concatenate([s[:, :, 3:4]] * 3 + [s[:, :, 3:4]], axis=2)):
        for pl in pls:
            compose.draw(cover, pieces[pl.piece_id], pl, face)
    piece_px = cover[:, :, 1] >= 242
    oval = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(oval, [face.points[list(FACE_OVAL)].astype(np.int32)], (1,))
    r = max(3, int(0.08 * (face.box[2] - face.box[0])))
    oval = cv2.erode(oval, np.ones((r, r), np.uint8)).astype(bool)
    oval &= ~cv2.dilate(cover[:, :, 1], np.ones((9, 9), np.uint8)).astype(bool)
    # Skin, not eyes, brows or highlights: the middle of the face's lightness.
    L = lab(img)[:, :, 0]
    lo, hi = np.percentile(L[oval], [25, 85])
    skin_px = oval & (L >= lo) & (L <= hi)
    assert piece_px.sum() > 300 and skin_px.sum() > 1000, (piece_px.sum(), skin_px.sum())
    return Portrait(img, pieces, pls, face, piece_px, skin_px)


@pytest.fixture(scope="module")
def portraits(tracker: MediaPipeTracker) -> dict[str, Portrait]:
    return {name: _portrait(tracker, name) for name in PORTRAITS}


def lab(img: Frame) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab), np.float32)


def lightness(img: Frame, where: npt.NDArray[np.bool_]) -> float:
    return float(lab(img)[:, :, 0][where].mean())


def log_chroma(img: Frame, where: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    b, g, r = SRGB_TO_LINEAR[img[where]].astype(np.float64).mean(axis=0)
    return np.array([np.log(r / g), np.log(b / g)])


# ---- the acceptance, on portraits ------------------------------------------------------------------

@pytest.mark.parametrize("name", PORTRAITS)
@pytest.mark.slow
def test_darkened_photo_darkens_the_piece_like_the_skin(portraits: dict[str, Portrait],
                                                        tracker: MediaPipeTracker, name: str) -> None:
    p = portraits[name]
    dark = darken(p.img)
    before, after = p.tried_on(tracker, p.img), p.tried_on(tracker, dark)
    skin = lightness(dark, p.skin_px) / lightness(p.img, p.skin_px)
    piece = lightness(after, p.piece_px) / lightness(before, p.piece_px)
    assert abs(piece - skin) <= 0.12, f"{name}: piece L* x{piece:.2f}, skin x{skin:.2f}"
    # Ungraded (as before this change) the same measure fails: the check can tell.
    flat = (lightness(p.tried_on(tracker, dark, graded=False), p.piece_px)
            / lightness(p.tried_on(tracker, p.img, graded=False), p.piece_px))
    assert abs(flat - skin) > 0.12


@pytest.mark.parametrize("name", PORTRAITS)
@pytest.mark.parametrize("cast", [BLUE, WARM], ids=["blue", "warm"])
@pytest.mark.slow
def test_tinted_photo_tints_the_metal_like_the_skin(portraits: dict[str, Portrait], tracker: MediaPipeTracker,
                                                    name: str, cast: tuple[float, float, float]) -> None:
    p = portraits[name]
    tinted = tint(p.img, cast)
    before, after = p.tried_on(tracker, p.img), p.tried_on(tracker, tinted)
    skin = log_chroma(tinted, p.skin_px) - log_chroma(p.img, p.skin_px)
    metal = log_chroma(after, p.piece_px) - log_chroma(before, p.piece_px)
    ratio = float(np.linalg.norm(metal) / np.linalg.norm(skin))
    cos = float(metal @ skin / (np.linalg.norm(metal) * np.linalg.norm(skin)))
    assert ratio >= 0.6 and cos > 0.9, f"{name}: metal moved {ratio:.0%} of the skin's, cos {cos:.2f}"
    flat = (log_chroma(p.tried_on(tracker, tinted, graded=False), p.piece_px)
            - log_chroma(p.tried_on(tracker, p.img, graded=False), p.piece_px))
    assert np.linalg.norm(flat) < 0.6 * np.linalg.norm(skin)


# ---- the estimate over time ------------------------------------------------------------------------

def _video(n: int) -> list[Frame]:
    cap = cv2.VideoCapture(str(paths.SAMPLE_VIDEO))
    frames = []
    while len(frames) < n:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    assert len(frames) == n
    return frames


def _log_gain(env: Environment) -> npt.NDArray[np.float64]:
    return np.log(np.array(sprite_grade(env).gain_rgb, np.float64))


@pytest.mark.slow
def test_estimate_holds_still_on_the_sample_video() -> None:
    frames = _video(90)
    tr = MediaPipeTracker(static=False)
    est = LightEstimator()
    gains, maps, last = [], [], -1
    try:
        for i, f in enumerate(frames):
            t = i / 29.97
            env = est.update(f, tr.track(f, Needs(), t).primary, None, t)
            if i >= 30 and env.version != last:       # after a second to settle
                gains.append(_log_gain(env))
                maps.append(env.equirect)
            last = env.version
    finally:
        tr.close()
    assert 18 <= len(gains) <= 22                    # 10 updates a second, not every frame
    steps = np.abs(np.diff(np.array(gains), axis=0)).max()
    assert steps < 0.01, f"exposure/white balance step {steps:.3f} between updates"
    map_steps = max(float(np.abs(b - a).mean() / a.mean()) for a, b in zip(maps, maps[1:], strict=False))
    assert map_steps < 0.03
    assert est.env.stats["skin_found"] == 1.0 and est.env.stats["update_ms"] > 0


def test_estimate_follows_a_light_switched_on_within_half_a_second(tracker: MediaPipeTracker) -> None:
    frame = _video(1)[0]
    face = tracker.track(frame, Needs(), 0.0).primary
    assert face is not None
    bright = light_scale(frame, 2.5)
    target = _log_gain(estimate_still(bright, face))
    est = LightEstimator()
    held = []
    for i in range(30):                                  # a second of still light
        held.append(_log_gain(est.update(frame, face, None, i / 30)))
    assert np.abs(np.array(held[-15:]) - held[-1]).max() < 0.005
    after = []
    for i in range(30, 60):                              # the light goes on at t = 1 s
        after.append(_log_gain(est.update(bright, face, None, i / 30)))
    at_half = np.abs(after[15] - target).max()           # t = 1.5 s
    assert at_half < 0.1, f"still {at_half:.2f} (log) off half a second after the switch"
    assert np.abs(after[-1] - target).max() < 0.03
    assert (np.array(after)[:, 1] <= target[1] + 0.03).all()      # no overshoot


# ---- the radiance map ------------------------------------------------------------------------------

def test_the_store_in_front_is_lit_not_black(portraits: dict[str, Portrait]) -> None:
    for name, p in portraits.items():
        env = estimate_still(p.img, p.face)
        y = env.equirect @ LUMA
        front = equirect_dirs(*y.shape)[:, :, 2] < 0
        assert y[front].mean() > 0.3 * y[~front].mean(), name
        assert y[front].min() > 0.01 * y.mean(), name
        assert env.equirect.shape == (32, 64, 3) and env.sh.shape == (9, 3)


def _room(h: int = 720, w: int = 1280) -> Frame:
    """A shop seen by the kiosk: a lit ceiling with two lamps, grey walls, a dark floor."""
    img = np.full((h, w, 3), 110, np.uint8)
    img[: h // 4] = 200
    img[h * 3 // 4:] = 45
    for cx in (w // 4, w * 3 // 4):
        cv2.circle(img, (cx, h // 12), h // 30, (255, 255, 255), -1)
    return img


def test_a_ceiling_lit_room_lights_upward_normals_and_keeps_its_lamps() -> None:
    env = estimate_still(_room(), None)
    up, down = sh_eval(env.sh, np.array([[0, -1, 0], [0, 1, 0]], np.float32)) @ LUMA
    assert up > 1.5 * down
    y = env.equirect @ LUMA
    front = equirect_dirs(*y.shape)[:, :, 2] < 0
    # The lamps are small bright sources in the unseen half too, not smeared into the ceiling.
    assert y[front].max() > 10 * np.median(y[front])


def test_clothes_colour_is_below_and_a_blue_light_is_blue() -> None:
    img = np.full((720, 1280, 3), 120, np.uint8)
    box = (540.0, 150.0, 740.0, 400.0)
    img[150:400, 540:740] = (130, 150, 205)              # a face-sized patch of skin
    img[460:600, 400:880] = (40, 40, 200)                # a red top (BGR), grey below the frame's middle
    env = estimate_still(img, box)
    bottom = env.equirect[-3:].reshape(-1, 3).mean(axis=0)
    assert bottom[0] > 1.6 * bottom[1] and bottom[0] > 1.6 * bottom[2]
    # The person mask says where the clothes are: a mask elsewhere leaves the bottom grey-ish.
    elsewhere = np.zeros(img.shape[:2], np.float32)
    elsewhere[600:, :] = 1.0
    grey = estimate_still(img, box, elsewhere).equirect[-3:].reshape(-1, 3).mean(axis=0)
    assert grey[0] < 1.3 * grey[1]
    blue = estimate_still(tint(img, BLUE), box)
    assert blue.stats["cct_k"] > env.stats["cct_k"] + 1000
    assert blue.stats["gain_b"] / blue.stats["gain_r"] > 1.2 * env.stats["gain_b"] / env.stats["gain_r"]


# ---- the grade itself -------------------------------------------------------------------------------

def test_studio_light_leaves_a_sprite_as_it_was_and_grading_keeps_it_premultiplied() -> None:
    studio = sprite_grade(Environment.studio())
    assert studio.is_identity
    sprite = np.random.default_rng(1).random((20, 30, 4)).astype(np.float32)
    sprite[:, :, :3] *= sprite[:, :, 3:4]
    assert np.array_equal(grade_layer(sprite.copy(), studio), sprite)
    bright = grade_layer(sprite.copy(), SpriteGrade((4.0, 1.0, 0.25)))
    assert (bright[:, :, :3] <= bright[:, :, 3:4] + 1e-6).all()
    assert np.allclose(bright[:, :, 1], sprite[:, :, 1]) and (bright[:, :, 0] < sprite[:, :, 0]).all()
    with pytest.raises(ValueError, match="contiguous float32 BGRA"):
        grade_layer(np.zeros((4, 4, 4), np.float64), SpriteGrade((0.5, 0.5, 0.5)))
    with pytest.raises(ValueError, match="BGR uint8 frame"):
        estimate_still(np.zeros((20, 20), np.uint8), None)
    assert grade_bgr(compose.CHAIN_BGR, SpriteGrade((0.218, 0.218, 0.218))) == tuple(
        round(c * 0.5) for c in compose.CHAIN_BGR)


# ---- the lamp that lights the face -------------------------------------------------------------

def _half_dark(img: Frame, face: FaceTrack, side: str) -> Frame:
    """The face lit from one side: the other half (left or right of the nose) at 40 %."""
    out = img.copy()
    x = int(face.pt(1)[0])
    part = out[:, :x] if side == "left" else out[:, x:]
    part[:] = (part.astype(np.float32) * 0.4).astype(np.uint8)
    return out


def _front_above(env: Environment) -> tuple[float, float]:
    """The mean luminance in front of the customer and above, on the image's left and right."""
    y = env.equirect @ LUMA
    d = equirect_dirs(*y.shape)
    above = (d[:, :, 2] < 0) & (d[:, :, 1] < -0.3)
    return float(y[above & (d[:, :, 0] < 0)].mean()), float(y[above & (d[:, :, 0] > 0)].mean())


def test_the_lamp_in_front_is_on_the_side_that_lights_the_face(portraits: dict[str, Portrait]) -> None:
    for name, p in portraits.items():
        even = estimate_still(p.img, p.face).stats["key_azimuth_deg"]
        from_right = estimate_still(_half_dark(p.img, p.face, "left"), p.face)
        from_left = estimate_still(_half_dark(p.img, p.face, "right"), p.face)
        assert from_right.stats["key_azimuth_deg"] > even + 10, name
        assert from_left.stats["key_azimuth_deg"] < even - 10, name
        # Cheeks lit alike on a head turned to the image's right: the cheek turned away would be
        # the darker under a lamp straight in front, so the lamp is to the right.
        cheeks = (p.face.pt(keylight.LEFT_CHEEK), p.face.pt(keylight.RIGHT_CHEEK))
        flat = np.full_like(p.img, 128)
        assert keylight.azimuth_deg(flat, cheeks, 6, SRGB_TO_LINEAR, 20.0) == pytest.approx(20.0), name
        # It is in the map, where a piece facing the camera mirrors it: above, on that side.
        left, right = _front_above(from_right)
        assert right > 1.2 * left, (name, left, right)
        left, right = _front_above(from_left)
        assert left > 1.2 * right, (name, left, right)


def test_a_backdrop_and_an_outfit_do_not_colour_what_the_camera_cannot_see(
        portraits: dict[str, Portrait]) -> None:
    """A blue backdrop behind a customer in an orange suit, lit by white light: the store in
    front and the ceiling are guessed from the frame, so they take its brightness but the
    light's colour, neither the backdrop's blue nor (scaled to make up for the suit below) its
    complement, cyan, which made a gold jhumka teal."""
    p = portraits["portrait_shoulders.jpg"]
    img = p.img.copy()
    x0, y0, x1, y1 = (int(v) for v in p.face.box)
    img[y1 + (y1 - y0) // 3:] = (40, 110, 235)          # BGR: an orange suit below the chin
    backdrop = np.zeros(img.shape[:2], bool)
    backdrop[: max(0, y0 - 20)] = True
    backdrop[:, : max(0, x0 - 60)] = True
    backdrop[:, x1 + 60:] = True
    img[backdrop] = (150, 80, 30)                       # studio blue
    env = estimate_still(img, p.face)
    d = equirect_dirs(*env.equirect.shape[:2])
    for name, where in (("in front", (d[:, :, 2] < -0.3) & (np.abs(d[:, :, 1]) < 0.3)),
                        ("above", d[:, :, 1] < -0.6)):
        seen = env.equirect[where].mean(axis=0)
        off = np.log(seen / (env.light * float(seen @ LUMA)))
        assert np.abs(off).max() < 0.15, (name, off)


def test_the_lamp_gives_less_of_the_light_in_a_bright_room_than_before_a_dark_backdrop(
        portraits: dict[str, Portrait]) -> None:
    p = portraits["obama_portrait.jpg"]
    x0, y0, x1, y1 = (int(v) for v in p.face.box)
    room = np.ones(p.img.shape[:2], bool)
    room[max(0, y0 - 10):y1 + 10, max(0, x0 - 10):x1 + 10] = False
    shares = {}
    for name, code in (("dark", 25), ("bright", 200)):
        img = p.img.copy()
        img[room] = code
        shares[name] = estimate_still(img, p.face).stats["key_share"]
    assert shares["dark"] >= 0.6 and shares["bright"] <= 0.3, shares


def test_the_lamp_is_added_where_it_is_and_gives_its_share() -> None:
    """keylight.add on its own: the lobe in front, above, on the azimuth's side, and its share of
    the light on a surface facing the camera as asked."""
    env = Environment.studio()
    colour = np.array([1.1, 1.0, 0.8], np.float32)
    colour /= float(colour @ LUMA)                      # a light's colour has luminance 1
    for azimuth, share in ((30.0, 0.6), (-30.0, 0.25)):
        equirect, sh = keylight.add(env.equirect, env.sh, azimuth, colour, share)
        added = (equirect - env.equirect) @ LUMA
        d = equirect_dirs(*added.shape)[np.unravel_index(int(np.argmax(added)), added.shape)]
        assert d[2] < 0 and d[1] < 0 and np.sign(d[0]) == np.sign(azimuth), (azimuth, d)
        facing = sh_eval(sh, np.array([[0, 0, -1]], np.float32))[0] @ LUMA
        before = sh_eval(env.sh, np.array([[0, 0, -1]], np.float32))[0] @ LUMA
        assert (facing - before) / facing == pytest.approx(share, abs=1e-3)
        # In the light's colour.
        lamp = (equirect - env.equirect)[np.unravel_index(int(np.argmax(added)), added.shape)]
        assert lamp / lamp[1] == pytest.approx(colour / colour[1], rel=1e-3)
