"""The renderer: pixel-exact projection, head occlusion, anti-aliased premultiplied output,
and light that behaves like light (halve it and the metal halves, tint it and the metal tints).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kiosk.render import synthetic as s
from kiosk.render.camera import Camera
from kiosk.render.environment import Environment
from kiosk.render.layout import MARGIN_PX, NEAR_MM
from kiosk.render.model import load_model
from kiosk.render.occluder import OccluderBounds
from kiosk.render.renderer import DrawItem, Layer, Occluder, Renderer
from tests.helpers.pieces import CAM, facing, jhumka, single

BLACK = Environment(np.zeros((16, 32, 3), np.float32), np.zeros((9, 3), np.float32))


def _centroid(layer: Layer) -> np.ndarray:
    a = layer.alpha
    ys, xs = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    # Pixel (i, j) covers [i, i+1): its centre is i + 0.5 in Camera.project's coordinates.
    total = a.sum()
    return np.array([(a * (xs + 0.5)).sum() / total + layer.x0, (a * (ys + 0.5)).sum() / total + layer.y0])


def _wall(x0: float, x1: float, z: float) -> Occluder:
    """A rectangle facing the camera at depth z from x0 to x1, a metre tall."""
    v = np.array([[x0, -500, z], [x1, -500, z], [x1, 500, z], [x0, 500, z]], np.float32)
    return Occluder(v, np.array([[0, 1, 2], [0, 2, 3]]))


def _scaled(env: Environment, rgb: tuple[float, float, float], version: int = 1) -> Environment:
    k = np.asarray(rgb, np.float32)
    return replace(env, equirect=env.equirect * k, sh=env.sh * k, version=version)


def test_a_point_lands_where_camera_project_puts_it(renderer: Renderer, tmp_path: Path) -> None:
    dot = single(tmp_path, s.quad(0.003), "dot", emissive=(1.0, 1.0, 1.0))
    for cam in (CAM, Camera(1000.0, 990.0, 655.3, 341.7, 1280, 720)):
        for x, y, z in [(0, 0, 600), (-137.2, 61.9, 640), (201.3, -98.4, 820), (12.5, 110.25, 450)]:
            want = cam.project(np.array([[x, y, z]], np.float32))[0]
            for quality in ("live", "still"):
                layer = renderer.render([DrawItem(dot, facing(z, x, y))], cam, BLACK, quality=quality)
                assert layer is not None
                assert np.abs(_centroid(layer) - want).max() < 0.1, (cam, x, y, z, quality)
    # An explicit rectangle shifts nothing either.
    want = CAM.project(np.array([[20, -10, 600]], np.float32))[0]
    layer = renderer.render([DrawItem(dot, facing(600, 20, -10))], CAM, BLACK, rect=(600, 300, 97, 61))
    assert layer is not None and layer.rect == (600, 300, 97, 61)
    assert np.abs(_centroid(layer) - want).max() < 0.1


def test_only_the_covered_rectangle_is_drawn(renderer: Renderer, tmp_path: Path) -> None:
    ball = single(tmp_path, s.uv_sphere(0.01), "ball")
    layer = renderer.render([DrawItem(ball, facing(600))], CAM, Environment.studio())
    assert layer is not None
    x0, y0, w, h = layer.rect
    diameter = 20 * CAM.fx / 600
    assert diameter < w < diameter + 8 and diameter < h < diameter + 8
    assert layer.alpha[0].max() == 0 and layer.alpha[-1].max() == 0 and layer.alpha[:, 0].max() == 0
    # Off the frame or behind the camera: nothing to draw.
    assert renderer.render([DrawItem(ball, facing(600, 2000))], CAM, Environment.studio()) is None
    assert renderer.render([DrawItem(ball, facing(-600))], CAM, Environment.studio()) is None
    assert renderer.render([], CAM, Environment.studio()) is None
    # Half out of the frame: clipped to it, and the same pixels as a wider frame would show.
    at_edge = DrawItem(ball, facing(600, -CAM.cx * 600 / CAM.fx))
    edge = renderer.render([at_edge], CAM, Environment.studio())
    wider = Camera(CAM.fx, CAM.fy, CAM.cx + 100, CAM.cy, CAM.width + 100, CAM.height)
    whole = renderer.render([at_edge], wider, Environment.studio())
    assert edge is not None and whole is not None and edge.x0 == 0 and whole.x0 < 100
    assert edge.y0 == whole.y0 and edge.rgba.shape[0] == whole.rgba.shape[0]
    right = whole.rgba[:, 100 - whole.x0:]
    assert np.abs(edge.rgba[:, : right.shape[1]] - right[:, : edge.rgba.shape[1]]).max() <= 2 / 255


def test_the_head_hides_what_is_behind_it(renderer: Renderer, tmp_path: Path) -> None:
    ball = single(tmp_path, s.uv_sphere(0.01), "ball")
    item = DrawItem(ball, facing(600))
    full = renderer.render([item], CAM, Environment.studio())
    assert full is not None
    # A wall covering the image's left half, 40 mm in front of the piece: its left half goes.
    wall = _wall(-500, 0, 560)
    hidden = renderer.render([item], CAM, Environment.studio(), occluders=[wall], rect=full.rect)
    assert hidden is not None
    cx = int(round(CAM.cx)) - hidden.x0
    assert hidden.alpha[:, : cx - 1].max() == 0
    assert np.array_equal(hidden.rgba[:, cx + 1:], full.rgba[:, cx + 1:])
    # The same wall behind the piece hides nothing; a tolerance can push it back.
    behind = replace(wall, vertices=wall.vertices + [0, 0, 100])
    assert np.array_equal(renderer.render([item], CAM, Environment.studio(), [behind], rect=full.rect).rgba,
                          full.rgba)
    pushed = replace(wall, push_mm=60.0)
    assert np.array_equal(renderer.render([item], CAM, Environment.studio(), [pushed], rect=full.rect).rgba,
                          full.rgba)


def test_only_the_occluder_triangles_over_the_piece_are_drawn_and_nothing_changes(
        renderer: Renderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The head mesh is culled to the piece's rectangle before it is drawn (llvmpipe sets up
    every triangle it gets, visible or not): the triangles far from the piece go, one that
    crosses the camera plane stays, and the picture is the same as with all of them."""
    ball = single(tmp_path, s.uv_sphere(0.01), "ball")
    item = DrawItem(ball, facing(600))
    rect = renderer.render([item], CAM, Environment.studio())
    assert rect is not None
    near_wall = _wall(-500, 0, 560)                       # over the ball's left half
    far = np.array([[300, 300, 560], [400, 300, 560], [400, 400, 560]], np.float32)   # off to the side
    crossing = np.array([[-30, -30, -100], [30, -30, 600], [0, 30, 600]], np.float32)  # behind the camera
    v = np.concatenate([near_wall.vertices, far, crossing])
    mesh = Occluder(v, np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [7, 8, 9]]))
    bounds = OccluderBounds(NEAR_MM, MARGIN_PX)
    kept = bounds.faces_in(mesh, CAM, rect.rect)
    assert {tuple(f) for f in kept.tolist()} == {(0, 1, 2), (0, 2, 3), (7, 8, 9)}
    culled = renderer.render([item], CAM, Environment.studio(), occluders=[mesh], rect=rect.rect)
    monkeypatch.setattr(OccluderBounds, "faces_in",
                        lambda self, occ, cam, r: np.asarray(occ.faces, np.uint32))
    every = renderer.render([item], CAM, Environment.studio(), occluders=[mesh], rect=rect.rect)
    assert culled is not None and every is not None
    assert culled.alpha.sum() < 0.8 * rect.alpha.sum()     # the wall did hide part of it
    assert np.array_equal(culled.rgba, every.rgba)


