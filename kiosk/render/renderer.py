"""Drawing posed pieces into a rectangle of the frame: PBR in linear light, lit by the
environment, occluded by the head, tone-mapped to premultiplied display sRGB.

Pixel convention: the frame's pixel (i, j) covers x in [i, i+1), y in [j, j+1) of the
coordinates `Camera.project` returns (its centre is i + 0.5), which is what MediaPipe's
landmarks times the frame size are, and what `Camera.from_hfov` (cx = width / 2) assumes.

The projection maps camera space (OpenCV axes, mm) straight to the rectangle's clip space:
x and y keep their directions (image row 0 lands in the framebuffer's first row, so read-back
needs no flip), z forward becomes depth, w = z. Only the rectangle is drawn and read back.

Renderer objects own a GL context: make, use and release them in one thread (context.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import moderngl
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.camera import Camera
from kiosk.render.context import create_context
from kiosk.render.environment import Environment
from kiosk.render.gpu import (
    MAX_SEGMENTS,
    EnvGpu,
    ModelHandle,
    OccluderBuffer,
    Targets,
    Uniforms,
    Variant,
    mat4_bytes,
    program,
    variant,
)
from kiosk.render.model import Material, Model
from kiosk.render.occluder import Occluder, OccluderBounds
from kiosk.render.segments import segment_matrices

NEAR_MM, FAR_MM = 50.0, 5000.0
MARGIN_PX = 2                    # around the projected bounds: MSAA edge pixels, rounding
SAMPLES = 4                      # MSAA
AA_MODES = ("msaa", "fxaa", "none")
STILL_SUPERSAMPLE = 2            # quality="still" renders 2x2 more pixels and averages them
TILE_PX = 1024                   # largest target side (supersampled px): bounds GPU memory
# A piece facing the camera: glTF +X (its left-to-right seen from the front) stays image right,
# +Y up becomes -y (image up), +Z out of its front becomes -z (towards the camera).
FACING_CAMERA = np.diag([1.0, -1.0, -1.0, 1.0]).astype(np.float32)


@dataclass
class DrawItem:
    model: Model
    pose: Array                                        # 4x4 model (mm) -> camera (mm, OpenCV)
    joints: dict[str, Array] = field(default_factory=dict)   # swing name -> 3x3, parent space
    opacity: float = 1.0


@dataclass
class Layer:
    """Premultiplied display-sRGB RGBA (h, w, 4) float32 0..1 for the frame's rectangle at
    (x0, y0). Its alpha is the pieces' coverage times their opacity (the contact shadow's
    source)."""
    rgba: Array
    x0: int
    y0: int

    @property
    def rect(self) -> tuple[int, int, int, int]:
        return self.x0, self.y0, int(self.rgba.shape[1]), int(self.rgba.shape[0])

    @property
    def alpha(self) -> Array:
        return self.rgba[:, :, 3]


def projection(cam: Camera, x0: float, y0: float, w: float, h: float,
               near: float = NEAR_MM, far: float = FAR_MM) -> Array:
    """Camera space -> clip space of the frame rectangle (x0, y0, w, h), pixel-exact with
    `Camera.project`: x_ndc = 2 (u - x0) / w - 1 where u = fx x / z + cx (same for y)."""
    p = np.zeros((4, 4), np.float64)
    p[0, 0], p[0, 2] = 2 * cam.fx / w, 2 * (cam.cx - x0) / w - 1
    p[1, 1], p[1, 2] = 2 * cam.fy / h, 2 * (cam.cy - y0) / h - 1
    p[2, 2], p[2, 3] = (far + near) / (far - near), -2 * far * near / (far - near)
    p[3, 2] = 1.0
    return np.asarray(p, np.float32)


def _posed(item: DrawItem) -> list[Array]:
    """Camera-space matrix of each swing segment of an item: [0] the rigid body, [i + 1] the
    i-th swing (its frame, swings applied)."""
    pose = np.asarray(item.pose, np.float32)
    return [pose, *(pose @ segment_matrices(item.model, item.joints))]


def _corners(model: Model) -> tuple[Array, npt.NDArray[np.intp]]:
    """Each part's bounding-box corners (P, 8, 4) and its segment slot, kept on the model."""
    got: tuple[Array, npt.NDArray[np.intp]] | None = getattr(model, "_corners_cache", None)
    if got is None:
        lo = np.stack([p.lo for p in model.parts])
        hi = np.stack([p.hi for p in model.parts])
        pick = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])      # (8, 3)
        both = np.stack([lo, hi], axis=1)                                                  # (P, 2, 3)
        corners = both[:, pick, np.arange(3)]                                               # (P, 8, 3)
        corners = np.concatenate([corners, np.ones(corners.shape[:2] + (1,), np.float32)], axis=2)
        got = (np.asarray(corners, np.float32), np.array([p.segment + 1 for p in model.parts], np.intp))
        model._corners_cache = got  # type: ignore[attr-defined]
    return got


