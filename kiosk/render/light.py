"""The light around the customer, estimated from the live frame, and the same light for sprites.

`LightEstimator.update` turns the camera frame into an `Environment` (kiosk/render/environment.py)
a few times a second, from a downsampled copy (about a millisecond on these 2 cores):

- Radiance map. The camera sees only what is behind the customer, and little of that (a 60 deg
  cone). The frame around the customer, linearised, is stretched over the whole +z hemisphere
  as a fisheye (its centre straight behind, its edges at the horizon), sharp in the middle and
  blurred towards the rim. The -z hemisphere (the store in front of the customer, which the
  jewelry mostly reflects and the camera cannot see) is the same picture mirrored through the
  z = 0 plane and heavily blurred: the same room continues in front, with the ceiling lights
  still above and the walls still at the sides, and the two halves meet without a seam at the
  horizon. Where the map is guessed (in front, and towards the rim behind) it keeps the guess's
  brightness but mostly takes the colour of the light on the face (below): what is behind the
  customer is often a backdrop or a wall of one colour, and stretched and mirrored it made every
  gold piece reflect it (teal before a blue studio backdrop) where a real piece reflects the lit
  store. The lamp that lights the face is added in front (kiosk/render/keylight.py). Mirroring
  or stretching the camera image into an environment map is the usual stand-in in web AR;
  ARKit and ARCore likewise complete the part no camera saw from the part it did (with learned
  models we do not have here). The brightest texels are not blurred but mirrored sharp, so the
  lights stay small highlight sources, and camera-clipped pixels are boosted, since a clipped
  lamp is far brighter than white. Directions downwards fade to the customer's own clothes
  colour, which is what a necklace or a jhumka sees below it.
- Level and colour. The map's own brightness says little about the light on the customer (the
  lights in front are unseen), the face says the most: the skin's linear luminance and
  chromaticity against a typical well-lit skin under neutral light, blended geometrically with
  the scene's mean (grey world) so a dark or ruddy skin is not read as a dark or red light.
  Both cues scale with the light, so the estimate follows a change of light exactly. The map is
  scaled so that a surface facing the camera gets the studio's brightness, and keeps the colours
  the camera recorded; `light` is the light's colour and `exposure` its level (1.0 = as bright
  as the reference studio light, where pieces keep their catalogue look).
- Time. Updates are smoothed in log space: slowly while the estimate only jitters (no flicker
  when the customer holds still), fast once it moves away by more than ~10 % (a light switched
  on is followed within ~0.3 s), until it has caught up.

Photo pieces (sprites) get the same light: `sprite_grade(env)` is the estimated light (its level
and colour, `exposure` x `light`) relative to the studio's, and `grade_layer` applies it to a
premultiplied sprite or to the layer `compose.draw` warps it into; the renderer grades a 3D
piece by the same after lighting it with the map divided by `light` (kiosk/tryon/scene3d.py).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array, Image, Mask
from kiosk.render import keylight
from kiosk.render.environment import FACE_NORMAL, LUMA, Environment, equirect_dirs, project_sh, sh_eval

Box = tuple[float, float, float, float]

SRGB_TO_LINEAR = np.array([c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                           for c in np.arange(256) / 255.0], np.float32)



# A typical skin under neutral light in a well-exposed photo, linear RGB (sRGB ~ (209, 148, 127)):
# the median of the 25 public-domain portraits in tests/fixtures with a face (Y 0.36 of 0.17-0.63,
# R/G 2.14 of 1.5-2.8, B/G 0.72 of 0.53-0.92: photo exposure and people both vary).
REF_SKIN_RGB = np.array([0.635, 0.297, 0.214], np.float32)
REF_SCENE_Y = 0.18                   # a scene that averages middle grey
SKIN_WEIGHT = 0.7                    # of the level: the face is lit by what lights the pieces
SKIN_WEIGHT_COLOUR = 0.6             # of the colour: skins vary in hue more than in level
EXPOSURE_RANGE = (1 / 32, 4.0)
GAIN_RANGE = (0.5, 2.0)              # white balance per channel vs luminance
CLIPPED = 240                        # sRGB code at which the camera has clipped a light
CLIPPED_BOOST = 3.0
CLIPPED_SHARE = 0.04                 # at most this share of the view counts as light sources
DISPLAY_GAMMA = 2.2                  # sRGB is close to a 2.2 power above its toe (see below)

# What the camera did not see (the store in front of the customer, the ceiling above, guessed
# from the frame stretched and mirrored) keeps the guess's brightness but takes the colour of
# the light on the face: a blue studio backdrop or a green wall, stretched over the ceiling and
# mirrored to the front, made every gold piece teal where a real piece reflects the lit room.
# By how far a texel is guessed (the blur's weight).
UNSEEN_NEUTRAL = 0.85
# The lamp that lights the face (keylight.py) gives what the room seen around the customer
# does not: the darker the frame against the skin, the larger its share of the light on a
# surface facing the camera, 1 - KEY_ROOM * scene / skin (luminances), within KEY_SHARE_RANGE.
# Set against a real gold ring worn in a photo (tests/fixtures/photos/hand_on_helmet.jpg, the
# astronaut's wedding band, a dark studio: share 0.6): a 22k band drawn on the same hand reads
# L* 49.5 (90th percentile 80.8), C* 22.2 against the real ring's 49.6 (78.4), 22.1. Polished
# gold mirrors the room and a few bright lamps, so before a dark backdrop most of it is darker
# than the skin beside it; in a bright room (the sample video: share 0.2) it is brighter.
KEY_ROOM = 1.58
KEY_SHARE_RANGE = (0.2, 0.7)
KEY_SHARE_NO_SKIN = 0.4

SRC_SIZE = (64, 40)                  # the frame around the customer, downsampled (w, h)
PERIOD_S = 0.1                       # re-estimate 10 times a second (every 3rd frame at 30 fps)
TAU_SLOW_S, TAU_FAST_S = 0.7, 0.1
FAST_ENTER, FAST_EXIT = 0.10, 0.02   # log-change that switches to / back from the fast filter


@lru_cache(maxsize=4)
def _studio_irradiance() -> float:
    """Luminance of the studio light on a surface facing the camera: exposure 1.0's meaning."""
    return float(sh_eval(Environment.studio().sh, FACE_NORMAL)[0] @ LUMA)