def test_front_faces_are_kept_even_for_a_mirrored_piece(renderer: Renderer, tmp_path: Path) -> None:
    # A wall through the ball's centre: only its near half is in front of it. Culling the wrong
    # side would draw the far half, all of it behind the wall.
    ball = single(tmp_path, s.uv_sphere(0.01), "ball")
    wall = _wall(-500, 500, 600)
    mirrored = facing(600) @ np.diag([-1.0, 1.0, 1.0, 1.0]).astype(np.float32)
    for pose in (facing(600), mirrored):
        layer = renderer.render([DrawItem(ball, pose)], CAM, Environment.studio(), [wall])
        assert layer is not None and layer.alpha.sum() > 0.9 * np.pi * (10 * CAM.fx / 600) ** 2


def test_edges_are_antialiased_and_colour_is_premultiplied(renderer: Renderer, tmp_path: Path) -> None:
    model = load_model(jhumka(tmp_path))
    for quality in ("live", "still"):
        for opacity in (1.0, 0.5):
            item = DrawItem(model, facing(500), opacity=opacity)
            layer = renderer.render([item], CAM, Environment.studio(), quality=quality)
            assert layer is not None
            a = layer.alpha
            assert a.max() == pytest.approx(opacity, abs=1 / 255)
            edge = (a > 0.02 * opacity) & (a < 0.98 * opacity)
            assert edge.sum() > 40, "no intermediate alpha on the silhouette"
            assert np.all(layer.rgba[:, :, :3] <= a[:, :, None] + 1e-6)
    # The same scene without anti-aliasing has hard edges: the test above can tell. FXAA, the
    # cheap live alternative, softens them again and keeps colour premultiplied.
    live = renderer.render([DrawItem(model, facing(500))], CAM, Environment.studio())
    assert live is not None
    for aa in ("none", "fxaa"):
        other = Renderer(renderer.ctx, aa=aa)
        layer = other.render([DrawItem(model, facing(500))], CAM, Environment.studio())
        other.release()
        assert layer is not None and layer.rect == live.rect
        soft = ((layer.alpha > 0.02) & (layer.alpha < 0.98)).sum()
        assert (soft == 0) if aa == "none" else (soft > 40)
        # (FXAA is not coverage-exact: it thins thin wires a little.)
        assert abs(live.alpha.sum() - layer.alpha.sum()) < 0.06 * live.alpha.sum()
        assert np.all(layer.rgba[:, :, :3] <= layer.alpha[:, :, None] + 1e-6)
    with pytest.raises(ValueError):
        Renderer(renderer.ctx, aa="taa")


