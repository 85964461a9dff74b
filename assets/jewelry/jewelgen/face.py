"""Nose rings and maang tikkas.

Nose pieces: the hook is the pin in the nostril (the customer's left nostril, the piece's +X
side is towards that cheek); the ring hangs in the XY plane, seen from the front as it is worn.
Tikkas: the hook is where the chain is pinned into the hair parting; the chain runs forward
over the top of the head along the parting (a 90 mm radius arc in the YZ plane, about the
scalp's curvature there) down to the hairline, where the pendant hangs on the forehead.
"""

from __future__ import annotations

import numpy as np

from . import gems
from .gltf import Model, Node, instance, swing
from .materials import DIAMOND, EMERALD, GOLD, GREEN_ENAMEL, PEARL, POLKI, RED_ENAMEL, RUBY, WHITE
from .mesh import Arr, Part
from .motifs import (
    bead_drop,
    granule_ring,
    jump_ring,
    pear_outline,
    placed,
    seed_pearl_row,
    set_stone,
    stone_ring,
)
from .shapes import TAU, band, cable_chain, ellipse, granules, lathe, plaque, resample, sphere, tube

# The mean adult head, from the nath's pin in the left nostril to the hair just above the
# left ear: 58 mm further out, 38 mm up, 78 mm back (the top of the ear's attachment is about
# 75 mm from the midline and level with the brows; the hair starts a little above it).
NOSE_TO_HAIR_MM = np.array([58.0, 38.0, -78.0])


def _nath_ring(pid: str, chain: bool) -> tuple[Part, list[Node], Arr]:
    """The bridal nath's ring: 22 mm across, 0.9 mm gold wire, threaded along its lower arc
    with seed pearls either side of a kundan flower (ruby centre, polki petals); a pearl drop
    swings under the flower. Returns the ring part, its swinging children and the point on
    the ring where a chain is attached."""
    R = 10.15
    c = np.array([0.0, -R, 0.0])
    a = np.linspace(np.pi / 2, np.pi / 2 + TAU, 161)[:-1]
    ring = Part().add(
        GOLD, tube(c + np.stack([R * np.cos(a), R * np.sin(a), 0 * a], 1), 0.45, 8, closed=True)
    )
    pa = np.radians(np.concatenate([np.arange(-170, -104, 9.5), np.arange(-76, -9, 9.5)]))
    ring.add(PEARL, *(gems.pearl(2.1, 10, 6).moved(t=c + (R * np.cos(t), R * np.sin(t), 0)) for t in pa))
    for t in np.radians([-178, -100, -80, -2]):
        ring.add(GOLD, sphere(0.8, 8, 5).moved(t=c + (R * np.cos(t), R * np.sin(t), 0)))
    fl = c + np.array([0.0, -R, 0.6])  # the flower sits on the ring's bottom
    ring.add(GOLD, plaque(ellipse(3.4, 3.4, 32), 0.3, 2, base=0.2, back=-0.8).moved(t=fl))
    for k in range(6):
        t = TAU * k / 6 + np.pi / 2
        set_stone(
            ring,
            "polki",
            POLKI,
            (1.9, 2.3),
            fl + (2.1 * np.cos(t), 2.1 * np.sin(t), 0.3),
            spin=np.degrees(t) - 90,
            seed=90 + k,
            segs=10,
        )
    set_stone(ring, "cab", RUBY, (2.2, 2.2), fl + (0, 0, 0.4), segs=14)
    ring.add(GOLD, granule_ring(3.4, 22, 0.5, fl + (0, 0, 0.25)))
    ring.add(GOLD, jump_ring(fl + (0, -3.8, -0.4), 0.5, 0.35, "x"))
    drop = bead_drop(3.2, 1.2, 0.5, 14)
    kids = [instance("swing_pearl", fl + (0, -4.3, -0.4), drop, 0.5)]
    at = c + np.array([R * np.cos(np.radians(40)), R * np.sin(np.radians(40)), 0.0])
    if chain:
        ring.add(GOLD, jump_ring(at + (0.6, 0.5, 0), 0.6, 0.4, "z"))
    return ring, kids, at + np.array([1.1, 0.9, 0.0])


