"""Catalogue tiles and fallback sprites rendered from a model in studio light."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.render import synthetic as s
from kiosk.render.preview import render_preview
from kiosk.render.renderer import Renderer
from tests.helpers.pieces import single


def _width(alpha: np.ndarray) -> int:
    cols = np.nonzero(alpha.max(axis=0) > 0.5)[0]
    return int(cols[-1] - cols[0] + 1)


def test_sprites_at_several_yaws_share_one_scale_and_narrow_as_they_turn(renderer: Renderer,
                                                                         tmp_path: Path) -> None:
    hoop = single(tmp_path, s.torus(0.010, 0.0015), "hoop")     # hook 5 mm up, on the ring's axis
    views = [render_preview(renderer, hoop, 200, yaw, 0.0) for yaw in (0, 30, 60)]
    assert all(v.rgba.shape == (200, 200, 4) for v in views)
    assert len({round(v.px_per_mm, 6) for v in views}) == 1
    widths = [_width(v.rgba[:, :, 3]) for v in views]
    # 23 mm across at the front; cos(60) of the ring plus the wire's thickness at 60 degrees.
    assert abs(widths[0] - 23 * views[0].px_per_mm) < 3
    assert widths[0] > widths[1] > widths[2] and widths[2] < 0.65 * widths[0]
    for v in views:
        assert v.hook_px is not None
        x, y = v.hook_px
        assert abs(x - 100) < 0.5 and abs(y - (100 - 5 * v.px_per_mm)) < 1.0   # straight above the centre
        assert np.all(v.rgba[:, :, :3] <= v.rgba[:, :, 3:] + 1e-6)


def test_the_three_quarter_tile_is_seen_from_above(renderer: Renderer, tmp_path: Path) -> None:
    disc = single(tmp_path, s.uv_sphere(0.01), "ball")
    tile = render_preview(renderer, disc, 128)               # defaults: yaw 30, pitch 15
    front = render_preview(renderer, disc, 128, 0.0, 0.0)
    assert tile.rgba.shape == (128, 128, 4) and tile.rgba[:, :, 3].max() == 1.0
    # The hook (5 mm above the centre) comes towards the camera when the front tips down.
    assert tile.hook_px is not None and front.hook_px is not None
    assert tile.hook_px[1] > front.hook_px[1] + 0.3
    # Framed by the bounding sphere: nothing touches the tile's border.
    a = tile.rgba[:, :, 3]
    assert a[0].max() == a[-1].max() == a[:, 0].max() == a[:, -1].max() == 0
