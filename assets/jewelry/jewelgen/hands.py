"""Rings, and what rings and bangles share: bands turned round the finger's or forearm's axis.

Hand pieces (issue 22; the placement on the hand relies on these): the hook is the centre of the
band (ring) or of the bangle's opening, at the origin; +Y runs along the finger / forearm towards
the fingertips and the band circles the Y axis; +Z comes out of the top of the ring, the
setting's side (away from the back of the hand); +X completes the right-handed frame. The scene
extras say the inner diameter the piece is modelled at and the width of its band:
{"inner_diameter_mm": d, "band_width_mm": w} (w: the band along Y where it meets the finger or
wrist; a ring's head may reach further). Rings are modelled at Indian size 14 (US 7: 17.3 mm
inside), bangles at 2.4 (2 4/16 in, 57.2 mm), bracelets at their closed inner diameter.

A point on a band is given by its angle phi about +Y from the top (+Z, phi = 0) towards +X, its
radius from the axis and its height y along the axis: (r sin phi, y, r cos phi), as lathe turns.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import detail, gems
from .detail import current
from .gltf import Model, Node
from .materials import (
    BLUE_SAPPHIRE,
    CATS_EYE,
    CORAL,
    DIAMOND,
    EMERALD,
    GOLD,
    GOLD_MATTE,
    HESSONITE,
    PEARL,
    PLATINUM,
    POLKI,
    RED_ENAMEL,
    RUBY,
    YELLOW_SAPPHIRE,
)
from .mesh import Arr, Mesh, Part, grid
from .motifs import granule_ring, set_stone, solitaire
from .shapes import TAU, band, beads_along, ellipse, granules, lathe, plaque, sphere, tube

RING_INNER_MM = 17.3  # Indian size 14, US 7
BANGLE_INNER_MM = 57.2  # bangle size 2.4: 2 4/16 in
Profile = Callable[[Arr], Arr]  # phi (radians) -> a band's measure there (mm)


def const(v: float) -> Profile:
    return lambda phi: np.full(np.shape(phi), v)


def crown(low: float, high: float, power: float = 1.0) -> Profile:
    """low under the finger (phi = pi) rising to high at the top (phi = 0): a band that widens
    and thickens under its setting, as rings are forged."""
    return lambda phi: low + (high - low) * ((1 + np.cos(phi)) / 2) ** power


def shank(r_in: float, thick: Profile, half_w: Profile, segs: int = 96, n: int = 28, dome: float = 0.75,
          inner: float = 0.5, y0: float = 0.0) -> Mesh:
    """A band round +Y from its inner radius out: thickness and half-width may vary round it.
    Its section is a superellipse, `dome` its outer half's exponent (1: round, smaller: boxier)
    and `inner` its inner half's (a comfort fit is nearly flat inside). n: a multiple of 4."""
    p, _ = _shank_grid(r_in, thick, half_w, segs, n, dome, inner, y0)
    return grid(p, wrap_u=True, wrap_v=True)


def striped_shank(r_in: float, thick: Profile, half_w: Profile, stripe_w: float, segs: int = 96,
                  n: int = 28, dome: float = 0.75, inner: float = 0.5) -> tuple[Mesh, Mesh]:
    """The same band in two pieces of one surface: the stripe `stripe_w` mm wide round the middle
    of its outside (for another finish: satin against polished) and the rest. One section, so
    the two share their edge rows exactly: a stripe drawn as a second shell over the band
    crossed it wherever the two tessellations differed, and showed as dotted lines live."""
    p, stripe = _shank_grid(r_in, thick, half_w, segs, n, dome, inner, 0.0, stripe_w / 2)
    i0, i1 = stripe
    rest = np.concatenate([p[i1:], p[:i0 + 1]])
    return grid(p[i0:i1 + 1], wrap_v=True), grid(rest, wrap_v=True)


