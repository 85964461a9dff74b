"""Read-only and full data dirs, damaged databases: one clear line and an exit code, never a traceback.

The data dir lives on a small tmpfs mounted for the test (tests run as root in CI), remounted
read-only or filled up; each command runs as a subprocess, exactly as systemd or a technician
runs it, and its stderr must not hold a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.disks import Tmpfs
from tests.helpers.outbox import KINDS, make_damaged

pytestmark = pytest.mark.slow     # each command a subprocess on a tmpfs

WRITERS = [("sync", "run"), ("sync", "once"), ("simulate", "--sessions", "2")]
READERS = [("status",), ("sync", "status")]
CAUSES = {"read-only": "read-only file system", "full": "no space left on the device"}


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Tmpfs]:
    d = Tmpfs(tmp_path / "mnt")
    yield d
    d.unmount()


@pytest.fixture
def on_disk(make_config: Callable[..., Path], tmp_path: Path, disk: Tmpfs) -> Path:
    """A config whose data dir is on the tmpfs."""
    return make_config({f'data_dir = "{tmp_path / "data"}"': f'data_dir = "{disk.where / "data"}"'})


def kiosk(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(config), *args],
                       capture_output=True, text=True, timeout=90)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def break_disk(disk: Tmpfs, config: Path, how: str, with_db: bool) -> None:
    if with_db:
        assert kiosk(config, "simulate", "--sessions", "1").returncode == 0
    if how == "read-only":
        disk.remount("ro")
    else:
        (disk.where / "data").mkdir(exist_ok=True)
        disk.fill()


@pytest.mark.parametrize("with_db", [False, True], ids=["no database", "with database"])
@pytest.mark.parametrize("how", ["read-only", "full"])
def test_a_data_dir_that_takes_no_writes_is_one_line_and_exit_1(
        disk: Tmpfs, on_disk: Path, how: str, with_db: bool) -> None:
    break_disk(disk, on_disk, how, with_db)
    data = disk.where / "data"
    for args in WRITERS:
        r = kiosk(on_disk, *args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        said = [line for line in r.stderr.splitlines() if CAUSES[how] in line]
        assert len(said) == 1 and f"data dir {data}" in said[0], (args, r.stderr)
    for args in READERS:
        r = kiosk(on_disk, *args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        out = r.stdout + r.stderr
        assert f"data dir {data}" in out and CAUSES[how] in out, (args, out)


@pytest.mark.parametrize("how", ["read-only", "full"])
def test_commands_work_again_once_the_disk_is_fixed(disk: Tmpfs, on_disk: Path, how: str) -> None:
    break_disk(disk, on_disk, how, with_db=True)
    assert kiosk(on_disk, "sync", "once").returncode == 1
    if how == "read-only":
        disk.remount("rw")
    else:
        disk.unfill()
    assert kiosk(on_disk, "simulate", "--sessions", "1").returncode == 0
    r = kiosk(on_disk, "sync", "status")
    assert r.returncode == 0 and "pending" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_database_commands_say_so_and_go_on_with_a_fresh_one(
        make_config: Callable[..., Path], tmp_path: Path, kind: str) -> None:
    config = make_config()
    data = tmp_path / "data"
    make_damaged(data, kind)
    if kind != "garbage_pages":     # the header or size says it without opening the file
        r = kiosk(config, "sync", "status")
        out = r.stdout + r.stderr
        assert r.returncode == 1 and "is damaged" in out and "sets it aside" in out, out

    r = kiosk(config, "simulate", "--sessions", "1")
    assert r.returncode == 0, r.stderr
    assert "set aside" in r.stderr and "a fresh one started" in r.stderr
    (kept,) = data.glob("kiosk.db.damaged-*[0-9Z]")
    r = kiosk(config, "sync", "status")
    assert r.returncode == 1 and "pending" in r.stdout and kept.name in r.stdout, r.stdout + r.stderr
    r = kiosk(config, "status")
    assert r.returncode == 1 and "PROBLEM    database: the database was damaged" in r.stdout
    assert kept.name in r.stdout and "no backup in backups/" in r.stdout
    r = kiosk(config, "sync", "once")               # the fresh store's events, to a cloud that is not there
    assert r.returncode == 1 and "still pending" in r.stdout, r.stdout + r.stderr
