"""Head, skull and neck occluders, tested without a renderer: project a point, ask whether the
occluder's surface along that pixel's ray is in front of it."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.render.camera import Camera
from kiosk.render.occluder import Occluder
from kiosk.track import headpose as hp
from kiosk.track import occluders as oc
from kiosk.track.base import Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.track.neck import NECK_PIVOT_MM, neck_base
from tests.track.conftest import FIXTURES, camera_720p, image

LOBES = ("ear_lobe_image_left", "ear_lobe_image_right")


def _pose(yaw: float, pitch: float = 0.0, cam: Camera | None = None) -> hp.HeadPose:
    return hp.rigid_pose(hp.rotation_from_angles(yaw, pitch), [0.0, 0.0, 600.0], cam or camera_720p())


def _hidden(pose: hp.HeadPose, points: np.ndarray) -> np.ndarray:
    occ = oc.head_occluder(pose, neck_base(pose, None))
    return oc.hidden(occ, pose.camera, points)


def test_ray_depth_of_a_known_triangle() -> None:
    cam = camera_720p()
    tri = Occluder(np.array([[-100, -100, 500], [100, -100, 700], [0, 100, 600]], np.float32),
                   np.array([[0, 1, 2]], np.int32))
    # The ray through the image centre meets the plane z = 600 + x at x = 0 (z 600).
    depths = oc.ray_depths(tri, cam, np.array([[cam.cx, cam.cy], [cam.cx + 600, cam.cy]]))
    assert depths[0] == pytest.approx(600.0, abs=0.01)
    assert np.isinf(depths[1])
    assert oc.hidden(tri, cam, np.array([[0.0, 0.0, 650.0], [0.0, 0.0, 600.5]])).tolist() == [True, False]


def test_the_occluder_is_one_well_formed_mesh() -> None:
    pose = _pose(10)
    occ = oc.head_occluder(pose, neck_base(pose, None))
    assert occ.vertices.dtype == np.float32 and occ.faces.dtype == np.int32
    assert occ.vertices.shape[1] == 3 and occ.faces.shape[1] == 3
    assert occ.faces.min() >= 0 and occ.faces.max() < len(occ.vertices)
    assert np.isfinite(occ.vertices).all() and len(occ.faces) < 2000
    # Closed parts: every edge of the skull and the neck is shared by exactly two triangles.
    for part in (oc.skull_occluder(pose), oc.neck_occluder(pose, neck_base(pose, None))):
        f = part.faces
        edges = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
        _, counts = np.unique(edges, axis=0, return_counts=True)
        assert set(counts.tolist()) == {2}


def test_far_lobe_goes_behind_the_cheek_as_the_head_turns() -> None:
    """Not a yaw threshold: the flip angle comes out of the geometry, the same on both sides,
    and the near lobe is never hidden however far the head turns."""
    flips = {}
    for side, far, near in ((1, "ear_lobe_image_right", "ear_lobe_image_left"),
                            (-1, "ear_lobe_image_left", "ear_lobe_image_right")):
        states = []
        for yaw in range(0, 91, 2):
            pose = _pose(side * yaw)
            h = _hidden(pose, np.stack([pose.anchor(far).position, pose.anchor(near).position]))
            assert not h[1], f"near lobe hidden at yaw {side * yaw}"
            states.append(bool(h[0]))
        first = states.index(True)
        assert all(states[first:]), "once behind the head, the far lobe stays hidden"
        flips[side] = 2 * first
    assert 10 <= flips[1] <= 25 and flips[1] == flips[-1]


def test_far_earring_body_follows_its_lobe_behind_the_head() -> None:
    # A 40 mm drop below the far lobe: hidden from the top down as the head turns further.
    hidden_counts = []
    for yaw in (0, 15, 25, 40, 60):
        pose = _pose(yaw)
        lobe = pose.anchor("ear_lobe_image_right").position
        drop = np.array([lobe + [0.0, dy, 0.0] for dy in range(0, 41, 5)])
        hidden_counts.append(int(_hidden(pose, drop).sum()))
    assert hidden_counts[0] == 0 and hidden_counts[-1] == 9
    assert hidden_counts == sorted(hidden_counts)


def test_past_profile_the_skull_hides_what_the_face_mesh_cannot() -> None:
    # The face mesh stops at the face's oval: turned past profile it no longer covers the far
    # lobe; the skull (the back of the head and the ear region) does.
    for yaw in (110, 130, -120):
        pose = _pose(yaw)
        far = LOBES[1] if yaw > 0 else LOBES[0]
        lobe = pose.anchor(far).position[None]
        assert not oc.hidden(oc.face_occluder(pose), pose.camera, lobe)[0], yaw
        assert oc.hidden(oc.skull_occluder(pose), pose.camera, lobe)[0], yaw
        assert oc.hidden(oc.head_occluder(pose), pose.camera, lobe)[0], yaw      # no neck needed


@pytest.mark.parametrize(("yaw", "pitch"), [(0, 0), (30, 0), (-30, 0), (0, 20), (0, -20), (20, 15)])
def test_skull_never_covers_a_piece_on_the_face(yaw: float, pitch: float) -> None:
    pose = _pose(yaw, pitch)
    skull = oc.skull_occluder(pose)
    face = oc.face_occluder(pose)
    cam = pose.camera
    # Along every landmark's ray the face surface comes first.
    px = cam.project(pose.landmarks)
    d_face, d_skull = oc.ray_depths(face, cam, px), oc.ray_depths(skull, cam, px)
    both = np.isfinite(d_face) & np.isfinite(d_skull)
    assert both.sum() > 100 and (d_skull[both] > d_face[both] + 2.0).all()
    # Pieces resting on the forehead, at the parting and in the nostril stay in sight.
    for name in ("forehead", "hair_parting", "nostril", "chin"):
        a = pose.anchor(name)
        assert not oc.hidden(skull, cam, (a.position + 2.0 * a.rotation[:, 2])[None])[0], name


def test_neck_hides_the_back_of_a_necklace_not_its_front() -> None:
    for yaw in (0, 30, -30):
        pose = _pose(yaw)
        neck = neck_base(pose, None)
        occ = oc.head_occluder(pose, neck)
        centre, r = neck.anchor.position, 60.0          # a necklace's neck_radius_mm
        front, back = centre + [0.0, 0.0, -r], centre + [0.0, 0.0, r]
        side = centre + [r + 5.0, 0.0, 0.0]
        assert oc.hidden(occ, pose.camera, np.stack([front, back, side])).tolist() == [False, True, False]
        # Without the neck the back of the chain would show.
        assert not oc.hidden(oc.head_occluder(pose), pose.camera, back[None])[0]


def _nod(pitch: float) -> hp.HeadPose:
    """The head nodding about the top of its neck, the torso still."""
    pivot = _pose(0).to_camera(NECK_PIVOT_MM)[0]
    r = hp.rotation_from_angles(0, pitch)
    return hp.rigid_pose(r, pivot - r @ np.asarray(NECK_PIVOT_MM), camera_720p())


def test_jaw_and_chin_cover_the_top_of_a_necklace() -> None:
    level = _pose(0)
    neck = neck_base(level, None)
    # The top of a high choker under the jaw, behind the chin and in front of the neck:
    # hidden by the chin with the head level, in sight once the customer lifts the chin.
    chin = level.landmarks[152].astype(np.float64)
    top = chin + [0.0, -4.0, 23.0]
    neck_front = oc.ray_depths(oc.neck_occluder(level, neck), level.camera, level.camera.project(top[None]))
    assert neck_front[0] > top[2]
    assert _hidden(level, top[None])[0]
    lifted = _nod(25)
    assert not oc.hidden(oc.head_occluder(lifted, neck), lifted.camera, top[None])[0]


def _photo_pose(still_tracker: MediaPipeTracker, rel: str) -> hp.HeadPose:
    img = image(FIXTURES / rel)
    face = still_tracker.track(img, Needs(), 0.0).primary
    assert face is not None
    pose = hp.fit_head_pose(face, Camera.from_hfov(img.shape[1], img.shape[0], 60.0))
    assert pose is not None
    return pose


def _disc_width(pose: hp.HeadPose, name: str, radius: float = 6.0) -> float:
    """On-screen width of a vertical disc at the anchor facing the way an earring's front does,
    over the width of the same disc turned to face the camera."""
    a = pose.anchor(name)
    ang = np.linspace(0, 2 * np.pi, 48, endpoint=False)

    def width(x: np.ndarray, y: np.ndarray) -> float:
        pts = a.position + radius * (np.outer(np.cos(ang), x) + np.outer(np.sin(ang), y))
        return float(np.ptp(pose.camera.project(pts.astype(np.float32))[:, 0]))

    sight = a.position / np.linalg.norm(a.position)
    across = np.cross([0.0, 1.0, 0.0], sight)
    across /= np.linalg.norm(across)
    return width(a.rotation[:, 0], a.rotation[:, 1]) / width(across, np.cross(sight, across))


def test_on_turned_photos_the_far_lobe_is_hidden_and_the_near_one_narrows(
        still_tracker: MediaPipeTracker) -> None:
    """Recorded frames: the far ear is not visible in these photos (turned ~20 deg from the
    camera); in the frontal ones both are."""
    frontal = ["photos/obama_portrait.jpg", "faces/andre_kuipers/1.jpg", "faces/cady_coleman/1.jpg"]
    turned = ["faces/carl_walz/1.jpg", "faces/chris_ferguson/1.jpg"]
    widths = {}
    for rel in frontal + turned:
        pose = _photo_pose(still_tracker, rel)
        far = 1 if pose.view_yaw_deg > 0 else 0
        h = _hidden(pose, np.stack([pose.anchor(n).position for n in LOBES]))
        assert not h[1 - far], rel
        assert h[far] == (rel in turned), rel
        widths[rel] = _disc_width(pose, LOBES[1 - far])
    assert max(widths[r] for r in turned) < min(widths[r] for r in frontal) - 0.02
