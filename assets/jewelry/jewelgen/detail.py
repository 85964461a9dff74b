"""Level of detail: how finely the shape primitives tessellate (model.glb against model_live.glb).

FULL is every count as the builders wrote it (the committed model.glb, for stills and the
catalogue's renders). LIVE is what the mirror draws 30 times a second on llvmpipe, where cost
follows triangles: at 720p a customer at arm's length is about 2.4 px/mm (1080p: 3.6), so a
24 mm jhumka is some 60 px across and a 1 mm granule 2-3 px. LIVE picks each count from the
size of what it draws, so the silhouette strays by at most `tol_mm` from the true curve:
0.3 mm, about 0.6 px at 720p (1 px at 1080p) - below what the anti-aliasing shows; side by side
at the mirror's zoom, 0.2 and 0.3 mm look the same and 0.3 draws a quarter fewer triangles
(two jhumkas and a choker: 17,556 -> 13,462; on llvmpipe a triangle costs ~0.3 us whatever its
size) - while smooth normals keep the shading round.

Live budgets (tests/assets/test_models.py): an earring, nose piece or tikka at most 4,000
triangles, a necklace 12,500. At 720p a jhumka covers about 2,700 px of metal (6,200 at
1080p), a choker 11,000 (25,000), the rani haar 22,000 (50,000): the budgets come to about one
to two triangles per covered pixel at 720p, half of them facing away - about one visible
triangle per pixel, below which more triangles change nothing the camera can show (small
pieces sit higher: a 5 mm nose pin still needs its seven stones). The rani haar alone passes
10,000: its 345 strand beads at 24 triangles each, the fewest that still read as round beads.

The setting is read by the primitives (shapes.py, gems.py, motifs.py) from a context variable
rather than passed through every builder's hundred calls: the builders stay one description of
each piece, and the few design choices that change at LIVE (chased lobes, rows of granules
drawn as a wire, twisted wire drawn plain, brilliants cut with fewer facets) ask `current()`.
What the builders compute from their own sample counts (where a drop hangs, a swing's pivot)
never depends on the detail: primitives simplify what they are given, inside.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from .mesh import Arr


@dataclass(frozen=True)
class Detail:
    name: str
    tol_mm: float | None  # None: full detail, counts exactly as written

    @property
    def full(self) -> bool:
        return self.tol_mm is None

    def around(self, full: int, radius: float, least: int = 3) -> int:
        """Segments round a circle of `radius` mm: the builder's count at full detail; at a
        coarser level the fewest whose chords stray less than tol from the circle (sagitta
        r (1 - cos(pi / n)) ~ r pi^2 / (2 n^2)), never more than the full count."""
        if self.tol_mm is None:
            return full
        n = math.ceil(math.pi * math.sqrt(max(radius, 0.0) / (2.0 * self.tol_mm)))
        return int(min(full, max(least, n)))

    def finer(self, tol_mm: float) -> Detail:
        """This detail, or one no coarser than tol_mm."""
        if self.tol_mm is None or self.tol_mm <= tol_mm:
            return self
        return Detail(self.name, tol_mm)

    def keep(self, pts: Arr, closed: bool = False, least: int = 2) -> Arr:
        """Indices of the points of a polyline (any dimension: a path with its radius, a
        profile) to keep so that no dropped point lies further than tol from the kept line.
        Greedy: from each kept point the furthest one the chord can reach (close to the fewest
        points; Douglas-Peucker's halving keeps up to twice as many on a circle). Everything
        at full detail."""
        p = np.asarray(pts, float)
        n = len(p)
        if self.tol_mm is None or n <= least:
            return np.arange(n)
        ring = np.concatenate([p, p[:1]]) if closed else p
        idx = _reach(ring, self.tol_mm)
        idx = idx[idx < n]
        if len(idx) < least:  # a tiny loop: evenly spaced points instead
            idx = np.unique(np.round(np.linspace(0, n, least, endpoint=not closed)).astype(int) % n)
        return idx


def _fits(p: Arr, a: int, b: int, tol: float) -> bool:
    """Do the points strictly between a and b lie within tol of the segment a-b?"""
    if b - a < 2:
        return True
    seg = p[b] - p[a]
    ln2 = float(seg @ seg)
    q = p[a + 1 : b] - p[a]
    t = np.clip(q @ seg / ln2, 0.0, 1.0) if ln2 > 1e-18 else np.zeros(len(q))
    return bool(np.linalg.norm(q - t[:, None] * seg, axis=1).max() <= tol)


def _reach(p: Arr, tol: float) -> Arr:
    """Kept indices of an open polyline (both ends kept), each chord as long as it can be
    (found by doubling then halving the step)."""
    last = len(p) - 1
    out, i = [0], 0
    while i < last:
        step = 1
        while i + 2 * step <= last and _fits(p, i, i + 2 * step, tol):
            step *= 2
        lo, hi = i + step, min(i + 2 * step, last)  # lo fits; find the furthest that does
        while hi > lo:
            mid = (lo + hi + 1) // 2
            if _fits(p, i, mid, tol):
                lo = mid
            else:
                hi = mid - 1
        out.append(lo)
        i = lo
    return np.asarray(out)


FULL = Detail("full", None)
LIVE = Detail("live", 0.3)
_current: ContextVar[Detail] = ContextVar("jewelgen_detail", default=FULL)


def current() -> Detail:
    return _current.get()


@contextmanager
def using(d: Detail) -> Iterator[Detail]:
    """Build at detail `d` inside the block (builders called here tessellate at `d`)."""
    token = _current.set(d)
    try:
        yield d
    finally:
        _current.reset(token)
