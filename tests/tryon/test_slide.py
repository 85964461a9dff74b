"""Bangles of a stack slide along a tipped arm and stop against each other; a level arm holds them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kiosk.render.model import Model, load_model
from kiosk.render.segments import segment_matrices
from kiosk.tryon.slide import STATIC_FRICTION, SlideStack

STACK = Path(__file__).resolve().parents[2] / "assets/jewelry/bangles_gold_stack/model_live.glb"


@pytest.fixture(scope="module")
def stack_model() -> Model:
    return load_model(STACK)


def _arm(tip_deg: float) -> np.ndarray:
    """A pose whose piece +Y (along the arm) points tip_deg below the image's +x."""
    a = math.radians(tip_deg)
    y = np.array([math.cos(a), math.sin(a), 0.0])          # camera space, +y down
    z = np.array([0.0, 0.0, -1.0])
    x = np.cross(y, z)
    pose = np.eye(4)
    pose[:3, :3] = np.stack([x, y, z], axis=1)
    pose[:3, 3] = [0.0, 0.0, 450.0]
    return pose


def _run(stack: SlideStack, pose: np.ndarray, seconds: float = 1.5) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for k in range(int(seconds * 30) + 1):
        out = stack.step(pose, k / 30)
    return out


def _edges(stack: SlideStack) -> list[tuple[float, float]]:
    return [(s.rest + x + s.lo, s.rest + x + s.hi) for s, x in zip(stack.sliders, stack.x, strict=True)]


def test_the_bundled_stack_has_four_bangles_that_slide(stack_model: Model) -> None:
    slides = [s for s in stack_model.swings if s.slides]
    assert [s.name for s in slides] == [f"slide_bangle_{i}" for i in range(4)]
    assert slides[0].travel == pytest.approx((-3.0, 4.5)) and slides[3].travel == pytest.approx((-4.5, 1.0))
    assert not stack_model.problems


def test_a_level_arm_holds_the_bangles_where_they_are(stack_model: Model) -> None:
    stack = SlideStack(stack_model)
    tip = math.degrees(math.asin(STATIC_FRICTION)) * 0.8      # under what the skin holds
    joints = _run(stack, _arm(tip))
    assert all(float(np.abs(j).max()) == 0.0 for j in joints.values())


@pytest.mark.parametrize("tip", [60.0, -60.0])
def test_on_a_tipped_arm_they_slide_down_and_close_up(stack_model: Model, tip: float) -> None:
    stack = SlideStack(stack_model)
    joints = _run(stack, _arm(tip))
    shift = np.array([float(joints[s.name][1]) for s in stack.sliders])   # along the arm (+Y)
    down = 1.0 if tip > 0 else -1.0                                      # +Y points down the arm
    assert np.all(shift * down > 0.2), shift
    # The lowest one at the end of its travel, the others resting on it, none inside another.
    low = -1 if down > 0 else 0
    end = stack.sliders[low].travel[1 if down > 0 else 0]
    assert shift[low] == pytest.approx(end, abs=1e-5)
    edges = _edges(stack)
    gaps = [edges[i + 1][0] - edges[i][1] for i in range(len(edges) - 1)]
    assert min(gaps) > -1e-6 and max(gaps) < 0.05, gaps
    assert np.abs(stack.v).max() < 1e-6                                    # at rest
    # A photo of the same arm is settled at once, the same way.
    still = SlideStack(stack_model).step(_arm(tip), None)
    assert all(np.allclose(still[k], joints[k], atol=0.05) for k in joints)


def test_a_slide_moves_its_segment_along_the_axis(stack_model: Model) -> None:
    rest = segment_matrices(stack_model)
    moved = segment_matrices(stack_model, {"slide_bangle_2": np.array([0.0, 1.5, 0.0], np.float32)})
    i = [s.name for s in stack_model.swings].index("slide_bangle_2")
    assert np.allclose(moved[i][:3, 3] - rest[i][:3, 3], [0.0, 1.5, 0.0], atol=1e-6)
    others = [k for k in range(len(rest)) if k != i]
    assert np.allclose(moved[others], rest[others])
