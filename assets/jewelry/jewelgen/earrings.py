"""Earrings. The hook is where the post or wire goes through the lobe: the origin. The face of
the piece looks along +Z; a post runs back along -Z.
"""

from __future__ import annotations

import numpy as np

from . import gems
from .detail import current
from .gltf import Model, Node, instance, swing
from .materials import DIAMOND, EMERALD, GOLD, GREEN_ENAMEL, PEARL, POLKI, ROSE, ROSE_QUARTZ, RUBY, WHITE
from .mesh import Arr, Part, rot_x
from .motifs import (
    bead_drop,
    beaded_wire,
    ear_post,
    ear_wire,
    filigree_curl,
    flower_top,
    granule_ring,
    jump_ring,
    pear_outline,
    set_stone,
    solitaire,
)
from .shapes import TAU, band, ellipse, granules, lathe, plaque, sphere, tube


def _hook_node() -> Node:
    return Node("hook")


def jhumka_gold() -> Model:
    """Temple jhumka (South Indian kemp jhumki): a 13 mm round flower top (karnphool) with a
    4 mm ruby kemp centre and eight ruby petals on a post with a screw back; from its bottom
    loop swings a 21.8 mm wide, 17 mm tall hollow gold bell (jhumki) chased with lobes and
    four rows of granulation, a band of fourteen 1.6 mm emerald kemp dots, and a fringe of
    20 seed-pearl drops (2.6 mm pearls, gold bead tips) round the rim, each swinging on its own
    ring. 24 mm wide, 37 mm long; the bell swings from the stud, the drops from the bell."""
    top = flower_top(13.0, 8, ("cab", RUBY, 4.0), ("cab", RUBY), metal=GOLD, seed=10)
    loop_y = -6.9
    top.add(GOLD, jump_ring((0, loop_y, 0.9), 0.75, 0.45, "x"))
    pivot = np.array([0.0, loop_y - 0.6, 0.9])

    bell = Part()
    y0 = pivot[1] - 0.8  # the bell's own ring sits under the pivot
    bell.add(GOLD, jump_ring((0, y0 + 0.1, 0.9), 0.7, 0.4, "z"))
    H, Rr = 15.0, 10.9
    ytop = y0 - 1.9
    bell.add(GOLD, sphere(1.1, 12, 8).moved(t=(0, ytop + 0.6, 0.9)))
    s = np.array([0.0, 0.03, 0.08, 0.16, 0.26, 0.38, 0.5, 0.62, 0.74, 0.84, 0.92, 0.97, 1.0])
    rr = np.array([1.2, 2.6, 4.1, 5.8, 7.2, 8.3, 9.0, 9.5, 9.85, 10.1, 10.35, 10.6, Rr])
    outer = [[r, ytop - H * t] for r, t in zip(rr, s, strict=True)]
    rim = [[Rr + 0.25, ytop - H - 0.1], [Rr + 0.1, ytop - H - 0.45], [Rr - 0.4, ytop - H - 0.4]]
    inner = [[r - 0.55, ytop - H * t + 0.1] for r, t in zip(rr[::-1], s[::-1], strict=True)][1:]
    # (the inside shows only from below, which the kiosk's camera never sees: live, a cone)
    inside = inner[:-3] if current().full else [inner[0], inner[-4]]
    profile = outer + rim + inside + [[0.0, ytop - 1.5]]

    def lobes(t: Arr, phi: Arr) -> Arr:
        # chased lobes on the lower half of the outside only (t runs over the whole profile)
        on = np.clip((t - 0.25) / 0.12, 0, 1) * np.clip((0.6 - t) / 0.08, 0, 1)
        return np.asarray(1.0 + 0.03 * on * np.cos(24 * phi) ** 2 - 0.015 * on)

    # (the chasing is a third of a millimetre deep: at live detail the bell is drawn smooth)
    bell.add(GOLD, lathe(profile, 120, rmod=lobes if current().full else None).moved(t=(0, 0, 0.9)))
    # rows of granulation where the chasing changes, and round the rim
    for t_row, count in ((0.16, 30), (0.40, 48), (0.64, 56)):
        y = ytop - H * t_row
        rad = float(np.interp(t_row, s, rr)) + 0.25
        bell.add(GOLD, granule_ring(rad, count, 0.75, (0, y, 0.9), (0, 1, 0)))
    bell.add(GOLD, granule_ring(Rr + 0.35, 72, 0.9, (0, ytop - H - 0.25, 0.9), (0, 1, 0)))
    # a band of emerald kemp dots between the middle rows
    yb = ytop - H * 0.52
    rb = float(np.interp(0.52, s, rr)) + 0.1
    for k in range(14):
        a = TAU * (k + 0.5) / 14
        n = np.array([np.sin(a), 0.35, np.cos(a)])
        at = np.array([rb * np.sin(a), yb, rb * np.cos(a) + 0.9])
        set_stone(bell, "cab", EMERALD, (1.6, 1.6), at, n, metal=GOLD, segs=12)

    drop = bead_drop(2.6, 1.2, 0.55, 14)
    ry = ytop - H - 0.6
    drops = []
    for k in range(20):
        a = TAU * (k + 0.5) / 20
        drops.append(instance(f"swing_drop_{k:02d}", (Rr * np.sin(a), ry, Rr * np.cos(a) + 0.9), drop, 0.45))
    bell_node = swing("swing_bell", pivot, bell, 0.3, drops)
    root = Node("jhumka_gold", part=top, children=[_hook_node(), bell_node])
    return Model("jhumka_gold", root)


