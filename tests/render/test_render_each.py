"""Pieces drawn side by side in one pass (`render_each`) come out as each would alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.render import synthetic as s
from kiosk.render.environment import Environment
from kiosk.render.model import load_model
from kiosk.render.occluder import Occluder
from kiosk.render.renderer import TILE_PX, DrawItem, Renderer
from tests.helpers.pieces import CAM, facing, jhumka, single


def _wall(x0: float, x1: float, z: float) -> Occluder:
    v = np.array([[x0, -500, z], [x1, -500, z], [x1, 500, z], [x0, 500, z]], np.float32)
    return Occluder(v, np.array([[0, 1, 2], [0, 2, 3]]))


@pytest.fixture(params=["msaa", "fxaa"])
def each_aa(request: pytest.FixtureRequest, renderer: Renderer) -> Iterator[Renderer]:
    """The live anti-aliasing both ways, on the session's GL context."""
    r = Renderer(renderer.ctx, aa=request.param)
    yield r
    r.release()


def test_pieces_drawn_together_match_each_drawn_alone(each_aa: Renderer, tmp_path: Path) -> None:
    r = each_aa
    ear = load_model(jhumka(tmp_path))
    ball = single(tmp_path, s.uv_sphere(0.03), "ball")
    env = Environment.studio()
    # Two earrings of different heights and a wide piece, one of them half behind a wall (its
    # own occluder: the others must not be hidden by it), one that is not in view at all.
    groups = [
        ([DrawItem(ear, facing(600, -90, -20, yaw_deg=25))], []),
        ([DrawItem(ball, facing(650, 0, 120))], [_wall(-500, 0, 590)]),
        ([DrawItem(ear, facing(5000 * 3, 40000))], []),
        ([DrawItem(ear, facing(560, 95, -10, yaw_deg=-30))], []),
    ]
    together = r.render_each(groups, CAM, env)
    assert together[2] is None
    for (items, occ), got in zip(groups, together, strict=True):
        alone = r.render(items, CAM, env, occluders=occ)
        if alone is None:
            assert got is None
            continue
        assert got is not None and got.rect == alone.rect
        assert np.abs(got.rgba - alone.rgba).max() <= 1 / 255, r.aa
        assert got.alpha.max() > 0.9
    # The wall did hide the ball's left half, and nothing of the earrings beside it.
    ball_layer = together[1]
    assert ball_layer is not None
    cx = int(round(CAM.cx)) - ball_layer.x0
    assert ball_layer.alpha[:, : cx - 1].max() == 0 and ball_layer.alpha[:, cx + 1:].max() > 0.9
    assert len(r.last_ms) == len(groups) and r.last_ms[2] == 0.0 and min(r.last_ms[:2]) > 0


def test_a_piece_too_close_for_one_target_is_still_drawn(renderer: Renderer, tmp_path: Path) -> None:
    """Wider than a target can be: drawn in tiles by `render` rather than dropped."""
    card = single(tmp_path, s.quad(0.2), "card")
    item = DrawItem(card, facing(150))
    (got,) = renderer.render_each([([item], [])], CAM, Environment.studio())
    assert got is not None and max(got.rect[2:]) > TILE_PX
    alone = renderer.render([item], CAM, Environment.studio())
    assert alone is not None and np.array_equal(got.rgba, alone.rgba)
