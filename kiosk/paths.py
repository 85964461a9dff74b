"""Where the project's own files live, whether run from a clone or from /opt/kiosk."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = PROJECT_ROOT / "assets"
CONFIG_DIR = PROJECT_ROOT / "config"
DEMO_CONFIG = CONFIG_DIR / "demo.toml"
SAMPLE_VIDEO = ASSETS_DIR / "video" / "sample.mp4"
SYSTEM_CONFIG = Path("/etc/kiosk/kiosk.toml")