def _shank_grid(r_in: float, thick: Profile, half_w: Profile, segs: int, n: int, dome: float,
                inner: float, y0: float, stripe_half: float | None = None) -> tuple[Arr, tuple[int, int]]:
    """The band's (section rows, segments, 3) points, and the first and last rows of the
    outside within `stripe_half` of the middle (kept at every detail)."""
    d = current()
    t = np.linspace(np.pi / 2, -1.5 * np.pi, n, endpoint=False)  # outer top, outer, bottom, inner
    c, s = np.cos(t), np.sin(t)
    e = np.where(c >= 0, dome, inner)
    ur, uy = np.sign(c) * np.abs(c) ** e, np.sign(s) * np.abs(s) ** e
    hw0 = float(half_w(np.zeros(1))[0])
    edge_rows = np.arange(0)
    if stripe_half is not None:
        inside = np.flatnonzero((c > 1e-9) & (np.abs(uy) * hw0 <= stripe_half))
        edge_rows = np.array([inside.min(), inside.max()])
    if not d.full:
        sec = np.stack([r_in + float(thick(np.zeros(1))[0]) * (ur + 1) / 2, hw0 * uy], 1)
        # (the four extremes stay: the inside, the top and both edges keep their true size at
        # every detail, so the band sits on the finger the same; so do a stripe's edges)
        keep = np.union1d(np.union1d(d.keep(sec, closed=True, least=8), np.arange(4) * (n // 4)), edge_rows)
        ur, uy = ur[keep], uy[keep]
        edge_rows = np.searchsorted(keep, edge_rows)
        segs = d.around(segs, r_in + float(thick(np.zeros(1))[0]), 12)
    phi = TAU * np.arange(segs) / segs
    r = r_in + thick(phi)[None, :] * (ur[:, None] + 1) / 2
    y = y0 + half_w(phi)[None, :] * uy[:, None]
    p = np.stack([r * np.sin(phi)[None, :], y, r * np.cos(phi)[None, :]], -1)
    stripe = (int(edge_rows[0]), int(edge_rows[1])) if len(edge_rows) else (0, 0)
    return p, stripe


def on_band(r: float, phi: float, y: float = 0.0) -> tuple[Arr, Arr]:
    """The point at (r, phi, y) and the band's outward normal there."""
    n = np.array([np.sin(phi), 0.0, np.cos(phi)])
    return np.array([r * n[0], y, r * n[2]]), n


def circle(r: float, n: int, y: float = 0.0, a0: float = 0.0, a1: float = TAU) -> Arr:
    """Points round the axis at radius r (a whole turn, or the arc a0..a1 ends included)."""
    a = TAU * np.arange(n) / n if a1 - a0 >= TAU else np.linspace(a0, a1, n)
    return np.stack([r * np.sin(a), np.full(n, y), r * np.cos(a)], 1)


def wrap(part: Part, r: float, phi0: float, y0: float = 0.0) -> Part:
    """A motif built flat (local X along the band, Y along the axis, Z out of it, its centre at the
    origin) bent onto the band's outside at radius r, centred at angle phi0 and height y0: the
    motif's X becomes arc length, its Z height over the band."""
    out = Part()
    for mat, ms in part.by_mat.items():
        for m in ms:
            a = phi0 + m.v[:, 0] / r
            rad = r + m.v[:, 2]
            v = np.stack([rad * np.sin(a), m.v[:, 1] + y0, rad * np.cos(a)], 1)
            c, s = np.cos(a), np.sin(a)
            n = np.stack([m.n[:, 0] * c + m.n[:, 2] * s, m.n[:, 1], -m.n[:, 0] * s + m.n[:, 2] * c], 1)
            out.add(mat, Mesh(v, n, m.f.copy()))
    return out


def hand_model(pid: str, part: Part, inner_mm: float, band_mm: float,
               children: list[Node] | None = None) -> Model:
    """The piece, its hook at the origin, and its scene extras: the inner diameter it is built at
    (checked against the geometry: its inside is exact at every detail) and the width of its band
    along the axis where it is widest on the finger or wrist (a stack's, from its first bangle's
    edge to its last's)."""
    root = Node(pid, part=part, children=[Node("hook"), *(children or [])])
    model = Model(pid, root, {"inner_diameter_mm": inner_mm, "band_width_mm": band_mm})
    pts = model.points()
    inside = 2 * float(np.hypot(pts[:, 0], pts[:, 2]).min())
    assert abs(inside - inner_mm) < 0.02, f"{pid}: {inside:.2f} mm inside, not {inner_mm}"
    return model


def band_stone(part: Part, stone: str, material: str, size: float, r_girdle: float, phi: float,
               y: float = 0.0, metal: str = GOLD, bezel: bool = False, seed: int = 0) -> Part:
    """A stone set into a band's outside, its girdle at radius r_girdle, its table facing out."""
    lift = 0.43 * size if stone == "brilliant" else 0.0  # set_stone seats a brilliant's girdle this high
    at, n = on_band(r_girdle - lift, phi, y)
    return set_stone(part, stone, material, (size, size), at, n, (0, 1, 0), metal=metal, bezel=bezel,
                     seed=seed, segs=12)


def _head_collar(r_top: float, r_low: float, z_top: float, depth: float, lobes: int) -> Mesh:
    """The gallery under a ring's head: a lobed collar turned about +Z, from the head's back down
    towards the shank."""
    prof = [[r_top, 0.0], [r_top * 0.98, -0.25 * depth], [(r_top + r_low) / 2, -0.7 * depth], [r_low, -depth],
            [r_low, -depth], [r_low - 0.6, -depth], [r_low - 0.6, -depth], [r_top - 0.7, 0.0]]

    def wave(t: Arr, ph: Arr) -> Arr:  # the lobes, on the outside only
        return np.asarray(1.0 - 0.06 * np.clip(t * 3, 0, 1) * np.cos(lobes * ph) ** 2)

    m = lathe(prof, 8 * lobes, rmod=wave, least=2 * lobes)
    return m.moved(np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]]), (0, 0, z_top))


