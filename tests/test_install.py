from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk import config, paths
from tests.helpers.install import BUNDLE, INSTALL

UNITS = ("kiosk-app.service", "kiosk-sync.service")

FAKE_UV = """#!/bin/sh
# Records the call and creates the environment's entry point, as `uv sync` would.
echo "uv $*" >> "$FAKE_LOG"
mkdir -p "$UV_PROJECT_ENVIRONMENT/bin"
printf '#!/bin/sh\\n' > "$UV_PROJECT_ENVIRONMENT/bin/kiosk"
chmod +x "$UV_PROJECT_ENVIRONMENT/bin/kiosk"
"""
FAKE_SYSTEMCTL = """#!/bin/sh
echo "systemctl $*" >> "$FAKE_LOG"
"""


def run_install(root: Path, *args: str, fakes: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if fakes is not None:
        env["PATH"] = f"{fakes}:{env['PATH']}"
        env["FAKE_LOG"] = str(fakes / "calls.log")
    return subprocess.run(["bash", str(INSTALL), "--root", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def fakes(tmp_path: Path) -> Path:
    d = tmp_path / "fakebin"
    d.mkdir()
    for name, body in (("uv", FAKE_UV), ("systemctl", FAKE_SYSTEMCTL)):
        (d / name).write_text(body)
        (d / name).chmod(0o755)
    return d


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
@pytest.mark.slow
def test_shell_scripts_are_shellcheck_clean() -> None:
    scripts = [INSTALL, *sorted((paths.PROJECT_ROOT / "script").iterdir()),
               paths.PROJECT_ROOT / ".ci" / "run"]
    r = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_dry_run_prints_every_action_and_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    r = run_install(root, "--dry-run")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"would write: {root}/etc/kiosk/kiosk.toml (mode 0640)" in out
    for name in config.SECRETS:
        assert f"would write: {root}/etc/kiosk/{name} (mode 0600)" in out
    assert f"would write: {root}/etc/systemd/system/kiosk-sync.service (mode 0644)" in out
    assert f"would run: systemctl --root={root} enable kiosk-app.service kiosk-sync.service" in out
    assert "uv sync --frozen --no-default-groups" in out.replace("would run: env ", "")
    assert list(root.iterdir()) == []


@pytest.mark.slow
def test_install_upgrade_keeps_config_and_uninstall_keeps_data(tmp_path: Path, fakes: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    r = run_install(root, fakes=fakes)
    assert r.returncode == 0, r.stdout + r.stderr
    current = root / "opt/kiosk/current"
    assert current.is_symlink() and os.readlink(current).startswith("releases/")
    assert (current / "kiosk" / "cli.py").is_file()
    assert (current / "uv.lock").is_file()
    assert not (current / ".venv" / "lib").exists()  # the dev venv is never copied
    cfg = root / "etc/kiosk/kiosk.toml"
    assert cfg.read_text() == (paths.CONFIG_DIR / "kiosk.toml.template").read_text()
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    for name in config.SECRETS:       # every credential a unit loads, empty until a secret is put in
        cred = root / "etc/kiosk" / name
        assert cred.read_bytes() == b"" and stat.S_IMODE(cred.stat().st_mode) == 0o600, name
    for u in UNITS:
        installed = (root / "etc/systemd/system" / u).read_text()
        assert installed == (paths.PROJECT_ROOT / "systemd" / u).read_text()
    calls = (fakes / "calls.log").read_text()
    assert "sync --frozen --no-default-groups" in calls
    assert f"systemctl --root={root} enable kiosk-app.service kiosk-sync.service" in calls

    # The technician edits the config; a reinstall must never overwrite it.
    cfg.write_text(cfg.read_text().replace("CHANGE_ME_store", "store_42"))
    (root / "var/lib/kiosk/events.db").write_text("precious")
    r = run_install(root, fakes=fakes)
    assert r.returncode == 0, r.stderr
    assert "keep: " in r.stdout and "store_42" in cfg.read_text()

    r = run_install(root, "--uninstall", fakes=fakes)
    assert r.returncode == 0, r.stderr
    assert not (root / "opt/kiosk").exists()
    assert not any((root / "etc/systemd/system" / u).exists() for u in UNITS)
    assert "store_42" in cfg.read_text()
    assert (root / "var/lib/kiosk/events.db").read_text() == "precious"

    r = run_install(root, "--uninstall", "--purge", fakes=fakes)
    assert r.returncode == 0, r.stderr
    assert not (root / "etc/kiosk").exists() and not (root / "var/lib/kiosk").exists()


@pytest.mark.slow
def test_reinstall_keeps_credentials_and_tightens_their_mode(tmp_path: Path, fakes: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert run_install(root, fakes=fakes).returncode == 0
    etc = root / "etc/kiosk"
    (etc / "smtp_password").write_text("kept-smtp-pass\n")
    (etc / "upload_key").write_text("kept-upload-key")
    (etc / "upload_key").chmod(0o644)             # written with `echo` under umask 022
    (etc / "catalog_password").unlink()          # removed by hand: made again, empty
    r = run_install(root, fakes=fakes)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (etc / "smtp_password").read_text() == "kept-smtp-pass\n"
    assert (etc / "upload_key").read_text() == "kept-upload-key"
    assert all(stat.S_IMODE((etc / n).stat().st_mode) == 0o600 for n in config.SECRETS)
    assert (etc / "catalog_password").read_bytes() == b""
    note = next(line for line in r.stdout.splitlines() if line.startswith("note: still empty"))
    assert "smtp_password" not in note and "upload_key" not in note and "catalog_password" in note
    assert "kept-" not in r.stdout + r.stderr


def test_purge_without_uninstall_is_refused(tmp_path: Path) -> None:
    r = run_install(tmp_path, "--purge")
    assert r.returncode == 1 and "--purge only makes sense with --uninstall" in r.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify_without_warnings(tmp_path: Path, fakes: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert run_install(root, fakes=fakes).returncode == 0
    # verify resolves ExecStart binaries and the standard targets inside the root.
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    cage = root / "usr/bin/cage"
    cage.parent.mkdir(parents=True, exist_ok=True)
    cage.write_text("#!/bin/sh\n")
    cage.chmod(0o755)
    r = subprocess.run(["systemd-analyze", "verify", f"--root={root}",
                        *(f"/etc/systemd/system/{u}" for u in UNITS)],
                       capture_output=True, text=True, cwd=tmp_path)
    # systemd-analyze exits 0 even for unknown keys: any output at all is a failure.
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stdout + r.stderr


def _uv() -> str | None:
    local = paths.PROJECT_ROOT / ".tools" / "uv" / "bin" / "uv"     # where script/setup puts it
    return shutil.which("uv") or (str(local) if local.exists() else None)


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


@pytest.mark.skipif(_uv() is None, reason="uv not installed (script/setup installs it)")
def test_production_installs_leave_out_every_dependency_group() -> None:
    # `uv sync --frozen` installs the default groups (dev tools, the Django test servers):
    # install.sh and script/bundle must ask for none of them, and --no-dev alone is not that.
    for script in (INSTALL, BUNDLE):
        calls = [line for line in script.read_text().splitlines()
                 if re.search(r'"\$(uv|UV)" (sync|export|pip install)', line) and "--no-index" not in line]
        assert calls, script
        assert all("--no-default-groups" in line for line in calls), calls
    pyproject = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())
    product = {_name(r) for r in pyproject["project"]["dependencies"]}
    groups = {_name(r) for reqs in pyproject["dependency-groups"].values() for r in reqs}
    assert {"django", "djangorestframework", "pytest"} <= groups
    r = subprocess.run([str(_uv()), "export", "--quiet", "--frozen", "--no-default-groups",
                        "--no-emit-project", "--no-hashes", "--format", "requirements-txt",
                        "--project", str(paths.PROJECT_ROOT)],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, UV_OFFLINE="1"))
    assert r.returncode == 0, r.stderr
    pins = {_name(line.split("==")[0]) for line in r.stdout.splitlines() if "==" in line}
    assert product <= pins
    assert pins & (groups - product) == set()
