"""Shapes jewelers make: lathe-turned domes and bells, wires and tubes swept along curves,
chains of links, strands of beads, domed plaques cut from an outline, bezel walls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .detail import current
from .mesh import Arr, Mesh, Vec, concat, grid, rot_x

TAU = 2 * np.pi
GRANULE_ROW_GAP = 2.2  # granules closer than this many diameters apart make a row
LINK_OPENING_MM = 0.6  # a chain's link openings below this are drawn as a plain wire at live detail


def lathe(
    profile: Sequence[Sequence[float]],
    segs: int,
    phase: float = 0.0,
    rmod: Callable[[Arr, Arr], Arr] | None = None,
    least: int = 3,
) -> Mesh:
    """Turn a (radius, height) profile about +Y. Trace the outside top to bottom for outward
    normals; give a point twice for a crisp edge. rmod(t, phi) scales the radius (lobes, ribs):
    t is the profile parameter 0..1, phi the angle; `least` is the fewest segments it still
    reads with (twice its lobes) when a coarser detail cuts the count."""
    pr = np.asarray(profile, float)
    t = np.linspace(0.0, 1.0, len(pr))
    d = current()
    if not d.full:
        keep = profile_keep(pr)
        pr, t = pr[keep], t[keep]
        segs = d.around(segs, float(pr[:, 0].max()), least)
    phi = TAU * np.arange(segs) / segs + phase
    r = pr[:, :1] * (rmod(t[:, None], phi[None, :]) if rmod is not None else np.ones((1, segs)))
    p = np.stack([r * np.sin(phi), np.broadcast_to(pr[:, 1:2], r.shape), r * np.cos(phi)], -1)
    return grid(p, wrap_v=True)


def profile_keep(pr: Arr) -> Arr:
    """Indices of a lathe profile to keep at the current detail: each run between crisp
    edges (a point given twice) simplified on its own, both points of an edge kept."""
    d = current()
    n = len(pr)
    dup = np.nonzero(np.all(np.abs(np.diff(pr, axis=0)) < 1e-12, axis=1))[0]
    bounds = sorted({0, n - 1, *dup.tolist(), *(dup + 1).tolist()})
    keep = [np.asarray(bounds)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b > a + 1:
            keep.append(a + d.keep(pr[a : b + 1]))
    return np.asarray(np.unique(np.concatenate(keep)))


def sphere(radius: float, segs: int = 16, rows: int = 10) -> Mesh:
    d = current()
    if not d.full:
        # Meridians held to the same tolerance: about half as many rows as segments, and an
        # even count, so the equator is a row and the ball keeps its width.
        segs = d.around(segs, radius, 4)
        rows = max(2, min(rows, 2 * ((segs + 3) // 4)))
    th = np.linspace(0.0, np.pi, rows + 1)
    return lathe(np.stack([radius * np.sin(th), radius * np.cos(th)], 1), segs)


def resample(path: Arr, step: float | None = None, count: int | None = None) -> tuple[Arr, Arr, float]:
    """Points evenly spaced along a polyline by arc length, their unit tangents, the length."""
    path = np.asarray(path, float)
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(s[-1])
    n = count if count is not None else max(2, int(round(total / float(step or 1.0))) + 1)
    q = np.linspace(0.0, total, n)
    pts = np.stack([np.interp(q, s, path[:, k]) for k in range(3)], 1)
    tan = np.gradient(pts, axis=0)
    return pts, tan / np.maximum(np.linalg.norm(tan, axis=1, keepdims=True), 1e-12), total


def transport_frames(pts: Arr, closed: bool = False, up: Vec = (0.0, 0.0, 1.0)) -> tuple[Arr, Arr, Arr]:
    """Tangent, normal, binormal along a curve by parallel transport (no twisting)."""
    if closed:
        tan = np.roll(pts, -1, 0) - np.roll(pts, 1, 0)
    else:
        tan = np.gradient(pts, axis=0)
    tan /= np.maximum(np.linalg.norm(tan, axis=1, keepdims=True), 1e-12)
    nrm = np.empty_like(pts)
    u = np.asarray(up, float)
    n0 = u - tan[0] * (tan[0] @ u)
    if np.linalg.norm(n0) < 1e-6:
        n0 = np.cross(tan[0], (1.0, 0.0, 0.0))
    nrm[0] = n0 / np.linalg.norm(n0)
    for i in range(1, len(pts)):
        n = nrm[i - 1] - tan[i] * (tan[i] @ nrm[i - 1])
        nrm[i] = n / max(np.linalg.norm(n), 1e-12)
    binormal = np.cross(tan, nrm)
    if closed:  # spread the mismatch after one turn evenly so the seam does not twist
        end = nrm[-1] - tan[0] * (tan[0] @ nrm[-1])
        ang = np.arctan2(np.cross(end, nrm[0]) @ tan[0], end @ nrm[0])
        a = ang * np.arange(len(pts)) / len(pts)
        nrm, binormal = (
            nrm * np.cos(a)[:, None] + binormal * np.sin(a)[:, None],
            binormal * np.cos(a)[:, None] - nrm * np.sin(a)[:, None],
        )
    return tan, nrm, binormal


def tube(
    path: Arr,
    radius: float | Arr,
    sides: int = 8,
    closed: bool = False,
    ridges: tuple[int, float, float] | None = None,
    up: Vec = (0.0, 0.0, 1.0),
) -> Mesh:
    """A wire of circular section along a path. ridges=(count, depth, pitch_mm) twists the
    section into strands (a rope chain); a coarser detail draws it plain (the strands are
    finer than a pixel there) along a simplified path."""
    pts = np.asarray(path, float)
    d = current()
    if not d.full:
        rad = np.broadcast_to(np.asarray(radius, float), (len(pts),))
        # A thin wire's path is kept within its own radius: chords coarser than that turn so
        # sharply at the kept points that the wire's inner side folds through itself.
        keep = d.finer(float(rad.min())).keep(np.c_[pts, rad], closed, least=6 if closed else 2)
        pts, radius, ridges = pts[keep], rad[keep], None
        sides = d.around(sides, float(rad.max()), 3)
    _, nrm, bi = transport_frames(pts, closed, up)
    psi = TAU * np.arange(sides) / sides
    r = np.broadcast_to(np.asarray(radius, float), (len(pts),))[:, None] * np.ones((1, sides))
    if ridges is not None:
        k, depth, pitch = ridges
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
        r = r * (1.0 + depth * np.cos(k * psi[None, :] - TAU * s[:, None] / pitch))
    p = pts[:, None, :] + r[..., None] * (
        np.cos(psi)[None, :, None] * nrm[:, None, :] + np.sin(psi)[None, :, None] * bi[:, None, :]
    )
    return grid(p, wrap_u=closed, wrap_v=True, flip=True)


def torus(major: float, minor: float, segs: int = 16, sides: int = 6) -> Mesh:
    """A ring in the XY plane (facing +Z), round wire."""
    a = TAU * np.arange(segs) / segs
    return tube(np.stack([major * np.cos(a), major * np.sin(a), 0 * a], 1), minor, sides, closed=True)


def link(length: float, width: float, wire: float, segs: int = 12, sides: int = 4) -> Mesh:
    """One oval chain link along local +X, lying in the XY plane (outer length and width)."""
    rad = (width - wire) / 2
    straight = max(0.0, length - width) / 2
    segs = current().around(segs, rad, 4)
    a = TAU * np.arange(segs) / segs
    x = rad * np.cos(a) + np.sign(np.cos(a)) * straight
    return tube(np.stack([x, rad * np.sin(a), 0 * a], 1), wire / 2, sides, closed=True)


def place_along(
    path: Arr,
    pitch: float,
    template: Mesh,
    twist: float = 90.0,
    up: Vec = (0.0, 0.0, 1.0),
    start: float = 0.0,
    end: float | None = None,
    closed: bool = False,
) -> Mesh:
    """Copies of a template (built along +X) every `pitch` mm along a path, each turned
    `twist` degrees about the path from the one before: a cable chain, a strand of beads."""
    pts, tan, total = resample(path, step=0.25)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    stop = total if end is None else end
    n = int(np.floor((stop - start) / pitch + 1e-9)) + (0 if closed else 1)
    _, nrm, bi = transport_frames(pts, closed, up)
    out = []
    for k in range(n):
        q = start + k * pitch
        i = int(np.clip(np.searchsorted(s, q), 0, len(pts) - 1))
        c = np.cos(np.radians(twist * k))
        si = np.sin(np.radians(twist * k))
        y_ax = nrm[i] * c + bi[i] * si
        rot = np.stack([tan[i], y_ax, np.cross(tan[i], y_ax)], 1)
        out.append(template.moved(rot, pts[i]))
    return concat(out)


def cable_chain(
    path: Arr,
    link_len: float,
    wire: float,
    segs: int = 10,
    sides: int = 4,
    up: Vec = (0.0, 0.0, 1.0),
    closed: bool = False,
) -> Mesh:
    """Interlocking oval links, alternately at right angles; consecutive links overlap by two
    wire thicknesses, as a real cable chain does."""
    width = link_len * 0.72
    if not current().full and width - 2 * wire < LINK_OPENING_MM:
        # Its links' openings would be under a pixel and a half at 720p: a wire as thick as
        # the chain looks on average (links alternately flat and edge-on) draws the same.
        return tube(np.asarray(path, float), (width + wire) / 4, 4, closed=closed)
    tpl = link(link_len, width, wire, segs, sides)
    return place_along(path, link_len - 2 * wire, tpl, 90.0, up, closed=closed)


def rope_chain(path: Arr, diameter: float, sides: int = 6) -> Mesh:
    """A rope chain: three twisted strands whose ridges run at about 33 degrees to the chain
    (each strand turns once in 4.8 diameters), two sides and three rings per ridge period:
    at a few pixels across that is all the rope the kiosk can show."""
    pitch = diameter * 1.6
    pts, _, _ = resample(path, step=pitch / 3)
    return tube(pts, diameter / 2, sides, ridges=(3, 0.14, pitch))


def beads_along(path: Arr, pitch: float, bead: Mesh, start: float = 0.0, end: float | None = None) -> Mesh:
    return place_along(path, pitch, bead, 0.0, start=start, end=end)


def plaque(
    outline: Arr,
    height: float,
    rings: int = 6,
    base: float = 0.0,
    back: float | None = None,
    dome: Callable[[Arr], Arr] | None = None,
    centre: Vec | None = None,
) -> Mesh:
    """A domed plate cut from a closed 2D outline (counter-clockwise, star-shaped about its
    centre): a flat back at z=back, a side wall, and a top that rises from z=base at the edge
    to base+height in the middle along `dome` (default a smooth cap)."""
    o = np.asarray(outline, float)
    c = np.asarray(centre if centre is not None else o.mean(axis=0), float)
    d = current()
    if not d.full:
        o, rings = o[d.keep(o, closed=True, least=5)], min(rings, 2)
    s = np.linspace(1.0, 0.0, rings + 1)
    prof = (dome or (lambda x: np.sqrt(np.clip(1.0 - x * x, 0.0, 1.0))))(s)
    xy = c + s[:, None, None] * (o[None] - c)
    top = np.concatenate([xy, (base + height * prof)[:, None, None] * np.ones((1, len(o), 1))], -1)
    zb = base - 0.6 if back is None else back
    edge = np.concatenate(
        [np.repeat(xy[:1], 2, 0), np.array([base, zb])[:, None, None] * np.ones((1, len(o), 1))], -1
    )
    # the back is a flat fan: it faces the skin, so it gets no more triangles than it needs
    n = len(o)
    bv = np.concatenate([np.c_[o, np.full(n, zb)], [[c[0], c[1], zb]]])
    i = np.arange(n)
    fb = np.stack([np.full(n, n), (i + 1) % n, i], 1)
    back_m = Mesh(bv, np.tile([0.0, 0.0, -1.0], (n + 1, 1)), fb)
    return concat([grid(top, wrap_v=True, flip=True), grid(edge, wrap_v=True), back_m])


def outline_normals(outline: Arr) -> Arr:
    """Outward unit normals of a counter-clockwise closed 2D outline."""
    t = np.roll(outline, -1, 0) - np.roll(outline, 1, 0)
    n = np.stack([t[:, 1], -t[:, 0]], 1)
    return np.asarray(n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12))


def wall(outline: Arr, section: Sequence[Sequence[float]]) -> Mesh:
    """A wall around a closed CCW outline: section points (outward offset mm, z mm), traced
    from the inside bottom over the top to the outside bottom (a bezel, a rim)."""
    o = np.asarray(outline, float)
    o = o[current().keep(o, closed=True, least=5)]
    nn = outline_normals(o)
    sec = np.asarray(section, float)
    xy = o[None] + sec[:, None, :1] * nn[None]
    p = np.concatenate([xy, sec[:, None, 1:2] * np.ones((1, len(o), 1))], -1)
    return grid(p, wrap_v=True)


def ellipse(a: float, b: float, n: int, phase: float = 0.0) -> Arr:
    t = TAU * np.arange(n) / n + phase
    return np.stack([a * np.cos(t), b * np.sin(t)], 1)


def spiral(r0: float, r1: float, turns: float, n: int, phase: float = 0.0) -> Arr:
    """A flat curl (filigree) in XY from radius r0 out to r1."""
    t = np.linspace(0.0, 1.0, n)
    a = phase + TAU * turns * t
    r = r0 + (r1 - r0) * t
    return np.stack([r * np.cos(a), r * np.sin(a), 0 * t], 1)


def granules(points: Arr, diameter: float, segs: int = 0, rows: int = 0) -> Mesh:
    """Granulation: tiny gold balls fused along a line or a rim (20-36 triangles each: at a
    few pixels apiece that reads as a bead). At a coarser detail a row of touching granules
    (in order along a line or round a rim) is drawn as the wire it looks like there; loose
    ones as a few triangles each."""
    pts = np.asarray(points, float)
    if not current().full and len(pts) >= 6:
        gaps = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        if gaps.max() <= GRANULE_ROW_GAP * diameter:
            closed = bool(np.linalg.norm(pts[-1] - pts[0]) <= GRANULE_ROW_GAP * diameter)
            return tube(pts, 0.45 * diameter, 4, closed=closed)
    g = sphere(diameter / 2, segs or (5 if diameter < 0.7 else 6), rows or (3 if diameter < 0.7 else 4))
    return concat([g.moved(t=p) for p in pts])


def disc(radius: float, segs: int, z: float = 0.0, facing: float = 1.0) -> Mesh:
    """A flat disc in XY facing +Z (facing=1) or -Z."""
    return lathe([[0.0, 0.0], [radius, 0.0]], segs).moved(rot_x(90.0 * facing), (0, 0, z))


def band(inner: Arr, outer: Arr, height: float, back: float = -0.5, rows: int = 6) -> Mesh:
    """A domed band between two 2D polylines of the same length (a crescent, a collar panel):
    the front rises from z=0 at both edges to `height` midway; a flat back at z=back; walls
    along both edges. Traced with the outer edge on the right going along, normals come out."""
    i2, o2 = np.asarray(inner, float), np.asarray(outer, float)
    d = current()
    if not d.full:
        keep = d.keep(np.c_[o2, i2])
        i2, o2, rows = i2[keep], o2[keep], min(rows, 3)
    v = np.linspace(0.0, 1.0, rows + 1)
    xy = o2[None] + v[:, None, None] * (i2 - o2)[None]
    z = height * np.sin(np.pi * v)
    top = np.concatenate([xy, np.broadcast_to(z[:, None, None], (rows + 1, len(o2), 1))], -1)
    bot = np.concatenate([xy[::-1], np.full((rows + 1, len(o2), 1), back)], -1)
    wall_o = np.stack([np.c_[o2, np.full(len(o2), back)], np.c_[o2, np.zeros(len(o2))]])
    wall_i = np.stack([np.c_[i2, np.zeros(len(i2))], np.c_[i2, np.full(len(i2), back)]])
    return concat([grid(g, flip=True) for g in (top, bot, wall_o, wall_i)])
