"""Bangles, kadas and bracelets, round the forearm's axis (+Y towards the fingertips, +Z out of
the top of the wrist): see hands.py for the conventions they share with rings. Bangles are
modelled at size 2.4 (57.2 mm inside), bracelets at their closed inner diameter; a stack keeps
each bangle in its own node, bangle_<i>, spaced along Y.
"""

from __future__ import annotations

import numpy as np

from . import detail, gems
from .detail import current
from .gltf import Model, Node
from .hands import BANGLE_INNER_MM, circle, const, hand_model, on_band, shank, wrap
from .materials import DIAMOND, EMERALD, GOLD, GOLD_MATTE, GREEN_ENAMEL, POLKI, RUBY, WHITE
from .mesh import Mesh, Part, flat
from .motifs import filigree_curl, mango_outline, pear_outline, placed, set_stone
from .shapes import TAU, granules, plaque, rope_chain, sphere, tube, wall

R_IN = BANGLE_INNER_MM / 2
# How far a stack's bangles may slide along the arm: the elbow's side one back, the hand's side
# one forward, the others as far as closing up on them takes.
SLIDE_BACK_MM, SLIDE_FORWARD_MM, SLIDE_FREE_MM = 3.0, 1.0, 4.5


def kada_gold_filigree() -> Model:
    """Filigree kada in 22k gold (one of a pair): a solid band 14 mm wide and 5 mm thick, its
    outside domed, edged both sides with a twisted rope wire; round its face eighteen lozenges
    of filigree wire, each enclosing four scrolls round a granule, the lozenges' side corners
    joined by gold beads and the triangles between them filled with pyramids of three granules
    (the Cuttack and Bengal filigree-and-granulation kada). Size 2.4 (57.2 mm inside), 70 mm
    across, about 70 g."""
    p = Part()
    thick, half, n = 5.0, 7.0, 18
    # the ground is left matte (sand-blasted), so the polished wire and granules stand out
    p.add(GOLD_MATTE, shank(R_IN, const(thick), const(half), 96, 24, dome=0.7, inner=0.4))
    ro = R_IN + thick
    for y in (-6.3, 6.3):
        p.add(GOLD, rope_chain(np.concatenate([circle(ro - 0.9, 720, y), circle(ro - 0.9, 1, y)]), 1.5))
    pitch = TAU * ro / n
    a, b = pitch / 2 - 0.55, 4.3
    t = TAU * np.arange(32) / 32
    rhomb = np.stack([a * np.sign(np.cos(t)) * np.cos(t) ** 2, b * np.sign(np.sin(t)) * np.sin(t) ** 2], 1)
    panel = Part().add(GOLD, tube(np.c_[np.concatenate([rhomb, rhomb[:1]]), np.full(33, 0.3)], 0.38, 5))
    for k in range(4):  # four scrolls pointing at the corners, curling round the middle
        ang = TAU * k / 4
        at = (0.42 * a * np.cos(ang), 0.42 * b * np.sin(ang), 0.2)
        panel.add(GOLD, filigree_curl(at, 1.05, 1.25, np.degrees(ang) + 180.0, 0.34))
    panel.add(GOLD, sphere(0.7, 8, 5).moved(t=(0, 0, 0.45)))
    joint = Part().add(GOLD, sphere(0.75, 10, 6).moved(t=(0, 0, 0.4)))
    for y in (-1.0, 1.0):  # the granule pyramids in the triangles above and below the joint
        g = np.array([[-0.45, 3.55 * y, 0.3], [0.45, 3.55 * y, 0.3], [0.0, 2.75 * y, 0.3]])
        joint.add(GOLD, granules(g, 0.8))
    for k in range(n):
        phi = TAU * k / n
        p.extend(wrap(panel, ro - 0.1, phi))
        p.extend(wrap(joint, ro - 0.1, phi + np.pi / n))
    return hand_model("kada_gold_filigree", p, BANGLE_INNER_MM, 2 * half)