def nath_gold() -> Model:
    """Bridal nath (nose ring), 22 mm across (see the ring above), worn in the left nostril:
    the whole ring swings about its pin, the pearl drop again under it."""
    ring, kids, _ = _nath_ring("nath_gold", False)
    body = swing("swing_ring", (0.0, 0.0, 0.0), ring, 0.6, kids)
    return Model("nath_gold", Node("nath_gold", children=[Node("hook"), body]))


def nath_chain_gold() -> Model:
    """Bridal nath with chain: the same 22 mm ring, and from its upper outer side a 1.6 mm cable
    chain strung with seed pearls every 12 mm runs over the cheek to the hair above the left
    ear, where it is pinned (about 150 mm of chain). The chain holds the ring up, so the ring
    is rigid here and the chain swings about the line between its two pinned ends. The chain is
    modelled for the mean head (NOSE_TO_HAIR_MM from the pin); its far end is the node
    `chain_end`, meant to be placed on the hair just above the ear (face mesh point 454, the
    left face edge at ear level, raised about 12 mm): re-aim the chain node about its pivot so
    its end lands there."""
    ring, kids, at = _nath_ring("nath_chain_gold", True)
    end = NOSE_TO_HAIR_MM
    t = np.linspace(0.0, 1.0, 121)[:, None]
    # a quadratic sag: down over the cheek and out from it, then up to the hair
    ctrl = (at + end) / 2 + np.array([10.0, -42.0, 18.0])
    path = (1 - t) ** 2 * at + 2 * (1 - t) * t * ctrl + t**2 * end
    ch = Part().add(GOLD, cable_chain(path, 1.6, 0.35, segs=6, sides=4, up=(1, 0, 0)))
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    for q in np.arange(12.0, s[-1] - 8.0, 12.0):
        p = np.array([np.interp(q, s, path[:, k]) for k in range(3)])
        ch.add(PEARL, gems.pearl(2.2, 10, 6).moved(t=p))
    ch.add(GOLD, lathe([[0.0, 1.2], [0.9, 0.9], [0.9, -0.9], [0.0, -1.2]], 10).moved(t=end))
    length = float(s[-1])
    chain_end = Node(
        "chain_end",
        tuple(float(x) for x in end),  # type: ignore[arg-type]
        extras={"attach": "hair above the left ear", "near_landmark": 454, "raise_mm": 12},
    )
    chain = swing(
        "swing_chain",
        at,
        ch,
        0.7,
        [chain_end],
        hinge=end,
        chain_to="hair above the ear",
        length_mm=round(length, 1),
    )
    root = Node("nath_chain_gold", part=ring, children=[Node("hook"), *kids, chain])
    return Model("nath_chain_gold", root)


def nose_pin_diamond() -> Model:
    """Diamond nose pin (laung): a flower of seven brilliant diamonds, a 1.8 mm centre and six
    1.4 mm petals, in 18k white gold, 5.6 mm across, on a 0.7 mm pin that goes 6 mm into the
    nostril and turns (a screw-back 'L'). Rigid."""
    p = Part()
    p.add(WHITE, plaque(ellipse(2.7, 2.7, 36), 0.3, 2, base=0.3, back=0.0))
    set_stone(p, "brilliant", DIAMOND, (1.8, 1.8), (0, 0, 0.4), metal=WHITE, segs=14)
    for k in range(6):
        t = TAU * k / 6 + np.pi / 2
        set_stone(
            p,
            "brilliant",
            DIAMOND,
            (1.4, 1.4),
            (1.85 * np.cos(t), 1.85 * np.sin(t), 0.35),
            metal=WHITE,
            segs=12,
        )
    pin = np.array([[0, 0, 0.1], [0, 0, -5.0], [0, -0.3, -5.8], [0, -1.2, -6.2], [0, -2.4, -6.3]])
    p.add(WHITE, tube(pin, 0.35, 6))
    return Model("nose_pin_diamond", Node("nose_pin_diamond", part=p, children=[Node("hook")]))