def stud_gold_ruby() -> Model:
    """Ruby flower stud (phool tops): eight pear-cut rubies (1.4 x 1.7 mm) set as petals in
    gold round a 2.6 mm round brilliant diamond, a granulated rim, 9 mm across, on a 10 mm
    post with a push-back. Rigid."""
    top = flower_top(8.9, 8, ("brilliant", DIAMOND, 2.6), ("pear", RUBY), metal=GOLD, granule_d=0.45, seed=20)
    return Model("stud_gold_ruby", Node("stud_gold_ruby", part=top, children=[_hook_node()]))


def _crescent(ro: float, ri: float, d: float, n: int) -> tuple[Arr, Arr, float]:
    """Outer and inner edges of a crescent (horns up): the outer circle (radius ro, centre 0)
    minus an inner circle (radius ri) raised by d; both sampled on the same rays."""
    yh = (ro * ro - ri * ri + d * d) / (2 * d)
    a0 = np.arctan2(yh, np.sqrt(max(ro * ro - yh * yh, 0.0)))
    a = np.linspace(np.pi - a0, 2 * np.pi + a0, n)
    u = np.stack([np.cos(a), np.sin(a)], 1)
    t_in = d * u[:, 1] + np.sqrt(np.clip(d * d * u[:, 1] ** 2 - d * d + ri * ri, 0, None))
    return u * ro, u * t_in[:, None], yh


