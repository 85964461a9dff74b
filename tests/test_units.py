"""The systemd units: sandboxing held to a `systemd-analyze security` score, and every secret of
kiosk/config/settings.py's SECRETS passed as a credential by the unit that uses it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk import config, paths

UNITS = paths.PROJECT_ROOT / "systemd"
# The most exposure each unit may have (systemd-analyze's 0-10 scale, 10 = unsandboxed). The
# app serves the share page on the store LAN and holds the camera; cage limits how far it goes.
LIMITS = {"kiosk-app.service": 5.0, "kiosk-sync.service": 3.0}
# Who uses which secret: the app calls the cloud try-on API itself, the daemon everything else.
APP_SECRETS = {"tryon_merchant_key"}

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze not installed (apt-get install systemd)")


def directives(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in (UNITS / unit).read_text().splitlines()
            if line.startswith(f"{key}=")]


def exposure(unit: str, threshold: float) -> tuple[int, float, str]:
    # --threshold is on systemd's internal 0-100 scale (10 x the printed level).
    r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        f"--threshold={round(threshold * 10)}", str(UNITS / unit)],
                       capture_output=True, text=True, timeout=60)
    m = re.search(rf"Overall exposure level for {re.escape(unit)}: (\d+\.\d)", r.stdout)
    assert m, r.stdout + r.stderr
    # Any word on stderr is a directive systemd ignored ("Unknown key", "Invalid syntax"):
    # the score would then describe a unit that is not the one installed.
    assert r.stderr == "", r.stderr
    return r.returncode, float(m.group(1)), r.stdout


@needs_analyze
@pytest.mark.parametrize("unit", sorted(LIMITS))
def test_unit_exposure_is_within_its_limit(unit: str) -> None:
    rc, level, table = exposure(unit, LIMITS[unit])
    assert level <= LIMITS[unit] and rc == 0, table


@needs_analyze
def test_the_threshold_check_can_fail() -> None:
    # The same call with a limit below the unit's level must fail: the check above means something.
    rc, level, _ = exposure("kiosk-sync.service", 0.0)
    assert level > 0 and rc != 0


@pytest.mark.parametrize("unit", sorted(LIMITS))
def test_each_secret_is_a_credential_of_the_unit_that_uses_it(unit: str) -> None:
    wanted = APP_SECRETS if unit == "kiosk-app.service" else set(config.SECRETS) - APP_SECRETS
    loaded = dict(d.split(":", 1) for d in directives(unit, "LoadCredential"))
    assert set(loaded) == wanted
    assert all(path == f"/etc/kiosk/{name}" for name, path in loaded.items())
    # A missing file must not stop the unit: systemd falls back to a SetCredential= of the same
    # name (a lone newline, which KioskConfig.secret takes as "not set").
    assert sorted(directives(unit, "SetCredential")) == sorted(f"{name}:\\n" for name in wanted)
