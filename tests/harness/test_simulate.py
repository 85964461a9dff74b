"""`kiosk simulate` exercises every contract: events, consented person records, share sends."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk import config
from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.harness import simulate
from sync import daemon
from tests.helpers.cloud import LiveCloud
from tests.helpers.sync import share_section

pytestmark = pytest.mark.slow     # simulated visits recorded and delivered to the devcloud

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "faces"


@pytest.fixture
def share_config(cloud_config: Callable[..., KioskConfig], cloud: LiveCloud) -> Callable[..., KioskConfig]:
    def make(extra: str = "") -> KioskConfig:
        path = next(cloud_config().store.data_dir.parent.glob("kiosk.toml"))
        path.write_text(path.read_text() + share_section(cloud.url) + extra)
        return config.load(path)

    return make


def rows(cfg: KioskConfig, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(cfg.store.data_dir / "kiosk.db") as c:
        return c.execute(sql).fetchall()


def test_bundled_faces_are_what_the_face_pipeline_makes_of_the_fixtures() -> None:
    from kiosk.face.embed import Embedder

    faces = simulate.bundled_faces()
    assert len(faces) == 21 and len({f.identity for f in faces}) == 10
    for f in faces:
        assert len(f.sample.vector) == 128 and f.jpeg.startswith(b"\xff\xd8")
        assert cv2.imdecode(np.frombuffer(f.jpeg, np.uint8), cv2.IMREAD_COLOR).shape[0] <= 240
    data = json.loads(simulate.FACES_FILE.read_text())["faces"]
    entry = next(f for f in data if f["file"] == "faces/obama-1.jpg")
    img = cv2.imread(str(FIXTURES / "obama" / "1.jpg"))
    embedder = Embedder()
    try:
        vector = embedder.encode(img, embedder.detect(img)[0])
    finally:
        embedder.close()
    assert np.allclose(vector, entry["vector"], atol=1e-5), "faces.json is stale: run make_faces.py"


def test_simulate_records_persons_and_shares_that_the_daemon_delivers(
        cloud: LiveCloud, share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config()
    res = simulate.run(cfg, 24, seed=2, persons_rate=0.5, shares_rate=0.6)
    assert res.persons > 0 and res.returning > 0 and res.shares > 0 and res.sends > 0
    assert rows(cfg, "SELECT COUNT(*) FROM persons")[0][0] == res.persons
    assert rows(cfg, "SELECT COUNT(*) FROM outbox WHERE kind = 'image.upload'")[0][0] == res.shares
    # image.shared comes from the sends' outcomes, not from simulate.
    assert rows(cfg, "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%image.shared%'")[0][0] == 0
    for (dest,) in rows(cfg, "SELECT destination FROM share_sends"):
        assert str(dest).startswith("+447700900") or str(dest).endswith("@example.com")
    assert daemon.once(cfg) == 0
    counts = cloud.counts()
    assert counts["persons"] == res.persons and counts["messages"] == res.sends
    shared = [e for e in cloud.events() if e["event_type"] == "image.shared"]
    assert len(shared) == res.sends and {e["payload"]["share_status"] for e in shared} == {"sent"}
    assert all(e["payload"]["image_url"].startswith(cloud.url + "/s/") for e in shared)
    ended = {e["session_id"]: e["payload"] for e in cloud.events() if e["event_type"] == "session.ended"}
    assert sum(p["items_shared"] for p in ended.values()) == res.sends
    for (cloud_id, session_id) in rows(cfg, "SELECT cloud_id, session_id FROM persons"):
        p = cloud.app.state.db.get_person(cloud_id)
        stay = datetime.fromisoformat(p["exit_time"]) - datetime.fromisoformat(p["entry_time"])
        assert abs(stay.total_seconds() - ended[str(session_id)]["duration_seconds"]) <= 2
        assert len(p["vector"]) == 128 and p["image"]


def test_without_messaging_or_faces_simulate_records_no_sends_or_persons(
        cloud_config: Callable[..., KioskConfig]) -> None:
    cfg = cloud_config()
    res = simulate.run(cfg, 10, seed=1, persons_rate=1.0, shares_rate=1.0)
    assert res.persons > 0 and res.shares > 0 and res.sends == 0        # QR only
    off = simulate.run(cfg, 10, seed=1, persons_rate=0.0, shares_rate=0.0)
    assert (off.persons, off.returning, off.shares, off.events > 0) == (0, 0, 0, True)


def test_face_features_off_means_no_person_records(share_config: Callable[..., KioskConfig]) -> None:
    cfg = share_config("\n[privacy]\nface_enabled = false\n")
    res = simulate.run(cfg, 10, seed=1, persons_rate=1.0)
    assert res.persons == res.returning == 0
    assert rows(cfg, "SELECT COUNT(*) FROM persons")[0][0] == 0


def test_cli_rates(share_config: Callable[..., KioskConfig], capsys: pytest.CaptureFixture[str]) -> None:
    cfg = share_config()
    path = next(cfg.store.data_dir.parent.glob("kiosk.toml"))
    with pytest.raises(SystemExit) as e:
        main(["--config", str(path), "simulate", "--persons-rate", "1.5"])
    assert e.value.code == 2 and "between 0 and 1" in capsys.readouterr().err
    assert main(["--config", str(path), "simulate", "--sessions", "4", "--seed", "3",
                 "--persons-rate", "1", "--shares-rate", "1"]) == 0
    out = capsys.readouterr().out
    assert "new person records" in out and "shared photos" in out and "sends;" in out
