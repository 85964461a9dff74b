"""What the renderer keeps on the GPU: programs, a model's buffers, the environment's
textures, and the render targets."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import moderngl
import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.environment import LUMA, Environment
from kiosk.render.model import Material, Model, Part
from kiosk.render.occluder import Occluder

SHADERS = Path(__file__).parent / "shaders"
KIND_IDS = {"metal": 0, "gem": 1, "pearl": 2, "enamel": 3, "polki": 4, "dielectric": 5}
Variant = tuple[int, bool, bool]           # KIND, HAS_TEX, MASK: the piece program's defines


def variant(mat: Material) -> Variant:
    """Which compiled program draws a material. Branches cost every lane on llvmpipe, so what
    a material does not use is left out at compile time: a texture fetch, the alpha test (it
    would also stop early depth testing) and, for pure metals, the diffuse term."""
    kind = KIND_IDS.get(mat.kind, 5)
    if kind == 0 and mat.metallic < 1.0:
        kind = 5                            # the general metallic-roughness path
    return kind, mat.texture is not None, mat.alpha_cutoff is not None
TARGET_STEP = 32                 # render target sizes are rounded up to this


@cache
def shader_source(name: str) -> str:
    return (SHADERS / name).read_text()


def program(ctx: moderngl.Context, vert: str, frag: str,
            defines: dict[str, int] | None = None) -> moderngl.Program:
    head = "#version 330 core\n" + "".join(f"#define {k} {v}\n" for k, v in (defines or {}).items())
    common = shader_source("common.glsl")
    return ctx.program(vertex_shader=head + shader_source(vert),
                       fragment_shader=head + common + shader_source(frag))


class Uniforms:
    """A program's uniforms by name, looked up once; names the compiler dropped are ignored."""

    def __init__(self, prog: moderngl.Program):
        self.prog = prog
        self._u: dict[str, Any] = {}
        for name in prog:
            member = prog[name]
            if isinstance(member, moderngl.Uniform):
                self._u[name.removesuffix("[0]")] = member

    def set(self, name: str, value: Any) -> None:
        u = self._u.get(name)
        if u is not None:
            u.value = value

    def write(self, name: str, data: bytes) -> None:
        u = self._u.get(name)
        if u is not None:
            u.write(data)


def mat4_bytes(m: Array) -> bytes:
    return np.ascontiguousarray(np.asarray(m, np.float32).T).tobytes()     # GL is column-major


MAX_SEGMENTS = 64              # swing segments + the rigid body, one mat4 each in u_models


class GpuPart:
    """One material's triangles of a whole model in one buffer: each vertex carries its swing
    segment's slot (0: the rigid body), so a model is one draw call per material with its
    segment matrices as a uniform array. On llvmpipe a draw call costs ~60-80 us of Python and
    state, more than its triangles: a jhumka of 44 (segment, material) parts is 4 draws."""

    def __init__(self, ctx: moderngl.Context, prog: moderngl.Program, material: int, parts: list[Part]):
        self.material = material
        chunks, idx, base = [], [], 0
        for p in parts:
            uv = p.uvs if p.uvs is not None else np.zeros((len(p.positions), 2), np.float32)
            seg = np.full((len(p.positions), 1), p.segment + 1, np.float32)
            chunks.append(np.concatenate([p.positions, p.normals, uv, seg], axis=1))
            idx.append(p.indices.astype(np.uint32) + np.uint32(base))
            base += len(p.positions)
        inter = np.ascontiguousarray(np.concatenate(chunks), np.float32)
        self.vbo = ctx.buffer(inter.tobytes())
        self.ibo = ctx.buffer(np.ascontiguousarray(np.concatenate(idx), np.uint32).tobytes())
        self.vao = ctx.vertex_array(prog, [(self.vbo, "3f 3f 2f 1f", "in_pos", "in_nrm", "in_uv", "in_seg")],
                                    index_buffer=self.ibo, index_element_size=4, skip_errors=True)

    def release(self) -> None:
        for obj in (self.vao, self.vbo, self.ibo):
            obj.release()