def kada_temple_gold() -> Model:
    """Temple kada (South Indian kemp work) in 22k gold with an antique matte finish: a band
    15 mm wide and 5 mm thick; round its face ten lotuses - a 4.4 mm ruby kemp cabochon in six
    polished petals - alternating with pairs of chased mangoes (paisleys) curling towards each
    other, each with an emerald kemp dot; rows of polished gold beads along both edges. Size
    2.4 (57.2 mm inside), 71 mm across."""
    p = Part()
    thick, half, n = 5.0, 7.5, 10
    p.add(GOLD_MATTE, shank(R_IN, const(thick), const(half), 96, 24, dome=0.65, inner=0.4))
    ro = R_IN + thick
    for y in (-6.75, 6.75):
        p.add(GOLD, granules(circle(ro - 0.75, 135, y), 1.45))
    pitch = TAU * ro / n
    lotus = Part()
    set_stone(lotus, "cab", RUBY, (4.4, 4.4), (0.0, 0.0, 0.15), segs=16, dome=0.5)
    petal = plaque(pear_outline(2.6, 3.8, 14), 0.55, 2, base=0.4, back=-0.3)
    for k in range(6):
        ang = TAU * k / 6 + np.pi / 2
        at = (3.75 * np.cos(ang), 3.75 * np.sin(ang), 0.0)
        lotus.add(GOLD, placed(petal, at, spin=np.degrees(ang) - 90))
    mango = Part().add(GOLD, plaque(mango_outline(4.6, 8.6, 24), 0.9, 3, base=0.4, back=-0.3))
    set_stone(mango, "cab", EMERALD, (1.8, 1.8), (-0.4, -1.6, 0.9), segs=8, dome=0.5)
    pair = mango.moved(t=(-2.7, 0.0, 0.0)).extend(mango.mirrored_x().moved(t=(2.7, 0.0, 0.0)))
    for k in range(n):
        phi = TAU * k / n
        p.extend(wrap(lotus, ro - 0.05, phi))
        p.extend(wrap(pair, ro - 0.05, phi + np.pi / n))
    assert pitch > 21.0  # (room for a lotus and a pair of mangoes in each tenth)
    return hand_model("kada_temple_gold", p, BANGLE_INNER_MM, 2 * half)


def _diamond_cut(r: float, thick: float, half: float, cuts: int) -> Mesh:
    """A 'diamond-cut' bangle: a six-sided wire whose flat facets are cut alternately half a
    facet round, drawn faceted (each facet its own normal), so that the light runs along it in
    sparks as the arm turns, as machine-cut gold bangles do."""
    sides = 6
    k = np.arange(sides)
    rows = []
    for j in range(cuts):
        phi = TAU * j / cuts
        a = TAU * (k + 0.5 * (j % 2)) / sides
        rr = r + thick / 2 + thick / 2 * np.cos(a)
        rows.append(np.stack([rr * np.sin(phi), half * np.sin(a), rr * np.cos(phi)], 1))
    p = np.stack(rows)  # (cuts, sides, 3)
    i, s = np.meshgrid(np.arange(cuts), k, indexing="ij")
    a_ = i * sides + s
    b_ = ((i + 1) % cuts) * sides + s
    c_ = ((i + 1) % cuts) * sides + (s + 1) % sides
    d_ = i * sides + (s + 1) % sides
    f = np.concatenate([np.stack([a_, d_, c_], -1).reshape(-1, 3), np.stack([a_, c_, b_], -1).reshape(-1, 3)])
    return flat(p.reshape(-1, 3), f[:, ::-1])  # wound to face out


def bangles_gold_stack() -> Model:
    """Four thin 22k gold bangles worn together (a set of four, sold as one), each 2.6 mm wide
    and 2.3 mm thick, size 2.4, side by side 3.1 mm apart along the arm: a diamond-cut bangle,
    a twisted rope bangle, a polished bangle with a row of granules round its middle, and a
    second diamond-cut one. 62 mm across; about 12 g each. Each is its own node, slide_bangle_0
    to slide_bangle_3 from the elbow's side to the hand's, sliding along the arm."""
    pitch, half, thick = 3.1, 1.3, 2.3
    kids = []
    for i in range(4):
        b = Part()
        if i in (0, 3):
            b.add(GOLD, _diamond_cut(R_IN, thick, half, 144 if current().full else 96))
        elif i == 1:
            # Four ridges twisted once round every 5 mm, deeper than a rope chain's, as a twisted
            # bangle's wire is; its crests, 1.2 times its radius, just reach the others' inside.
            # Live, the twist stays (tube would draw a plain wire): 12 px a turn at 720p, it
            # is what tells this bangle from the polished one.
            full = current().full
            with detail.using(detail.FULL):
                b.add(GOLD, tube(circle(R_IN + 1.2 * half, 256 if full else 192), half, 12 if full else 8,
                                 closed=True, ridges=(4, 0.2, 5.0), up=(0.0, 1.0, 0.0)))
        else:
            b.add(GOLD, shank(R_IN, const(thick - 0.3), const(half), 160, 24, dome=0.9, inner=0.5))
            b.add(GOLD, granules(circle(R_IN + thick - 0.35, 200), 0.9))
        y = (i - 1.5) * pitch
        # They slide along the arm (kiosk/tryon/slide.py): on a tipped arm the set slips to the
        # low side and closes up, as worn bangles do. The hand stops the last one 1 mm on, the
        # widening forearm the first 3 mm back; the others close up against them.
        back = SLIDE_BACK_MM if i == 0 else SLIDE_FREE_MM
        forward = SLIDE_FORWARD_MM if i == 3 else SLIDE_FREE_MM
        slide = {"axis": [0.0, 1.0, 0.0], "travel": [back * 1e-3, forward * 1e-3]}
        kids.append(Node(f"slide_bangle_{i}", (0.0, y, 0.0), b, extras={"slide": slide}))
    return hand_model("bangles_gold_stack", Part(), BANGLE_INNER_MM, round(3 * pitch + 2 * half, 1), kids)