def chandbali_polki() -> Model:
    """Chandbali (Hyderabadi 'moon earring'): an 8 mm flower stud with a polki centre; from its
    loop swings a crescent 32 mm across, 9 mm deep at the bottom, horns up flanking the stud,
    set with a row of graded polki (uncut diamonds) in kundan, bordered in green meenakari and
    granulation, and fringed with 15 strands of seed pearls (three 2 mm pearls between gold
    beads; the middle one ends in a 3.4 x 5 mm emerald drop), each strand swinging.
    32.4 mm wide, 34 mm long."""
    top = flower_top(8.0, 6, ("polki", POLKI, 3.2), None, metal=GOLD, granule_d=0.5, seed=30)
    top.add(GOLD, jump_ring((0, -4.55, 0.8), 0.6, 0.4, "x"))
    pivot = np.array([0.0, -5.1, 0.8])
    ro, ri, d = 16.0, 16.0, 9.0
    cy = pivot[1] - 0.9 - (d - ri)  # the hollow's bottom hangs from the pivot
    outer, inner, _ = _crescent(ro, ri, d, 61)
    c = Part()
    c.add(GOLD, jump_ring((0, pivot[1] - 0.5, 0.8), 0.55, 0.38, "z"))
    off = np.array([0.0, cy])
    mid_o = outer + off
    mid_i = inner + off
    width = np.linalg.norm(mid_o - mid_i, axis=1)
    # the gold crescent, the green enamel border inset near its outer edge
    c.add(GOLD, band(mid_i, mid_o, 1.2, back=-0.6, rows=8))
    en_o = mid_o + (mid_i - mid_o) * 0.1
    en_i = mid_o + (mid_i - mid_o) * 0.28
    c.add(GREEN_ENAMEL, band(en_i, en_o, 0.25, back=0.0, rows=2).moved(t=(0, 0, 0.72)))
    c.add(GOLD, beaded_wire(np.c_[mid_o + (mid_i - mid_o) * 0.03, np.full(len(mid_o), 0.45)], 0.7))
    c.add(GOLD, beaded_wire(np.c_[mid_i + (mid_o - mid_i) * 0.04, np.full(len(mid_i), 0.45)], 0.55))
    # graded polki along the middle of the band
    ks = np.linspace(7, 53, 13).round().astype(int)
    for j, k in enumerate(ks):
        ctr = mid_o[k] + (mid_i[k] - mid_o[k]) * 0.62
        s = float(np.clip(width[k] * 0.42, 1.5, 3.5))
        tang = mid_o[min(k + 1, 60)] - mid_o[max(k - 1, 0)]
        spin = float(np.degrees(np.arctan2(tang[1], tang[0])))
        set_stone(c, "polki", POLKI, (s * 1.15, s), (ctr[0], ctr[1], 0.85), spin=spin, seed=31 + j, segs=16)
    strand = Part().add(GOLD, jump_ring((0, -0.45, 0), 0.45, 0.3, "x"))
    y = -1.0
    for _ in range(3):  # seed pearl, gold bead; three times, a gold tip last
        strand.add(PEARL, gems.pearl(2.0, 10, 6).moved(t=(0, y - 1.0, 0)))
        strand.add(GOLD, sphere(0.5, 8, 5).moved(t=(0, y - 2.45, 0)))
        y -= 2.9
    centre = Part().add(GOLD, jump_ring((0, -0.45, 0), 0.45, 0.3, "x"))
    for k in range(2):
        centre.add(PEARL, gems.pearl(2.0, 10, 6).moved(t=(0, -2.0 - 2.9 * k, 0)))
        centre.add(GOLD, sphere(0.5, 8, 5).moved(t=(0, -3.45 - 2.9 * k, 0)))
    centre.add(EMERALD, gems.drop_pearl(3.4, 5.0, 14, 10).moved(t=(0, -7.9 - 3.4, 0)))
    kids = []
    ks = np.linspace(14, 46, 15).round().astype(int)
    for j, k in enumerate(ks):
        at = mid_o[k] - (mid_o[k] - off) / ro * 0.2  # just inside the outer edge
        kids.append(instance(f"swing_strand_{j:02d}", (at[0], at[1], 0.0), centre if j == 7 else strand, 0.5))
    body = swing("swing_crescent", pivot, c, 0.35, kids)
    return Model("chandbali_polki", Node("chandbali_polki", part=top, children=[_hook_node(), body]))


def hoop_rose_gold() -> Model:
    """Bali hoop in 18k rose gold: 20 mm across, a 2.2 mm round tube set along its lower
    three quarters with fifteen 1.3 mm round brilliant diamonds in bezels on the front; the
    top thins to a 0.9 mm wire that passes through the lobe (the hook) and snaps shut. Modelled
    as it is seen from the front when worn (in the XY plane, through the lobe along X); the
    whole hoop swings a little about the lobe."""
    R = 9.0
    a = np.linspace(np.pi / 2, np.pi / 2 + TAU, 145)[:-1]
    path = np.stack([R * np.cos(a), R * np.sin(a) - R, 0 * a], 1)
    ang = np.abs(((a - np.pi / 2 + np.pi) % TAU) - np.pi)  # 0 at the top
    rad = 1.1 - 0.65 * np.clip(1 - ang / 0.55, 0, 1) ** 1.5
    h = Part().add(ROSE, tube(path, rad, 14, closed=True))
    for k in range(15):
        t = np.pi / 2 + np.radians(45 + k * 270 / 14)
        at = (R * np.cos(t), R * np.sin(t) - R, 0.55)
        set_stone(h, "brilliant", DIAMOND, (1.3, 1.3), at, (0, 0, 1), metal=ROSE, segs=12)
    body = swing("swing_hoop", (0.0, 0.0, 0.0), h, 0.55)
    return Model("hoop_rose_gold", Node("hoop_rose_gold", children=[_hook_node(), body]))


