"""`kiosk` command line: thin dispatch to the packages. Heavy imports happen per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk import logs

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _cmd_app(args: argparse.Namespace) -> int:
    from kiosk.ui.app import SourceOverride, run

    override = None
    if args.camera is not None:
        override = SourceOverride("camera", args.camera)
    elif args.video:
        override = SourceOverride("video", args.video)
    elif args.image:
        override = SourceOverride("image", args.image)
    return run(args.config, args.demo, override, args.fullscreen, args.snapshot)


def _cmd_config_check(args: argparse.Namespace) -> int:
    from kiosk import config

    path = args.file or args.config
    try:
        cfg = config.load(path)
    except config.ConfigError as e:
        print(f"{e.path}: {len(e.problems)} problem(s)", file=sys.stderr)
        for p in e.problems:
            print(f"  {p.key}: {p.message}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{config.resolve_path(path)}: OK (store {cfg.device.store_id}, "
          f"device {cfg.device.device_id}, camera {cfg.camera.source})")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk import doctor

    return doctor.main(args.config, as_json=args.json, probe_seconds=args.probe_seconds)


def _cmd_bench(args: argparse.Namespace) -> int:
    from kiosk import bench

    return bench.main(args.what, seconds=args.seconds, as_json=args.json, out=args.out)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="Jewelry try-on kiosk")
    p.add_argument("--config", type=Path, default=None,
                   help="config TOML (default: $KIOSK_CONFIG, /etc/kiosk/kiosk.toml, demo)")
    p.add_argument("--log-level", default=os.environ.get("KIOSK_LOG_LEVEL", "INFO"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    app = sub.add_parser("app", help="run the touchscreen app")
    app.add_argument("--demo", action="store_true",
                     help="use the bundled demo config (sample video, local devcloud)")
    src = app.add_mutually_exclusive_group()
    src.add_argument("--camera", metavar="N", help="camera index or /dev/videoN")
    src.add_argument("--video", metavar="FILE", help="play a video file in a loop")
    src.add_argument("--image", metavar="FILE", help="show a still image")
    app.add_argument("--fullscreen", action="store_true")
    app.add_argument("--snapshot", type=Path, metavar="PNG",
                     help="save a screenshot of the window every 3 s (headless demos)")
    app.set_defaults(func=_cmd_app)

    cfg = sub.add_parser("config", help="configuration tools")
    cfg_sub = cfg.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = cfg_sub.add_parser("check", help="validate a config file; exit 2 naming bad keys")
    check.add_argument("file", nargs="?", type=Path)
    check.set_defaults(func=_cmd_config_check)

    doc = sub.add_parser("doctor", help="check camera, display, disk, database, clock, cloud")
    doc.add_argument("--json", action="store_true")
    doc.add_argument("--probe-seconds", type=float, default=1.0,
                     help="how long to measure each camera's frame rate")
    doc.set_defaults(func=_cmd_doctor)

    bench = sub.add_parser("bench", help="measure performance")
    bench.add_argument("what", choices=["display", "all"], help="what to measure")
    bench.add_argument("--seconds", type=float, default=10.0)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--out", type=Path, help="also write the JSON report here")
    bench.set_defaults(func=_cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(args.log_level)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
