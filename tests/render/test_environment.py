"""The light shared by the estimate and the renderer: mapping and diffuse SH are consistent."""

from __future__ import annotations

import numpy as np

from kiosk.render.camera import Camera
from kiosk.render.environment import Environment, equirect_dirs, equirect_uv, project_sh, sh_eval


def test_uniform_light_gives_its_own_radiance_on_any_normal() -> None:
    sh = project_sh(np.full((32, 64, 3), 0.7, np.float32))
    normals = np.array([[0, 0, 1], [0, -1, 0], [1, 0, 0], [0.6, 0.8, 0]], np.float32)
    assert np.allclose(sh_eval(sh, normals), 0.7, atol=0.01)


def test_light_from_above_lights_upward_normals() -> None:
    img = np.zeros((32, 64, 3), np.float32)
    img[:8] = 1.0                                    # the top rows are "up" (-y)
    up, down = sh_eval(project_sh(img), np.array([[0, -1, 0], [0, 1, 0]], np.float32))
    assert up[0] > 0.4 and down[0] < 0.05


def test_equirect_mapping_round_trips_and_looks_ahead_in_the_middle() -> None:
    d = equirect_dirs(16, 32)
    uv = equirect_uv(d.reshape(-1, 3)).reshape(16, 32, 2)
    assert np.allclose(uv[..., 0], (np.arange(32) + 0.5)[None, :] / 32, atol=1e-5)
    assert np.allclose(uv[..., 1], (np.arange(16) + 0.5)[:, None] / 16, atol=1e-5)
    assert np.allclose(equirect_uv(np.array([[0, 0, 1]], np.float32)), [[0.5, 0.5]])
    assert np.allclose(equirect_uv(np.array([[0, -1, 0]], np.float32))[0, 1], 0.0, atol=1e-6)


def test_studio_light_is_brighter_from_the_front_and_above() -> None:
    env = Environment.studio()
    front_up, back_down = sh_eval(env.sh, np.array([[0, -0.7, -0.7], [0, 0.7, 0.7]], np.float32))
    assert front_up[0] > 2 * back_down[0]


def test_camera_projects_and_scales() -> None:
    cam = Camera.from_hfov(1280, 720, 60.0)
    assert abs(cam.hfov_deg - 60.0) < 1e-6
    z = cam.depth_for_scale(2.0)                     # 2 px per mm
    a, b = cam.project(np.array([[0, 0, z], [10, 0, z]], np.float32))
    assert np.allclose(a, [640, 360]) and abs((b - a)[0] - 20.0) < 1e-3
    big = cam.scaled(1.5)
    assert (big.width, big.height) == (1920, 1080) and abs(big.hfov_deg - 60.0) < 1e-6