class ModelHandle:
    """A model's GPU buffers (one per material) and base-colour textures."""

    def __init__(self, ctx: moderngl.Context, model: Model, programs: Callable[[Variant], moderngl.Program]):
        self.model = model
        if len(model.swings) + 1 > MAX_SEGMENTS:
            raise ValueError(f"{model.path}: {len(model.swings)} swinging parts, at most {MAX_SEGMENTS - 1}")
        by_mat: dict[int, list[Part]] = {}
        for p in model.parts:
            by_mat.setdefault(p.material, []).append(p)
        self.parts = [GpuPart(ctx, programs(variant(model.materials[m])), m, ps) for m, ps in by_mat.items()]
        self.textures: list[moderngl.Texture] = []
        for img in model.textures:
            h, w = img.shape[:2]
            tex = ctx.texture((w, h), 4, np.ascontiguousarray(img, np.float32).tobytes(), dtype="f4")
            tex.build_mipmaps()
            tex.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
            self.textures.append(tex)

    def release(self) -> None:
        for p in self.parts:
            p.release()
        for t in self.textures:
            t.release()


REFLECTION_CONTRAST = 2.3


def reflection_contrast(img: Array, k: float = REFLECTION_CONTRAST) -> Array:
    """What metal reflects, with the contrast a camera's frame has lost: the estimate is built
    from an 8-bit picture, blurred, where a lamp is barely brighter than a white wall, so
    polished gold would mirror an almost even glow and look pale and flat. Luminance is
    stretched by the power k about its median, which stays where it was (colour kept): lamps
    and windows become highlights, the rest darker, and gold reads as gold. The median, not the
    mean, so a lamp the estimate boosted does not darken the rest of the room. Diffuse light
    (the SH) is left as measured; the stretch is the same at any brightness or tint."""
    lum = img @ LUMA
    pivot = float(np.median(lum)) or 1e-6
    return np.asarray(img * np.power(np.maximum(lum, 1e-6) / pivot, k - 1.0)[:, :, None], np.float32)


class EnvGpu:
    """An environment as uniforms and a mipmapped float texture. `update` writes a new estimate
    of the same size into the same texture: ten times a second, a new texture and llvmpipe's
    mipmap generation (a draw per level) cost ~0.9 ms where the levels computed here and
    written cost ~0.1 ms."""

    def __init__(self, ctx: moderngl.Context, env: Environment):
        levels = _mip_chain(env)
        h, w = levels[0].shape[:2]
        self.texture = ctx.texture((w, h), 3, levels[0].tobytes(), dtype="f4")
        self.texture.repeat_x, self.texture.repeat_y = True, False
        self.texture.build_mipmaps()            # (allocates the levels, written below)
        self.texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        self.lod_max = float(math.floor(math.log2(max(h, 1))))
        self.texel = math.pi / h
        self._write(env, levels, first=1)

    def fits(self, env: Environment) -> bool:
        return env.equirect.shape[:2] == (self.texture.height, self.texture.width)

    def update(self, env: Environment) -> None:
        self._write(env, _mip_chain(env), first=0)

    def _write(self, env: Environment, levels: list[Array], first: int) -> None:
        for i in range(first, len(levels)):
            self.texture.write(levels[i].tobytes(), level=i)
        self.env, self.version = env, env.version
        self.sh = np.ascontiguousarray(env.sh, np.float32).tobytes()

    def release(self) -> None:
        self.texture.release()