def bangle_polki_kundan() -> Model:
    """Polki kundan bangle in 22k gold: a band 10 mm wide and 4.6 mm thick set all round its
    face with twenty-four 4.6 x 5.4 mm polki (uncut diamonds on foil) in kundan, a 1.8 mm ruby
    cabochon between each two, framed by stripes of green meenakari and granulated rims along
    both edges. Size 2.4 (57.2 mm inside), 67 mm across. The bridal bangle worn with a pair of
    thinner gold ones."""
    p = Part()
    thick, half = 4.6, 5.0
    p.add(GOLD, shank(R_IN, const(thick), const(half), 144, 24, dome=0.45, inner=0.4))
    ro = R_IN + thick
    for y in (-3.65, 3.65):
        p.add(GREEN_ENAMEL, shank(ro - 0.3, const(0.45), const(0.5), 144, 8, dome=0.8, inner=0.8, y0=y))
        p.add(GOLD, granules(circle(ro - 0.55, 200, 4.55 if y > 0 else -4.55), 0.95))
    n = 24
    for k in range(n):
        phi = TAU * k / n
        at, nrm = on_band(ro - 0.05, phi)
        set_stone(p, "polki", POLKI, (4.6, 5.4), at, nrm, (0, 1, 0), seed=300 + k, segs=18)
        at, nrm = on_band(ro - 0.1, phi + TAU / (2 * n))
        set_stone(p, "cab", RUBY, (1.8, 1.8), at, nrm, (0, 1, 0), segs=12, dome=0.55)
    return hand_model("bangle_polki_kundan", p, BANGLE_INNER_MM, 2 * half)


def _tennis_link(d: float, pitch: float) -> Part:
    """One link of a tennis bracelet, built flat (X along the bracelet, Z out): a round brilliant
    in four claws over an open square box, hinge knuckles at both ends."""
    p = Part()
    p.add(DIAMOND, gems.brilliant(d))
    box = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], float) * (0.47 * pitch)
    t = np.linspace(0, 1, 6, endpoint=False)
    sq = np.concatenate([box[j] + (box[(j + 1) % 4] - box[j]) * t[:, None] for j in range(4)])
    p.add(WHITE, wall(sq, [[-0.3, -1.5], [-0.3, -0.35], [0.0, -0.25], [0.0, -1.5]]))
    p.add(WHITE, gems.prongs(d, 4, 1.2, 0.16 * d, 0.5))
    for x in (-pitch / 2, pitch / 2):
        p.add(WHITE, tube(np.array([[x, -1.0, -1.6], [x, 1.0, -1.6]]), 0.3, 6))
    return p


def bracelet_diamond_tennis() -> Model:
    """Diamond tennis bracelet in 18k white gold: fifty-four 3.0 mm round brilliant diamonds
    (about 0.1 ct each, 5.4 ct in all), each in four claws on its own hinged box link, 3.4 mm
    apart, closed by a box clasp with a safety lever under the wrist. 7 in (178 mm) round its
    middle; closed, 58 mm inside and 66 mm across."""
    d, pitch, n = 3.0, 3.4, 54
    r_link = 29.0 + 1.9  # the girdle's radius over a 58 mm opening (the knuckles reach 1.9 below)
    link = _tennis_link(d, pitch)
    p = Part()
    step = pitch / r_link
    clasp_len = (TAU - n * step) * r_link  # the arc the links leave free, under the wrist
    for k in range(n):
        p.extend(wrap(link, r_link, np.pi + clasp_len / (2 * r_link) + (k + 0.5) * step))
    clasp = Part()
    half = clasp_len / 2 - 0.1
    box = np.array([[half, 1.6], [-half, 1.6], [-half, -1.6], [half, -1.6]])
    t = np.linspace(0, 1, 8, endpoint=False)
    outline = np.concatenate([box[j] + (box[(j + 1) % 4] - box[j]) * t[:, None] for j in range(4)])
    clasp.add(WHITE, plaque(outline, 0.25, 2, base=-0.4, back=-1.9))
    clasp.add(WHITE, tube(np.array([[-half + 0.6, 0.0, -0.1], [half - 0.6, 0.0, -0.1]]), 0.35, 6))
    p.extend(wrap(clasp, r_link, np.pi))
    return hand_model("bracelet_diamond_tennis", p, 58.0, round(0.94 * pitch, 1))

