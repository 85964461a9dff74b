"""Reading .glb pieces into millimetres, and `check_model`'s plain-word problems."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kiosk.catalog.model3d import check_model
from kiosk.render import synthetic as s
from kiosk.render.model import ModelError, load_model
from kiosk.render.segments import segment_matrices, swing_frames
from tests.helpers.pieces import GOLD, jhumka


def _hoop(tmp: Path, radius_m: float = 0.010, **node: object) -> Path:
    b = s.GlbBuilder()
    gold = b.material("22k yellow gold", GOLD, 1.0, 0.2, {"kind": "metal"})
    root = b.node("hoop", b.mesh(s.torus(radius_m, radius_m / 8), gold), **node)  # type: ignore[arg-type]
    b.node("hook", parent=root, translation=(0, radius_m, 0))
    return b.save(tmp / "hoop.glb")


def test_a_piece_loads_in_millimetres_with_its_hook_materials_and_swings(tmp_path: Path) -> None:
    m = load_model(jhumka(tmp_path))
    assert m.problems == []
    lo, hi = m.bbox
    assert np.allclose(lo, [-6, -23, -6], atol=0.05) and np.allclose(hi, [6, 1.05, 6], atol=0.05)
    assert np.allclose(m.hook, [0, 0, 0])
    assert [sw.name for sw in m.swings] == ["swing_bell", "swing_drop"]
    bell, drop = m.swings
    assert bell.parent == -1 and drop.parent == 0
    assert np.allclose(bell.pivot, [0, -4, 0]) and bell.damping == pytest.approx(0.3)
    assert np.allclose(drop.pivot, [0, -6, 0]) and drop.damping == pytest.approx(0.5)
    kinds = {mat.name: (mat.kind, mat.ior, mat.dispersion) for mat in m.materials}
    assert kinds["ruby"] == ("gem", pytest.approx(1.76), pytest.approx(0.018))
    assert kinds["22k yellow gold"][0] == "metal"
    assert [n.name for n in m.nodes] == ["jhumka", "hook", "stud", "swing_bell", "swing_drop"]
    assert m.nodes[4].parent == 3
    # One part per (segment, material): the stud on the rigid body, bell and drop on their own.
    assert sorted(p.segment for p in m.parts) == [-1, 0, 1]
    assert m.triangles == 16 * 4 + 12 * 24 * 2 + 8 * 16 * 2


def test_node_rotation_scale_and_translation_are_applied(tmp_path: Path) -> None:
    # Turned 90 degrees about Z and scaled 2x: a 20 mm hoop becomes 40 mm, standing the same.
    q = (0, 0, math.sin(math.pi / 4), math.cos(math.pi / 4))
    m = load_model(_hoop(tmp_path, rotation=q, scale=(2, 2, 2), translation=(0.001, 0, 0)))
    lo, hi = m.bbox
    assert np.allclose((lo + hi) / 2, [1, 0, 0], atol=0.05)
    assert np.allclose(hi - lo, [45, 45, 5], atol=0.1)
    # The hook is 10 mm up in the hoop's frame: rotated to -X, doubled, then moved 1 mm.
    assert np.allclose(m.hook, [-19, 0, 0], atol=1e-3)


def test_swings_turn_about_their_pivot_and_carry_their_children(tmp_path: Path) -> None:
    m = load_model(jhumka(tmp_path))
    rest = segment_matrices(m)
    a = math.radians(30)
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]], np.float32)
    turned = segment_matrices(m, {"swing_bell": rz})
    pivot = np.array([0, -4, 0, 1], np.float32)
    bell_local = np.linalg.inv(rest[0]) @ pivot            # the pivot stays where it was
    assert np.allclose(turned[0] @ bell_local, pivot, atol=1e-4)
    # The bell's centre swings round the pivot by 30 degrees; the drop goes with it.
    centre = turned[0] @ np.array([0, 0, 0, 1], np.float32)
    assert np.allclose(centre[:3], [8 * math.sin(a), -4 - 8 * math.cos(a), 0], atol=1e-4)
    assert not np.allclose(turned[1], rest[1])
    frames = swing_frames(m, np.eye(4, dtype=np.float32), {"swing_bell": rz})
    drop_pivot, drop_parent_rot = frames["swing_drop"]
    assert np.allclose(drop_parent_rot, rz, atol=1e-5)
    assert np.allclose(drop_pivot, turned[0][:3, :3] @ [0, -6, 0] + turned[0][:3, 3], atol=1e-4)


def test_a_good_piece_has_no_problems(tmp_path: Path) -> None:
    assert check_model(_hoop(tmp_path), "earring") == []
    assert check_model(jhumka(tmp_path), "earring") == []


def test_problems_are_told_in_plain_words(tmp_path: Path) -> None:
    b = s.GlbBuilder()
    spec = b.material("glossy", GOLD, extensions={"KHR_materials_pbrSpecularGlossiness": {}})
    b.node("piece", b.mesh(s.uv_sphere(0.01), spec))
    b.node("swing_loose", b.mesh(s.uv_sphere(0.002), None), extras={"swing": {"pivot": [0, 0], "damping": 2}})
    problems = check_model(b.save(tmp_path / "bad.glb"), "earring")
    text = "\n".join(problems)
    assert "no 'hook' node" in text
    assert "'glossy' is specular-glossiness, not metallic-roughness PBR" in text
    assert "has no material" in text
    assert "'swing_loose'" in text and "kept rigid" in text
    assert all("\n" not in p and "Traceback" not in p for p in problems)


def test_size_budget_and_units_are_checked(tmp_path: Path) -> None:
    # Modelled in millimetres by mistake: 1000x too big, and said so.
    big = check_model(_hoop(tmp_path, radius_m=10.0), "earring")
    assert any("outside 4-80 mm for an earring" in p and "millimetres" in p for p in big)
    assert check_model(_hoop(tmp_path, radius_m=0.05), "earring")      # a 100 mm "earring"
    assert not any("wide" in p for p in check_model(_hoop(tmp_path, radius_m=0.05), "necklace"))
    dense = s.GlbBuilder()
    mat = dense.material("gold", GOLD, extras={"kind": "metal"})
    root = dense.node("p", dense.mesh(s.torus(0.01, 0.002, 400, 100), mat))
    dense.node("hook", parent=root)
    over = check_model(dense.save(tmp_path / "dense.glb"), "earring")
    assert over == ["80,000 triangles is over the budget of 60,000: simplify the mesh"]


def test_gem_and_necklace_extras_are_read_and_checked(tmp_path: Path) -> None:
    b = s.GlbBuilder()
    gem = b.material("opal?", (1, 1, 1, 1), 0.0, 0.0, {"kind": "gem", "ior": 3.5})
    odd = b.material("wax", (1, 1, 1, 1), 0.0, 0.5, {"kind": "wax"})
    root = b.node("n", b.mesh(s.torus(0.06, 0.003), gem))
    b.node("s", b.mesh(s.uv_sphere(0.002), odd), parent=root)
    b.node("hook", parent=root)
    path = b.save(tmp_path / "n.glb", scene_extras={"necklace": {"neck_radius_mm": 55}})
    m = load_model(path)
    assert m.necklace == {"neck_radius_mm": 55.0}
    problems = check_model(path, "necklace")
    assert any("gem ior 3.5" in p for p in problems)
    assert any("kind 'wax'" in p for p in problems)
    no_extras = _hoop(tmp_path, radius_m=0.06)
    assert any("neck_radius_mm" in p for p in check_model(no_extras, "necklace"))


def test_unreadable_files_give_one_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "junk.glb"
    junk.write_bytes(b"glTF\x02\x00\x00\x00garbage")
    assert len(check_model(junk)) == 1 and "not a readable glTF binary" in check_model(junk)[0]
    good = _hoop(tmp_path).read_bytes()
    cut = tmp_path / "cut.glb"
    cut.write_bytes(good[: len(good) - 4000])
    with pytest.raises(ModelError):
        load_model(cut)
    assert check_model(tmp_path / "missing.glb") == [f"{tmp_path / 'missing.glb'}: no such file"]
    text = tmp_path / "piece.glb"
    text.write_text('{"asset": {"version": "2.0"}}')
    assert "export a binary .glb" in check_model(text)[0]
