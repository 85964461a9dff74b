"""The try-on engine: track → place → draw, plus hints for the seller and capture to JPEG."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.capture.base import Image, Mask
from kiosk.catalog.pieces import Catalog, Piece
from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.light import LightEstimator, SpriteGrade, estimate_still, sprite_grade
from kiosk.render.renderer import Layer
from kiosk.track.base import FaceTrack, Needs, Tracker, Tracking
from kiosk.track.hands import HandTrack
from kiosk.tryon.ahead import TrackAhead, reuse
from kiosk.tryon.attire import Attire, clothing_mask, recolor
from kiosk.tryon.card import Card, CardWatch, find_card
from kiosk.tryon.compose import composite_layer, draw
from kiosk.tryon.handcover import HandCover, drop_islands
from kiosk.tryon.hands3d import HAND_CATEGORIES, HandPlacement, fit_hands, hand_occluders, place_hand_pieces
from kiosk.tryon.placement import Placement, PlacementState, place
from kiosk.tryon.scene3d import Drawing, Drawn, PosedPiece, Scene3D

HINT_NO_FACE = "No face in view: ask the customer to stand in front of the camera"
HINT_TOO_FAR = "Too far: ask the customer to come a step closer"
HINT_TOO_CLOSE = "Too close: ask the customer to step back a little"
HINT_TOO_DARK = "Too dark: more light on the customer's face"
HINT_NO_SHOULDERS = "Shoulders not visible: step back so the necklace sits right"
HINT_NO_HAND = "Show your hand: hold it up beside your face, the back of the hand to the mirror"


@dataclass
class TryOnResult:
    placements: list[Placement] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    faces: int = 0
    px_per_mm: float | None = None
    scale_source: str | None = None
    ms: dict[str, float] = field(default_factory=dict)
    light: dict[str, float] = field(default_factory=dict)     # the scene light estimate's stats
    drawn: list[Drawn] = field(default_factory=list)           # how each 3D piece was drawn
    head: dict[str, object] | None = None                      # the head's pose, when 3D pieces ran
    hands: list[HandPlacement] = field(default_factory=list)   # rings and bangles, with sizes
    card: Card | None = None                                    # the size card, found anywhere


def needs_for(pieces: list[Piece], attire: Attire | None = None) -> Needs:
    # Outfits need only the person mask; the shoulders (pose) are for necklaces.
    dress = attire is not None and not attire.is_original
    hands = any(p.category in HAND_CATEGORIES for p in pieces)
    return Needs(pose=any(p.category == "necklace" for p in pieces), segmentation=dress, hands=hands,
                 hand_watch=not hands and any(p.category not in HAND_CATEGORIES for p in pieces))


def hints_for(frame: Image, tracking: Tracking, pieces: list[Piece]) -> list[str]:
    face = tracking.primary
    hand_pieces = any(p.category in HAND_CATEGORIES for p in pieces)
    no_hand = [HINT_NO_HAND] if hand_pieces and not tracking.hands else []
    if face is None:
        # Rings and bangles alone do not need the face (the hand gives its own scale).
        only_hands = hand_pieces and all(p.category in HAND_CATEGORIES for p in pieces)
        return no_hand if only_hands else [HINT_NO_FACE, *no_hand]
    hints = no_hand
    x0, y0, x1, y1 = face.box
    if (x1 - x0) < 0.12 * tracking.width:
        hints.append(HINT_TOO_FAR)
    elif (y1 - y0) > 0.8 * tracking.height:
        hints.append(HINT_TOO_CLOSE)
    h, w = frame.shape[:2]
    box = frame[max(0, int(y0)):min(h, int(y1)), max(0, int(x0)):min(w, int(x1))]
    if box.size and float(cv2.cvtColor(box, cv2.COLOR_BGR2GRAY).mean()) < 55:
        hints.append(HINT_TOO_DARK)
    shoulders = tracking.pose is not None and tracking.pose.visibility >= 0.5
    if any(p.category == "necklace" for p in pieces) and not shoulders:
        hints.append(HINT_NO_SHOULDERS)
    return hints


class TryOn:
    """Owns the tracker and the selection; ``process`` composites one frame in place."""

    def __init__(self, catalog: Catalog, tracker: Tracker, selected: list[str] | None = None,
                 attire: Attire | None = None, still: bool = False, hfov_deg: float = 60.0):
        self.catalog = catalog
        self.tracker = tracker
        self.state = PlacementState()
        self.pieces: list[Piece] = []
        self.attire = attire
        # Live: re-estimated ~10 times a second and smoothed; a still photo: once, as it is.
        self.still = still
        self.light = LightEstimator()
        self.env: Environment = self.light.env
        self.scene = Scene3D(hfov_deg)
        self.last_face: FaceTrack | None = None
        self.hand_camera: Camera | None = None      # the camera the hand pieces were posed through
        self._ahead = TrackAhead()
        # The next frame's pieces at this frame's poses, drawn on the renderer's thread between
        # frames (ahead.py), and the camera they were posed through.
        self._pending: tuple[Future[tuple[list[Drawing], float]], Camera] | None = None
        self._next: tuple[list[PosedPiece], Camera] | None = None
        self._cards = CardWatch()
        self.coin_mm: float | None = None           # a still's reference coin beside the hand
        self.last_mask: Mask | None = None          # the person mask the outfit was last drawn in
        self.last_hands: list[HandTrack] = []       # the hands last seen (in front of face pieces)
        self.last_width = 0                         # the last processed frame's width (px)
        self.select(selected or [])

    @property
    def has_3d(self) -> bool:
        return any(p.model is not None for p in self.pieces)

    @property
    def grade(self) -> SpriteGrade:
        return sprite_grade(self.env)

    def close(self) -> None:
        """Ends its threads: the tracker's for frames drawn ahead and the size card's watch (the
        tracker and scene are their owner's to close)."""
        self._ahead.close()
        self._cards.close()
        if self._pending is not None:
            self._pending[0].result()
            self._pending = None

    def select(self, ids: list[str]) -> None:
        self.pieces = self.catalog.expand(ids)

    def process(self, frame: Image, t: float | None = None) -> TryOnResult:
        t = time.monotonic() if t is None else t
        res = TryOnResult()
        needs = needs_for(self.pieces, self.attire)
        ahead: list[Drawing] = []
        was = self.scene.pose.camera if self.scene.pose is not None else None
        pending, self._pending = self._pending, None
        if not self.still and self.has_3d and self.scene.started and self.scene.last and was is not None:
            # The pieces drawn at the last frame's poses, between frames or while this one is
            # tracked (ahead.py).
            job = self._ahead.start(lambda: self.tracker.track(frame, needs, t))
            tr = time.perf_counter()
            if pending is not None and pending[1] is was:
                ahead, res.ms["render_ahead"] = pending[0].result()
            else:
                ahead = self.scene.render(self.scene.last, was, self.env, "live")
                res.ms["render_ahead"] = (time.perf_counter() - tr) * 1000
            res.ms["ahead_wait"] = (time.perf_counter() - tr) * 1000
            tracking, res.ms["track"] = job.result()
        else:
            t0 = time.perf_counter()
            tracking = self.tracker.track(frame, needs, t)
            res.ms["track"] = (time.perf_counter() - t0) * 1000
        ta = time.perf_counter()
        face = tracking.primary
        self.last_face = face
        self.last_mask = tracking.person_mask
        self.last_hands, self.last_width = tracking.hands, frame.shape[1]
        dress(frame, self.attire, tracking.person_mask, face)
        t1 = time.perf_counter()
        res.ms["attire"] = (t1 - ta) * 1000
        res.ms.update(tracking.ms)
        res.faces = len(tracking.faces)
        res.hints = hints_for(frame, tracking, self.pieces)
        if face is not None:
            tl = time.perf_counter()
            self.env = (estimate_still(frame, face, tracking.person_mask) if self.still
                        else self.light.update(frame, face, tracking.person_mask, t))
            res.ms["light"] = (time.perf_counter() - tl) * 1000
            res.light = dict(self.env.stats)
            res.px_per_mm, res.scale_source = face.px_per_mm, face.scale_source
            res.placements = place(self.pieces, face, tracking.pose, self.state, t)
            cover = HandCover(tracking.hands) if tracking.hands else None
            in_3d = self._draw_3d(frame, tracking, face, t, res, (ahead, was), cover)
            by_id = {p.id: p for p in self.pieces}
            grade = self.grade
            for pl in res.placements:
                if pl.piece_id in in_3d:
                    continue
                piece, turned = turned_sprite(by_id[pl.piece_id], pl, face.yaw_deg)
                draw(frame, piece, turned, face, grade, cover)
                if not pl.hidden:
                    res.drawn.append(Drawn(pl.piece_id, pl.side, "sprite", pl.anchor, pl.px_per_mm))
        else:
            self.scene.lost()
        if tracking.hands and any(p.category in HAND_CATEGORIES for p in self.pieces):
            self._draw_hands(frame, tracking, face, res, t)
        else:
            self.scene.last_hands = []
        res.ms["composite"] = (time.perf_counter() - t1) * 1000
        if self._next is not None:
            # Sent once this frame is done, so the drawing takes the time until the next frame
            # rather than this one's.
            posed, cam = self._next
            self._next = None
            self._pending = self.scene.render_later(posed, cam, self.env), cam
        return res

    def _draw_hands(self, frame: Image, tracking: Tracking, face: FaceTrack | None, res: TryOnResult,
                    t: float) -> None:
        th = time.perf_counter()
        h, w = frame.shape[:2]
        camera = self.hand_camera = Camera.from_hfov(w, h, self.scene.hfov_deg)
        # The size card: on a still's photo; live, the side thread's latest sighting.
        card = res.card = find_card(frame, camera) if self.still else self._cards.see(frame, camera, t)
        fits = fit_hands(frame, tracking.hands, face.px_per_mm if face is not None else None, camera,
                         self.coin_mm, card)
        live = not self.still
        three = self.scene.ready
        models = {p.id: self.scene.model(p, live) if p.model is not None and three else None
                  for p in self.pieces if p.category in HAND_CATEGORIES}
        res.hands = place_hand_pieces(self.pieces, fits, camera, models)
        in_3d: set[tuple[str, str]] = set()
        if three:
            posed = self.scene.place_hands(res.hands, hand_occluders(fits, res.hands), live,
                                           None if self.still else t)
            covers = hand_covers([fit.track for fit in fits])
            for p, layer, ms in self.scene.render(posed, camera, self.env, "still" if self.still else "live"):
                ppm = camera.fx / float(p.hook_cam[2])
                if layer is not None:
                    without_specks(p, layer, covers)
                    composite_layer(frame, layer.rgba, layer.x0, layer.y0, ppm)
                anchor = camera.project(p.hook_cam.reshape(1, 3).astype(np.float32))[0]
                res.drawn.append(Drawn(p.piece.id, p.side, "3d", (float(anchor[0]), float(anchor[1])), ppm,
                                       layer.rect if layer is not None else None, p.item.model.triangles, ms))
                in_3d.add((p.piece.id, p.side))
        for hp in res.hands:
            if (hp.piece.id, hp.side) in in_3d:
                continue
            pl = Placement(hp.piece.id, hp.piece.category, hp.side, hp.anchor_px, hp.width_px,
                           hp.piece.width_mm, hp.px_per_mm, hp.angle_deg)
            draw(frame, hp.piece, pl, None, self.grade)
            res.drawn.append(Drawn(hp.piece.id, hp.side, "sprite", hp.anchor_px, hp.px_per_mm))
        res.ms["hands_render"] = (time.perf_counter() - th) * 1000

    def _draw_3d(self, frame: Image, tracking: Tracking, face: FaceTrack, t: float,
                 res: TryOnResult, ahead: tuple[list[Drawing], Camera | None] = ([], None),
                 cover: HandCover | None = None) -> set[str]:
        """The pieces with a model, rendered and composited; returns their ids (the rest, and
        all of them when no OpenGL context can be made, are drawn as sprites)."""
        three = [p for p in self.pieces if p.model is not None]
        if not three or not self.scene.ready:
            return set()
        t0 = time.perf_counter()
        h, w = frame.shape[:2]
        when = None if self.still else t
        pose = self.scene.fit(face, w, h, when)
        if pose is None:
            return set()
        posed = self.scene.place(three, tracking, when, live=not self.still)
        t1 = time.perf_counter()
        res.ms["pose"] = (t1 - t0) * 1000
        res.head = pose.as_json()
        quality = "still" if self.still else "live"
        drawn, was = ahead
        if drawn and was is not None:
            kept, again = reuse(drawn, was, posed, pose.camera)
            for d in self.scene.render(again, pose.camera, self.env, quality) if again else []:
                kept[(d[0].piece.id, d[0].side)] = d
            drawings = [kept[(p.piece.id, p.side)] for p in posed]
            res.ms["redrawn"] = float(len(again))
        else:
            drawings = self.scene.render(posed, pose.camera, self.env, quality)
        for p, layer, ms in drawings:
            hook = pose.camera.project(p.hook_cam.reshape(1, 3).astype(np.float32))[0]
            ppm = pose.camera.fx / float(p.hook_cam[2])
            if layer is not None:
                composite_layer(frame, layer.rgba, layer.x0, layer.y0, ppm, cover)
            res.drawn.append(Drawn(p.piece.id, p.side, "3d", (float(hook[0]), float(hook[1])), ppm,
                                   layer.rect if layer is not None else None, p.item.model.triangles, ms))
        res.ms["render"] = (time.perf_counter() - t1) * 1000
        if not self.still:
            self._next = posed, pose.camera
        return {p.id for p in three}


def hand_covers(hands: list[HandTrack], scale: float = 1.0) -> dict[str, HandCover]:
    """Each hand's own cover, by the side its pieces are placed on."""
    return {f"hand-{hd.side}": HandCover([hd], scale) for hd in hands}


def without_specks(p: PosedPiece, layer: Layer, covers: dict[str, HandCover]) -> None:
    """A bangle's or bracelet's layer without the specks of its hidden part that its hand's
    occluder let through (handcover.drop_islands); any other piece's as it is."""
    if p.piece.category != "ring" and p.side in covers:
        x, y, w, h = layer.rect
        drop_islands(layer.rgba, covers[p.side].crop(x, y, x + w, y + h))


def dress(frame: Image, attire: Attire | None, person: Mask | None, face: FaceTrack | None) -> None:
    """The outfit recoloured in place over the person's clothes (nothing for the original)."""
    if attire is not None and not attire.is_original and face is not None and person is not None:
        recolor(frame, clothing_mask(frame, person, face), attire, face.px_per_mm)


def turned_sprite(piece: Piece, pl: Placement, yaw_deg: float) -> tuple[Piece, Placement]:
    """Without an OpenGL context a 3D piece is drawn as its sprite pre-rendered nearest the
    head's yaw (never a blank mirror); a photo piece as itself."""
    view = piece.yaw_sprite(yaw_deg)
    if view is None:
        return piece, pl
    w_mm = view.sprite().shape[1] / view.px_per_mm
    turned = dataclasses.replace(piece, id=f"{piece.id}@{view.yaw:g}", files={"single": view.path.name},
                                 anchor=view.anchor, width_mm=w_mm)
    return turned, dataclasses.replace(pl, width_px=w_mm * pl.px_per_mm, width_mm=w_mm, sprite_side="single")


def capture(frame: Image, engine: TryOn, placements: list[Placement],
            face: FaceTrack | None = None) -> tuple[bytes, float]:
    """The photo: this frame at full resolution with the current placements, as JPEG; the 3D
    pieces as they were posed on the last processed frame, rendered again at still quality
    (supersampled) through the same camera at this frame's size. Call it on the thread that
    processes frames: it reads the poses that thread keeps.

    Returns the JPEG and the generation time in ms (feeds image.generated).
    """
    t0 = time.perf_counter()
    out = frame.copy()
    # The outfit the mirror shows, in the person mask of the last processed frame (the photo's
    # frame is the camera's own, not the mirror's recoloured one).
    mask = engine.last_mask
    if face is not None and mask is not None:
        f = out.shape[1] / mask.shape[1]
        dress(out, engine.attire, mask, face if f == 1 else face.scaled(f))
    by_id = {p.id: p for p in engine.pieces}
    grade = engine.grade
    scene = engine.scene
    in_3d: set[str] = set()
    # A hand in front of the face pieces hides them in the photo as on the mirror.
    k = out.shape[1] / engine.last_width if engine.last_width else 1.0
    cover = HandCover(engine.last_hands, k) if engine.last_hands else None
    covers = hand_covers(engine.last_hands, k)
    layers: list[tuple[Camera, list[PosedPiece], HandCover | None]] = []
    if scene.ready:
        if scene.pose is not None and scene.last:
            layers.append((scene.pose.camera, scene.last, cover))
        if engine.hand_camera is not None and scene.last_hands:
            layers.append((engine.hand_camera, scene.last_hands, None))
    for cam, posed, hidden in layers:
        cam = cam.scaled(out.shape[1] / cam.width) if out.shape[1] != cam.width else cam
        for p, layer, _ms in scene.render(scene.full_detail(posed), cam, engine.env, "still"):
            if layer is not None:
                without_specks(p, layer, covers)
                composite_layer(out, layer.rgba, layer.x0, layer.y0, cam.fx / float(p.hook_cam[2]), hidden)
            in_3d.add(p.piece.id)
    for pl in placements:
        piece = by_id.get(pl.piece_id)
        if piece is not None and piece.id not in in_3d:
            shown, turned = turned_sprite(piece, pl, face.yaw_deg if face is not None else 0.0)
            draw(out, shown, turned, face, grade, cover)
    jpeg = encode_jpeg(out)
    return jpeg, (time.perf_counter() - t0) * 1000


def encode_jpeg(frame: Image, quality: int = 92) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)