def drop_pearl() -> Model:
    """Long pearl drop: a 5.5 mm granulated gold dome stud on a post; from it swings a 20 mm
    stem of three 2.8 mm pearls between gold rondelles, and from the stem's end a 9.6 x 13 mm
    drop pearl under a gold filigree cap, swinging again. 10 mm wide, 39 mm long."""
    top = Part()
    top.add(
        GOLD,
        lathe(
            [
                [0.0, 1.9],
                [1.2, 1.75],
                [2.2, 1.2],
                [2.6, 0.6],
                [2.75, 0.2],
                [2.75, 0.0],
                [2.75, 0.0],
                [0.0, 0.0],
            ],
            32,
        ).moved(rot_x(90.0)),
    )
    top.add(GOLD, granule_ring(2.75, 28, 0.55, (0, 0, 0.25)))
    top.add(GOLD, granule_ring(1.5, 14, 0.5, (0, 0, 1.55)))
    top.add(GOLD, sphere(0.55, 10, 6).moved(t=(0, 0, 1.95)))
    top.extend(ear_post(GOLD))
    top.add(GOLD, jump_ring((0, -3.3, 0.6), 0.6, 0.4, "x"))
    p1 = np.array([0.0, -3.85, 0.6])
    stem = Part()
    stem.add(GOLD, jump_ring((0, p1[1] - 0.55, 0.6), 0.55, 0.38, "z"))
    y = p1[1] - 1.1
    stem.add(GOLD, tube(np.array([[0, y, 0.6], [0, y - 18.6, 0.6]]), 0.25, 6))
    for _ in range(3):
        stem.add(
            GOLD,
            lathe([[0.0, 0.5], [0.9, 0.4], [1.05, 0.0], [0.9, -0.4], [0.0, -0.5]], 16).moved(
                t=(0, y - 0.5, 0.6)
            ),
        )
        stem.add(PEARL, gems.pearl(2.8, 16, 10).moved(t=(0, y - 2.4, 0.6)))
        y -= 4.8
    stem.add(
        GOLD,
        lathe([[0.0, 0.5], [0.9, 0.4], [1.05, 0.0], [0.9, -0.4], [0.0, -0.5]], 16).moved(t=(0, y - 0.5, 0.6)),
    )
    stem.add(GOLD, jump_ring((0, y - 1.6, 0.6), 0.6, 0.4, "x"))
    p2 = np.array([0.0, y - 2.2, 0.6])
    drop = Part()
    drop.add(GOLD, jump_ring((0, p2[1] - 0.55, 0.6), 0.55, 0.38, "z"))
    cap_y = p2[1] - 1.1
    cap = [
        [0.0, 0.0],
        [0.8, -0.1],
        [1.6, -0.6],
        [2.6, -1.6],
        [3.2, -2.6],
        [3.3, -2.9],
        [3.0, -3.0],
        [2.2, -2.2],
        [1.2, -1.2],
        [0.0, -0.9],
    ]
    drop.add(
        GOLD,
        lathe(
            cap, 32, rmod=lambda t, ph: 1.0 + 0.1 * np.clip((t - 0.3) * 3, 0, 1) * np.cos(8 * ph), least=16
        ).moved(t=(0, cap_y, 0.6)),
    )
    drop.add(GOLD, granule_ring(3.15, 22, 0.5, (0, cap_y - 2.85, 0.6), (0, 1, 0)))
    drop.add(PEARL, gems.drop_pearl(10.0, 13.4, 32, 22).moved(t=(0, cap_y - 0.3 - 8.2, 0.6)))
    inner = swing("swing_pearl", p2, drop, 0.4)
    stem_node = swing("swing_stem", p1, stem, 0.35, [inner])
    return Model("drop_pearl", Node("drop_pearl", part=top, children=[_hook_node(), stem_node]))


