"""The environment's texture: levels computed on the CPU as the GPU would make them, and a new
estimate written into the texture already there."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from kiosk.render import synthetic as s
from kiosk.render.environment import Environment
from kiosk.render.gpu import EnvGpu, reflection_contrast
from kiosk.render.renderer import DrawItem, Renderer
from tests.helpers.pieces import CAM, facing, single


def _room(seed: int) -> Environment:
    rng = np.random.default_rng(seed)
    studio = Environment.studio()
    return replace(studio, equirect=np.asarray(studio.equirect * rng.uniform(0.2, 2.0, studio.equirect.shape),
                                               np.float32), version=seed)


def test_the_levels_are_the_ones_the_gpu_would_make(renderer: Renderer) -> None:
    env = _room(3)
    ctx = renderer.ctx
    with ctx:
        ours = EnvGpu(ctx, env)
        img = np.ascontiguousarray(reflection_contrast(env.equirect), np.float32)
        h, w = img.shape[:2]
        gl = ctx.texture((w, h), 3, img.tobytes(), dtype="f4")
        gl.build_mipmaps()
        try:
            for level in range(1, 7):
                lw, lh = max(w >> level, 1), max(h >> level, 1)
                a = np.frombuffer(ours.texture.read(level=level), np.float32).reshape(lh, lw, 3)
                b = np.frombuffer(gl.read(level=level), np.float32).reshape(lh, lw, 3)
                assert np.allclose(a, b, rtol=1e-4, atol=1e-6), level
        finally:
            gl.release()
            ours.release()


def test_a_new_estimate_in_the_old_texture_draws_as_a_fresh_one(renderer: Renderer, tmp_path: Path) -> None:
    ball = single(tmp_path, s.uv_sphere(0.01), "ball", roughness=0.55)    # reads the blurred levels
    item = DrawItem(ball, facing(600))
    r = Renderer(renderer.ctx, aa="fxaa")
    try:
        for seed in (1, 2, 3, 4):             # two are kept: the third and fourth reuse textures
            r.render([item], CAM, _room(seed))
        assert len(r._envs) == 2
        got = r.render([item], CAM, _room(5))
        reused = r.render([item], CAM, replace(_room(6), version=6))
    finally:
        r.release()
    fresh = Renderer(renderer.ctx, aa="fxaa")
    try:
        want = fresh.render([item], CAM, _room(5))
        want6 = fresh.render([item], CAM, _room(6))
    finally:
        fresh.release()
    assert got is not None and want is not None and reused is not None and want6 is not None
    assert np.array_equal(got.rgba, want.rgba) and np.array_equal(reused.rgba, want6.rgba)
    assert not np.array_equal(got.rgba, reused.rgba)
