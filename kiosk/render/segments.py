"""The frames of a model's moving segments: each swing turned about its pivot, each slide moved
along its axis, composed down the node tree (kiosk/render/model.py reads them from the .glb)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kiosk.capture.base import Array
from kiosk.render.model import Mat4, Model

__all__ = ["segment_matrices", "swing_frames"]


@dataclass(frozen=True)
class _SwingTree:
    """A model's swings as arrays, for computing all their frames in a few batched products:
    rest offset and local transforms, pivots, parents, and the swings grouped by depth (a
    parent always in an earlier group)."""
    names: tuple[str, ...]
    offsets: npt.NDArray[np.float32]            # (S, 4, 4)
    locals_: npt.NDArray[np.float32]            # (S, 4, 4)
    pivots: npt.NDArray[np.float32]             # (S, 3)
    parents: npt.NDArray[np.intp]               # (S,)
    levels: tuple[npt.NDArray[np.intp], ...]


def _swing_tree(model: Model) -> _SwingTree:
    tree: _SwingTree | None = getattr(model, "_swing_tree", None)
    if tree is None:
        sw = model.swings
        depth: list[int] = []
        for s in sw:
            depth.append(0 if s.parent < 0 else depth[s.parent] + 1)
        tree = _SwingTree(
            tuple(s.name for s in sw),
            np.asarray([s.offset for s in sw], np.float32).reshape(-1, 4, 4),
            np.asarray([s.local for s in sw], np.float32).reshape(-1, 4, 4),
            np.asarray([s.pivot for s in sw], np.float32).reshape(-1, 3),
            np.asarray([s.parent for s in sw], np.intp),
            tuple(np.flatnonzero(np.asarray(depth) == d) for d in range(max(depth, default=-1) + 1)))
        model._swing_tree = tree  # type: ignore[attr-defined]
    return tree


def segment_matrices(model: Model, joints: dict[str, Array] | None = None) -> npt.NDArray[np.float32]:
    """Model-space transform of each swing segment's frame (S, 4, 4), with `joints[name]`
    turning it: for a swing a 3x3 rotation (in the swing node's parent space) about its pivot,
    for a slide its offset (3,) (mm, the same space); rest pose for missing names. Batched: a
    jhumka's 40 swings each frame were 40 Python-level products (0.3 ms)."""
    tree = _swing_tree(model)
    n = len(tree.names)
    about = np.broadcast_to(np.eye(4, dtype=np.float32), (n, 4, 4)).copy()
    if joints:
        moved = [i for i, name in enumerate(tree.names) if name in joints and np.shape(joints[name]) == (3,)]
        if moved:
            about[moved, :3, 3] = np.asarray([joints[tree.names[i]] for i in moved], np.float32)
        turned = [i for i, name in enumerate(tree.names) if name in joints and np.shape(joints[name]) != (3,)]
        if turned:
            r = np.asarray([joints[tree.names[i]] for i in turned], np.float32)
            piv = tree.pivots[turned]
            about[turned, :3, :3] = r
            about[turned, :3, 3] = piv - np.einsum("sij,sj->si", r, piv)
    own = tree.offsets @ about @ tree.locals_
    out = np.empty_like(own)
    for level in tree.levels:
        par = tree.parents[level]
        root = par < 0
        out[level[root]] = own[level[root]]
        out[level[~root]] = out[par[~root]] @ own[level[~root]]
    return out


def swing_frames(model: Model, pose: Mat4,
                 joints: dict[str, Array] | None = None) -> dict[str, tuple[Array, Array]]:
    """For the pendulum: each swing's pivot in camera space (mm) and the rotation taking its
    parent space to camera space, so gravity and the head's motion can be expressed where
    `joints` rotations live."""
    segs = segment_matrices(model, joints)
    out: dict[str, tuple[Array, Array]] = {}
    for s in model.swings:
        parent = pose @ (segs[s.parent] if s.parent >= 0 else np.eye(4, dtype=np.float32)) @ s.offset
        rot = parent[:3, :3] / np.maximum(np.linalg.norm(parent[:3, :3], axis=0, keepdims=True), 1e-12)
        pivot = parent[:3, :3] @ s.pivot + parent[:3, 3]
        out[s.name] = (np.asarray(pivot, np.float32), np.asarray(rot, np.float32))
    return out
