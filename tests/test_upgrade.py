"""install.sh --upgrade / --rollback in a temporary root, running the releases' real code.

The fake `uv` builds each release's environment as a one-line `kiosk` that runs that
release's own source with the test interpreter, so migrations, backups, the dry-run smoke
test and the health check are the real ones. The fake `systemctl` logs its calls and, on
start, writes the heartbeats a started app and daemon would (or not, with FAKE_UNHEALTHY).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.store.db import LATEST
from tests.helpers.install import INSTALL

pytestmark = pytest.mark.slow     # installs and upgrades a kiosk tree, each step a subprocess

FAKE_UV = """#!/bin/sh
echo "uv $*" >> "$FAKE_LOG"
case "$1" in
  sync) venv="$UV_PROJECT_ENVIRONMENT" ;;
  venv) for a; do venv="$a"; done ;;
  *) exit 0 ;;
esac
mkdir -p "$venv/bin"
rel=$(cd "$venv/.." && pwd)
cat > "$venv/bin/kiosk" <<EOS
#!/bin/sh
exec PYTHON -c \\
  'import sys; sys.path.insert(0, sys.argv.pop(1)); from kiosk.cli import main; sys.exit(main())' \\
  "$rel" "\\$@"
EOS
chmod +x "$venv/bin/kiosk"
""".replace("PYTHON", sys.executable)

FAKE_SYSTEMCTL = """#!/bin/sh
echo "systemctl $*" >> "$FAKE_LOG"
case "$1" in
  start|restart)
    [ -n "$FAKE_UNHEALTHY" ] && exit 0
    release=$(basename "$(readlink "$FAKE_CURRENT")")
    for name in app sync; do
      mkdir -p "$FAKE_DATA/run"
      now=$(date +%s)
      fmt='{"name": "%s", "pid": %s, "release": "%s", "started_at": %s, "updated_at": %s, "mode": "normal"}'
      printf "$fmt" "$name" "$FAKE_PID" "$release" "$now" "$now" > "$FAKE_DATA/run/$name.json"
    done ;;
esac
exit 0
"""


def _write(path: Path, body: str) -> None:
    path.write_text(body)
    path.chmod(0o755)


def release_source(dest: Path, version: str, patch: dict[str, tuple[str, str]] | None = None) -> Path:
    """This checkout's committed files as a release named `version`, optionally patched."""
    files = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), "ls-files", "-z"], capture_output=True,
                           check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        if rel.startswith(("assets/video", "tests/", "docs/")):
            continue                        # big and not needed by these releases
        src = paths.PROJECT_ROOT / rel
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(src.read_bytes())
        out.chmod(src.stat().st_mode)
    (dest / "VERSION").write_text(version + "\n")
    for rel, (old, new) in (patch or {}).items():
        text = (dest / rel).read_text()
        assert old in text, old
        (dest / rel).write_text(text.replace(old, new))
    return dest