def screen_rect(items: Sequence[DrawItem], cam: Camera, posed: list[list[Array]] | None = None,
                margin: int = MARGIN_PX) -> tuple[int, int, int, int] | None:
    """The frame rectangle the items cover (their parts' boxes projected, plus a margin),
    clipped to the frame; None when nothing is in view."""
    posed = posed if posed is not None else [_posed(it) for it in items]
    pts = []
    for item, segs in zip(items, posed, strict=True):
        if not item.model.parts:
            continue
        corners, slot = _corners(item.model)
        mats = np.stack(segs)[slot]                                   # (P, 4, 4)
        pts.append(np.einsum("pij,pkj->pki", mats, corners)[:, :, :3].reshape(-1, 3))
    if not pts:
        return None
    p = np.concatenate(pts)
    p = p[p[:, 2] > NEAR_MM] if np.any(p[:, 2] > NEAR_MM) else p[:0]
    if not len(p):
        return None
    uv = cam.project(p)
    x0, y0 = np.floor(uv.min(axis=0)).astype(int) - margin
    x1, y1 = np.ceil(uv.max(axis=0)).astype(int) + margin
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), cam.width), min(int(y1), cam.height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _clip(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The intersection of two (x0, y0, w, h) rectangles, None when empty."""
    x0, y0 = max(int(a[0]), int(b[0])), max(int(a[1]), int(b[1]))
    x1, y1 = min(int(a[0] + a[2]), int(b[0] + b[2])), min(int(a[1] + a[3]), int(b[1] + b[3]))
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _union(rects: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | None:
    if not rects:
        return None
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    return x0, y0, x1 - x0, y1 - y0


@dataclass
class _Frame:
    """What one render call draws, for each tile of it."""
    targets: Targets
    items: Sequence[DrawItem]
    handles: list[ModelHandle]
    posed: list[list[Array]]
    boxes: list[tuple[int, int, int, int] | None]    # each item's rectangle in the drawn pixels
    cam: Camera
    env: EnvGpu
    occluders: Sequence[Occluder]
    linear: bool


class Renderer:
    """Draws DrawItems through a Camera under an Environment. GPU buffers are made once per
    Model (`load`); environment textures are uploaded again only when `env.version` changes
    (or another Environment object is passed; the last two are kept)."""

    def __init__(self, ctx: moderngl.Context | None = None, aa: str = "msaa"):
        """aa is the live quality's anti-aliasing: "msaa" (4x), "fxaa" (a post pass, much
        cheaper on llvmpipe when triangles are pixel-sized) or "none"; stills always use MSAA
        and supersampling."""
        if aa not in AA_MODES:
            raise ValueError(f"aa must be one of {', '.join(AA_MODES)}, not {aa!r}")
        self._owns_ctx = ctx is None           # a context passed in stays its owner's to release
        self.ctx = ctx or create_context()
        self.aa = aa
        self.samples = min(SAMPLES, self.ctx.max_samples)
        self._programs: dict[Variant, tuple[moderngl.Program, Uniforms]] = {}
        with self.ctx:
            self._depth = program(self.ctx, "depth.vert", "depth.frag")
            self._post = {name: program(self.ctx, "fullscreen.vert", f"{name}.frag")
                          for name in ("fxaa", "down")}
            self._post_u = {name: Uniforms(prog) for name, prog in self._post.items()}
            self._post_vao = {name: self.ctx.vertex_array(prog, []) for name, prog in self._post.items()}
        self._depth_u = Uniforms(self._depth)
        self._models: dict[int, ModelHandle] = {}
        self._envs: OrderedDict[int, EnvGpu] = OrderedDict()
        # (A driver without multisampling gets no MSAA: FXAA or nothing live, supersampling only
        # for stills.)
        live_samples = self.samples if aa == "msaa" else 0
        self._live = {dt: Targets(self.ctx, live_samples, "fxaa" if aa == "fxaa" else None, dt)
                      for dt in ("f1", "f4")}
        self._occ = OccluderBuffer(self.ctx, self._depth, self._depth_u)
        self._occ_bounds = OccluderBounds(NEAR_MM, MARGIN_PX)

    # -- resources ---------------------------------------------------------------------------
    def _program(self, v: Variant) -> tuple[moderngl.Program, Uniforms]:
        hit = self._programs.get(v)
        if hit is None:
            defines = {"KIND": v[0], "HAS_TEX": int(v[1]), "MASK": int(v[2])}
            prog = program(self.ctx, "piece.vert", "piece.frag", defines)
            hit = self._programs[v] = (prog, Uniforms(prog))
        return hit

    def load(self, model: Model) -> ModelHandle:
        """The model's GPU buffers, made on first use and kept until `unload`."""
        with self.ctx:
            return self._load(model)

    def _load(self, model: Model) -> ModelHandle:
        handle = self._models.get(id(model))
        if handle is None or handle.model is not model:
            handle = self._models[id(model)] = ModelHandle(self.ctx, model, lambda k: self._program(k)[0])
        return handle

    def unload(self, model: Model) -> None:
        handle = self._models.pop(id(model), None)
        if handle is not None:
            with self.ctx:
                handle.release()

    def _env(self, env: Environment) -> EnvGpu:
        gpu = self._envs.get(id(env))
        if gpu is not None and (gpu.env is not env or gpu.version != env.version):
            gpu.release()
            gpu = None
        if gpu is None:
            gpu = self._envs[id(env)] = EnvGpu(self.ctx, env)
            while len(self._envs) > 2:
                self._envs.popitem(last=False)[1].release()
        self._envs.move_to_end(id(env))
        return gpu

    def release(self) -> None:
        with self.ctx:
            for h in self._models.values():
                h.release()
            for e in self._envs.values():
                e.release()
            for t in self._live.values():
                t.release()
            for prog, _ in self._programs.values():
                prog.release()
            self._depth.release()
            for name in self._post:
                self._post_vao[name].release()
                self._post[name].release()
            self._occ.release()
        self._models.clear()
        self._envs.clear()
        self._programs.clear()
        self._occ_bounds.clear()
        if self._owns_ctx:
            self.ctx.release()

    # -- drawing -----------------------------------------------------------------------------
    def render(self, items: Sequence[DrawItem], camera: Camera, env: Environment,
               occluders: Sequence[Occluder] = (), quality: str = "live",
               rect: tuple[int, int, int, int] | None = None, linear: bool = False) -> Layer | None:
        """Draw the items into the frame rectangle they cover (or `rect`); None if none shows.
        quality="still" supersamples 2x2 on top of MSAA. linear=True returns exposed linear
        radiance (premultiplied, not tone-mapped) for measurements."""
        items = [it for it in items if it.opacity > 0 and it.model.parts]
        if not items:
            return None
        posed = [_posed(it) for it in items]
        boxes = [screen_rect([it], camera, [m]) for it, m in zip(items, posed, strict=True)]
        cover = _union([b for b in boxes if b is not None])
        r = cover if rect is None else _clip(rect, (0, 0, camera.width, camera.height))
        # Only what the pieces cover is drawn, even inside a larger `rect` (a still's frame).
        drawn = _clip(cover, r) if cover is not None and r is not None else None
        if r is None or drawn is None:
            return None
        still = quality == "still"
        ss = STILL_SUPERSAMPLE if still else 1
        cam = camera.scaled(ss) if still else camera
        x0, y0, w, h = drawn
        ox, oy = x0 - r[0], y0 - r[1]
        # A live piece is one tile that is the whole rectangle: returned as read, not copied.
        whole = (ox, oy, w, h) == (0, 0, r[2], r[3]) and max(w, h) * ss <= TILE_PX // ss * ss
        out = np.empty((0, 0, 4), np.float32) if whole else np.zeros((r[3], r[2], 4), np.float32)
        dtype = "f4" if linear else "f1"
        # Current for the calls below even if another context (a second Renderer, a library's
        # own EGL context) was made current in this thread since.
        with self.ctx:
            # Buffers and programs first: making them must not happen with the targets bound.
            handles = [self._load(it.model) for it in items]
            # A still's tiles are big and rare: their targets go as soon as it is done.
            targets = Targets(self.ctx, self.samples, "down", dtype) if still else self._live[dtype]
            scaled = [None if b is None else (b[0] * ss, b[1] * ss, b[2] * ss, b[3] * ss) for b in boxes]
            frame = _Frame(targets, items, handles, posed, scaled, cam, self._env(env), occluders, linear)
            try:
                step = TILE_PX // ss * ss
                for ty in range(0, h * ss, step):
                    for tx in range(0, w * ss, step):
                        tw, th = min(step, w * ss - tx), min(step, h * ss - ty)
                        tile = self._draw(frame, (x0 * ss + tx, y0 * ss + ty, tw, th))
                        if whole:
                            out = tile
                        else:
                            out[oy + ty // ss:oy + (ty + th) // ss, ox + tx // ss:ox + (tx + tw) // ss] = tile
            finally:
                if still:
                    targets.release()
        return Layer(out, r[0], r[1])

    def _draw(self, f: _Frame, rect: tuple[int, int, int, int]) -> Array:
        ctx, post, env, linear = self.ctx, f.targets.post, f.env, f.linear
        x, y, w, h = rect
        target = f.targets.ensure(w, h)
        fbo = target.draw
        fbo.use()
        fbo.viewport = (0, 0, w, h)
        # FXAA looks a few pixels past the rectangle: clear all of a reused target then.
        fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0, viewport=None if post == "fxaa" else (0, 0, w, h))
        ctx.enable(moderngl.DEPTH_TEST)
        ctx.disable(moderngl.BLEND)
        ctx.depth_func = "<"
        proj = mat4_bytes(projection(f.cam, x, y, w, h))
        if f.occluders:
            # moderngl applies a framebuffer's colour mask when it is bound: set, then use().
            fbo.color_mask = (False, False, False, False)
            fbo.use()
            ctx.disable(moderngl.CULL_FACE)
            self._depth_u.write("u_proj", proj)
            for occ in f.occluders:
                self._occ.draw(occ, self._occ_bounds.faces_in(occ, f.cam, rect))
            fbo.color_mask = (True, True, True, True)
            fbo.use()
        env.texture.use(0)
        # Each uniform is written once per program where it changes (per tile, per item): on
        # llvmpipe a draw's Python and state cost as much as its triangles.
        framed: set[int] = set()
        for item, handle, box, segs in zip(f.items, f.handles, f.boxes, f.posed, strict=True):
            if box is None or _clip(rect, box) is None:
                continue                   # not in this tile of a still
            pose = segs[0]
            # The whole array: moderngl writes a uniform array in one piece.
            models = np.zeros((MAX_SEGMENTS, 4, 4), np.float32)
            models[:len(segs)] = np.stack(segs).transpose(0, 2, 1)            # GL is column-major
            models_bytes = models.tobytes()
            itemed: set[int] = set()
            # The y-down projection turns glTF's counter-clockwise front faces clockwise on
            # screen; a mirrored pose (det < 0) turns them back.
            ctx.front_face = "cw" if np.linalg.det(pose[:3, :3].astype(np.float64)) > 0 else "ccw"
            for gpart in handle.parts:
                mat = item.model.materials[gpart.material]
                _, u = self._program(variant(mat))
                if id(u) not in framed:
                    framed.add(id(u))
                    self._set_frame(u, proj, env, linear)
                if id(u) not in itemed:
                    itemed.add(id(u))
                    u.write("u_models", models_bytes)
                    u.set("u_opacity", float(min(max(item.opacity, 0.0), 1.0)))
                self._set_material(u, handle, mat)
                if mat.double_sided:
                    ctx.disable(moderngl.CULL_FACE)
                else:
                    ctx.enable(moderngl.CULL_FACE)
                gpart.vao.render(moderngl.TRIANGLES)
        ctx.disable(moderngl.CULL_FACE)
        ctx.front_face = "ccw"
        if target.resolved is not None:
            ctx.copy_framebuffer(target.resolved, fbo)
        if post is not None and target.post is not None and target.source is not None:
            if post == "down":
                w, h = w // 2, h // 2
            ctx.disable(moderngl.DEPTH_TEST)
            target.post.use()
            target.post.viewport = (0, 0, w, h)
            target.source.use(2)
            self._post_u[post].set("u_src", 2)
            self._post_u[post].set("u_rcp", (1.0 / target.source.width, 1.0 / target.source.height))
            self._post_vao[post].render(moderngl.TRIANGLES, vertices=3)
        resolved = target.read
        if linear:
            data = resolved.read(viewport=(0, 0, w, h), components=4, dtype="f4")
            return np.frombuffer(data, np.float32).reshape(h, w, 4)
        data = resolved.read(viewport=(0, 0, w, h), components=4, dtype="f1")
        rgba = np.frombuffer(data, np.uint8).reshape(h, w, 4).astype(np.float32)
        rgba *= np.float32(1 / 255)
        return rgba

    def _set_frame(self, u: Uniforms, proj: bytes, env: EnvGpu, linear: bool) -> None:
        u.write("u_proj", proj)
        u.write("u_sh", env.sh)
        u.set("u_env", 0)
        u.set("u_env_lod_max", env.lod_max)
        u.set("u_env_texel", env.texel)
        u.set("u_exposure", float(env.env.exposure))
        u.set("u_linear", bool(linear))

    def _set_material(self, u: Uniforms, handle: ModelHandle, mat: Material) -> None:
        u.set("u_base", mat.base_color)
        u.set("u_metallic", mat.metallic)
        u.set("u_roughness", mat.roughness)
        u.set("u_emissive", mat.emissive)
        u.set("u_ior", mat.ior)
        u.set("u_disp", mat.dispersion)
        u.set("u_cutoff", mat.alpha_cutoff if mat.alpha_cutoff is not None else -1.0)
        if mat.texture is not None and mat.texture < len(handle.textures):
            handle.textures[mat.texture].use(1)
            u.set("u_tex", 1)