@lru_cache(maxsize=4)
def _tables(height: int, sw: int, sh: int) -> tuple[Array, Array, Array, Array]:
    """Where each equirect texel looks in the downsampled frame (x, y), how blurred it is (0..1:
    how far it is guessed rather than seen) and how much of the clothes colour it gets."""
    d = equirect_dirs(height, height * 2)
    x, y, z = d[..., 0], d[..., 1], np.abs(d[..., 2])      # -z looks up its mirror image in +z
    r = np.arccos(np.clip(z, -1.0, 1.0)) / (math.pi / 2)   # 0 straight behind .. 1 at the horizon
    rho = np.maximum(np.hypot(x, y), 1e-6)
    mx = (sw / 2) + r * (x / rho) * (sw / 2) - 0.5
    my = (sh / 2) + r * (y / rho) * (sh / 2) - 0.5
    t = np.clip((r - 0.4) / 0.6, 0, 1)
    blur = np.where(d[..., 2] < 0, 1.0, t * t * (3 - 2 * t))
    down = np.clip((y - 0.35) / 0.55, 0, 1) * 0.8
    return (mx.astype(np.float32), my.astype(np.float32), blur[..., None].astype(np.float32),
            down[..., None].astype(np.float32))


class FaceLike(Protocol):
    """What the estimate reads of a tracked face (kiosk.track.base.FaceTrack): where it is, its
    landmarks (the skin patches, the cheeks) and its turn (positive: the nose towards the
    image's right). A protocol, so the renderer's package needs no tracker."""

    @property
    def box(self) -> Box: ...

    @property
    def yaw_deg(self) -> float: ...

    def pt(self, i: int) -> npt.NDArray[np.float32]: ...


Subject = FaceLike | Box


def _box(face: Subject) -> Box:
    return face if isinstance(face, tuple) else face.box