class Kiosk:
    def __init__(self, tmp: Path):
        self.root = tmp / "root"
        self.root.mkdir()
        self.fakes = tmp / "fakebin"
        self.fakes.mkdir()
        _write(self.fakes / "uv", FAKE_UV)
        _write(self.fakes / "systemctl", FAKE_SYSTEMCTL)
        self.data = self.root / "var/lib/kiosk"
        self.log = self.fakes / "calls.log"
        self.env = dict(os.environ, PATH=f"{self.fakes}:{os.environ['PATH']}", FAKE_LOG=str(self.log),
                        FAKE_DATA=str(self.data), FAKE_PID=str(os.getpid()),
                        FAKE_CURRENT=str(self.root / "opt/kiosk/current"))
        self.env.pop("KIOSK_SYSTEMCTL", None)

    def install(self, *args: str, live_units: bool = True,
                unhealthy: bool = False) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if live_units:
            env["KIOSK_SYSTEMCTL"] = str(self.fakes / "systemctl")
        if unhealthy:
            env["FAKE_UNHEALTHY"] = "1"
        return subprocess.run(["bash", str(INSTALL), "--root", str(self.root), "--health-timeout", "3",
                               "--health-hold", "1", *args], env=env, capture_output=True, text=True,
                              timeout=300)

    def configure(self) -> None:
        """What a technician does after the first install: a config that fits this machine."""
        cfg = self.root / "etc/kiosk/kiosk.toml"
        text = cfg.read_text().replace('data_dir = "/var/lib/kiosk"', f'data_dir = "{self.data}"')
        text = text.replace("https://events.example.com", "http://127.0.0.1:9")
        text = text.replace("https://person.example.com/api/", "http://127.0.0.1:9/api/")
        text = text.replace('store_id = "CHANGE_ME_store"', 'store_id = "store_7"')
        cfg.write_text(text)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        exe = self.root / "opt/kiosk/current/.venv/bin/kiosk"
        return subprocess.run([str(exe), "--config", str(self.root / "etc/kiosk/kiosk.toml"), *args],
                              env=self.env, capture_output=True, text=True, timeout=120)

    @property
    def current(self) -> str:
        return os.readlink(self.root / "opt/kiosk/current")

    def outbox_rows(self) -> int:
        conn = sqlite3.connect(self.data / "kiosk.db")
        try:
            return int(conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
        finally:
            conn.close()


@pytest.fixture
def kiosk(tmp_path: Path) -> Kiosk:
    k = Kiosk(tmp_path)
    old = release_source(tmp_path / "src-1.0.0", "1.0.0")
    r = k.install("--from", str(old), live_units=False)
    assert r.returncode == 0, r.stdout + r.stderr
    k.configure()
    r = k.cli("simulate", "--sessions", "3", "--seed", "1")
    assert r.returncode == 0, r.stdout + r.stderr
    return k


def test_upgrade_then_rollback_keeps_data(kiosk: Kiosk, tmp_path: Path) -> None:
    before = kiosk.outbox_rows()
    assert kiosk.current == "releases/1.0.0" and before > 0
    new = release_source(tmp_path / "src-1.1.0", "1.1.0")
    r = kiosk.install("--upgrade", "--from", str(new))
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert kiosk.current == "releases/1.1.0"
    assert "dry run: 3 simulated visits" in out and "health: OK" in out
    assert kiosk.outbox_rows() == before, "the smoke test never writes into the store's database"
    assert list((kiosk.data / "backups").glob("kiosk-pre-1.1.0-*.db"))
    calls = kiosk.log.read_text()
    assert calls.index("stop kiosk-app.service kiosk-sync.service") < calls.index("start kiosk-app")
    assert (kiosk.root / "opt/kiosk/releases/1.0.0/.venv/bin/kiosk").exists(), "old release kept beside"
    assert "store_7" in (kiosk.root / "etc/kiosk/kiosk.toml").read_text(), "config untouched"

    kiosk.cli("simulate", "--sessions", "1", "--seed", "2")       # recorded by 1.1.0
    after = kiosk.outbox_rows()
    r = kiosk.install("--rollback")
    assert r.returncode == 0, r.stdout + r.stderr
    assert kiosk.current == "releases/1.0.0"
    assert "nothing to restore" in r.stdout      # same schema: what 1.1.0 recorded stays
    assert kiosk.outbox_rows() == after
    assert kiosk.cli("db", "schema").stdout.strip() == str(LATEST)
    r = kiosk.install("--rollback")
    assert r.returncode == 1 and "no upgrade to roll back" in r.stderr


def test_failed_health_check_rolls_back_by_itself(kiosk: Kiosk, tmp_path: Path) -> None:
    before = kiosk.outbox_rows()
    new = release_source(tmp_path / "src-1.2.0", "1.2.0")
    r = kiosk.install("--upgrade", "--from", str(new), unhealthy=True)
    assert r.returncode == 1
    assert "failed its health check; rolled back to 1.0.0" in r.stderr
    assert "health: FAILED: app has not started since the upgrade" in r.stdout
    assert kiosk.current == "releases/1.0.0" and kiosk.outbox_rows() == before
    assert kiosk.log.read_text().rstrip().endswith("systemctl start kiosk-app.service kiosk-sync.service")


def test_migration_failure_leaves_the_old_release_working_with_its_data(kiosk: Kiosk, tmp_path: Path) -> None:
    before = kiosk.outbox_rows()
    # 1.3.0 adds two migrations; the second fails after the first has committed.
    bad = release_source(tmp_path / "src-1.3.0", "1.3.0", {"kiosk/store/schema.py": (
        "LATEST = MIGRATIONS[-1][0]",
        f"MIGRATIONS.append(({LATEST + 1}, 'CREATE TABLE extra (x INTEGER)'))\n"
        f"MIGRATIONS.append(({LATEST + 2}, 'ALTER TABLE no_such_table ADD COLUMN y'))\n"
        "LATEST = MIGRATIONS[-1][0]")})
    r = kiosk.install("--upgrade", "--from", str(bad))
    assert r.returncode == 1, r.stdout
    assert "failed its migration or smoke test" in r.stderr and "restoring the database backup" in r.stdout
    assert kiosk.current == "releases/1.0.0"
    assert not (kiosk.root / "opt/kiosk/releases/1.3.0").exists()
    assert kiosk.cli("db", "schema").stdout.strip() == str(LATEST)
    assert kiosk.outbox_rows() == before
    r = kiosk.cli("simulate", "--sessions", "1")      # the old release still records
    assert r.returncode == 0, r.stderr
    assert kiosk.outbox_rows() > before
    assert kiosk.log.read_text().rstrip().endswith("systemctl start kiosk-app.service kiosk-sync.service")


def test_a_release_that_refuses_the_config_changes_nothing(kiosk: Kiosk, tmp_path: Path) -> None:
    strict = release_source(tmp_path / "src-2.0.0", "2.0.0", {"kiosk/config/sections.py": (
        "    currency: str = Field(\"INR\"", "    till_id: str\n    currency: str = Field(\"INR\"")})
    r = kiosk.install("--upgrade", "--from", str(strict))
    assert r.returncode == 1 and "refuses this kiosk's config" in r.stderr
    assert "store.till_id" in r.stderr + r.stdout
    assert kiosk.current == "releases/1.0.0"
    assert "stop" not in kiosk.log.read_text()


def test_upgrade_from_a_bundle_tarball_installs_offline(kiosk: Kiosk, tmp_path: Path) -> None:
    src = release_source(tmp_path / "bundle" / "kiosk-1.4.0", "1.4.0")
    (src / "wheels").mkdir()
    (src / "wheels" / "placeholder-0-py3-none-any.whl").write_bytes(b"wheel")
    subprocess.run("sha256sum -- * > SHA256SUMS", shell=True, cwd=src / "wheels", check=True)
    (src / "requirements.txt").write_text("")
    tarball = tmp_path / "kiosk-1.4.0.tar.gz"
    subprocess.run(["tar", "-czf", str(tarball), "-C", str(tmp_path / "bundle"), "kiosk-1.4.0"], check=True)
    r = kiosk.install("--upgrade", "--from", str(tarball))
    assert r.returncode == 0, r.stdout + r.stderr
    assert kiosk.current == "releases/1.4.0"
    calls = kiosk.log.read_text()
    assert "--no-index" in calls and "--no-deps" in calls and "uv sync" not in calls.split("1.4.0")[-1]
    assert not (kiosk.root / "opt/kiosk/releases/1.4.0/wheels").exists(), "wheels are not copied"
    assert not (kiosk.root / "opt/kiosk/.incoming").exists(), "the unpacked bundle is removed"

    # A damaged copy is refused before anything is installed.
    (src / "wheels" / "placeholder-0-py3-none-any.whl").write_bytes(b"bitrot")
    (src / "VERSION").write_text("1.5.0\n")
    subprocess.run(["tar", "-czf", str(tarball), "-C", str(tmp_path / "bundle"), "kiosk-1.4.0"], check=True)
    r = kiosk.install("--upgrade", "--from", str(tarball))
    assert r.returncode == 1 and "do not match their SHA256SUMS" in r.stderr
    assert kiosk.current == "releases/1.4.0"