def test_gold_gets_half_as_light_in_half_the_light(renderer: Renderer, tmp_path: Path) -> None:
    """In linear light (before the tone curve) the piece's radiance is exactly proportional to
    the environment's. Through the tone curve it falls like a skin-like diffuse surface
    rendered the same way, which is what the frame's skin does when the store darkens."""
    gold = single(tmp_path, s.torus(0.01, 0.003), "gold")
    skin = single(tmp_path, s.uv_sphere(0.012), "skin", kind="dielectric", base=(0.55, 0.36, 0.27, 1.0),
                  metallic=0.0, roughness=0.7)
    bright = Environment.studio()
    half = _scaled(bright, (0.5, 0.5, 0.5))

    def mean(model: object, env: Environment, linear: bool) -> np.ndarray:
        layer = renderer.render([DrawItem(model, facing(600, yaw_deg=20))], CAM, env, linear=linear)  # type: ignore[arg-type]
        assert layer is not None
        inside = layer.alpha > 0.999
        return np.asarray(layer.rgba[inside][:, :3].mean(axis=0))

    ratio = mean(gold, half, True) / mean(gold, bright, True)
    assert np.allclose(ratio, 0.5, atol=0.01)
    luma = np.array([0.2126, 0.7152, 0.0722])
    gold_ratio = mean(gold, half, False) @ luma / (mean(gold, bright, False) @ luma)
    skin_ratio = mean(skin, half, False) @ luma / (mean(skin, bright, False) @ luma)
    assert gold_ratio < 0.85 and abs(gold_ratio - skin_ratio) < 0.12, (gold_ratio, skin_ratio)


def test_a_blue_light_turns_gold_towards_blue(renderer: Renderer, tmp_path: Path) -> None:
    gold = single(tmp_path, s.torus(0.01, 0.003), "gold")
    skin = single(tmp_path, s.uv_sphere(0.012), "skin", kind="dielectric", base=(0.55, 0.36, 0.27, 1.0),
                  metallic=0.0, roughness=0.7)
    neutral = Environment.studio()
    blue = _scaled(neutral, (0.8, 0.9, 1.25))

    def blue_over_red(model: object, env: Environment, linear: bool) -> float:
        layer = renderer.render([DrawItem(model, facing(600, yaw_deg=20))], CAM, env, linear=linear)  # type: ignore[arg-type]
        assert layer is not None
        rgb = layer.rgba[layer.alpha > 0.999][:, :3].mean(axis=0)
        return float(rgb[2] / rgb[0])

    shift = blue_over_red(gold, blue, True) / blue_over_red(gold, neutral, True)
    assert shift == pytest.approx(1.25 / 0.8, rel=0.02)
    gold_shift = np.log(blue_over_red(gold, blue, False) / blue_over_red(gold, neutral, False))
    skin_shift = np.log(blue_over_red(skin, blue, False) / blue_over_red(skin, neutral, False))
    assert gold_shift > 0.6 * skin_shift > 0, (gold_shift, skin_shift)


