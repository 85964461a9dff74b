"""Recurring pieces of Indian goldsmithing: set stones, flower (phool) tops, jump rings, bead
drops, granulated rims, filigree curls. Each returns a Part in piece space (mm)."""

from __future__ import annotations

import numpy as np

from . import gems
from .materials import DIAMOND, GOLD, PEARL
from .mesh import Arr, Mesh, Part, Vec, frame, rot_x, rot_z
from .shapes import TAU, ellipse, granules, lathe, plaque, resample, sphere, spiral, torus, tube


def pear_outline(width: float, length: float, n: int = 24) -> Arr:
    """A petal / paisley-ish drop outline, tip along +Y, centred on its bounding box."""
    t = TAU * np.arange(n) / n - np.pi / 2
    x, y = np.cos(t), np.sin(t)
    w = np.where(y > 0, np.sqrt(np.clip(1 - y, 0, 1)) * 0.85 + 0.15 * (1 - y), 1.0)
    return np.stack([x * w * width / 2, y * length / 2], 1)


def mango_outline(w: float, ln: float, n: int = 40) -> Arr:
    """A paisley (mango) outline, its fat end down the -Y side, the tip curling to +X."""
    o = pear_outline(w, ln, n)
    t = np.clip(o[:, 1] / (ln / 2), 0, 1)
    return np.stack([o[:, 0] + 0.45 * w * t**2, o[:, 1]], 1)


def placed(
    m: Mesh,
    at: Vec,
    normal: Vec = (0, 0, 1),
    up: Vec = (0, 1, 0),
    spin: float = 0.0,
) -> Mesh:
    """A stone or motif built facing +Z moved to face `normal` at `at` (spun about its own axis)."""
    return m.moved(rot_z(spin)).moved(frame(normal, up), at)


def set_stone(
    part: Part,
    stone: str,
    material: str,
    size: tuple[float, float],
    at: Vec,
    normal: Vec = (0, 0, 1),
    up: Vec = (0, 1, 0),
    metal: str = GOLD,
    spin: float = 0.0,
    seed: int = 0,
    bezel: bool = True,
    segs: int = 24,
    dome: float = 0.45,
    sunk: bool = False,
) -> Part:
    """A stone in a gold bezel: 'cab' (cabochon), 'brilliant', 'oval', 'pear', 'polki'.
    size = (width, length) mm; `at` is the centre of the stone's seat; dome: a cabochon's height
    over its width; sunk: its seat is below the gold around it (a polki's side then never shows)."""
    w, ln = size
    if stone == "cab":
        m = gems.cabochon(w, ln, height=dome * min(w, ln), segs=segs)
        outline = ellipse(w / 2, ln / 2, segs)
        seat, top = 0.0, 0.35 * min(w, ln) * dome
    elif stone == "polki":
        outline = ellipse(w / 2, ln / 2, 11, phase=0.3)
        thick = 0.22 * min(w, ln) + 0.15
        seat, top = 0.0, 0.18 * min(w, ln)
        # (a bezel rising past the girdle, at 0.45 of the stone's thickness, hides its side)
        m = gems.polki(outline, thick, seed, in_bezel=sunk or (bezel and top >= 0.45 * thick))
        outline = ellipse(w / 2, ln / 2, segs)
    else:
        shape = {"brilliant": "round", "oval": "oval", "pear": "pear"}[stone]
        m = gems.brilliant(w, shape, ln / w)
        girdle_z = 0.43 * w  # the pavilion sits in the setting
        m = m.moved(t=(0, 0, girdle_z))
        outline = gems.round_outline(w, segs) if shape == "round" else _warped_outline(w, ln, shape, segs)
        seat, top = girdle_z - 0.15 * w, girdle_z + 0.06 * w
    part.add(material, placed(m, at, normal, up, spin))
    if bezel:
        part.add(
            metal,
            placed(gems.bezel(outline, seat - 0.3, top, 0.28 + 0.04 * min(w, ln)), at, normal, up, spin),
        )
    return part


