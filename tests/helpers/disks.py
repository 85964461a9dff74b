"""A small file system of the test's own (tests run as root in CI, where chmod tricks fail)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


class Tmpfs:
    """A small file system of its own, to turn read-only or fill (64 MB: `sync status` calls a
    disk with under 50 MB free nearly full)."""

    def __init__(self, where: Path, size: str = "64m"):
        self.where = where
        where.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                           capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs for the data dir: {(r.stderr or r.stdout).strip()}")
        self.filler = where / "filler"

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.where)], check=True, capture_output=True)

    def fill(self) -> None:
        # Unbuffered: a buffered file keeps the bytes the full disk refused and raises ENOSPC
        # again when the `with` closes it.
        with open(self.filler, "ab", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
            except OSError:
                pass
            try:    # the last few KB, so that not even a small write fits
                while fh.write(b"\0" * 512):
                    pass
            except OSError:
                pass

    def unfill(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.where)], capture_output=True)
