"""Stones and their settings. Every stone is built table up (+Z) with its girdle at z=0.

Round brilliant (Tolkowsky proportions): table 57% of the diameter, crown angle 34.5 deg,
pavilion angle 40.75 deg, girdle 2%: 8 table-corner kites (bezels), 8 stars, 16 upper girdle
facets on the crown; 8 pavilion mains and 16 lower girdle facets below. Oval, pear and
marquise brilliants are the same facets drawn on a warped plan, as cutters lay them out.
"""

from __future__ import annotations

import numpy as np

from .detail import current
from .mesh import Arr, Mesh, concat, flat, rot_x
from .shapes import TAU, ellipse, lathe, tube, wall

CROWN_DEG, PAVILION_DEG, TABLE, GIRDLE = 34.5, 40.75, 0.57, 0.02


def _plan_warp(xy: Arr, shape: str, length: float) -> Arr:
    """Round plan (radius 1) to the stone's outline, long axis along +Y (tip up for a pear)."""
    x, y = xy[:, 0], xy[:, 1]
    if shape == "pear":
        w = np.where(y > 0, np.sqrt(np.clip(1 - y, 0, 1)), 1.0)
        return np.stack([x * w, y * length], 1)
    if shape == "marquise":
        return np.stack([x * np.sqrt(np.clip(1 - np.abs(y), 0, 1)), y * length], 1)
    return np.stack([x, y * length], 1)  # round (length 1) or oval


def brilliant(diameter: float, shape: str = "round", length: float = 1.0) -> Mesh:
    """A faceted brilliant, flat-shaded (each facet its own normal: what makes it sparkle).
    `length` is the long/short ratio for oval, pear and marquise. At a coarser detail, the
    single cut instead (see there)."""
    if not current().full:
        return single_cut(diameter, shape, length)
    R = 1.0
    tc, tp = np.tan(np.radians(CROWN_DEG)), np.tan(np.radians(PAVILION_DEG))
    k = np.arange(8)
    main = TAU * k / 8
    half = main + TAU / 16
    zt = (R - TABLE) * tc
    g = GIRDLE * 2 * R

    def pt(r: Arr | float, a: Arr, z: Arr | float) -> Arr:
        return np.stack([r * np.cos(a), r * np.sin(a), np.broadcast_to(z, a.shape)], 1)

    table = pt(TABLE, main, zt)
    s_r = (TABLE * np.cos(TAU / 16) + R) / 2
    star = pt(s_r, half, (R - s_r * np.cos(TAU / 16)) * tc)
    gm, gh = pt(R, main, 0.0), pt(R, half, 0.0)
    lm, lh = pt(R, main, -g), pt(R, half, -g)
    p_r = 0.22
    low = pt(p_r, half, -g - (R - p_r * np.cos(TAU / 16)) * tp)
    culet = np.array([[0.0, 0.0, -g - R * tp]])
    # vertex blocks: table 0-7, star 8-15, gm 16-23, gh 24-31, lm 32-39, lh 40-47, low 48-55, culet 56
    v = np.concatenate([table, star, gm, gh, lm, lh, low, culet])
    T, S, GM, GH, LM, LH, LO, C = 0, 8, 16, 24, 32, 40, 48, 56
    n = (k + 1) % 8
    p = (k - 1) % 8
    faces = [np.stack([np.zeros(6, int) + T, T + np.arange(1, 7), T + np.arange(2, 8)], 1)]  # table fan
    faces += [np.stack([T + k, S + k, T + n], 1)]  # stars
    faces += [np.stack([T + k, S + p, GM + k], 1), np.stack([T + k, GM + k, S + k], 1)]  # bezels
    faces += [np.stack([S + k, GM + k, GH + k], 1), np.stack([S + k, GH + k, GM + n], 1)]  # upper girdle
    faces += [
        np.stack([GM + k, LM + k, LH + k], 1),
        np.stack([GM + k, LH + k, GH + k], 1),
        np.stack([GH + k, LH + k, LM + n], 1),
        np.stack([GH + k, LM + n, GM + n], 1),
    ]  # girdle
    faces += [
        np.stack([LM + k, LO + p, np.zeros(8, int) + C], 1),
        np.stack([LM + k, np.zeros(8, int) + C, LO + k], 1),
    ]  # pavilion mains
    faces += [np.stack([LM + k, LO + k, LH + k], 1), np.stack([LH + k, LO + k, LM + n], 1)]  # lower girdle
    return _cut(v, np.concatenate(faces), diameter, shape, length)