def _mip_chain(env: Environment) -> list[Array]:
    """The reflected environment and its levels down to 1x1, each the 2x2 average of the one
    above (what glGenerateMipmap makes)."""
    levels = [np.ascontiguousarray(reflection_contrast(env.equirect), np.float32)]
    while max(levels[-1].shape[:2]) > 1:
        h, w = levels[-1].shape[:2]
        half = cv2.resize(levels[-1], (max(w // 2, 1), max(h // 2, 1)), interpolation=cv2.INTER_AREA)
        levels.append(np.ascontiguousarray(half.reshape(max(h // 2, 1), max(w // 2, 1), 3), np.float32))
    return levels


@dataclass
class Target:
    """One size of render target. The rectangle is drawn into `draw`; with MSAA it is resolved
    by a blit into `resolved`; a post pass (FXAA, or the still's 2x2 downsample) then samples
    `source` into `post`; what is left is read back from `read`."""
    draw: moderngl.Framebuffer
    resolved: moderngl.Framebuffer | None
    source: moderngl.Texture | None
    post: moderngl.Framebuffer | None
    read: moderngl.Framebuffer
    objects: list[Any]


class Targets:
    """Render targets by size for one way of anti-aliasing: `samples` (0 or 4, MSAA) and
    `post` (None, "fxaa", or "down": the 2x2 supersampled still averaged down on the GPU,
    which reads back a quarter of the pixels).

    A resolve blits the whole framebuffer, so a target much larger than the rectangle would
    cost every frame; one per size rounded up to TARGET_STEP px (the last few kept) follows a
    piece that moves closer or further without reallocating every frame."""

    KEEP = 4

    def __init__(self, ctx: moderngl.Context, samples: int, post: str | None, dtype: str):
        self.ctx, self.samples, self.post, self.dtype = ctx, samples, post, dtype
        self._sets: OrderedDict[tuple[int, int], Target] = OrderedDict()
        self.last: moderngl.Framebuffer | None = None      # the framebuffer read last

    def _make(self, size: tuple[int, int]) -> Target:
        ctx, dt = self.ctx, self.dtype
        objs: list[Any] = []

        def keep(obj: Any) -> Any:
            objs.append(obj)
            return obj

        depth = keep(ctx.depth_renderbuffer(size, samples=self.samples))
        source: moderngl.Texture | None = None
        if self.post is not None:
            source = keep(ctx.texture(size, 4, dtype=dt))
            source.repeat_x = source.repeat_y = False
        resolved = None
        if self.samples:
            msaa = keep(ctx.renderbuffer(size, 4, samples=self.samples, dtype=dt))
            draw = keep(ctx.framebuffer([msaa], depth))
            resolved = keep(ctx.framebuffer([source or keep(ctx.renderbuffer(size, 4, dtype=dt))]))
        else:
            draw = keep(ctx.framebuffer([source or keep(ctx.renderbuffer(size, 4, dtype=dt))], depth))
        post = None
        if self.post is not None:
            post_size = (size[0] // 2, size[1] // 2) if self.post == "down" else size
            post = keep(ctx.framebuffer([keep(ctx.renderbuffer(post_size, 4, dtype=dt))]))
        read = post or resolved or draw
        return Target(draw, resolved, source, post, read, objs)

    def ensure(self, w: int, h: int) -> Target:
        size = (-(-w // TARGET_STEP) * TARGET_STEP, -(-h // TARGET_STEP) * TARGET_STEP)
        hit = self._sets.get(size)
        if hit is None:
            hit = self._sets[size] = self._make(size)
            while len(self._sets) > self.KEEP:
                for obj in self._sets.popitem(last=False)[1].objects:
                    obj.release()
        self._sets.move_to_end(size)
        self.last = hit.read
        return hit

    def release(self) -> None:
        for t in self._sets.values():
            for obj in t.objects:
                obj.release()
        self._sets.clear()
        self.last = None


class OccluderBuffer:
    """The depth-only pass's one buffer pair: head meshes change every frame but not in size,
    so it is rewritten, not remade."""

    def __init__(self, ctx: moderngl.Context, prog: moderngl.Program, uniforms: Uniforms):
        self.ctx, self.prog, self.u = ctx, prog, uniforms
        self.vbo: moderngl.Buffer | None = None
        self.ibo: moderngl.Buffer | None = None
        self.vao: moderngl.VertexArray | None = None
        self._sent: object | None = None

    def draw(self, occ: Occluder, faces: npt.NDArray[np.uint32]) -> None:
        """The occluder's given triangles (indices into its vertices) into the depth buffer."""
        if not len(faces):
            return
        nv, nf = int(np.asarray(occ.vertices).size) * 4, int(np.asarray(occ.faces).size) * 4
        vbo, ibo, vao = self.vbo, self.ibo, self.vao
        if vbo is None or ibo is None or vao is None or vbo.size < nv or ibo.size < nf:
            self.release()
            vbo = self.vbo = self.ctx.buffer(reserve=max(nv, 4096) * 2, dynamic=True)
            ibo = self.ibo = self.ctx.buffer(reserve=max(nf, 4096) * 2, dynamic=True)
            vao = self.vao = self.ctx.vertex_array(self.prog, [(vbo, "3f", "in_pos")],
                                                   index_buffer=ibo, index_element_size=4)
        # The same occluder behind each piece of a frame: its vertices are sent once (the
        # reference kept, so a new mesh can never pass for it).
        if self._sent is not occ.vertices:
            vbo.write(np.ascontiguousarray(occ.vertices, np.float32).tobytes())
            self._sent = occ.vertices
        ibo.write(faces.tobytes())
        self.u.set("u_push", float(occ.push_mm))
        vao.render(moderngl.TRIANGLES, vertices=int(faces.size))

    def release(self) -> None:
        for obj in (self.vao, self.vbo, self.ibo):
            if obj is not None:
                obj.release()
        self.vao = self.vbo = self.ibo = None
        self._sent = None