def _crop(frame: Image, box: Box | None) -> Image:
    """The frame around the customer: about six face widths across, more room below (the body)."""
    if box is None:
        return frame
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = box
    fw, fh = max(x1 - x0, 8.0), max(y1 - y0, 8.0)
    cx = (x0 + x1) / 2
    a, b = max(0, int(cx - 3 * fw)), min(w, int(cx + 3 * fw))
    c, d = max(0, int(y0 - 1.5 * fh)), min(h, int(y1 + 2.5 * fh))
    return frame[c:d, a:b] if b - a >= 16 and d - c >= 16 else frame


# Skin patches: forehead, both cheeks (the lamp's side is read from those two), between the
# brows (MediaPipe face mesh indices).
SKIN_POINTS = (151, keylight.LEFT_CHEEK, keylight.RIGHT_CHEEK, 9)
BOX_SKIN = ((0.5, 0.22), (0.3, 0.6), (0.7, 0.6))      # the same, from a face box alone


def _patch_radius(box: Box) -> int:
    """Half a skin patch's side: a twentieth of the face's width."""
    return max(2, int(0.05 * (box[2] - box[0])))


def _skin(frame: Image, face: Subject, box: Box) -> Array | None:
    """Median linear RGB of the skin patches, or None if they are off the frame."""
    x0, y0, x1, y1 = box
    r = _patch_radius(box)
    if not isinstance(face, tuple):
        centres = [face.pt(i) for i in SKIN_POINTS]
    else:
        centres = [np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)]) for u, v in BOX_SKIN]
    h, w = frame.shape[:2]
    step = max(1, r // 6)                        # ~150 samples a patch whatever the face size
    px = [frame[max(0, int(cy) - r):min(h, int(cy) + r):step,
                max(0, int(cx) - r):min(w, int(cx) + r):step].reshape(-1, 3) for cx, cy in centres]
    all_px = np.concatenate(px)
    if len(all_px) < 8:
        return None
    # The median commutes with the (monotonic) sRGB curve: take it in codes, then linearise.
    med = np.median(all_px, axis=0).astype(np.int64)
    return np.asarray(SRGB_TO_LINEAR[med[::-1]], np.float32)           # BGR -> RGB


def _clothes(frame: Image, box: Box, mask: Mask | None) -> Array | None:
    """Mean linear RGB below the chin (on the person mask when there is one)."""
    x0, y0, x1, y1 = box
    fw, fh = x1 - x0, y1 - y0
    h, w = frame.shape[:2]
    a, b = max(0, int(x0 - 0.3 * fw)), min(w, int(x1 + 0.3 * fw))
    c, d = max(0, int(y1 + 0.35 * fh)), min(h, int(y1 + 1.3 * fh))
    if b - a < 4 or d - c < 4:
        return None
    step = max(1, int(min(b - a, d - c) / 16))
    px = np.ascontiguousarray(frame[c:d:step, a:b:step])
    on = None
    if mask is not None and mask.shape[:2] == (h, w):
        on = (mask[c:d:step, a:b:step] > 0.5).astype(np.uint8)
        on = on if int(on.sum()) >= 16 else None
    # A mean, in linear light: a print's colours mix in what a piece reflects.
    lin = cv2.LUT(px, SRGB_TO_LINEAR.reshape(256, 1))
    return np.array(cv2.mean(lin, on)[2::-1], np.float32)


def linear_to_srgb(x: Array) -> Array:
    """Linear light 0..1 -> sRGB-encoded 0..1 (the exact curve, with its linear toe)."""
    x = np.clip(np.asarray(x, np.float32), 0.0, 1.0)
    return np.asarray(np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055), np.float32)


