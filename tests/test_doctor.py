from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.ops import doctor


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_http() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.mark.slow
def test_doctor_json_shape(make_config: Callable[..., Path], local_http: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg = make_config(events_url=local_http, person_url=local_http + "/api/")
    rc = doctor.main(cfg, as_json=True, probe_seconds=0.3)
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"ok", "checks"}
    names = [c["name"] for c in report["checks"]]
    for want in ("config", "camera", "display", "gpu", "render", "disk", "sqlite", "clock",
                 "events_api", "person_api"):
        assert want in names
    for c in report["checks"]:
        assert set(c) == {"name", "status", "detail", "data"}
        assert c["status"] in ("ok", "warn", "fail")
    by = {c["name"]: c for c in report["checks"]}
    assert by["camera"]["status"] == "ok" and by["camera"]["data"]["size"] == [1280, 720]
    assert 20 < by["camera"]["data"]["fps"] < 40
    assert by["sqlite"]["status"] == "ok"
    assert by["events_api"]["status"] == "ok" and by["events_api"]["data"]["status_code"] == 404
    assert isinstance(by["disk"]["data"]["free_bytes"], int)
    # A real EGL context (llvmpipe here and in CI) and the field of view the pieces use.
    assert by["render"]["status"] == "ok" and "OpenGL" in by["render"]["data"]["context"]
    assert by["render"]["data"]["hfov_deg"] == 60.0
    assert isinstance(by["clock"]["data"]["skew_vs_cloud_s"], float)
    assert report["ok"] == (rc == 0)


def test_doctor_reports_unreachable_cloud_and_fails(make_config: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    rc = doctor.main(make_config(), as_json=False, probe_seconds=0.2)
    out = capsys.readouterr().out
    assert rc == 1
    assert "events_api  FAIL" in out and "unreachable" in out


def test_doctor_on_broken_config_exits_2_naming_the_key(make_config: Callable[..., Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = make_config({"fps = 30": 'fps = "x"'})
    assert doctor.main(bad, as_json=True, probe_seconds=0.1) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["checks"][0]["data"]["key"] == "camera.fps"


def test_sqlite_check_fails_clearly_on_unwritable_dir(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    c = doctor.check_sqlite(f / "sub")  # a path under a regular file can never be created
    assert c.status == "fail" and "cannot write a database" in c.detail


@pytest.mark.slow
def test_doctor_says_when_no_opengl_context_can_be_made(make_config: Callable[..., Path]) -> None:
    # Without Mesa's DRI drivers EGL cannot initialise: the check says so and names the package
    # (a fresh process: EGL reads the variable once, when it is first loaded).
    import os
    import subprocess
    import sys

    env = dict(os.environ, LIBGL_DRIVERS_PATH="/nonexistent-dri", EGL_LOG_LEVEL="fatal")
    code = "from kiosk.ops import doctor; c = doctor.check_render(60.0); print(c.status, '|', c.detail)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    if out.stdout.startswith("ok"):
        pytest.skip(f"this machine's EGL does not use Mesa's DRI loader ({out.stdout.strip()})")
    assert out.stdout.startswith("warn") and "pre-rendered sprites" in out.stdout
    assert "libgl1-mesa-dri" in out.stdout and "Traceback" not in out.stderr