# ---- rings -------------------------------------------------------------------------------------


def ring_solitaire_diamond() -> Model:
    """Solitaire engagement ring in platinum: a 1 ct round brilliant diamond (6.5 mm) held high in
    six claws over a two-rail basket, raised on cathedral arches from a slim rounded shank 2.0 mm
    wide under the finger (1.6 mm thick) that swells to 2.4 mm at the shoulders, each shoulder pave
    set with seven 1.1 mm diamonds between beads. Indian size 14; the table stands 4.5 mm
    above the band."""
    m, r = PLATINUM, RING_INNER_MM / 2
    p = Part()
    thick, half = crown(1.6, 1.85, 2.0), crown(1.0, 1.2, 2.0)
    p.add(m, shank(r, thick, half, 120, dome=0.8))
    z0, d = 10.55, 6.5
    with detail.using(detail.FULL):  # the one stone that makes the ring: its 57 facets, live too
        p.extend(solitaire(d, (0.0, 0.0, z0), m, prongs=6))
    girdle = z0 + 0.45 * d
    p.add(m, gems.seat_ring(ellipse(2.55, 2.55, 28), girdle - 1.15, 0.5))
    for side in (-1.0, 1.0):  # cathedral arches from each shoulder up under the basket
        for y in (-0.6, 0.6):
            a0 = 0.68
            p0 = np.array([side * (r + 1.5) * np.sin(a0), y, (r + 1.5) * np.cos(a0)])
            p2 = np.array([side * 2.2, y * 0.7, girdle - 1.7])
            c1 = np.array([side * 3.4, y, girdle - 4.6])
            t = np.linspace(0, 1, 14)[:, None]
            path = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c1 + t**2 * p2
            p.add(m, tube(path, np.linspace(0.5, 0.36, 14), 8))
    rg = r + 1.85 + 0.08
    for side in (-1.0, 1.0):  # pave shoulders: beads along both edges between the stones
        phis = side * np.linspace(0.86, 1.56, 7)
        for k, ph in enumerate(phis):
            band_stone(p, "brilliant", DIAMOND, 1.1, rg, float(ph), seed=k)
        mids = (phis[:-1] + phis[1:]) / 2
        pts = [on_band(rg - 0.05, float(ph), y)[0] for ph in mids for y in (-0.62, 0.62)]
        p.add(m, granules(np.array(pts), 0.4))
    return hand_model("ring_solitaire_diamond", p, RING_INNER_MM, 2 * float(half(np.zeros(1))[0]))


