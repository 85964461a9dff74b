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

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import moderngl
import numpy as np

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
from kiosk.render.layout import (
    MARGIN_PX,
    NEAR_MM,
    clip_rect,
    posed_segments,
    projection,
    screen_rect,
    union_rect,
)

# DrawItem is part of this module's interface: what render() takes.
from kiosk.render.layout import DrawItem as DrawItem
from kiosk.render.model import Material, Model
from kiosk.render.occluder import Occluder, OccluderBounds

SAMPLES = 4                      # MSAA
AA_MODES = ("msaa", "fxaa", "none")
STILL_SUPERSAMPLE = 2            # quality="still" renders 2x2 more pixels and averages them
TILE_PX = 1024                   # largest target side (supersampled px): bounds GPU memory
REGION_GAP_PX = 8                # between rectangles drawn side by side: FXAA reads 4 px out
# A piece facing the camera: glTF +X (its left-to-right seen from the front) stays image right,
# +Y up becomes -y (image up), +Z out of its front becomes -z (towards the camera).
FACING_CAMERA = np.diag([1.0, -1.0, -1.0, 1.0]).astype(np.float32)


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


Rect = tuple[int, int, int, int]


def _covered(items: Sequence[DrawItem], camera: Camera) -> tuple[list[DrawItem], list[list[Array]],
                                                                 list[Rect | None], Rect | None]:
    """The items that show (opaque enough, with parts), their segments posed, each one's
    rectangle on screen and the rectangle they cover together (None: nothing in view)."""
    shown = [it for it in items if it.opacity > 0 and it.model.parts]
    posed = [posed_segments(it) for it in shown]
    boxes = [screen_rect([it], camera, [m]) for it, m in zip(shown, posed, strict=True)]
    return shown, posed, boxes, union_rect([b for b in boxes if b is not None])


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
        self.last_ms: list[float] = []          # render_each's time per group, ms

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
        gpu = self._envs.pop(id(env), None)
        if gpu is None or gpu.env is not env or gpu.version != env.version:
            # A new estimate goes into a texture already made: the one at its id (the same
            # object re-estimated, or a new one there), else the oldest of the two kept.
            if gpu is None and len(self._envs) >= 2:
                gpu = self._envs.popitem(last=False)[1]
            if gpu is not None and gpu.fits(env):
                gpu.update(env)
            else:
                if gpu is not None:
                    gpu.release()
                gpu = EnvGpu(self.ctx, env)
        self._envs[id(env)] = gpu                     # (last: the most recently used)
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
        items, posed, boxes, cover = _covered(items, camera)
        if not items:
            return None
        r = cover if rect is None else clip_rect(rect, (0, 0, camera.width, camera.height))
        # Only what the pieces cover is drawn, even inside a larger `rect` (a still's frame).
        drawn = clip_rect(cover, r) if cover is not None and r is not None else None
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
                        tile = self._pass(targets, [(frame, (x0 * ss + tx, y0 * ss + ty, tw, th))])[0]
                        if whole:
                            out = tile
                        else:
                            out[oy + ty // ss:oy + (ty + th) // ss, ox + tx // ss:ox + (tx + tw) // ss] = tile
            finally:
                if still:
                    targets.release()
        return Layer(out, r[0], r[1])

    def render_each(self, groups: Sequence[tuple[Sequence[DrawItem], Sequence[Occluder]]], camera: Camera,
                    env: Environment) -> list[Layer | None]:
        """Live quality: each group of items in the frame rectangle it covers, under its own
        occluders, as `render` would draw it alone. The rectangles are drawn side by side into
        one target and read back at once: on llvmpipe every read-back waits for the rasterizer
        threads to drain, and that wait, the clear and the FXAA pass cost as much as a small
        piece's triangles, so pieces drawn together pay them once a frame instead of once each.
        `last_ms` then holds each group's share: its own drawing plus an equal part of the rest."""
        t0 = time.perf_counter()
        out: list[Layer | None] = [None] * len(groups)
        regions: list[tuple[int, _Frame, tuple[int, int, int, int]]] = []
        too_big: list[int] = []
        with self.ctx:
            lit = self._env(env)
            targets = self._live["f1"]
            for i, (group, occluders) in enumerate(groups):
                items, posed, boxes, cover = _covered(group, camera)
                if cover is None:
                    continue                           # nothing in view
                if max(cover[2], cover[3]) > TILE_PX:
                    too_big.append(i)                  # a piece very close: `render` tiles it
                    continue
                handles = [self._load(it.model) for it in items]
                frame = _Frame(targets, items, handles, posed, boxes, camera, lit, occluders, False)
                regions.append((i, frame, cover))
            spent = [0.0] * len(regions)
            if regions:
                tiles = self._pass(targets, [(f, rect) for _, f, rect in regions], spent)
                for (i, _, rect), tile in zip(regions, tiles, strict=True):
                    out[i] = Layer(tile, rect[0], rect[1])
        common = ((time.perf_counter() - t0) * 1000 - sum(spent)) / max(len(regions), 1)
        self.last_ms = [0.0] * len(groups)
        for (i, _, _), ms in zip(regions, spent, strict=True):
            self.last_ms[i] = ms + common
        for i in too_big:
            t1 = time.perf_counter()
            out[i] = self.render(groups[i][0], camera, env, groups[i][1])
            self.last_ms[i] = (time.perf_counter() - t1) * 1000
        return out

    def _pass(self, targets: Targets, regions: Sequence[tuple[_Frame, tuple[int, int, int, int]]],
              spent: list[float] | None = None) -> list[Array]:
        """Draws each (frame, rect) into its own strip of one target, left to right with a gap
        the FXAA pass cannot reach across, and reads them back together."""
        ctx, post = self.ctx, targets.post
        lefts, x = [], 0
        for _, (_, _, w, _) in regions:
            lefts.append(x)
            x += w + REGION_GAP_PX
        width, height = x - REGION_GAP_PX, max(r[3] for _, r in regions)
        target = targets.ensure(width, height)
        fbo = target.draw
        whole = (0, 0, *fbo.size)
        fbo.viewport = fbo.scissor = whole
        fbo.use()
        # FXAA looks a few pixels past the rectangle: clear all of a reused target then.
        fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0, viewport=None if post == "fxaa" else (0, 0, width, height))
        for k, ((f, rect), left) in enumerate(zip(regions, lefts, strict=True)):
            t0 = time.perf_counter()
            fbo.viewport = fbo.scissor = (left, 0, rect[2], rect[3])
            fbo.use()
            self._draw_region(f, fbo, rect)
            if spent is not None:
                spent[k] = (time.perf_counter() - t0) * 1000
        fbo.scissor = whole              # (the resolve blit obeys the scissor too)
        fbo.viewport = (0, 0, width, height)
        fbo.use()
        w, h = width, height
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
        d = 2 if post == "down" else 1
        linear = regions[0][0].linear
        data = target.read.read(viewport=(0, 0, w, h), components=4, dtype="f4" if linear else "f1")
        img = np.frombuffer(data, np.float32 if linear else np.uint8).reshape(h, w, 4)
        tiles: list[Array] = []
        for (_, r), left in zip(regions, lefts, strict=True):
            tile = img[:r[3] // d, left // d:(left + r[2]) // d]
            if linear:
                tiles.append(np.asarray(tile, np.float32))      # (already float32: no copy)
            else:
                rgba = tile.astype(np.float32)
                rgba *= np.float32(1 / 255)
                tiles.append(rgba)
        return tiles

    def _draw_region(self, f: _Frame, fbo: moderngl.Framebuffer, rect: tuple[int, int, int, int]) -> None:
        """The occluders' depth, then the items, of the frame's rectangle `rect` into the
        framebuffer's current viewport."""
        ctx, env, linear = self.ctx, f.env, f.linear
        x, y, w, h = rect
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
            if box is None or clip_rect(rect, box) is None:
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
