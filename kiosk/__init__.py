"""Jewelry try-on kiosk: the touchscreen app and its on-device pipeline."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kiosk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
