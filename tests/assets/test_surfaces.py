"""A finish that changes across one surface (the plain band's satin stripe between polished
edges) is rows of that surface, not a second shell laid over it: two shells tessellated apart
cross each other wherever their chords differ, and the live mirror showed the crossing as a
dotted line along the band (dark specks on 2 frames in 3 of a hand clip; none since the stripe
became part of the band's own section, jewelgen/hands.py striped_shank). Read with pygltflib
(tests/helpers/models.py), not with the generator's code."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.models import ROOT, Piece

SATIN = "22k yellow gold, textured"


def _merged(pos: np.ndarray, tri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions welded (glTF splits a vertex where its normal does), triangles re-indexed."""
    key, inv = np.unique(np.round(pos * 1e7).astype(np.int64), axis=0, return_inverse=True)
    return key / 1e7, inv.reshape(-1)[tri]


def _boundary(tri: np.ndarray) -> np.ndarray:
    """Vertex indices on edges only one triangle uses."""
    e = np.sort(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]]), axis=1)
    uniq, count = np.unique(e, axis=0, return_counts=True)
    return np.unique(uniq[count == 1])


@pytest.mark.parametrize("lod", ["model.glb", "model_live.glb"])
def test_the_satin_stripe_is_an_open_strip_edged_by_the_polished_bands_own_vertices(lod: str) -> None:
    p = Piece(ROOT / "ring_gold_band" / lod)
    names = [m.name for m in p.g.materials]
    satin, polished = [], []
    for i in p.world:
        for mat, pos, _, tri in p.local_mesh(i):
            (satin if names[mat] == SATIN else polished).append((pos, tri))
    assert len(satin) == 1 and polished
    spos, stri = _merged(*satin[0])
    edge = _boundary(stri)
    assert len(edge) > 0, "the stripe is a closed shell of its own"
    gold = np.concatenate([pos for pos, _ in polished])
    dist = np.array([np.linalg.norm(gold - q, axis=1).min() for q in spos[edge]])
    assert dist.max() < 1e-6, f"stripe edge {dist.max() * 1000:.3f} mm off the band's own vertices"
