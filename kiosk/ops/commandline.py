"""What every `kiosk` subcommand shares (kiosk/cli.py and the packages' commands modules): exit
codes, the config loaded or its problems said, argument types."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the config module is imported per subcommand, not at start-up
    from kiosk.config import KioskConfig

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def load_config(path: Path | None) -> KioskConfig | None:
    """The config, or None after printing its problems (exit 2 for the caller)."""
    from kiosk import config

    try:
        return config.load(path)
    except config.ConfigError as e:
        print_problems(e.path, e.problems)
        return None


def print_problems(path: object, problems: Sequence[object]) -> None:
    print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)


def catalogue_config(args: argparse.Namespace) -> tuple[KioskConfig | None, bool]:
    """(config, ok): the config whose data dir's pieces (imported, staff-added) join the bundled
    ones, found as `kiosk catalog sync` finds it; a bad default config leaves the bundled only."""
    from kiosk import config

    if args.config is not None or os.environ.get(config.CONFIG_ENV):
        cfg = load_config(args.config)
        return cfg, cfg is not None
    try:
        return config.load(None), True
    except config.ConfigError as e:
        print(f"kiosk {args.command}: {e.path} has {len(e.problems)} problem(s) (kiosk config check): "
              "only the bundled pieces are known", file=sys.stderr)
        return None, True


def count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, e.g. 25 (got {text!r})") from None
    if v < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return v


def rate(text: str) -> float:
    v = float(text)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1, e.g. 0.3")
    return v
