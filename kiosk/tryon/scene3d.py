"""The 3D pieces on the customer: posed by the head, swinging, occluded, lit by the store.

Per frame: the head's pose (kiosk/track/headpose.py) gives each piece's hook in camera space
and its frame: earrings, nose rings and tikkas ride rigidly on the head (their dangling parts
hang and swing as pendulums, kiosk/tryon/swing.py), a necklace on the neck base and the torso
(kiosk/track/neck.py), a nath's chain is aimed at the hair above the ear. A depth-only head,
skull and neck (kiosk/track/occluders.py) hide what is behind the customer: the far earring goes
behind the cheek as the head turns, the back of a chain behind the neck. Each piece is rendered
in its own small rectangle (kiosk/render/renderer.py) and composited with a contact shadow.

The renderer lives on a thread of its own (kiosk/render/thread.py): `render` waits for it,
`render_later` does not (a live frame's pieces drawn between frames). A Scene3D is posed from
one thread (the pipeline worker, or a still's caller). When no context can be made, `ready` is
False with the reason, and the engine draws each 3D piece as its sprites rendered from the
model (fallback, never a blank mirror).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Mat
from kiosk.catalog.pieces import Piece
from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.light import SpriteGrade, grade_layer, sprite_grade
from kiosk.render.model import Model, load_model
from kiosk.render.occluder import Occluder
from kiosk.render.renderer import DrawItem, Layer, Renderer
from kiosk.render.segments import swing_frames
from kiosk.render.thread import RenderThread
from kiosk.track.base import FaceTrack, Tracking
from kiosk.track.headpose import Anchor, HeadPose, HeadTracker, fit_head_pose
from kiosk.track.neck import neck_base
from kiosk.track.occluders import head_occluder
from kiosk.tryon.hands3d import HandPlacement
from kiosk.tryon.slide import SlideStack
from kiosk.tryon.swing import SwingJoint, Swings

log = logging.getLogger(__name__)

LIVE_AA = "fxaa"        # MSAA 4x costs ~3x per piece on llvmpipe for triangles about a pixel big
LIVE_MODEL = "model_live.glb"
EAR_SIDES = ("image-left", "image-right")
NATH_CHAIN_TARGET = 454         # face edge at the image-right ear (the customer's left)
NATH_CHAIN_RAISE_MM = 12.0      # into the hair above the ear
RENDER_EXPOSURE = 0.5           # studio level: the tone curve near linear, highlights with headroom


@dataclass
class Drawn:
    """How one piece was drawn, for `kiosk tryon --json` and the bench."""

    piece_id: str
    side: str
    how: str                                 # "3d" or "sprite"
    hook_px: tuple[float, float]
    px_per_mm: float
    rect: tuple[int, int, int, int] | None = None
    triangles: int = 0
    ms: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {"id": self.piece_id, "side": self.side, "drawn": self.how,
                "hook_px": [round(self.hook_px[0], 1), round(self.hook_px[1], 1)],
                "px_per_mm": round(self.px_per_mm, 3), "rect": list(self.rect) if self.rect else None,
                "triangles": self.triangles, "render_ms": round(self.ms, 2)}


@dataclass
class PosedPiece:
    piece: Piece
    side: str
    item: DrawItem
    hook_cam: Mat
    occluders: list[Occluder] | None = None     # None: the head's (a hand piece has its hand's)


Drawing = tuple[PosedPiece, Layer | None, float]     # a piece, its layer (None: out of view), ms


def _with_model(p: PosedPiece, model: Model) -> PosedPiece:
    return dataclasses.replace(p, item=dataclasses.replace(p.item, model=model))


def _mat4(rot: Mat, position: Mat, hook: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32]:
    """Model (mm) -> camera: the model's hook lands on `position`, turned by `rot`."""
    m = np.eye(4)
    m[:3, :3] = rot
    h = np.zeros(3) if hook is None else np.asarray(hook, np.float64)
    m[:3, 3] = np.asarray(position, np.float64) - rot @ h
    return np.asarray(m, np.float32)


def swing_joints(model: Model, skip: set[str] | None = None) -> list[SwingJoint]:
    """The model's swing nodes as pendulums: pivots in the piece's space at rest, lengths from
    each swinging segment's size."""
    rest = np.eye(4, dtype=np.float32)
    frames = swing_frames(model, rest)
    out = []
    for i, s in enumerate(model.swings):
        if (skip and s.name in skip) or s.slides:
            continue            # (a slide is moved by kiosk/tryon/slide.py, not swung)
        pivot, _rot = frames[s.name]
        if model.hook is not None:
            pivot = pivot - model.hook         # swing.py measures from the hook
        parts = [p for p in model.parts if p.segment == i]
        if parts:
            lo = np.min([p.lo for p in parts], axis=0)
            hi = np.max([p.hi for p in parts], axis=0)
            centre = (lo + hi) / 2
            node_pivot = np.linalg.inv(s.local.astype(np.float64)) @ np.append(s.pivot, 1.0)
            length = float(np.linalg.norm(centre - node_pivot[:3]))
        else:
            length = 10.0
        parent = model.swings[s.parent].name if s.parent >= 0 else None
        out.append(SwingJoint(s.name, tuple(float(x) for x in pivot), parent, s.damping,  # type: ignore[arg-type]
                              max(length, 2.0)))
    return out