def _cut(v: Arr, f: Arr, diameter: float, shape: str, length: float) -> Mesh:
    """A stone from its round plan (radius 1, table fan first): warped to its shape, sized,
    flat-shaded."""
    plan = _plan_warp(v[:, :2], shape, length) * (diameter / 2)
    v = np.concatenate([plan, v[:, 2:] * diameter / 2], 1)
    m = flat(v, f)
    # The table fan is authored counter-clockwise from above; check the whole stone agrees.
    if m.n[:18, 2].mean() < 0:
        m = Mesh(m.v, -m.n, m.f[:, ::-1])
    return m


def single_cut(diameter: float, shape: str = "round", length: float = 1.0) -> Mesh:
    """The single cut (eight-cut), the brilliant's older, simpler cousin still used for melee:
    an octagonal table, eight crown facets, eight pavilion facets to the culet, at the same
    crown and pavilion angles: 17 facets in 30 triangles, against the brilliant's 57 in 110.
    A 1-3 mm stone is a few pixels across live, where the brilliant's small facets average
    out; the single cut's broad ones still flash as the head turns."""
    tc, tp = np.tan(np.radians(CROWN_DEG)), np.tan(np.radians(PAVILION_DEG))
    k = np.arange(8)
    a = TAU * k / 8
    ring = np.stack([np.cos(a), np.sin(a)], 1)
    table = np.c_[ring * TABLE, np.full(8, (1 - TABLE) * tc)]
    girdle = np.c_[ring, np.zeros(8)]
    culet = np.array([[0.0, 0.0, -tp]])
    v = np.concatenate([table, girdle, culet])
    n = (k + 1) % 8
    f = np.concatenate(
        [
            np.stack([np.zeros(6, int), np.arange(1, 7), np.arange(2, 8)], 1),  # table fan
            np.stack([k, 8 + k, 8 + n], 1),
            np.stack([k, 8 + n, n], 1),  # crown
            np.stack([8 + k, np.full(8, 16), 8 + n], 1),  # pavilion
        ]
    )
    return _cut(v, f, diameter, shape, length)


def cabochon(
    width: float, length: float | None = None, height: float | None = None, segs: int = 24, rows: int = 6
) -> Mesh:
    """A domed cabochon (kemp, ruby, emerald), smooth, with a short girdle and a flat base."""
    r = width / 2
    h = height if height is not None else 0.45 * width
    if not current().full:
        rows = min(rows, 3)
    t = np.linspace(0.0, np.pi / 2, rows + 1)
    prof = [[r * np.sin(a), 0.1 * h + 0.9 * h * np.cos(a)] for a in t]
    prof += [[r, 0.1 * h], [r, 0.0], [r, 0.0], [0.0, 0.0]]
    m = lathe(prof, segs).moved(rot_x(90.0))
    return m.scaled(1.0, (length or width) / width, 1.0)