# The navratna's order round the ruby (the sun), clockwise from the top as worn: Venus, Moon,
# Mars, Rahu, Jupiter, Saturn, Ketu, Mercury - the nine grahas' stones (kind, material).
NAVRATNA = [
    ("brilliant", DIAMOND),
    ("pearl", PEARL),
    ("cab", CORAL),
    ("brilliant", HESSONITE),
    ("brilliant", YELLOW_SAPPHIRE),
    ("brilliant", BLUE_SAPPHIRE),
    ("cab", CATS_EYE),
    ("brilliant", EMERALD),
]


def _bead_cup(part: Part, material: str, d: float, at: Arr, metal: str) -> None:
    """A round bead (a pearl) seated in a gold cup, as a navratna sets its pearl."""
    part.add(material, sphere(d / 2, 16, 10).moved(t=at + (0, 0, d * 0.42)))
    part.add(metal, gems.bezel(gems.round_outline(d * 0.92, 20), -0.3, d * 0.3, 0.3).moved(t=at))


def ring_navratna_gold() -> Model:
    """Navratna ring in 22k gold: a 4.6 mm round ruby (Surya) at the centre of a scalloped
    16.4 mm head, ringed by the other eight of the nine planetary stones, 3.2 mm each in their
    own bezels - diamond, pearl, red coral, hessonite, yellow sapphire, blue sapphire, cat's eye,
    emerald, clockwise from the top - with a granulated rim round the ruby and round the head, a
    lobed gallery underneath; the shank 2.6 mm wide under the finger, 4.4 mm at the shoulders,
    each shoulder with a three-granule cluster. Indian size 14."""
    m, r = GOLD, RING_INNER_MM / 2
    p = Part()
    half = crown(1.3, 2.2, 2.5)
    p.add(m, shank(r, crown(1.5, 1.9, 2.0), half, 120, dome=0.7))
    z = r + 1.9 + 0.35  # the head's back, on the shank's top
    a = TAU * np.arange(96) / 96
    rr = 8.2 - 0.35 * np.abs(np.cos(4 * a)) ** 0.5  # eight scallops
    outline = np.stack([rr * np.cos(a), rr * np.sin(a)], 1)
    p.add(m, plaque(outline, 0.5, 4, base=0.6, back=0.0).moved(t=(0, 0, z)))
    p.add(m, _head_collar(6.2, 4.2, z, 1.6, 8))
    set_stone(p, "brilliant", RUBY, (4.6, 4.6), (0, 0, z + 0.3), metal=m, segs=28)
    p.add(m, granule_ring(3.05, 22, 0.5, (0, 0, z + 1.0)))
    for k, (kind, mat) in enumerate(NAVRATNA):
        ang = np.pi / 2 - TAU * k / 8  # clockwise from the top (+Y, towards the fingertips)
        at = np.array([5.3 * np.cos(ang), 5.3 * np.sin(ang), z + 0.45])
        if kind == "pearl":
            _bead_cup(p, mat, 3.2, at, m)
        else:
            set_stone(p, kind, mat, (3.2, 3.2), at, metal=m, segs=20, seed=k, dome=0.5)
    p.add(m, granules(np.c_[outline[::2] * 0.985, np.full(48, z + 0.65)], 0.55))
    for side in (-1.0, 1.0):
        for k, (ph, y) in enumerate(((0.98, -0.7), (0.98, 0.7), (1.2, 0.0))):
            at, _ = on_band(r + 1.85, side * ph, y)
            p.add(m, sphere(0.5 if k < 2 else 0.62, 10, 6).moved(t=at))
    return hand_model("ring_navratna_gold", p, RING_INNER_MM, 2 * float(half(np.zeros(1))[0]))


