"""The scripts that install and bundle the kiosk, for the install and upgrade tests."""

from __future__ import annotations

from kiosk import paths

INSTALL = paths.PROJECT_ROOT / "install.sh"
BUNDLE = paths.PROJECT_ROOT / "script" / "bundle"