def _parting(r: float = 90.0, hook_deg: float = 25.0, hair_deg: float = 85.0, n: int = 121) -> Arr:
    """The chain's path from the hook (origin) forward and down the parting to the hairline."""
    c = -r * np.array([0.0, np.cos(np.radians(hook_deg)), np.sin(np.radians(hook_deg))])
    ph = np.radians(np.linspace(hook_deg, hair_deg, n))
    return np.asarray(c + r * np.stack([0 * ph, np.cos(ph), np.sin(ph)], 1))


def _tikka_chain(pearls: bool) -> tuple[Part, Arr]:
    """The maang: an S-hook at the origin, then a 1.8 mm cable chain (strung with a seed pearl
    every 10 mm) or a strand of 2.4 mm seed pearls along the parting. Returns the part and
    the point at the hairline the pendant hangs from."""
    path = _parting()
    p = Part()
    t = np.linspace(0, 1.5 * TAU, 40)
    hook = np.stack([0 * t, 1.3 * np.sin(t) * (1 - t / 12), -1.3 * np.cos(t) * (1 - t / 12) + 1.3], 1)
    p.add(GOLD, tube(hook[::-1] + path[0] - hook[-1], 0.35, 6))
    if pearls:
        p.add(PEARL, seed_pearl_row(path, 2.4, 10))
    else:
        p.add(GOLD, cable_chain(path, 1.8, 0.4, segs=6, sides=4, up=(1, 0, 0)))
        seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
        s = np.concatenate([[0.0], np.cumsum(seg)])
        for q in np.arange(10.0, s[-1] - 5.0, 10.0):
            at = np.array([np.interp(q, s, path[:, k]) for k in range(3)])
            p.add(PEARL, gems.pearl(2.4, 10, 6).moved(t=at))
    end = path[-1]
    p.add(GOLD, jump_ring(end + (0, -0.5, 0), 0.6, 0.4, "x"))
    return p, end + np.array([0.0, -1.1, 0.0])


def maang_tikka_gold() -> Model:
    """Gold maang tikka: a 25 mm round pendant - an 8.5 mm ruby cabochon in a ring of eight red
    meenakari petals and eight small polki, a ring of twenty 1.4 mm polki, a granulated rim,
    and a fringe of seven seed-pearl
    drops - on a gold chain strung with seed pearls, 95 mm from the hook in the parting to the
    hairline. The pendant swings from the chain, the pearls from the pendant."""
    chain, hang = _tikka_chain(False)
    pend = Part()
    pend.add(GOLD, jump_ring(hang + (0, -0.5, 0), 0.55, 0.4, "z"))
    c = hang + np.array([0.0, -1.1 - 12.0, 1.2])
    pend.add(GOLD, plaque(ellipse(12.25, 12.25, 64), 0.7, 3, base=0.5, back=-0.4).moved(t=c))
    set_stone(pend, "cab", RUBY, (8.5, 8.5), c + (0, 0, 1.1), segs=28)
    for k in range(8):
        a = TAU * k / 8 + np.pi / 2
        petal = pear_outline(3.0, 4.4, 20)
        pos = c + (6.9 * np.cos(a), 6.9 * np.sin(a), 1.15)
        pend.add(
            RED_ENAMEL, placed(plaque(petal, 0.25, 2, base=0.05, back=-0.1), pos, spin=np.degrees(a) - 90)
        )
        pend.add(
            GOLD,
            placed(
                tube(np.c_[petal * 1.08, np.zeros(len(petal))], 0.16, 4, closed=True),
                pos,
                spin=np.degrees(a) - 90,
            ),
        )
    pend.add(GOLD, granule_ring(4.9, 28, 0.6, c + (0, 0, 1.3)))
    stone_ring(pend, "polki", POLKI, (1.6, 1.6), c + (0, 0, 1.0), 7.6, 8, 100, 10)   # between petals
    stone_ring(pend, "polki", POLKI, (1.4, 1.4), c + (0, 0, 0.9), 10.4, 20, 140, 8)
    pend.add(GOLD, granule_ring(12.15, 68, 0.8, c + (0, 0, 0.55)))
    drop = bead_drop(2.4, 1.0, 0.45, 12)
    kids = []
    for j, a in enumerate(np.radians(np.linspace(-135, -45, 7))):
        at = c + np.array([12.55 * np.cos(a), 12.55 * np.sin(a), -0.2])
        pend.add(GOLD, jump_ring(at + (0, 0.45, 0), 0.45, 0.3, "x"))
        kids.append(instance(f"swing_drop_{j}", at, drop, 0.5))
    node = swing("swing_pendant", hang, pend, 0.4, kids)
    return Model("maang_tikka_gold", Node("maang_tikka_gold", part=chain, children=[Node("hook"), node]))