def ring_polki_cocktail() -> Model:
    """Polki cocktail ring in 22k gold, kundan set: a 7.5 x 9 mm oval polki (uncut diamond, on
    foil) in a rim of granulation and a band of red meenakari, ringed by twelve 2.5 mm polki,
    a second rim of granules and a border of 1.7 mm seed pearls, on a round head 24 mm across
    over a lobed gallery, a shank 3 mm wide under the finger widening to 6 mm. The
    statement ring of a bride's hand. Indian size 14."""
    m, r = GOLD, RING_INNER_MM / 2
    p = Part()
    half = crown(1.5, 3.0, 2.5)
    p.add(m, shank(r, crown(1.6, 2.1, 2.0), half, 120, dome=0.7))
    z = r + 2.1 + 0.55
    p.add(m, plaque(ellipse(11.0, 11.0, 96), 0.8, 4, base=0.6, back=0.0).moved(t=(0, 0, z)))
    p.add(m, _head_collar(8.5, 5.4, z, 1.6, 12))
    set_stone(p, "polki", POLKI, (7.5, 9.0), (0, 0, z + 1.15), metal=m, seed=201, segs=36)
    p.add(m, granule_ring(4.55, 34, 0.55, (0, 0, z + 1.3), ry=5.25))
    ring_i = np.concatenate([ellipse(5.0, 5.7, 48), ellipse(5.0, 5.7, 1)])
    ring_o = np.concatenate([ellipse(6.3, 6.8, 48), ellipse(6.3, 6.8, 1)])
    p.add(RED_ENAMEL, band(ring_i, ring_o, 0.2, back=0.0, rows=2).moved(t=(0, 0, z + 1.25)))
    for k in range(12):
        ang = TAU * (k + 0.5) / 12
        at = (8.4 * np.cos(ang), 8.4 * np.sin(ang), z + 1.0)
        set_stone(p, "polki", POLKI, (2.5, 2.7), at, metal=m, spin=np.degrees(ang) - 90, seed=210 + k,
                  segs=14)
    p.add(m, granule_ring(10.2, 64, 0.6, (0, 0, z + 0.95)))
    path = np.c_[ellipse(11.15, 11.15, 181)[:, 0], ellipse(11.15, 11.15, 181)[:, 1], np.full(181, z + 0.4)]
    p.add(PEARL, beads_along(np.concatenate([path, path[:1]]), 1.78, gems.pearl(1.7, 10, 6)))
    return hand_model("ring_polki_cocktail", p, RING_INNER_MM, 2 * float(half(np.zeros(1))[0]))


def ring_ruby_band() -> Model:
    """Ruby and diamond half-eternity band in 22k gold: nine 2.1 mm round brilliants, five rubies
    and four diamonds alternating, channel set across the top of a 3.2 mm wide, 1.9 mm thick
    comfort-fit band between two milgrain (beaded) rails. Indian size 14."""
    m, r = GOLD, RING_INNER_MM / 2
    p = Part()
    p.add(m, shank(r, const(1.9), const(1.6), 120, dome=0.55, inner=0.45))
    ro = r + 1.9
    for k, ph in enumerate(np.linspace(-0.86, 0.86, 9)):
        band_stone(p, "brilliant", RUBY if k % 2 == 0 else DIAMOND, 2.1, ro + 0.12, float(ph), seed=k)
    for y in (-1.32, 1.32):  # the channel's rails, beaded along their tops
        rail = circle(ro + 0.05, 40, y, -1.02, 1.02)
        p.add(m, tube(rail, 0.3, 6))
        p.add(m, beads_along(circle(ro + 0.32, 80, y, -1.0, 1.0), 0.36, sphere(0.17, 6, 4)))
    return hand_model("ring_ruby_band", p, RING_INNER_MM, 3.2)


def ring_gold_band() -> Model:
    """Plain 22k gold band (the couple's band): 4 mm wide, 1.7 mm thick, court profile (domed
    outside, comfort fit inside), a satin-brushed stripe round its middle between polished
    edges, each edge finished with milgrain. Indian size 14."""
    m, r = GOLD, RING_INNER_MM / 2
    p = Part()
    satin, polished = striped_shank(r, const(1.7), const(2.0), 1.8, 120, dome=0.85, inner=0.45)
    p.add(m, polished)
    p.add(GOLD_MATTE, satin)
    for y in (-1.55, 1.55):
        p.add(m, granules(circle(r + 1.5, 190, y), 0.34))
    return hand_model("ring_gold_band", p, RING_INNER_MM, 4.0)
