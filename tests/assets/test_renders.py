"""The bundled pieces' images, rendered from their models by make_models.py: the front sprite
(as wide as the piece, its hook where the model's hook is), the fallback sprites at several
yaws (one scale, hooks inside, turning with the yaw), the catalogue tile; regenerated to the
same pixels; and the renderer's occluders, which the sprites rely on, leave no colour behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk.catalog.pieces import Catalog
from tests.helpers.models import MODELS, ROOT, SCRIPT, Piece, manifest

FACE_YAWS = [-60, -40, -20, 0, 20, 40, 60]
NECK_YAWS = [-40, -20, 0, 20, 40]


def rgba(path: Path) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.ndim == 3 and img.shape[2] == 4, path
    return np.asarray(img, np.uint8)


def content_cols(img: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    return np.nonzero(img[:, :, 3].max(axis=0) > 0)[0]


@pytest.mark.parametrize("pid", MODELS)
def test_each_piece_has_a_front_sprite_yaw_sprites_and_a_tile(pid: str) -> None:
    m = manifest(pid)
    folder = ROOT / pid
    assert m["image"] == "piece.png" and "images" not in m  # one model serves both ears
    front = rgba(folder / "piece.png")
    h, w = front.shape[:2]
    ax, ay = m["anchor"]
    assert 0 <= ax <= w and 0 <= ay <= h
    # As wide as the piece (the 2D compositor scales width_mm to the image's width): about
    # 12 px/mm (the near-orthographic lens puts the front a few percent nearer than the back),
    # content within a pixel of both sides.
    assert w <= 12.0 * m["width_mm"] * 1.04 + 2 and w >= 60
    assert front[:, :2, 3].max() > 0 and front[:, -2:, 3].max() > 0
    yaws = m["yaw_sprites"]
    assert [y["yaw"] for y in yaws] == (NECK_YAWS if m["category"] == "necklace" else FACE_YAWS)
    assert len({y["px_per_mm"] for y in yaws}) == 1  # one scale
    for y in yaws:
        img = rgba(folder / y["image"])
        yh, yw = img.shape[:2]
        x, yy = y["anchor"]
        assert 0 <= x <= yw and 0 <= yy <= yh, y
        assert img[:, :, 3].max() == 255 and max(yw, yh) <= 600
        # cropped to what shows: every edge touches the piece (or the hook's pixel)
        on = img[:, :, 3] > 0
        edges = ((on[0], 0, yy), (on[-1], yh - 1, yy), (on[:, 0], 0, x), (on[:, -1], yw - 1, x))
        for edge, at, hook in edges:
            assert edge.any() or abs(at - hook) <= 1.5, y
    tile = rgba(folder / m["tile"])
    assert tile.shape == (256, 256, 4) and tile[:, :, 3].max() == 255
    a = tile[:, :, 3]
    assert a[0].max() == a[-1].max() == a[:, 0].max() == a[:, -1].max() == 0  # framed with a margin
    # Content fills the tile along its longer side.
    cols, rows = content_cols(tile), np.nonzero(a.max(axis=1) > 0)[0]
    assert max(cols[-1] - cols[0], rows[-1] - rows[0]) > 0.8 * 256


@pytest.mark.parametrize("pid", MODELS)
def test_the_sprites_hook_is_the_models_hook(pid: str) -> None:
    """The front sprite's anchor sits where the hook is on the model (read with pygltflib):
    as far from the piece's left edge, at the scale the image's width gives. Every piece is
    symmetric seen from the front with its hook on the middle line: so is each yaw-0 sprite."""
    m = manifest(pid)
    pc = Piece(ROOT / pid / "model.glb")
    chains = set().union(*[pc.subtree(i) for i, n in enumerate(pc.g.nodes) if "chain_to" in (n.extras or {})])
    pts = pc.points_mm(chains)
    hook = pc.world[pc.named("hook")][:3, 3] * 1000
    front = rgba(ROOT / pid / "piece.png")
    scale = front.shape[1] / (pts[:, 0].max() - pts[:, 0].min())
    assert m["anchor"][0] / scale == pytest.approx(hook[0] - pts[:, 0].min(), abs=0.25)
    zero = next(y for y in m["yaw_sprites"] if y["yaw"] == 0)
    cols = content_cols(rgba(ROOT / pid / zero["image"]))
    assert zero["anchor"][0] == pytest.approx((cols[0] + cols[-1] + 1) / 2, abs=1.5)


@pytest.mark.parametrize("pid", ["chandbali_polki", "nath_gold", "hoop_rose_gold", "earring_gold"])
def test_a_flat_piece_narrows_as_it_turns(pid: str) -> None:
    by_yaw = {y["yaw"]: rgba(ROOT / pid / y["image"]) for y in manifest(pid)["yaw_sprites"]}
    width = {yaw: len(content_cols(img)) for yaw, img in by_yaw.items()}
    assert width[0] > width[40] > width[60] and width[60] < 0.75 * width[0]
    assert width[-60] < 0.75 * width[0]


def test_the_loader_reads_the_new_keys() -> None:
    cat = Catalog.load()
    for pid in MODELS:
        p = cat.get(pid)
        assert p.model_live is not None and p.model_live.name == "model_live.glb"
        assert p.tile is not None and p.tile.is_file()
        assert len(p.yaw_sprites) in (len(FACE_YAWS), len(NECK_YAWS))
        v = p.yaw_sprite(13.0)
        assert v is not None and v.yaw == 20 and v.sprite().shape[2] == 4


def _render_or_skip(args: list[str]) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    if run.returncode == 1 and "no OpenGL context" in run.stderr:
        pytest.skip(run.stderr.strip())
    assert run.returncode == 0, run.stderr
    return run


@pytest.mark.parametrize("pid", ["jhumka_gold", "bangles_gold_stack"])  # a face piece, a hand piece
@pytest.mark.slow
def test_one_command_renders_the_same_images_again(pid: str, tmp_path: Path) -> None:
    """Regenerated, a piece's images are the same pixels (bit for bit on one machine: llvmpipe
    is deterministic; the tolerance is for another driver) and its manifest the same keys."""
    _render_or_skip(["--out", str(tmp_path), "--only", pid])
    new: dict[str, Any] = json.loads((tmp_path / pid / "manifest.json").read_text())
    old = manifest(pid)
    for key in ("image", "tile", "model", "model_live", "width_mm"):
        assert new[key] == old[key], key
    assert new["anchor"] == pytest.approx(old["anchor"], abs=0.2)
    assert [y["image"] for y in new["yaw_sprites"]] == [y["image"] for y in old["yaw_sprites"]]
    for a, b in zip(new["yaw_sprites"], old["yaw_sprites"], strict=True):
        assert a["anchor"] == pytest.approx(b["anchor"], abs=0.2) and a["px_per_mm"] == b["px_per_mm"]
    for name in ["piece.png", "tile.png", *(y["image"] for y in old["yaw_sprites"])]:
        got, want = rgba(tmp_path / pid / name), rgba(ROOT / pid / name)
        assert got.shape == want.shape, name
        diff = np.abs(got.astype(int) - want.astype(int))
        assert diff.mean() < 0.5 and (diff > 3).mean() < 0.005, name
    for lod in ("model.glb", "model_live.glb"):
        assert (tmp_path / pid / lod).read_bytes() == (ROOT / pid / lod).read_bytes()


@pytest.mark.slow
def test_an_occluder_leaves_no_colour_where_it_hides_a_piece() -> None:
    """What the sprites' lobe and neck occluders rely on (and the head occluders live): a
    depth-only occluder in front of part of a piece leaves the premultiplied colour at or below
    the alpha everywhere, the same every time (llvmpipe once wrote stray colour there)."""
    from kiosk.render.camera import Camera
    from kiosk.render.context import RenderUnavailable
    from kiosk.render.environment import Environment
    from kiosk.render.model import load_model
    from kiosk.render.occluder import Occluder
    from kiosk.render.renderer import FACING_CAMERA, DrawItem, Renderer

    model = load_model(ROOT / "stud_gold_ruby" / "model.glb")
    cam = Camera.from_hfov(200, 200, 10.0)
    pose = np.eye(4, dtype=np.float32)
    pose[:3, :3] = FACING_CAMERA[:3, :3]
    pose[:3, 3] = (0.0, 0.0, 250.0)
    # a 4 mm square 5 mm in front of the stud, over its lower right quarter
    quad = np.array([[0, 0, 245], [4, 0, 245], [4, 4, 245], [0, 4, 245]], np.float32)
    occ = Occluder(quad, np.array([[0, 1, 2], [0, 2, 3]], np.int32))
    for aa in ("msaa", "fxaa", "none"):
        try:
            r = Renderer(aa=aa)
        except RenderUnavailable as e:
            pytest.skip(f"no OpenGL context: {e.reason}")
        try:
            for quality in ("live", "still"):
                out = [r.render([DrawItem(model, pose)], cam, Environment.studio(), [occ], quality=quality,
                                rect=(0, 0, 200, 200)) for _ in range(3)]
                layers = [o.rgba for o in out if o is not None]
                assert len(layers) == 3
                hidden = layers[0][115:125, 115:125]
                assert hidden[:, :, 3].max() == 0  # the occluder hides the piece there
                for layer in layers:
                    assert np.all(layer[:, :, :3] <= layer[:, :, 3:] + 1e-6), (aa, quality)
                    assert np.array_equal(layer, layers[0]), (aa, quality)
        finally:
            r.release()