def _warped_outline(w: float, ln: float, shape: str, n: int) -> Arr:
    c = ellipse(1.0, 1.0, n)
    return gems._plan_warp(c, shape, ln / w) * (w / 2)


def jump_ring(at: Vec, major: float = 0.7, wire: float = 0.35, facing: str = "x", segs: int = 12) -> Mesh:
    """A small ring; facing 'x' is a ring in the YZ plane (hangs across a loop facing front)."""
    m = torus(major, wire / 2, segs, 5)
    if facing == "x":
        m = m.moved(np.array([[0, 0, 1], [0, 1, 0], [-1, 0, 0]], float))
    return m.moved(t=at)


def bead_drop(
    pearl_d: float,
    bead_d: float = 0.0,
    ring: float = 0.6,
    pearl_segs: int = 14,
    pearl_mat: str = PEARL,
    metal: str = GOLD,
) -> Part:
    """A drop hanging from (0, 0, 0): jump ring, a pearl (or any round bead) and a gold bead tip.
    Its bottom is at -(2*ring + pearl_d + bead_d)."""
    p = Part()
    p.add(metal, jump_ring((0, -ring, 0), ring, 0.3, "x"))
    y = -2 * ring - pearl_d / 2 + 0.15
    p.add(pearl_mat, gems.pearl(pearl_d, pearl_segs, max(6, pearl_segs * 2 // 3)).moved(t=(0, y, 0)))
    if bead_d:
        p.add(metal, sphere(bead_d / 2, 8, 6).moved(t=(0, y - pearl_d / 2 - bead_d / 2 + 0.1, 0)))
    return p


def granule_ring(
    radius: float,
    count: int,
    d: float,
    at: Vec = (0, 0, 0),
    normal: Vec = (0, 0, 1),
    ry: float | None = None,
) -> Mesh:
    a = TAU * np.arange(count) / count
    pts = np.stack([radius * np.cos(a), (ry or radius) * np.sin(a), 0 * a], 1)
    return placed(granules(pts, d), at, normal)


def beaded_wire(path: Arr, d: float) -> Mesh:
    """Granulation along a line: balls touching, about one diameter apart."""
    pts, _, _ = resample(path, step=d * 0.98)
    return granules(pts, d)


def ear_post(metal: str, front: float = 0.2) -> Part:
    """A 0.84 mm ear post from the back of a top (z=front) 10 mm back through the lobe, with
    its push-back (butterfly) 6 mm behind, where the lobe's back is."""
    p = Part().add(metal, tube(np.array([[0, 0, front], [0, 0, -10.0]]), 0.42, 8))
    back = lathe([[0.0, 0.6], [2.6, 0.4], [2.8, 0.0], [2.8, 0.0], [0.0, 0.0]], 20)
    return p.add(metal, back.moved(rot_x(-90.0), (0, 0, -6.0)))


def stone_ring(part: Part, stone: str, material: str, size: tuple[float, float], centre: Vec,
               radius: float, count: int, seed: int, segs: int, phase: float = 0.5) -> Part:
    """`count` stones evenly round a circle in the XY plane (a halo, a ring of kemp dots)."""
    c = np.asarray(centre, float)
    for k in range(count):
        a = TAU * (k + phase) / count
        set_stone(part, stone, material, size, c + (radius * np.cos(a), radius * np.sin(a), 0.0),
                  seed=seed + k, segs=segs)
    return part


def flower_top(
    diameter: float,
    petals: int,
    centre: tuple[str, str, float],
    petal_stone: tuple[str, str] | None,
    metal: str = GOLD,
    granule_d: float = 0.6,
    seed: int = 0,
    post: bool = True,
) -> Part:
    """A phool (flower) stud facing +Z, its back plate at z=0 and the ear post going back
    along -Z from the origin (the hook). centre = (stone kind, material, size mm);
    petal_stone = (kind, material) set in each petal, or None for plain domed gold petals."""
    r = diameter / 2
    p = Part()
    back = plaque(ellipse(r - 0.2, r - 0.2, 48), 0.3, rings=3, base=0.5, back=0.0)
    p.add(metal, back)
    pl, pw = r * 0.62, r * 0.5
    for k in range(petals):
        a = TAU * k / petals + np.pi / 2
        d = np.array([np.cos(a), np.sin(a)])
        c = d * (r - pl / 2 - 0.35)
        spin = np.degrees(a) - 90
        petal = plaque(pear_outline(pw, pl, 20), 0.55, rings=4, base=0.8, back=0.4).moved(
            rot_z(spin), (c[0], c[1], 0)
        )
        p.add(metal, petal)
        if petal_stone is not None:
            kind, mat = petal_stone
            set_stone(
                p,
                kind,
                mat,
                (pw * 0.62, pl * 0.6),
                (c[0] - d[0] * 0.1, c[1] - d[1] * 0.1, 1.05),
                spin=spin,
                metal=metal,
                seed=seed + k,
                segs=16,
            )
    kind, mat, size = centre
    set_stone(p, kind, mat, (size, size), (0, 0, 1.2), metal=metal, seed=seed + 99)
    p.add(
        metal,
        granule_ring(
            size / 2 + 0.55, max(12, int(TAU * (size / 2 + 0.55) / granule_d)), granule_d, (0, 0, 1.35)
        ),
    )
    p.add(metal, granule_ring(r - 0.15, int(TAU * r / (granule_d * 1.02)), granule_d, (0, 0, 0.6)))
    if post:
        p.extend(ear_post(metal))
    return p


def filigree_curl(
    at: Vec,
    r: float,
    turns: float,
    rot: float,
    wire: float = 0.28,
    normal: Vec = (0, 0, 1),
    up: Vec = (0, 1, 0),
) -> Mesh:
    """One filigree scroll: a flat spiral of fine twisted wire."""
    s = spiral(0.12 * r, r, turns, max(12, int(turns * 18)), np.radians(rot))
    return tube(s, wire / 2, 5).moved(frame(normal, up), at)


def seed_pearl_row(path: Arr, d: float, segs: int = 8) -> Mesh:
    from .shapes import beads_along

    return beads_along(path, d * 1.05, gems.pearl(d, segs, 5))


def solitaire(d: float, at: Vec, metal: str, stone_mat: str = DIAMOND, prongs: int = 4) -> Part:
    """A round brilliant held by claws over a small basket (girdle at at.z + 0.45 d)."""
    p = Part()
    gz = 0.45 * d
    p.add(stone_mat, gems.brilliant(d).moved(t=(at[0], at[1], at[2] + gz)))
    p.add(
        metal, gems.prongs(d, prongs, gz * 0.9, 0.12 * d, 0.32 + 0.05 * d).moved(t=(at[0], at[1], at[2] + gz))
    )
    p.add(
        metal, gems.seat_ring(ellipse(d * 0.36, d * 0.36, 16), 0.0, 0.3).moved(t=(at[0], at[1], at[2] + 0.15))
    )
    return p


def ear_wire(
    metal: str, drop_to: float = -5.0, back_to: float = -11.0, wire: float = 0.8
) -> tuple[Part, Arr]:
    """A French hook: from a loop in front (its bottom at y=drop_to) up and over through the
    lobe at the origin (going back along -Z) and down behind the lobe. Returns the part and
    the point the ornament hangs from (the bottom of the front loop)."""
    t = np.linspace(0.0, np.pi, 24)
    arc = np.stack([0 * t, 1.6 * np.sin(t) - 1.6, 1.6 * np.cos(t)], 1)  # top of the arc: origin
    front = np.stack([np.zeros(8), np.linspace(drop_to + 1.2, -1.6, 8), np.full(8, 1.6)], 1)
    back = np.stack(
        [np.zeros(12), np.linspace(-1.6, back_to, 12), -1.6 - 0.9 * np.linspace(0, 1, 12) ** 2], 1
    )
    path = np.concatenate([front[:-1], arc, back[1:]])
    p = Part().add(metal, tube(path, wire / 2, 8))
    p.add(metal, jump_ring((0, drop_to + 0.6, 1.6), 0.6, wire * 0.8, "x"))
    return p, np.array([0.0, drop_to, 1.6])