def polki(outline: Arr, thickness: float, seed: int, in_bezel: bool = False) -> Mesh:
    """A flat-cut uncut diamond: a broad table with one row of shallow facets to an irregular
    edge, a flat back (it sits on gold foil). in_bezel: its side below the girdle is inside a
    bezel that rises past it, so at a coarser detail it is not drawn."""
    rng = np.random.default_rng(seed)
    o = np.asarray(outline, float)
    c = o.mean(axis=0)
    wob = 1.0 + rng.uniform(-0.05, 0.05, len(o))
    edge = c + (o - c) * wob[:, None]
    d = current()
    if not d.full:  # its facets evenly round, as many as its size needs
        r = float(np.linalg.norm(edge - c, axis=1).mean())
        edge = edge[np.linspace(0, len(edge), d.around(len(edge), r, 5), endpoint=False).astype(int)]
    table = c + (edge - c) * 0.72
    n = len(edge)
    v = np.concatenate(
        [
            np.c_[table, np.full(n, thickness)],
            np.c_[edge, np.full(n, thickness * 0.45)],
            np.c_[edge, np.zeros(n)],
            [[c[0], c[1], thickness]],
            [[c[0], c[1], 0.0]],
        ]
    )
    i = np.arange(n)
    j = (i + 1) % n
    ct, cb = 3 * n, 3 * n + 1
    f = np.concatenate(
        [
            np.stack([np.full(n, ct), i, j], 1),
            np.stack([i, n + i, n + j], 1),
            np.stack([i, n + j, j], 1),
            np.stack([n + i, 2 * n + i, 2 * n + j], 1),
            np.stack([n + i, 2 * n + j, n + j], 1),
            np.stack([np.full(n, cb), 2 * n + j, 2 * n + i], 1),
        ]
    )
    # (its flat back lies on the gold foil: at live detail, where every triangle counts, it goes,
    # and so does a bezel-set stone's side: 30 of a choker's 110 stones' 50 triangles a stone)
    return flat(v, f if d.full else f[: (3 if in_bezel else 5) * n])


def pearl(diameter: float, segs: int = 20, rows: int = 12) -> Mesh:
    from .shapes import sphere

    return sphere(diameter / 2, segs, rows)


def drop_pearl(diameter: float, length: float, segs: int = 24, rows: int = 16) -> Mesh:
    """A drop (teardrop) pearl about +Y: round below, drawn out towards the drill hole on top."""
    r = diameter / 2
    th = np.linspace(0.0, np.pi, rows + 1)
    top = length - r
    y = np.where(th < np.pi / 2, top * np.cos(th), r * np.cos(th))
    prof = np.stack([r * np.sin(th) * np.where(th < np.pi / 2, 0.92 + 0.08 * np.sin(th), 1.0), y], 1)
    return lathe(prof, segs)


def bezel(outline: Arr, seat: float, top: float, wall_w: float = 0.35) -> Mesh:
    """A gold bezel wall around a stone's outline (CCW): from the seat (z) up past the girdle
    to `top`, where it is burnished over the stone (at a coarser detail a plain ridge: the
    burnished lip is a tenth of a millimetre)."""
    if not current().full:
        return wall(outline, [[-0.02, seat], [wall_w * 0.5, top], [wall_w, seat]])
    return wall(
        outline,
        [
            [-0.02, seat],
            [-0.02, top - 0.1],
            [wall_w * 0.45, top + 0.05],
            [wall_w, top - 0.12],
            [wall_w, seat],
        ],
    )


def round_outline(d: float, n: int = 24) -> Arr:
    return ellipse(d / 2, d / 2, n)


def prongs(diameter: float, count: int, below: float, above: float, wire: float) -> Mesh:
    """Claws holding a stone by its girdle: up from the basket, bent over the crown edge."""
    r = diameter / 2
    out = []
    for k in range(count):
        a = TAU * (k + 0.5) / count
        d = np.array([np.cos(a), np.sin(a)])
        pts = [
            [*(d * (r * 0.7)), -below],
            [*(d * (r * 1.02)), -0.2 * below],
            [*(d * (r * 1.04)), 0.3 * above],
            [*(d * (r * 0.9)), above],
        ]
        out.append(tube(np.array(pts), np.linspace(wire / 2, wire * 0.42, 4), 6))
    return concat(out)


def seat_ring(outline: Arr, z: float, wire: float) -> Mesh:
    o = np.asarray(outline, float)
    return tube(np.c_[o, np.full(len(o), z)], wire / 2, 5, closed=True)