def _cct(rgb: Array) -> float:
    """Correlated colour temperature (K) of a linear-sRGB light colour, by McCamy's formula."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    X, Y, Z = m @ np.maximum(np.asarray(rgb, np.float64), 1e-6)
    x, y = X / (X + Y + Z), Y / (X + Y + Z)
    n = (x - 0.3320) / (0.1858 - y)
    return float(np.clip(449 * n ** 3 + 3525 * n ** 2 + 6823.3 * n + 5520.33, 1000, 25000))


@dataclass
class _Estimate:
    equirect: Array            # normalised so the camera-facing irradiance is the studio's level
    sh: Array
    exposure: float
    wb: Array                  # light colour, luminance 1
    stats: dict[str, float]


def _measure(frame: Image, face: Subject | None, mask: Mask | None, height: int) -> _Estimate:
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) < 8:
        raise ValueError(f"the light estimate needs a BGR uint8 frame, not {frame.dtype} {frame.shape}")
    box = _box(face) if face is not None else None
    crop = _crop(frame, box)
    sw, sh_ = SRC_SIZE
    # Bilinear to 3x the target (cheap, reads ~4 px per output) in sRGB codes, then area-average
    # in linear light: the only sRGB-domain averaging is over ~2x2 source pixels.
    mid = cv2.resize(crop, (sw * 3, sh_ * 3), interpolation=cv2.INTER_LINEAR)
    lin_mid = cv2.LUT(mid, SRGB_TO_LINEAR.reshape(256, 1))
    small = np.asarray(cv2.cvtColor(cv2.resize(lin_mid, (sw, sh_), interpolation=cv2.INTER_AREA),
                                    cv2.COLOR_BGR2RGB), np.float32)
    # Where even the luma is clipped the camera saw a light, not a white wall.
    gray = cv2.cvtColor(mid, cv2.COLOR_BGR2GRAY)
    if int(gray.max()) >= CLIPPED:
        clipped = cv2.resize((gray >= CLIPPED).astype(np.float32), (sw, sh_), interpolation=cv2.INTER_AREA)
        # Lamps are small: a large clipped area is more likely a white wall or a white outfit.
        share = float(clipped.mean())
        boost = (CLIPPED_BOOST - 1.0) * min(1.0, CLIPPED_SHARE / max(share, 1e-6))
        small *= (1.0 + boost * clipped)[:, :, None]
    src = small
    lum = src @ LUMA
    scene = np.array(cv2.mean(src)[:3], np.float32)
    scene_y = float(scene @ LUMA)
    # Highlight sources: texels well above the rest keep their shape in the mirror.
    k = int(lum.size * (1 - CLIPPED_SHARE))
    top = float(np.partition(lum.ravel(), k)[k])
    bar = max(3.0 * float(lum.mean()), 0.5 * float(lum.max()), top)
    hot = (lum > bar) & (lum > 0.25)
    highlights = src * hot[..., None].astype(np.float32)
    k = max(3, (sw // 4) | 1)
    soft = np.asarray(cv2.GaussianBlur(src - highlights, (k, k), sw / 8, borderType=cv2.BORDER_REFLECT),
                      np.float32) + highlights
    skin = _skin(frame, face, box) if face is not None and box is not None else None
    clothes = _clothes(frame, box, mask) if box is not None else None
    # Level: skin vs the reference skin and the scene vs middle grey, geometrically blended.
    scene_y = max(scene_y, 1e-5)
    grey = scene / max(float(scene @ LUMA), 1e-6)
    grey = np.maximum(grey, 1e-4)
    skin_y = float(skin @ LUMA) if skin is not None else 0.0
    if skin is not None and skin_y > 1e-4:
        ref_y = float(REF_SKIN_RGB @ LUMA)
        level = (skin_y / ref_y) ** SKIN_WEIGHT * (scene_y / REF_SCENE_Y) ** (1 - SKIN_WEIGHT)
        # A clipping channel hides the skin's hue (its level is still a lower bound): its say in
        # the colour fades out between codes 240 and 252, smoothly so the estimate does not jump.
        lo, hi = SRGB_TO_LINEAR[CLIPPED], SRGB_TO_LINEAR[252]
        w = SKIN_WEIGHT_COLOUR * float(np.clip((hi - float(skin.max())) / (hi - lo), 0.0, 1.0))
        cast = np.maximum((skin / REF_SKIN_RGB) * (ref_y / skin_y), 1e-4)
        colour = cast ** w * grey ** (1 - w)
    else:
        skin, skin_y = None, 0.0
        level, colour = scene_y / REF_SCENE_Y, grey
    colour = colour / float(colour @ LUMA)
    colour = np.clip(colour, *GAIN_RANGE).astype(np.float32)
    colour /= float(colour @ LUMA)
    exposure = float(np.clip(level, *EXPOSURE_RANGE))

    mx, my, blur, down = _tables(height, sw, sh_)
    both = cv2.remap(np.concatenate([src, soft], axis=2), mx, my, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    env = np.asarray(both[:, :, :3] + blur * (both[:, :, 3:] - both[:, :, :3]), np.float32)
    env += (UNSEEN_NEUTRAL * blur) * ((env @ LUMA)[:, :, None] * colour[None, None, :] - env)
    if clothes is not None:
        env += down * (clothes[None, None, :] - env)

    # Bands 0-2 need no detail: the SH of the half-size map is the same to ~0.1 % and cheaper.
    half = np.asarray(cv2.resize(env, (height, height // 2), interpolation=cv2.INTER_AREA), np.float32)
    sh = project_sh(half)
    # The lamp lighting the face (keylight.py), in the light's colour.
    share = (float(np.clip(1.0 - KEY_ROOM * scene_y / skin_y, *KEY_SHARE_RANGE)) if skin is not None
             else KEY_SHARE_NO_SKIN)
    azimuth = 0.0
    if face is not None and box is not None and not isinstance(face, tuple):
        azimuth = keylight.azimuth_deg(frame, (face.pt(keylight.LEFT_CHEEK), face.pt(keylight.RIGHT_CHEEK)),
                                       _patch_radius(box), SRGB_TO_LINEAR, face.yaw_deg)
    env, sh = keylight.add(env, sh, azimuth, colour, share)
    # Only the level is set here (a surface facing the camera at the studio's brightness): the
    # map keeps the colours the camera recorded, the clothes' included. Scaled per channel to
    # make that surface the light's colour, a bright outfit below (reflected by the front of a
    # piece) pushed every other direction towards its complement: an orange suit turned the
    # lit room and the ceiling cyan and a gold jhumka teal.
    facing = max(float(sh_eval(sh, FACE_NORMAL)[0] @ LUMA), 1e-6)
    scale = np.float32(_studio_irradiance() / facing)
    stats = {"mean_luminance": round(scene_y, 5), "skin_luminance": round(skin_y, 5),
             "skin_found": float(skin is not None), "key_azimuth_deg": round(azimuth, 1),
             "key_share": round(share, 3)}
    return _Estimate(env * scale, sh * scale, exposure, colour, stats)


def _environment(e: _Estimate, version: int, ms: float) -> Environment:
    gain = e.exposure * e.wb
    stats = dict(e.stats)
    stats.update(exposure=round(e.exposure, 4), gain_r=round(float(gain[0]), 4),
                 gain_g=round(float(gain[1]), 4), gain_b=round(float(gain[2]), 4),
                 cct_k=round(_cct(e.wb)), update_ms=round(ms, 3))
    return Environment(e.equirect.copy(), e.sh.copy(), e.exposure, version, stats, light=e.wb.copy())


def estimate_still(frame: Image, face: Subject | None, person_mask: Mask | None = None,
                   height: int = 32) -> Environment:
    """One unsmoothed estimate, for a photo."""
    t0 = time.perf_counter()
    e = _measure(frame, face, person_mask, height)
    return _environment(e, 1, (time.perf_counter() - t0) * 1000)


class LightEstimator:
    """Call `update` on every frame; it re-estimates every `period_s` and returns the current
    (smoothed) environment, whose `version` changes only when it was re-estimated."""

    def __init__(self, period_s: float = PERIOD_S, height: int = 32):
        self.period_s = period_s
        self.height = height
        self.env = Environment.studio(height)
        self._state: _Estimate | None = None
        self._last_t: float | None = None
        self._fast = False
        self.update_ms: deque[float] = deque(maxlen=300)    # recent update costs, for bench

    def update(self, frame: Image, face: Subject | None, person_mask: Mask | None = None,
               t: float | None = None) -> Environment:
        t = time.monotonic() if t is None else t
        if self._last_t is not None and 0.0 <= t - self._last_t < self.period_s * 0.999:
            return self.env                      # (a clock that went back starts afresh)
        t0 = time.perf_counter()
        new = _measure(frame, face, person_mask, self.height)
        dt = t - self._last_t if self._last_t is not None and t >= self._last_t else self.period_s
        self._last_t = t
        self._state = new if self._state is None else self._smooth(self._state, new, dt)
        ms = (time.perf_counter() - t0) * 1000
        self.update_ms.append(ms)
        self.env = _environment(self._state, self.env.version + 1, ms)
        return self.env

    def _smooth(self, old: _Estimate, new: _Estimate, dt: float) -> _Estimate:
        lo, ln = np.log(old.exposure * old.wb), np.log(new.exposure * new.wb)
        change = float(np.abs(ln - lo).max())
        # Hysteresis: jitter stays on the slow filter; a real change switches to the fast one
        # until the estimate has caught up, so it settles quickly and then holds still.
        if change > FAST_ENTER:
            self._fast = True
        elif change < FAST_EXIT:
            self._fast = False
        a = 1.0 - math.exp(-dt / (TAU_FAST_S if self._fast else TAU_SLOW_S))
        gain = np.exp(lo + a * (ln - lo)).astype(np.float32)
        exposure = float(gain @ LUMA)
        return _Estimate(old.equirect + a * (new.equirect - old.equirect), old.sh + a * (new.sh - old.sh),
                         exposure, gain / exposure, new.stats)


# ---- the same light for photo pieces -------------------------------------------------------------

@dataclass(frozen=True)
class SpriteGrade:
    """The scene light on a photo piece relative to the studio light it was shot (or drawn) in.

    `gain_rgb` multiplies linear light. `display_bgr` is the same as a factor on display-encoded
    (sRGB) values in OpenCV's channel order: a 2.2 power law turns a linear gain g into a gain
    g^(1/2.2) on the encoded value, which is also a gain on premultiplied colour (a * v), so a
    sprite is graded with one multiply, no unpremultiplying. sRGB departs from the power law
    only in its toe (codes below ~10), invisible on a piece.
    """

    gain_rgb: tuple[float, float, float]

    @property
    def display_bgr(self) -> tuple[float, float, float]:
        r, g, b = (max(c, 1e-6) ** (1.0 / DISPLAY_GAMMA) for c in self.gain_rgb)
        return b, g, r

    @property
    def is_identity(self) -> bool:
        return all(abs(c - 1.0) < 1e-3 for c in self.gain_rgb)


def sprite_grade(env: Environment) -> SpriteGrade:
    """The estimated light (exposure x its colour, `env.light`) relative to the studio's: what
    reaches a sprite, which faces the camera."""
    facing = env.exposure * np.asarray(env.light, np.float32)
    r, g, b = (float(np.clip(c, EXPOSURE_RANGE[0] * GAIN_RANGE[0], EXPOSURE_RANGE[1] * GAIN_RANGE[1]))
               for c in facing)
    return SpriteGrade((r, g, b))


def grade_layer(layer: Array, grade: SpriteGrade) -> Array:
    """Grade a premultiplied float BGRA sprite or warped layer (compose.draw's) in place.

    Colour stays at or below alpha, so a brightened piece saturates instead of glowing. OpenCV's
    per-channel scalar ops on the whole 4-channel array: numpy on the strided colour view is ~5x
    slower (0.05 + 0.05 ms for a 100 x 200 px earring layer here).
    """
    if grade.is_identity:
        return layer
    if not (layer.flags.c_contiguous and layer.dtype == np.float32 and layer.shape[2:] == (4,)):
        raise ValueError(f"grade_layer needs a contiguous float32 BGRA layer, not {layer.dtype} "
                         f"{layer.shape}")
    m = grade.display_bgr
    # A per-channel scalar, which OpenCV takes though its stubs only list arrays.
    cv2.multiply(layer, (m[0], m[1], m[2], 1.0), dst=layer)  # type: ignore[call-overload]
    if max(m) > 1.0:
        a = np.ascontiguousarray(layer[:, :, 3])
        cv2.min(layer, cv2.merge([a, a, a, a]), dst=layer)
    return layer


def grade_bgr(colour: tuple[int, int, int], grade: SpriteGrade) -> tuple[int, int, int]:
    """A drawn colour (compose's chain) under the same light."""
    b, g, r = (int(round(min(255.0, c * m))) for c, m in zip(colour, grade.display_bgr, strict=True))
    return b, g, r