def test_the_shader_evaluates_the_same_sh_as_numpy(renderer: Renderer) -> None:
    from kiosk.render.environment import sh_eval
    from kiosk.render.gpu import shader_source
    rng = np.random.default_rng(3)
    normals = rng.normal(size=(64, 3)).astype(np.float32)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    sh = rng.normal(size=(9, 3)).astype(np.float32)
    ctx = renderer.ctx
    with ctx:
        prog = ctx.program(
            vertex_shader="#version 330 core\nin vec2 p; void main() { gl_Position = vec4(p, 0.0, 1.0); }",
            fragment_shader="#version 330 core\n" + shader_source("common.glsl") +
            "uniform sampler2D u_n; out vec4 o;\n"
            "void main() { o = vec4(sh_eval(texelFetch(u_n, ivec2(gl_FragCoord.xy), 0).xyz), 1.0); }")
        prog["u_sh"].write(sh.tobytes())
        tex = ctx.texture((64, 1), 3, normals.tobytes(), dtype="f4")
        tex.use(0)
        prog["u_n"].value = 0
        fbo = ctx.framebuffer([ctx.renderbuffer((64, 1), 4, dtype="f4")])
        fbo.use()
        fbo.viewport = (0, 0, 64, 1)
        vbo = ctx.buffer(np.array([-1, -1, 3, -1, -1, 3], np.float32).tobytes())
        ctx.vertex_array(prog, [(vbo, "2f", "p")]).render()
        got = np.frombuffer(fbo.read(components=4, dtype="f4"), np.float32).reshape(64, 4)[:, :3]
    assert np.allclose(got, sh_eval(sh, normals), atol=1e-5)


def test_the_shader_tone_curve_is_tone_py(renderer: Renderer, tmp_path: Path) -> None:
    from kiosk.render.tone import display_from_linear, linear_from_display
    for level in (0.02, 0.18, 0.7, 3.0):
        glow = single(tmp_path, s.quad(0.01), f"glow{level}", emissive=(level, level / 2, level / 4))
        env = replace(BLACK, exposure=1.3)
        layer = renderer.render([DrawItem(glow, facing(600))], CAM, env)
        assert layer is not None
        got = layer.rgba[layer.alpha > 0.999][:, :3].mean(axis=0)
        want = display_from_linear(np.array([level, level / 2, level / 4], np.float32), 1.3)
        assert np.allclose(got, want, atol=1.5 / 255), level
    x = np.array([0.0, 0.01, 0.18, 1.0, 5.0], np.float32)
    assert np.allclose(linear_from_display(display_from_linear(x)), x, rtol=2e-3, atol=1e-5)


def test_new_light_is_uploaded_when_its_version_changes(renderer: Renderer, tmp_path: Path) -> None:
    gold = single(tmp_path, s.uv_sphere(0.01), "gold")
    env = Environment.studio()
    item = [DrawItem(gold, facing(600))]
    before = renderer.render(item, CAM, env, linear=True)
    env.equirect = env.equirect * 0.5
    env.sh = env.sh * 0.5
    same = renderer.render(item, CAM, env, linear=True)
    env.version += 1
    after = renderer.render(item, CAM, env, linear=True)
    assert before is not None and same is not None and after is not None
    assert np.array_equal(before.rgba, same.rgba)
    inside = before.alpha > 0.999
    assert np.allclose(after.rgba[inside][:, :3].sum() / before.rgba[inside][:, :3].sum(), 0.5, atol=0.01)


def test_a_swinging_bell_moves_and_the_stud_does_not(renderer: Renderer, tmp_path: Path) -> None:
    model = load_model(jhumka(tmp_path))
    a = np.radians(35.0)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]], np.float32)
    rect = (560, 300, 160, 160)
    rest = renderer.render([DrawItem(model, facing(500))], CAM, Environment.studio(), rect=rect)
    swung = renderer.render([DrawItem(model, facing(500), {"swing_bell": rz})], CAM, Environment.studio(),
                            rect=rect)
    assert rest is not None and swung is not None
    # The bell swings towards the image's right (+X of the piece) and rises; the stud stays.
    assert _centroid(swung)[0] > _centroid(rest)[0] + 5
    stud = CAM.project(np.array([[0, 2, 500]], np.float32))[0].astype(int) - [560, 300]
    win = (slice(stud[1] - 3, stud[1] + 3), slice(stud[0] - 3, stud[0] + 3))
    assert np.array_equal(rest.rgba[win], swung.rgba[win])