def _to_joint_space(model: Model, name: str, rot_local: Mat) -> Mat:
    """swing.py turns a part in its enclosing frame's axes; the renderer wants the rotation in
    the swing node's parent space, which the generator may have rotated (offset)."""
    # Each swing's offset rotation, normalised once per model (this runs for every swing of
    # every piece, every frame).
    cache: dict[str, Mat] | None = getattr(model, "_offset_rotations", None)
    if cache is None:
        cache = {}
        for x in model.swings:
            o = x.offset[:3, :3].astype(np.float64)
            cache[x.name] = o / np.maximum(np.linalg.norm(o, axis=0, keepdims=True), 1e-12)
        model._offset_rotations = cache  # type: ignore[attr-defined]
    o = cache[name]
    return np.asarray(o.T @ rot_local @ o, np.float64)


@dataclass
class Scene3D:
    hfov_deg: float = 60.0
    aa: str = LIVE_AA
    head: HeadTracker = field(init=False)
    swings: Swings = field(default_factory=Swings)
    unavailable: str | None = None
    pose: HeadPose | None = None
    _models: dict[Path, Model] = field(default_factory=dict)
    _chains: dict[Path, tuple[str, npt.NDArray[np.float32]] | None] = field(default_factory=dict)
    _joints: dict[int, tuple[list[SwingJoint], dict[str, str]]] = field(default_factory=dict)
    _lit: tuple[int, Environment, SpriteGrade] | None = None
    last: list[PosedPiece] = field(default_factory=list)
    last_occluders: list[Occluder] = field(default_factory=list)
    last_hands: list[PosedPiece] = field(default_factory=list)
    _slides: dict[tuple[str, str], SlideStack] = field(default_factory=dict)
    _gl: RenderThread = field(init=False)

    def __post_init__(self) -> None:
        self.head = HeadTracker(self.hfov_deg)
        self._gl = RenderThread(self.aa)

    # ---- resources ----------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """A context was made, or tried and found impossible."""
        return self._gl.renderer is not None or self.unavailable is not None

    @property
    def ready(self) -> bool:
        return self.renderer() is not None

    def renderer(self) -> Renderer | None:
        if self._gl.renderer is None and self.unavailable is None:
            self.unavailable = self._gl.start()
            if self.unavailable is not None:
                log.warning("3D pieces drawn as pre-rendered sprites: %s", self.unavailable)
        return self._gl.renderer

    def model(self, piece: Piece, live: bool) -> Model:
        assert piece.model is not None
        path = piece.model.with_name(LIVE_MODEL) if live else piece.model
        if not path.is_file():
            path = piece.model
        m = self._models.get(path)
        if m is None:
            m = self._models[path] = load_model(path)
        return m

    def close(self) -> None:
        self._gl.close()

    # ---- posing -------------------------------------------------------------------------------

    def fit(self, face: FaceTrack, width: int, height: int, t: float | None) -> HeadPose | None:
        """The head's pose: smoothed frame to frame live, on its own for a still (t None)."""
        if t is None:
            self.pose = fit_head_pose(face, Camera.from_hfov(width, height, self.hfov_deg))
        else:
            self.pose = self.head.update(face, width, height, t)
        return self.pose

    def lost(self) -> None:
        self.head.reset()
        self.swings.reset()
        self.pose = None
        self.last = []
        self.last_occluders = []

    def _chain(self, model: Model) -> tuple[str, npt.NDArray[np.float32]] | None:
        """A nath's chain: its swing and its far end (model space, at rest)."""
        key = model.path or Path(str(id(model)))
        if key not in self._chains:
            end = next((i for i, n in enumerate(model.nodes) if n.name == "chain_end"), None)
            found = None
            if end is not None:
                world = np.eye(4, dtype=np.float32)
                i = end
                chain: list[int] = []
                while i >= 0:
                    chain.append(i)
                    i = model.nodes[i].parent
                for j in reversed(chain):
                    world = world @ model.nodes[j].local
                owner = next((s.name for s in model.swings if s.node in chain), None)
                if owner is not None:
                    found = (owner, np.asarray(world[:3, 3], np.float32))
            self._chains[key] = found
        return self._chains[key]

    def _swing_joints(self, model: Model, aimed_chain: bool) -> tuple[list[SwingJoint], dict[str, str]]:
        """The pendulums to simulate, and which one each swing node follows. Parts that hang
        from the same parent with the same length and damping (a jhumka's bead fringe, a
        choker's drops) swing as one: driven alike, they would swing alike, and each pendulum
        costs ~0.1 ms of Python per frame."""
        key = id(model) * 2 + aimed_chain
        got = self._joints.get(key)
        if got is None:
            chain = self._chain(model) if aimed_chain else None
            joints = swing_joints(model, {chain[0]} if chain else None)
            reps: dict[tuple[object, ...], SwingJoint] = {}
            follows: dict[str, str] = {}
            for j in joints:
                group = (j.parent and follows.get(j.parent, j.parent), round(j.length_mm / 2),
                         round(j.damping, 2), round(j.limit_deg))
                rep = reps.setdefault(group, j)
                follows[j.name] = rep.name
            simulated = [j for j in joints if follows[j.name] == j.name]
            # A nested joint hangs from its parent's representative.
            simulated = [SwingJoint(j.name, j.pivot_mm, follows.get(j.parent, j.parent) if j.parent else None,
                                    j.damping, j.length_mm, j.limit_deg) for j in simulated]
            got = self._joints[key] = (simulated, follows)
        return got

    def _aim_chain(self, model: Model, pose4: npt.NDArray[np.float32], target: Mat,
                   joints: dict[str, Mat]) -> None:
        chain = self._chain(model)
        if chain is None:
            return
        name, end = chain
        as32 = {k: np.asarray(v, np.float32) for k, v in joints.items()}
        pivot, rot = swing_frames(model, pose4, as32)[name]
        end_cam = pose4[:3, :3] @ end + pose4[:3, 3]
        a = rot.T @ (end_cam - pivot)
        b = rot.T @ (np.asarray(target, np.float32) - pivot)
        na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
        if na < 1e-6 or nb < 1e-6:
            return
        from kiosk.tryon.swing import _min_rotation

        joints[name] = _to_joint_space(model, name, _min_rotation(a / na, b / nb))

    def place(self, pieces: list[Piece], tracking: Tracking, t: float | None, live: bool) -> list[PosedPiece]:
        """Every 3D piece's draw item for this frame (after `fit`)."""
        pose = self.pose
        if pose is None:
            return []
        out: list[PosedPiece] = []
        swing_in: dict[str, tuple[list[SwingJoint], Anchor]] = {}
        follows: dict[str, dict[str, str]] = {}
        planned: list[tuple[Piece, str, Model, Anchor, Mat | None]] = []
        neck = None
        for piece in pieces:
            if piece.model is None:
                continue
            model = self.model(piece, live)
            chain_target = None
            if piece.category == "earring":
                anchors = [(side, pose.anchor(f"ear_lobe_{side.replace('-', '_')}")) for side in EAR_SIDES]
            elif piece.category == "nose_ring":
                anchors = [("centre", pose.anchor("nostril"))]
                lm = pose.landmarks[NATH_CHAIN_TARGET].astype(np.float64)
                chain_target = lm + pose.R @ np.array([0.0, NATH_CHAIN_RAISE_MM * pose.scale, 0.0])
            elif piece.category == "maang_tikka":
                anchors = [("centre", pose.anchor("hair_parting"))]
            elif piece.category == "necklace":
                neck = neck or neck_base(pose, tracking.pose)
                anchors = [("centre", neck.anchor)]
            else:
                continue
            for side, anchor in anchors:
                planned.append((piece, side, model, anchor, chain_target))
                simulated, follow = self._swing_joints(model, chain_target is not None)
                swing_in[f"{piece.id}/{side}"] = (simulated, anchor)
                follows[f"{piece.id}/{side}"] = follow
        if t is None:
            self.swings.reset()       # a still: every part simply hangs under gravity
        stepped = self.swings.step(swing_in, 0.0 if t is None else t)
        for piece, side, model, anchor, chain_target in planned:
            rot = np.asarray(anchor.rotation, np.float64)
            pose4 = _mat4(rot, np.asarray(anchor.position, np.float64), model.hook)
            local = stepped.get(f"{piece.id}/{side}", {})
            follow = follows.get(f"{piece.id}/{side}", {})
            joints = {name: _to_joint_space(model, name, local[rep]) for name, rep in follow.items()
                      if rep in local}
            if chain_target is not None:
                self._aim_chain(model, pose4, chain_target, joints)
            joints32 = {k: np.asarray(v, np.float32) for k, v in joints.items()}
            out.append(PosedPiece(piece, side, DrawItem(model, pose4, joints32),
                              np.asarray(anchor.position, np.float64)))
        self.last_occluders = [head_occluder(pose, neck)]
        self.last = out
        return out

    def place_hands(self, placed: list[HandPlacement], occluders: dict[str, Occluder],
                    live: bool, t: float | None = None) -> list[PosedPiece]:
        """The hand pieces' draw items (kiosk/tryon/hands3d.py placed them): a ring does not
        swing; the bangles of a stack slide along the arm (kiosk/tryon/slide.py), settled at
        once in a still (t None)."""
        out = []
        worn = set()
        for hp in placed:
            if hp.piece.model is None:
                continue
            model = self.model(hp.piece, live)
            hook = np.asarray(hp.pose[:3, 3], np.float64)
            occ = occluders.get(hp.side)
            key = (hp.piece.id, hp.side)
            worn.add(key)
            stack = self._slides.get(key)
            if stack is None or stack.model is not model:
                stack = self._slides[key] = SlideStack(model)
            joints = stack.step(np.asarray(hp.pose, np.float64), t)
            out.append(PosedPiece(hp.piece, hp.side, DrawItem(model, np.asarray(hp.pose, np.float32), joints),
                              hook, [occ] if occ is not None else []))
        for key in set(self._slides) - worn:
            del self._slides[key]           # taken off, or the hand lost: it starts at rest again
        self.last_hands = out
        return out

    def full_detail(self, posed: list[PosedPiece]) -> list[PosedPiece]:
        """The same poses with each piece's full model: a photo is seen at leisure and larger
        (same hook, same swing nodes: the poses and joints carry over)."""
        return [_with_model(p, self.model(p.piece, live=False)) for p in posed]

    # ---- drawing ------------------------------------------------------------------------------

    def _lighting(self, env: Environment) -> tuple[Environment, SpriteGrade]:
        """The map with the light's colour taken out (the scene as under white light), at the
        studio level, and the grade (the store's level and light colour, as for a photo piece)
        to apply to what it renders."""
        if self._lit is None or self._lit[0] != env.version:
            grade = sprite_grade(env)
            chroma = np.maximum(np.asarray(env.light, np.float32), 1e-4)
            neutral = dataclasses.replace(env, equirect=np.asarray(env.equirect / chroma, np.float32),
                                          sh=np.asarray(env.sh / chroma, np.float32),
                                          exposure=RENDER_EXPOSURE, light=np.ones(3, np.float32))
            self._lit = (env.version, neutral, grade)
        return self._lit[1], self._lit[2]

    def render(self, posed: list[PosedPiece], camera: Camera, env: Environment,
               quality: str = "live") -> list[Drawing]:
        """`posed` drawn now (see `_render`)."""
        if self.renderer() is None:
            return []
        return self._gl.run(lambda: self._render(posed, camera, env, quality))

    def render_later(self, posed: list[PosedPiece], camera: Camera,
                     env: Environment) -> Future[tuple[list[Drawing], float]]:
        """`posed` drawn at live quality on the renderer's thread while the caller goes on;
        the drawings and the ms they took there."""
        posed = list(posed)

        def job() -> tuple[list[Drawing], float]:
            t0 = time.perf_counter()
            return self._render(posed, camera, env, "live"), (time.perf_counter() - t0) * 1000

        return self._gl.later(job)

    def _render(self, posed: list[PosedPiece], camera: Camera, env: Environment,
                quality: str) -> list[Drawing]:
        """Each piece in its own rectangle. The estimate's map (its shape: what the gold mirrors,
        lamps, the customer's clothes) lights the piece at the studio's level and in neutral
        colour, where the tone curve is near linear; the store's level and colour are then
        applied to the result as they are to a photo piece (a gain on display values), so a
        piece darkens, warms and cools exactly as the skin beside it does instead of sliding
        along the curve's shoulder, where it would keep its colour."""
        r = self._gl.renderer
        if r is None:
            return []
        lit, grade = self._lighting(env)
        # One rectangle per piece: two earrings and a necklace in one rectangle would cover
        # most of the lower face.
        groups = [([p.item], self.last_occluders if p.occluders is None else p.occluders) for p in posed]
        if quality == "live":
            layers, spent = r.render_each(groups, camera, lit), list(r.last_ms)
        else:
            layers, spent = [], []
            for items, occ in groups:
                t0 = time.perf_counter()
                layers.append(r.render(items, camera, lit, occluders=occ, quality=quality))
                spent.append((time.perf_counter() - t0) * 1000)
        out = []
        for p, layer, ms in zip(posed, layers, spent, strict=True):
            t0 = time.perf_counter()
            if layer is not None:
                grade_layer(layer.rgba, grade)
            out.append((p, layer, ms + (time.perf_counter() - t0) * 1000))
        return out