def tikka_polki() -> Model:
    """Polki teardrop maang tikka: a 20 x 29 mm teardrop, point up, of a pear-shaped 9 x 12 mm
    polki framed by fourteen small polki in kundan, a green meenakari border and granulation,
    with a 4.5 x 6.5 mm emerald drop swinging below; hung from a strand of 2.4 mm seed pearls
    along the parting (95 mm) with an S-hook."""
    chain, hang = _tikka_chain(True)
    pend = Part()
    pend.add(GOLD, jump_ring(hang + (0, -0.5, 0), 0.55, 0.4, "z"))
    o = pear_outline(20.0, 29.0, 64)
    c = hang + np.array([0.0, -1.1 - 14.5, 1.2])
    pend.add(GOLD, plaque(o, 0.7, 3, base=0.5, back=-0.4).moved(t=c))
    ring_o, ring_i = np.concatenate([o * 0.95, o[:1] * 0.95]), np.concatenate([o * 0.86, o[:1] * 0.86])
    pend.add(
        GREEN_ENAMEL, band(ring_i + c[:2], ring_o + c[:2], 0.15, back=0.0, rows=2).moved(t=(0, 0, c[2] + 1.1))
    )
    big = pear_outline(9.0, 12.0, 24)
    pend.add(POLKI, gems.polki(big, 1.6, 110).moved(t=c + (0, -1.5, 1.0)))
    pend.add(GOLD, gems.bezel(big, -0.3, 1.3, 0.35).moved(t=c + (0, -1.5, 1.0)))

    ring, _, _ = resample(np.c_[np.concatenate([o, o[:1]]) * 0.72, np.zeros(65)], count=15)
    for k, (x, y, _) in enumerate(ring[:-1]):  # evenly round the frame, by arc length
        set_stone(pend, "polki", POLKI, (1.9, 2.1), c + (x, y - 0.8, 1.0), seed=120 + k, segs=10)
    pend.add(GOLD, granules(np.c_[o * 0.995, np.full(len(o), 0.9)] + c, 0.7))
    bottom = c + np.array([0.0, o[:, 1].min(), 0.0])
    pend.add(GOLD, jump_ring(bottom + (0, -0.2, 0), 0.5, 0.35, "x"))
    drop = Part().add(GOLD, jump_ring((0, -0.5, 0), 0.5, 0.35, "z"))
    drop.add(EMERALD, gems.drop_pearl(4.5, 6.5, 16, 10).moved(t=(0, -1.0 - 4.3, 0)))
    drop.add(GOLD, lathe([[0.0, 0.0], [0.9, -0.2], [1.4, -0.8], [0.0, -0.6]], 12).moved(t=(0, -0.9, 0)))
    kids = [instance("swing_drop", bottom + (0, -0.7, 0), drop, 0.45)]
    node = swing("swing_pendant", hang, pend, 0.4, kids)
    return Model("tikka_polki", Node("tikka_polki", part=chain, children=[Node("hook"), node]))