def test_gems_flash_as_the_head_turns(renderer: Renderer, tmp_path: Path) -> None:
    """Patches of a cut stone light up and go dark from one 2-degree step of the head to the
    next (sparkle), where polished gold's shading only slides."""
    stone = single(tmp_path, s.brilliant(0.004), "diamond", base=(1, 1, 1, 1), metallic=0.0, roughness=0.0,
                   extras={"kind": "gem", "ior": 2.42, "dispersion": 0.044})
    ring = single(tmp_path, s.torus(0.004, 0.0015), "gold")

    def flashes(model: object) -> float:
        frames, inside = [], []
        for yaw in range(0, 24, 2):
            layer = renderer.render([DrawItem(model, facing(400, yaw_deg=yaw))], CAM,  # type: ignore[arg-type]
                                    Environment.studio(), rect=(600, 320, 80, 80))
            assert layer is not None
            frames.append(layer.rgba[:, :, :3] @ np.array([0.2126, 0.7152, 0.0722], np.float32))
            inside.append(layer.alpha > 0.999)
        core = np.stack(inside).all(axis=0)
        steps = np.abs(np.diff(np.stack(frames), axis=0))[:, core]
        return float((steps > 0.15).mean())

    assert flashes(stone) > 0.02
    assert flashes(ring) < 0.005


def test_base_colour_textures_and_alpha_masks_are_drawn(renderer: Renderer, tmp_path: Path) -> None:
    import cv2
    img = np.zeros((8, 8, 4), np.uint8)
    img[:, :4] = (0, 0, 255, 255)          # BGRA: the image's left half red
    img[:, 4:] = (255, 0, 0, 255)          # right half blue
    img[:4, 4:, 3] = 0                     # top right cut out
    b = s.GlbBuilder()
    tex = b.texture(cv2.imencode(".png", img)[1].tobytes())
    mat = b.material("enamel", (1, 1, 1, 1), 0.0, 1.0, {"kind": "enamel"}, texture=tex,
                     alphaMode="MASK", alphaCutoff=0.5)
    pos, nrm, faces = s.quad(0.02)
    uvs = np.stack([pos[:, 0] / 0.02 + 0.5, 0.5 - pos[:, 1] / 0.02], axis=1)   # image top = +Y
    root = b.node("tile", b.mesh((pos, nrm, faces), mat, uvs=uvs))
    b.node("hook", parent=root)
    model = load_model(b.save(tmp_path / "tile.glb"))
    assert model.problems == [] and model.textures[0].shape == (8, 8, 4)
    white = Environment(np.ones((16, 32, 3), np.float32), np.zeros((9, 3), np.float32))
    white.sh[0] = 1 / 0.282095            # diffuse radiance 1 on any normal
    layer = renderer.render([DrawItem(model, facing(600))], CAM, white)
    assert layer is not None
    h, w = layer.alpha.shape
    left, low_right = layer.rgba[h // 2, w // 4], layer.rgba[3 * h // 4, 3 * w // 4]
    top_right = layer.alpha[h // 4, 3 * w // 4]
    assert left[0] > 0.6 > 0.25 > left[2] and low_right[2] > 0.6 > 0.25 > low_right[0]
    assert top_right == 0


def test_stills_in_tiles_are_seamless(renderer: Renderer, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.render.renderer as renderer_mod
    model = load_model(jhumka(tmp_path))
    item = [DrawItem(model, facing(300))]
    whole = renderer.render(item, CAM, Environment.studio(), quality="still")
    monkeypatch.setattr(renderer_mod, "TILE_PX", 40)          # a dozen tiles or more
    tiled = renderer.render(item, CAM, Environment.studio(), quality="still")
    live = renderer.render(item, CAM, Environment.studio())
    assert whole is not None and tiled is not None and live is not None
    assert whole.rect == tiled.rect == live.rect and whole.rect[2] > 40
    assert np.abs(whole.rgba - tiled.rgba).max() <= 1.5 / 255
    assert abs(whole.alpha.sum() - live.alpha.sum()) < 0.01 * live.alpha.sum()
