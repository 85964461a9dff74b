"""Necklaces, built already curved round a neck (see drape.py): the hook is the centre of the
neck's cross-section at the neck base, the chain runs round the back at the neck radius given
in the scene extras, and the front lies over the collarbones and the chest. Pendants and drops
swing from where they hang, resting on the body.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import gems
from .detail import current
from .drape import Drape
from .gltf import Model, Node, instance, swing
from .materials import DIAMOND, EMERALD, GOLD, GOLD_MATTE, PEARL, POLKI, RED_ENAMEL, RUBY
from .mesh import Arr, Mesh, Part, concat, frame
from .motifs import bead_drop, granule_ring, jump_ring, mango_outline, pear_outline, set_stone, stone_ring
from .shapes import TAU, band, beads_along, cable_chain, ellipse, granules, plaque, rope_chain, sphere, tube


def _model(pid: str, r: float, rigid: Part, kids: list[Node]) -> Model:
    return Model(
        pid, Node(pid, part=rigid, children=[Node("hook"), *kids]), {"necklace": {"neck_radius_mm": r}}
    )


def _tangent(d: Drape, th: float) -> Arr:
    t = d.at(np.array(th + 1e-3)) - d.at(np.array(th - 1e-3))
    return np.asarray(t / np.linalg.norm(t))


def _rest(d: Drape, pivot: Arr, length: float, lift: float) -> Arr:
    """Rest pose of a drop `length` mm long hanging from `pivot`: down along the body, not into
    it. Returns the rotation whose -Y points down the body and +Z out of it."""
    th = float(np.arctan2(pivot[0], pivot[2]))
    n_h = np.array([np.sin(th), 0.0, np.cos(th)])
    dep = d.y_back - pivot[1] + length
    surf = float(d.radius(np.array(th), np.array(max(dep, 0.0)))) + lift
    here = float(np.hypot(pivot[0], pivot[2]))
    down = np.array([0.0, -length, 0.0]) + n_h * max(surf - here, 0.0)  # only ever pushed out
    down /= np.linalg.norm(down)
    z = n_h - down * (n_h @ down)
    z /= np.linalg.norm(z)
    y = -down
    return np.stack([np.cross(y, z), y, z], 1)


def _on_body(local: Part, d: Drape, th: float, lift: float) -> tuple[Part, Arr]:
    """A flat motif built facing +Z (its hanging point at the origin) laid on the body."""
    p = d.at(np.array(th))
    rot = frame(d.normal(np.array(th)), (0.0, 1.0, 0.0))
    return local.moved(rot, p + lift * d.normal(np.array(th))), p


def _chain_round(
    d: Drape, front: Callable[[Arr], Mesh], back: Callable[[Arr], Mesh], behind_deg: float = 115.0
) -> Mesh:
    """A chain all the way round: `front` (a function of the path) where it shows, the cheaper
    `back` behind the neck, where the neck hides it from every angle the kiosk sees."""
    a = np.radians(behind_deg)
    return concat([front(d.at(np.linspace(-a, a, 721))), back(d.at(np.linspace(a, TAU - a, 97)))])


def pendant_ruby() -> Model:
    """Ruby pendant on a fine cable chain (19.5 in / 495 mm, 2.6 mm links of 0.5 mm wire,
    lighter links behind the neck): a 7 x 9 mm oval brilliant ruby in a halo of eighteen
    1.3 mm diamonds and a granulated rim, 12.4 x 20 mm with its bail, in 22k gold, swinging
    on the chain 82 mm below the neck base, over the top of the breastbone."""
    dr = Drape(60.0, 82.0, round=0.45)
    chain = Part().add(
        GOLD,
        _chain_round(
            dr,
            lambda p: cable_chain(p, 2.6, 0.5, segs=6, sides=4, up=(0, 1, 0)),
            # live: behind the neck, hidden from every angle the kiosk sees, a plain wire
            (lambda p: cable_chain(p, 2.6, 0.5, segs=4, sides=3, up=(0, 1, 0)))
            if current().full
            else (lambda p: tube(p, 0.94, 4)),  # as wide as a flat link: the same size
        ),
    )
    loc = Part()
    loc.add(GOLD, jump_ring((0, -1.7, 0.0), 1.5, 0.8, "x", segs=16))
    loc.add(GOLD, sphere(0.7, 10, 6).moved(t=(0, -3.9, 0.3)))
    c = np.array([0.0, -4.6 - 7.6, 0.0])
    loc.add(GOLD, plaque(ellipse(6.2, 7.6, 48), 0.6, 3, base=0.3, back=-0.4).moved(t=c))
    set_stone(loc, "oval", RUBY, (7.0, 9.0), c + (0, 0, 0.5))
    a = TAU * np.arange(18) / 18
    for k in range(18):
        at = c + (5.15 * np.cos(a[k]), 6.25 * np.sin(a[k]), 0.55)
        set_stone(loc, "brilliant", DIAMOND, (1.3, 1.3), at, segs=12)
    loc.add(
        GOLD,
        granules(
            np.c_[
                6.2 * np.cos(TAU * np.arange(64) / 64),
                7.6 * np.sin(TAU * np.arange(64) / 64),
                np.full(64, 0.55),
            ]
            + c,
            0.55,
        ),
    )
    pend, pivot = _on_body(loc, dr, 0.0, 1.0)
    node = swing("swing_pendant", pivot, pend, 0.4)
    return _model("pendant_ruby", dr.r, chain, [node])


def _trapezoid(top_w: float, bot_w: float, h: float, n: int = 32) -> Arr:
    """A rounded trapezoid (wider below, as a band round the widening neck base)."""
    ang = TAU * np.arange(n) / n
    ex = 0.35
    x = np.sign(np.cos(ang)) * np.abs(np.cos(ang)) ** ex
    y = np.sign(np.sin(ang)) * np.abs(np.sin(ang)) ** ex
    w = bot_w + (top_w - bot_w) * (y + 1) / 2
    return np.stack([x * w / 2, y * h / 2], 1)


def _choker_unit(w: float, h: float, centre: str, accent: str, seed: int) -> Part:
    """A trapezoid unit facing +Z, centred: a polki in kundan (or the centre unit's ruby),
    a small accent stone above, seed pearls along the top edge, granules along the bottom."""
    p = Part()
    o = _trapezoid(w * 0.9, w, h)
    p.add(GOLD, plaque(o, 0.5, 2, base=0.6, back=0.0))
    cy = -1.2
    if centre == POLKI:
        set_stone(p, "polki", POLKI, (w * 0.5, h * 0.42), (0, cy, 0.9), seed=seed)
    else:
        set_stone(p, "oval", centre, (w * 0.46, h * 0.4), (0, cy, 0.5))
    a = TAU * (np.arange(12) + 0.5) / 12
    for j in range(12):  # a halo of small polki: kundan shows stones, not plain gold
        at = (w * 0.37 * np.cos(a[j]), cy + h * 0.31 * np.sin(a[j]), 0.8)
        # (live: 108 such stones, 4 px each, set in the unit's gold; their own rims, under a
        # pixel wide, would cost 2k triangles)
        set_stone(p, "polki", POLKI, (1.7, 1.8), at, seed=seed * 13 + j, segs=10, bezel=current().full,
                  sunk=True)
    set_stone(p, "cab", accent, (2.2, 2.2), (0, h * 0.39, 0.9), segs=12)
    for x in (-w * 0.28, w * 0.28):
        p.add(GOLD, sphere(0.5, 6, 4).moved(t=(x, h * 0.39, 1.0)))
    xs = np.linspace(-w * 0.45 + 0.9, w * 0.45 - 0.9, 6)
    p.add(PEARL, concat([gems.pearl(1.9, 8, 4).moved(t=(x, h / 2 + 0.8, 0.7)) for x in xs]))
    p.add(
        GOLD,
        granules(
            np.c_[np.linspace(-w / 2 + 0.8, w / 2 - 0.8, 12), np.full(12, -h / 2 + 0.3), np.full(12, 0.65)],
            0.6,
        ),
    )
    p.add(GOLD, jump_ring((0, -h / 2 - 0.4, 0.4), 0.5, 0.35, "x", segs=10))
    return p


def _choker_spacer(w: float, h: float, seed: int) -> Part:
    """A narrow marquise unit between the trapezoids: a long polki and a pearl on top."""
    p = Part()
    o = pear_outline(w, h, 24)
    o = np.stack(
        [o[:, 0] * np.where(o[:, 1] < 0, np.sqrt(np.clip(1 + o[:, 1] / (h / 2), 0, 1)), 1.0), o[:, 1]], 1
    )
    p.add(GOLD, plaque(o, 0.5, 2, base=0.6, back=0.0))
    set_stone(p, "polki", POLKI, (w * 0.5, h * 0.6), (0, 0, 0.9), seed=seed, segs=16)
    p.add(PEARL, gems.pearl(2.0, 8, 5).moved(t=(0, h / 2 + 0.6, 0.7)))
    return p


def choker_gold() -> Model:
    """Kundan choker (guluband) for a 56 mm neck: nine hinged trapezoid units (14 x 20 mm),
    each a 7 x 8.4 mm polki set in kundan in a halo of twelve small polki under a ruby or
    emerald cabochon, the middle one an oval ruby, with slim marquise polki units (7 x 14 mm)
    between them; seed pearls along the top edge;
    from each trapezoid swings a latkan of two seed pearls and an emerald drop bead. It goes
    round the front 200 degrees of the neck, sitting just above the collarbones with its front
    10 mm lower than its back, and closes behind with a 2 mm gold rope chain. 122 mm wide seen
    from the front, 36 mm tall with its latkans."""
    r, y_back, tilt = 56.0, 26.0, 10.0
    tw, sw, gap, h = 14.0, 7.0, 1.0, 20.0
    units = ["t" if k % 2 == 0 else "s" for k in range(17)]
    widths = np.array([tw if u == "t" else sw for u in units])
    arc = widths.sum() + gap * (len(units) - 1)
    centres = -arc / 2 + np.cumsum(widths + gap) - widths / 2 - gap
    span = arc / r

    def y_at(th: Arr) -> Arr:
        return y_back - tilt * (1 + np.cos(th)) / 2

    rigid = Part()
    th_back = np.linspace(span / 2 - 0.03, TAU - span / 2 + 0.03, 200)
    back = np.stack([r * np.sin(th_back), y_at(th_back), r * np.cos(th_back)], 1)
    rigid.add(GOLD, rope_chain(back, 2.0))
    drop = bead_drop(2.2, 0.0, 0.45, 10)
    drop.add(PEARL, gems.pearl(2.2, 10, 6).moved(t=(0, -4.4, 0)))
    drop.add(EMERALD, gems.drop_pearl(3.0, 4.2, 12, 8).moved(t=(0, -7.0, 0)))
    body = Drape(r, 0.0, y_back=0.0)
    kids = []
    for k, (u, s_mm) in enumerate(zip(units, centres, strict=True)):
        th = s_mm / r
        n = np.array([np.sin(th), 0.2, np.cos(th)])
        c = np.array([(r + 1.0) * np.sin(th), y_at(np.array(th)), (r + 1.0) * np.cos(th)])
        rot = frame(n, (0.0, 1.0, 0.0))
        if u == "s":
            rigid.extend(_choker_spacer(sw, h * 0.7, 60 + k).moved(rot, c + rot @ np.array([0, 1.5, 0])))
            continue
        mid = k == len(units) // 2
        unit = _choker_unit(tw, h, RUBY if mid else POLKI, EMERALD if (k // 2) % 2 else RUBY, 40 + k)
        rigid.extend(unit.moved(rot, c))
        pivot = c + rot @ np.array([0.0, -h / 2 - 0.8, 0.4])
        kids.append(
            instance(f"swing_latkan_{k // 2:02d}", pivot, drop, 0.45, rotation=_rest(body, pivot, 10.0, 2.0))
        )
    return _model("choker_gold", r, rigid, kids)


def temple_haar_gold() -> Model:
    """Temple mango necklace (manga malai) with a lotus medallion: twenty-four chased gold
    mangoes, 7.6 x 12 mm, each with a ruby kemp cabochon, hanging side by side from a 2 mm rope
    chain over the chest (its front drops 150 mm), and at its point a 34 mm lotus pendant: a
    9 mm ruby cabochon in eight ruby petals, a ring of emerald kemp dots, a granulated rim and
    a fringe of eleven pearl-and-gold-bead drops, swinging with the pendant. 23.5 in / 600 mm
    round; the pendant's fringe ends 194 mm below the neck base."""
    dr = Drape(60.0, 150.0, round=0.35)
    rigid = Part().add(GOLD, _chain_round(dr, lambda p: rope_chain(p, 2.0), lambda p: tube(p, 1.0, 6)))
    mango = Part()
    o = mango_outline(7.6, 12.0)
    mango.add(GOLD_MATTE, plaque(o, 1.4, 3, base=0.5, back=0.0))
    set_stone(mango, "cab", RUBY, (3.4, 4.0), (-0.2, -1.6, 1.3), segs=10)
    mango.add(GOLD, jump_ring((0.3, 6.0, 0.3), 0.55, 0.35, "x", segs=8))
    for j in range(26):
        k = j - 12.5
        if abs(k) < 1:
            continue  # the pendant's bail hangs there
        th = float(dr.theta_at_length(np.array(k * 9.2)))
        t = _tangent(dr, th)
        nb = dr.normal(np.array(th))
        nb = nb - t * (nb @ t)
        n = nb / np.linalg.norm(nb)
        below = np.cross(n, t)
        below = below if below[1] < 0 else -below
        x_ax = t if k < 0 else -t  # tips curl towards the middle
        rot = np.stack([x_ax, -below, n], 1) if k < 0 else np.stack([-x_ax, -below, n], 1)
        m = mango if k < 0 else mango.mirrored_x()  # mirror images on the two sides
        if np.linalg.det(rot) < 0:
            rot = np.stack([-rot[:, 0], rot[:, 1], rot[:, 2]], 1)
            m = m.mirrored_x()
        rigid.extend(m.moved(rot, dr.at(np.array(th)) + 1.0 * n + 6.6 * below))
    loc = Part()
    loc.add(GOLD, jump_ring((0, -1.9, 0.0), 1.7, 0.9, "x", segs=16))
    c = np.array([0.0, -4.2 - 17.0, 0.0])
    loc.add(GOLD_MATTE, plaque(ellipse(17.0, 17.0, 72), 1.2, 4, base=0.6, back=-0.4).moved(t=c))
    set_stone(loc, "cab", RUBY, (9.0, 9.0), c + (0, 0, 1.5), segs=28)
    for k in range(8):
        a = TAU * k / 8 + np.pi / 2
        at = c + (8.0 * np.cos(a), 8.0 * np.sin(a), 1.4)
        set_stone(loc, "cab", RUBY, (3.4, 5.0), at, spin=np.degrees(a) - 90, segs=14)
    stone_ring(loc, "cab", EMERALD, (1.9, 1.9), c + (0, 0, 1.2), 12.8, 16, 0, 10)
    loc.add(GOLD, granule_ring(5.4, 26, 0.7, c + (0, 0, 1.7)))
    loc.add(GOLD, granule_ring(10.9, 46, 0.75, c + (0, 0, 1.4)))
    loc.add(GOLD, granule_ring(16.8, 62, 1.0, c + (0, 0, 0.7)))
    pivot = dr.at(np.array(0.0))
    drop = bead_drop(3.0, 1.6, 0.6, 14)
    rot = frame(dr.normal(np.array(0.0)), (0.0, 1.0, 0.0))
    kids = []
    for j, a in enumerate(np.radians(np.linspace(-150, -30, 11))):
        at = pivot + rot @ (c + np.array([17.0 * np.cos(a), 17.0 * np.sin(a) - 0.3, 0.2])) + 1.2 * rot[:, 2]
        loc.add(GOLD, jump_ring(c + (17.2 * np.cos(a), 17.2 * np.sin(a), 0.2), 0.5, 0.35, "x"))
        kids.append(instance(f"swing_drop_{j:02d}", at, drop, 0.45, rotation=_rest(dr, at, 8.0, 1.5)))
    pend, pivot = _on_body(loc, dr, 0.0, 1.2)
    node = swing("swing_pendant", pivot, pend, 0.4, kids)
    return _model("temple_haar_gold", dr.r, rigid, [node])


def _strand(d: Drape, bead: Part, pitch: float, edge_deg: float, lift: float) -> Part:
    """Beads threaded along the front of a drape between the side pieces."""
    a = np.radians(edge_deg)
    path = d.at(np.linspace(-a, a, 721), lift)
    out = Part()
    for mat, ms in bead.by_mat.items():
        for m in ms:
            out.add(mat, beads_along(path, pitch, m))
    return out


def haar_long() -> Model:
    """Layered rani haar for a 62 mm neck: three strands gathered at the sides by kundan side
    pieces - 3 mm gold beads (front drop 105 mm), 4.4 mm pearls (145 mm) and 4 mm emerald beads
    between gold beads (185 mm) - and a rope chain round the back; from the lowest strand swings
    a pendant: a 12 x 16 mm emerald cabochon ringed by ten polki in kundan, a red
    meenakari border, a granulated rim and a fringe of nine pearl drops round an emerald drop.
    21, 24 and 26 in (540, 600, 665 mm) round along the strands; the pendant, 36 x 46 mm with
    its bail, ends 243 mm below the neck base."""
    r, edge = 62.0, 90.0
    d1, d2, d3 = Drape(r, 105.0, round=0.6), Drape(r, 145.0, round=0.5), Drape(r, 185.0, round=0.4)
    rigid = Part()
    a = np.radians(edge + 3.0)
    rigid.add(GOLD, rope_chain(d1.at(np.linspace(a, TAU - a, 160)), 2.2))
    # Live: the strands hold 345 beads, 6-10 px each at 720p: each is drawn as the coarsest
    # ball that still reads round and bright there (six sides, three rows: 24 triangles; an
    # octahedron looks a dull speck), or the strands alone would take 14k triangles.
    def ball(segs: int, rows: int) -> tuple[int, int]:
        return (segs, rows) if current().full else (6, 3)

    rigid.extend(_strand(d1, Part().add(GOLD, sphere(1.5, *ball(6, 4))), 3.15, edge, 1.5))
    rigid.extend(_strand(d2, Part().add(PEARL, gems.pearl(4.4, *ball(10, 6))), 4.55, edge, 2.2))
    pair = Part().add(EMERALD, gems.pearl(4.0, *ball(8, 5)))
    pair.add(GOLD, sphere(1.2, *ball(6, 4)).moved(t=(3.3, 0, 0)))
    rigid.extend(_strand(d3, pair, 6.6, edge, 2.0))
    for side in (-1.0, 1.0):  # the side pieces the strands hang from
        th = side * np.radians(edge)
        p = Part()
        o = pear_outline(11.0, 16.0, 32)
        p.add(GOLD, plaque(o, 0.6, 2, base=0.5, back=0.0))
        set_stone(p, "polki", POLKI, (6.0, 8.0), (0, -1.0, 0.8), seed=70 + int(side))
        set_stone(p, "cab", RUBY, (2.4, 2.4), (0, 5.0, 0.8), segs=12)
        n = d1.normal(np.array(th))
        rigid.extend(
            p.moved(frame(n, (0.0, 1.0, 0.0)), d1.at(np.array(th)) + 1.5 * n + np.array([0, -3.0, 0]))
        )
    loc = Part()
    loc.add(GOLD, jump_ring((0, -1.9, 0.0), 1.7, 0.9, "x", segs=16))
    c = np.array([0.0, -4.4 - 21.0, 0.0])
    o = pear_outline(36.0, 42.0, 72) * np.array([1.0, -1.0])  # a paan leaf, point down
    loc.add(GOLD, plaque(o, 1.0, 3, base=0.6, back=-0.4).moved(t=c))
    ring_o, ring_i = np.concatenate([o * 0.94, o[:1] * 0.94]), np.concatenate([o * 0.88, o[:1] * 0.88])
    loc.add(RED_ENAMEL, band(ring_i + c[:2], ring_o + c[:2], 0.15, back=0.0, rows=2).moved(t=(0, 0, 1.5)))
    set_stone(loc, "cab", EMERALD, (12.0, 16.0), c + (0, -2.0, 1.0), segs=32, dome=0.35)
    ring = np.stack(
        [
            10.6 * np.cos(TAU * np.arange(10) / 10 + np.pi / 2),
            13.0 * np.sin(TAU * np.arange(10) / 10 + np.pi / 2) - 2.0,
        ],
        1,
    )
    for k, (x, y) in enumerate(ring):
        set_stone(loc, "polki", POLKI, (4.2, 4.6), c + (x, y, 1.3), seed=80 + k, segs=16)
    loc.add(GOLD, granules(np.c_[o[::1] * 0.985, np.full(len(o), 0.9)] + c, 0.8))
    drop = bead_drop(3.0, 1.4, 0.6, 14)
    drop.add(PEARL, gems.pearl(2.6, 12, 7).moved(t=(0, -6.6, 0)))
    emerald = bead_drop(3.0, 0.0, 0.6, 14)
    emerald.add(EMERALD, gems.drop_pearl(5.0, 7.0, 16, 10).moved(t=(0, -8.6, 0)))
    pivot = d3.at(np.array(0.0))
    rot = frame(d3.normal(np.array(0.0)), (0.0, 1.0, 0.0))
    kids = []
    bottom = o[np.argsort(o[:, 1])[:36]]
    bottom = bottom[np.argsort(bottom[:, 0])][::4][:9]
    for j, (x, y) in enumerate(bottom):
        loc.add(GOLD, jump_ring(c + (x, y + 0.2, 0.2), 0.5, 0.35, "x"))
        at = pivot + rot @ (c + np.array([x, y - 0.3, 0.2])) + 1.2 * rot[:, 2]
        kids.append(
            instance(
                f"swing_drop_{j:02d}",
                at,
                emerald if j == 4 else drop,
                0.45,
                rotation=_rest(d3, at, 10.0, 1.5),
            )
        )
    pend, pivot = _on_body(loc, d3, 0.0, 1.2)
    node = swing("swing_pendant", pivot, pend, 0.4, kids)
    return _model("haar_long", r, rigid, [node])
