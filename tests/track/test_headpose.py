"""The 6-DoF head pose: the canonical model, the fit on synthetic and real faces, anchors, neck."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kiosk.render.camera import Camera
from kiosk.track import headpose as hp
from kiosk.track.base import EDGE_IMAGE_LEFT, EDGE_IMAGE_RIGHT, Needs
from kiosk.track.mediapipe_tracker import MediaPipeTracker
from kiosk.track.neck import neck_base
from tests.track.conftest import FIXTURES, camera_720p, fixture_images, image, synthetic_face

FPS = 30.0


def test_canonical_face_is_mediapipes_mirror_symmetric_mesh() -> None:
    face = hp.canonical_face()
    v = face.vertices
    assert v.shape == (468, 3) and face.faces.shape == (898, 3)
    # Metric: the irises 63.6 mm apart (adult IPD ~63), the face ~15 cm wide at the ears.
    assert np.linalg.norm(hp.IRIS_CENTRES_MM[1] - hp.IRIS_CENTRES_MM[0]) == pytest.approx(63.6, abs=0.1)
    assert v[454, 0] - v[234, 0] == pytest.approx(153.2, abs=0.5)
    mirrored = v * np.array([-1, 1, 1])
    nearest = np.abs(v[None, :, :] - mirrored[:, None, :]).max(axis=2).min(axis=1)
    assert nearest.max() < 1e-4
    # Outward normals: the nose tip looks forward, the face's edges sideways.
    assert face.normals[4, 2] > 0.9
    assert face.normals[234, 0] < -0.5 and face.normals[454, 0] > 0.5


def test_a_damaged_model_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "canonical_face_model.obj"
    bad.write_text("v 1 2 3\nf 1 1 1\n")
    with pytest.raises(hp.HeadModelError, match="not MediaPipe's canonical face"):
        hp.canonical_face(bad)
    with pytest.raises(hp.HeadModelError, match="cannot read"):
        hp.canonical_face(tmp_path / "missing.obj")
    bad.write_text("v 1 x 3\n")
    with pytest.raises(hp.HeadModelError, match="not a valid OBJ"):
        hp.canonical_face(bad)


@pytest.mark.parametrize(("yaw", "pitch", "roll", "scale"), [
    (0, 0, 0, 1.0), (25, 0, 0, 1.0), (-40, 10, 0, 1.0), (10, -15, 8, 0.92), (-5, 5, -12, 1.1)])
def test_a_perfectly_tracked_head_is_recovered(yaw: float, pitch: float, roll: float, scale: float) -> None:
    cam = camera_720p()
    truth = hp.rigid_pose(hp.rotation_from_angles(yaw, pitch, roll), [-60.0, 20.0, 650.0], cam, scale)
    pose = hp.fit_head_pose(synthetic_face(truth), cam)
    assert pose is not None
    assert pose.yaw_deg == pytest.approx(truth.yaw_deg, abs=0.2)
    assert pose.pitch_deg == pytest.approx(truth.pitch_deg, abs=0.2)
    assert pose.roll_deg == pytest.approx(truth.roll_deg, abs=0.2)
    # The iris ring (always 11.7 mm) tells this head's size: the depth comes out right.
    assert pose.scale == pytest.approx(scale, rel=0.01)
    assert np.allclose(pose.t, truth.t, atol=0.01 * 650)
    assert pose.reprojection_px < 0.05


def test_rotation_angles_read_back() -> None:
    for yaw, pitch, roll in ((30, 0, 0), (0, -20, 0), (0, 0, 15), (-35, 12, 0)):
        r = hp.rotation_from_angles(yaw, pitch, roll)
        assert np.allclose(r @ r.T, np.eye(3)) and np.linalg.det(r) == pytest.approx(1.0)
        assert np.allclose(hp._angles(r), (yaw, pitch, roll), atol=1e-6)
    # Sign conventions shared with FaceTrack: yaw > 0 is the nose towards the image's right.
    nose = hp.rotation_from_angles(20) @ np.array([0.0, 0.0, 1.0])
    assert nose[0] > 0 and nose[2] < 0


def _turning_faces(cam: Camera, deg_per_s: float, seconds: float) -> list[tuple[float, float, object]]:
    out = []
    for k in range(int(seconds * FPS)):
        t = k / FPS
        yaw = 0.0 if t < 0.3 else min(40.0, deg_per_s * (t - 0.3))
        truth = hp.rigid_pose(hp.rotation_from_angles(yaw, -5, 0), [30.0, 10.0, 600.0], cam)
        out.append((t, yaw, synthetic_face(truth)))
    return out


def test_smoothing_does_not_lag_a_fast_turn() -> None:
    cam = camera_720p()
    tracker = hp.HeadTracker()
    errors = []
    for t, yaw, face in _turning_faces(cam, 150.0, 1.2):    # 40 deg in a quarter second
        pose = tracker.update(face, cam.width, cam.height, t)  # type: ignore[arg-type]
        assert pose is not None
        errors.append(abs(pose.yaw_deg - yaw))
    assert max(errors) < 2.0          # at most 1.3 frames of a 150 deg/s turn behind
    assert errors[-1] < 0.05


def test_tracker_resets_when_the_face_is_lost_or_someone_else_steps_in() -> None:
    cam = camera_720p()
    tracker = hp.HeadTracker()
    near = synthetic_face(hp.rigid_pose(hp.rotation_from_angles(0), [0.0, 0.0, 500.0], cam))
    far = synthetic_face(hp.rigid_pose(hp.rotation_from_angles(30), [200.0, 0.0, 1200.0], cam))
    for k in range(10):
        tracker.update(near, cam.width, cam.height, k / FPS)
    assert tracker.update(None, cam.width, cam.height, 10 / FPS) is None
    pose = tracker.update(far, cam.width, cam.height, 11 / FPS)
    assert pose is not None and pose.yaw_deg == pytest.approx(30, abs=0.2)
    assert pose.t[2] == pytest.approx(1200, rel=0.01)
    # A jump of more than RESET_JUMP_MM in one frame is another person: no smoothing across.
    pose = tracker.update(near, cam.width, cam.height, 12 / FPS)
    assert pose is not None and pose.t[2] == pytest.approx(500, rel=0.01) and abs(pose.yaw_deg) < 0.2


def _fit(tracker: MediaPipeTracker, path: Path) -> tuple[object, hp.HeadPose]:
    img = image(path)
    tracking = tracker.track(img, Needs(), 0.0)
    face = tracking.primary
    assert face is not None, path
    pose = hp.fit_head_pose(face, Camera.from_hfov(img.shape[1], img.shape[0], 60.0))
    assert pose is not None
    return tracking, pose


@pytest.mark.slow
def test_pose_on_every_bundled_face(still_tracker: MediaPipeTracker) -> None:
    ratios, errors = [], []
    for path in fixture_images():
        img = image(path)
        face = still_tracker.track(img, Needs(), 0.0).primary
        if face is None:
            continue
        cam = Camera.from_hfov(img.shape[1], img.shape[0], 60.0)
        pose = hp.fit_head_pose(face, cam)
        assert pose is not None, path
        # The canonical head's size against the iris: how well its metric scale matches.
        ratios.append(pose.depth_ratio)
        eyes = float(np.hypot(*(face.points[33] - face.points[263])))
        errors.append(pose.reprojection_px / eyes)
        # A still takes the iris's scale outright: the irises sit at the iris depth, so a piece
        # drawn at the pose is as big as the 2D placement draws it.
        iris_z = pose.to_camera(hp.IRIS_CENTRES_MM)[:, 2].mean()
        assert iris_z == pytest.approx(cam.depth_for_scale(face.px_per_mm), rel=1e-3)
    assert len(ratios) >= 20
    assert abs(float(np.median(ratios)) - 1.0) < 0.03
    assert np.mean(np.abs(np.array(ratios) - 1.0) < 0.10) >= 0.8
    # One rigid average face against each person's: a few percent of the eye-corner span.
    assert float(np.median(errors)) < 0.06 and max(errors) < 0.13


def test_yaw_sign_and_size_on_a_turned_head(still_tracker: MediaPipeTracker) -> None:
    tracking, pose = _fit(still_tracker, FIXTURES / "photos" / "turned_head.jpg")
    face = tracking.primary  # type: ignore[attr-defined]
    assert face.yaw_deg > 10
    # MediaPipe's relative depth (FaceTrack.yaw_deg) is taken along the line of sight to the
    # face: so is view_yaw. The face sits far to the left of this photo, so against the
    # camera's axis the head is turned twice as far.
    assert pose.view_yaw_deg == pytest.approx(face.yaw_deg, abs=4)
    assert pose.yaw_deg > pose.view_yaw_deg + 10
    mirrored = np.ascontiguousarray(image(FIXTURES / "photos" / "turned_head.jpg")[:, ::-1])
    face_m = still_tracker.track(mirrored, Needs(), 0.0).primary
    assert face_m is not None
    pose_m = hp.fit_head_pose(face_m, Camera.from_hfov(mirrored.shape[1], mirrored.shape[0], 60.0))
    assert pose_m is not None and pose_m.view_yaw_deg == pytest.approx(-pose.view_yaw_deg, abs=3)


def test_near_frontal_yaw_agrees_with_the_2d_estimate(still_tracker: MediaPipeTracker) -> None:
    for name in ("obama_portrait.jpg", "portrait_shoulders.jpg", "close_face.jpg"):
        tracking, pose = _fit(still_tracker, FIXTURES / "photos" / name)
        assert pose.view_yaw_deg == pytest.approx(tracking.primary.yaw_deg, abs=5), name  # type: ignore[attr-defined]


def test_anchors_sit_where_the_pieces_go(still_tracker: MediaPipeTracker) -> None:
    tracking, pose = _fit(still_tracker, FIXTURES / "photos" / "obama_portrait.jpg")
    face = tracking.primary  # type: ignore[attr-defined]
    s = face.px_per_mm
    cam = pose.camera

    def px(name: str) -> np.ndarray:
        return cam.project(pose.anchor(name).position[None])[0]

    for name, edge, outward in (("ear_lobe_image_left", EDGE_IMAGE_LEFT, -1),
                                ("ear_lobe_image_right", EDGE_IMAGE_RIGHT, 1)):
        lobe, tragus = px(name), face.pt(edge)
        assert 15 * s < lobe[1] - tragus[1] < 30 * s, name          # below the tragus
        assert 0 < outward * (lobe[0] - tragus[0]) < 10 * s, name   # just outside the face
    assert px("nostril")[0] > face.pt(1)[0]                          # the customer's left: image right
    assert px("hair_parting")[1] < face.pt(10)[1] < px("forehead")[1] < face.pt(9)[1]
    for a in (pose.anchor(n) for n in hp.anchor_defs()):
        assert np.allclose(a.rotation.T @ a.rotation, np.eye(3), atol=1e-9)
        assert np.linalg.det(a.rotation) == pytest.approx(1.0)
    # A tikka follows the forehead's tilt: its up leans back into the head.
    defs = hp.anchor_defs()
    for name in ("forehead", "hair_parting"):
        up = defs[name].rotation[:, 1]
        assert up[1] > 0.8 and up[2] < -0.15, name
    assert len(hp.jaw_line(pose)) == len(hp.JAW_LINE)


def test_far_ear_anchor_falls_back_to_the_rigid_model_as_it_turns_away() -> None:
    cam = camera_720p()
    truth = hp.rigid_pose(hp.rotation_from_angles(40), [0.0, 0.0, 600.0], cam)
    face = synthetic_face(truth)
    # The far outline point slides 30 px (18 mm at this depth) onto the cheek: the far lobe
    # moves with the (barely disturbed) fit, not with the point.
    face.points[454] += np.array([-30.0, 0.0], np.float32)
    pose = hp.fit_head_pose(face, cam)
    assert pose is not None
    for name in ("ear_lobe_image_right", "ear_lobe_image_left"):
        moved = np.linalg.norm(pose.anchor(name).position - truth.anchor(name).position)
        assert moved < 5.0, name
    # Facing the camera, the tracked point is what counts: the lobe follows it.
    truth = hp.rigid_pose(hp.rotation_from_angles(0), [0.0, 0.0, 600.0], cam)
    face = synthetic_face(truth)
    face.points[454] += np.array([10.0, 0.0], np.float32)
    pose = hp.fit_head_pose(face, cam)
    assert pose is not None
    shift = cam.project(pose.anchor("ear_lobe_image_right").position[None])[0] - \
        cam.project(truth.anchor("ear_lobe_image_right").position[None])[0]
    assert shift[0] == pytest.approx(10.0, abs=1.5)


@pytest.mark.slow
def test_neck_base_from_the_head_agrees_with_the_shoulders(still_tracker: MediaPipeTracker) -> None:
    gaps = []
    for path in fixture_images():
        if path.name == "group_of_six.jpg":       # the shoulders found may be a neighbour's
            continue
        img = image(path)
        tracking = still_tracker.track(img, Needs(pose=True), 0.0)
        if tracking.primary is None or tracking.pose is None:
            continue
        pose = hp.fit_head_pose(tracking.primary, Camera.from_hfov(img.shape[1], img.shape[0], 60.0))
        assert pose is not None
        with_shoulders, head_only = neck_base(pose, tracking.pose), neck_base(pose, None)
        if with_shoulders.source != "shoulders":
            continue
        assert head_only.source == "head"
        assert with_shoulders.shoulder_width_mm is not None and 230 < with_shoulders.shoulder_width_mm < 480
        gaps.append(with_shoulders.anchor.position - head_only.anchor.position)
        # Behind the chin, at the neck's depth; from the head alone, below it too.
        chin = pose.landmarks[152]
        assert with_shoulders.anchor.position[2] > chin[2]
        assert head_only.anchor.position[1] > chin[1]
        # The torso faces the camera and leans with the shoulder line.
        r = with_shoulders.anchor.rotation
        line = tracking.pose.shoulder_image_right - tracking.pose.shoulder_image_left
        assert np.allclose(r.T @ r, np.eye(3)) and r[2, 2] == pytest.approx(-1.0)
        assert math.atan2(r[1, 0], r[0, 0]) == pytest.approx(math.atan2(line[1], line[0]), abs=1e-6)
    assert len(gaps) >= 15
    g = np.abs(np.array(gaps))
    assert float(np.median(g[:, 1])) < 15 and np.mean(np.linalg.norm(g, axis=1) < 30) >= 0.75


def test_as_json_reports_the_pose() -> None:
    cam = camera_720p()
    pose = hp.rigid_pose(hp.rotation_from_angles(12, -3, 4), [0.0, 0.0, 600.0], cam)
    j = pose.as_json()
    assert j["yaw_deg"] == 12.0 and j["pitch_deg"] == -3.0
    assert math.isclose(float(j["roll_deg"]), 4.0, abs_tol=0.1)  # type: ignore[arg-type]
    assert j["t_mm"] == [0.0, 0.0, 600.0]