def earring_diamond() -> Model:
    """Diamond chandelier drops in 18k white gold: a 4 mm round brilliant solitaire stud; from it
    swings a 3 x 4.5 mm pear diamond, and under it the chandelier: a wire arc 17 mm across set
    with seven 1.4 mm brilliants, hung with five pear-cut diamond drops (2.6 x 4 mm), each
    swinging. 18 mm wide, 21 mm long."""
    m = WHITE
    top = solitaire(4.0, (0, 0, 0.2), m)
    top.add(m, plaque(ellipse(1.6, 1.6, 20), 0.2, 2, base=0.0, back=-0.3))
    top.extend(ear_post(m, 0.0))
    top.add(m, jump_ring((0, -2.5, 0.6), 0.55, 0.4, "x"))
    p1 = np.array([0.0, -3.05, 0.6])
    pear = Part()
    pear.add(m, jump_ring((0, p1[1] - 0.5, 0.6), 0.5, 0.35, "z"))
    set_stone(pear, "pear", DIAMOND, (3.0, 4.5), (0, p1[1] - 3.4, 0.2), metal=m)
    pear.add(m, jump_ring((0, p1[1] - 6.1, 0.6), 0.5, 0.35, "x"))
    p2 = np.array([0.0, p1[1] - 6.6, 0.6])
    arc = Part()
    arc.add(m, jump_ring((0, p2[1] - 0.5, 0.6), 0.5, 0.35, "z"))
    R = 12.45
    cy = p2[1] - 1.0 + R
    a = np.radians(np.linspace(-90 - 42, -90 + 42, 40))
    path = np.stack([R * np.cos(a), cy + R * np.sin(a) - 1.4, np.full(40, 0.6)], 1)
    arc.add(m, tube(path, 0.55, 8))
    arc.add(m, tube(np.array([[0, p2[1] - 1.0, 0.6], [0, p2[1] - 1.6 - 0.3, 0.6]]), 0.4, 6))
    kids = []
    drop = Part()
    drop.add(m, jump_ring((0, -0.45, 0), 0.45, 0.32, "z"))
    set_stone(drop, "pear", DIAMOND, (2.6, 4.0), (0, -3.1, -0.4), metal=m, segs=16)
    for k in range(7):
        t = np.radians(-90 - 36 + 12 * k)
        at = (R * np.cos(t), cy + R * np.sin(t) - 1.4, 0.3)
        set_stone(arc, "brilliant", DIAMOND, (1.4, 1.4), (at[0], at[1] + 0.9, at[2]), metal=m, segs=12)
    for j, q in enumerate((0.0, 1.5, 3.0, 4.5, 6.0)):
        t = np.radians(-90 - 36 + 12 * q)
        at = (R * np.cos(t), cy + R * np.sin(t) - 1.4 - 0.5, 0.6)
        arc.add(m, jump_ring((at[0], at[1] + 0.1, 0.6), 0.4, 0.3, "x"))
        kids.append(instance(f"swing_drop_{j}", (at[0], at[1] - 0.35, 0.6), drop, 0.45))
    arc_node = swing("swing_chandelier", p2, arc, 0.35, kids)
    pear_node = swing("swing_pear", p1, pear, 0.4, [arc_node])
    return Model("earring_diamond", Node("earring_diamond", part=top, children=[_hook_node(), pear_node]))


def _fan_outline(width: float, height: float, n: int) -> Arr:
    """A leaf (paan) outline, point up, broad and rounded below; its top at y=0."""
    o = pear_outline(width, height, n)
    return np.asarray(o - np.array([0.0, height / 2]))


def _inside(p: Arr, outline: Arr, margin: float) -> bool:
    """Is p inside a closed 2D outline, at least `margin` from its edge?"""
    d = outline - p
    ang = np.arctan2(d[:, 1], d[:, 0])
    winding = np.sum(np.angle(np.exp(1j * (np.roll(ang, -1) - ang)))) / TAU
    return bool(abs(winding) > 0.5 and np.min(np.linalg.norm(d, axis=1)) >= margin)


def earring_gold() -> Model:
    """Gold filigree drops (Cuttack tarakasi style) on French hooks: a 7 mm granulated gold
    disc swings from the hook, and from it a 13.3 x 16 mm leaf of open filigree: a twisted-wire
    frame round an inner wire filled with 0.3 mm wire curls, granules along the edge and a
    2.6 mm gold bead at the tip, swinging again. 14 mm wide, 34 mm long."""
    wire, hang = ear_wire(GOLD)
    disc_p = Part()
    disc_p.add(GOLD, jump_ring((0, hang[1] - 0.5, hang[2]), 0.5, 0.35, "z"))
    dc = np.array([0.0, hang[1] - 1.0 - 3.5, hang[2]])
    disc_p.add(GOLD, plaque(ellipse(3.3, 3.3, 40), 0.7, 4, base=0.2, back=-0.5).moved(t=dc))
    disc_p.add(GOLD, granule_ring(3.35, 30, 0.65, dc + (0, 0, 0.2)))
    for k in range(6):
        a = TAU * k / 6
        disc_p.add(GOLD, sphere(0.4, 8, 5).moved(t=dc + (1.2 * np.cos(a), 1.2 * np.sin(a), 0.85)))
    disc_p.add(GOLD, sphere(0.55, 10, 6).moved(t=dc + (0, 0, 0.95)))
    disc_p.add(GOLD, jump_ring(dc + (0, -3.9, 0), 0.5, 0.35, "x"))
    p2 = dc + np.array([0.0, -4.4, 0.0])
    leaf = Part()
    leaf.add(GOLD, jump_ring(p2 + (0, -0.5, 0), 0.5, 0.35, "z"))
    top = p2 + np.array([0.0, -1.0, 0.0])
    o = _fan_outline(13.3, 16.0, 72) + top[:2]
    frame_path = np.c_[o, np.full(len(o), top[2])]
    leaf.add(GOLD, tube(np.concatenate([frame_path, frame_path[:1]]), 0.38, 6, ridges=(3, 0.18, 0.9)))
    inner = _fan_outline(11.6, 13.0, 60) + top[:2] + np.array([0.0, -1.6])
    leaf.add(GOLD, tube(np.c_[inner, np.full(len(inner), top[2])], 0.18, 5, closed=True))
    # open-work: curls on a staggered grid inside the inner frame, each turned its own way
    k = 0
    for row, y in enumerate(np.arange(top[1] - 3.0, top[1] - 15.0, -1.95)):
        for x in np.arange(-6.0 + (row % 2) * 1.1, 6.01, 2.2):
            if _inside(np.array([x, y]), inner, 0.85):
                leaf.add(GOLD, filigree_curl((x, y, top[2]), 1.12, 1.6, 47.0 * k + 90 * (row % 2), wire=0.3))
                k += 1
    leaf.add(GOLD, granules(np.c_[o[24:49:3], np.full(9, top[2] + 0.3)], 0.55))
    bottom = o[np.argmin(o[:, 1])]
    leaf.add(GOLD, sphere(1.3, 14, 9).moved(t=(bottom[0], bottom[1] - 1.2, top[2])))
    leaf_node = swing("swing_leaf", p2, leaf, 0.4)
    disc_node = swing("swing_disc", hang, disc_p, 0.35, [leaf_node])
    return Model("earring_gold", Node("earring_gold", part=wire, children=[_hook_node(), disc_node]))


def earring_pink() -> Model:
    """Rose quartz drops in 18k rose gold on French hooks: a 12.6 mm round rose quartz
    cabochon in a bezel framed by a twisted rope wire, 16 mm across, swinging from the hook,
    and under it a 5 x 7.5 mm pear-cut rose quartz drop. 16 mm wide, 32 mm long."""
    wire, hang = ear_wire(ROSE)
    body = Part()
    body.add(ROSE, jump_ring((0, hang[1] - 0.5, hang[2]), 0.5, 0.35, "z"))
    c = np.array([0.0, hang[1] - 1.0 - 8.0, hang[2]])
    body.add(ROSE, plaque(ellipse(6.6, 6.6, 48), 0.2, 2, base=-0.2, back=-0.7).moved(t=c))
    set_stone(body, "cab", ROSE_QUARTZ, (12.6, 12.6), c + (0, 0, -0.2), metal=ROSE, segs=40, dome=0.3)
    ring = np.array([[7.45 * np.cos(a), 7.45 * np.sin(a), 0.0] for a in np.linspace(0, TAU, 121)])
    body.add(ROSE, tube(ring + c, 0.55, 6, ridges=(3, 0.2, 1.1)))
    body.add(ROSE, jump_ring(c + (0, -8.3, 0), 0.5, 0.35, "x"))
    p2 = c + np.array([0.0, -8.8, 0.0])
    drop = Part()
    drop.add(ROSE, jump_ring(p2 + (0, -0.5, 0), 0.5, 0.35, "z"))
    set_stone(drop, "pear", ROSE_QUARTZ, (5.0, 7.5), p2 + (0, -5.0, -0.6), metal=ROSE, segs=20)
    drop_node = swing("swing_drop", p2, drop, 0.4)
    body_node = swing("swing_stone", hang, body, 0.35, [drop_node])
    return Model("earring_pink", Node("earring_pink", part=wire, children=[_hook_node(), body_node]))
