"""`kiosk` command line: thin dispatch to the packages, each of which registers its own commands
(kiosk/ops/commands.py, kiosk/tryon/commands.py, kiosk/harness/commands.py, sync/commands.py).
Heavy imports happen per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.ops import logs
from kiosk.ops.commandline import EXIT_OK, EXIT_USAGE, load_config, print_problems


def _cmd_app(args: argparse.Namespace) -> int:
    from kiosk.ui.app import run
    from kiosk.ui.camera_control import SourceOverride

    if args.tour is not None:
        from kiosk.harness.tour import tour

        sizes = [tuple(part.strip().partition("x")[::2]) for part in args.size.split(",")]
        if not all(w.isdigit() and h.isdigit() and int(w) and int(h) for w, h in sizes):
            print("kiosk app: --size wants WIDTHxHEIGHT[,WIDTHxHEIGHT...], e.g. 1024x768,768x1024",
                  file=sys.stderr)
            return EXIT_USAGE
        for path in tour(args.tour, [(int(w), int(h)) for w, h in sizes], args.config, args.demo):
            print(path)
        return EXIT_OK

    override = None
    if args.camera is not None:
        override = SourceOverride("camera", args.camera)
    elif args.video:
        override = SourceOverride("video", args.video)
    elif args.image:
        override = SourceOverride("image", args.image)
    wiring = None
    if os.environ.get("KIOSK_AUTOPILOT"):       # script/soak: its seller and camera cable
        from kiosk.harness import autopilot

        wiring = autopilot.wiring()
    return run(args.config, args.demo, override, args.fullscreen, args.snapshot, wiring)


def _cmd_config_check(args: argparse.Namespace) -> int:
    from kiosk import config

    path = args.file or args.config
    cfg = load_config(path)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.catalog.check import check_pieces

    problems = check_pieces(cfg)
    if problems:
        print_problems(config.resolve_path(path), problems)
        return EXIT_USAGE
    print(f"{config.resolve_path(path)}: OK (store {cfg.device.store_id}, "
          f"device {cfg.device.device_id}, camera {cfg.camera.source})")
    return EXIT_OK


def _cmd_face(args: argparse.Namespace) -> int:
    from kiosk.face import cli as face_cli

    if args.compare:
        return face_cli.compare(*args.compare)
    if not args.photos:
        print("kiosk face: give one or more photos, or --compare A B", file=sys.stderr)
        return EXIT_USAGE
    return face_cli.analyse(args.photos, args.json)


def _cmd_bench(args: argparse.Namespace) -> int:
    from kiosk.bench import run

    return run.main(args.what, seconds=args.seconds, as_json=args.json, out=args.out)


def build_parser() -> argparse.ArgumentParser:
    from kiosk.harness import commands as harness_commands
    from kiosk.ops import commands as ops_commands
    from kiosk.tryon import commands as tryon_commands
    from sync import commands as sync_commands

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
    app.add_argument("--tour", type=Path, metavar="DIR",
                     help="render every screen of a visit to PNGs in DIR and exit")
    app.add_argument("--size", default="1024x768,768x1024,1366x1024",
                     help="window sizes for --tour, comma-separated (landscape and portrait)")
    app.set_defaults(func=_cmd_app)

    cfg = sub.add_parser("config", help="configuration tools")
    cfg_sub = cfg.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = cfg_sub.add_parser("check", help="validate a config file; exit 2 naming bad keys")
    check.add_argument("file", nargs="?", type=Path)
    check.set_defaults(func=_cmd_config_check)

    ops_commands.register(sub)
    sync_commands.register(sub)
    harness_commands.register(sub)
    tryon_commands.register(sub)
    fc = sub.add_parser("face", help="faces in photos: box, 128-d vector, quality, age, gender, emotion")
    fc.add_argument("photos", nargs="*", type=Path)
    fc.add_argument("--json", action="store_true")
    fc.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"),
                    help="distance between the main faces of two photos; exit 0 same, 1 different")
    fc.set_defaults(func=_cmd_face)

    bench = sub.add_parser("bench", help="measure performance")
    bench.add_argument("what", choices=["display", "tryon", "face", "sync", "all"], help="what to measure")
    bench.add_argument("--seconds", type=float, default=10.0)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--out", type=Path, help="also write the JSON report here")
    bench.set_defaults(func=_cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["notify-relay"]:
        # Before argparse and any import: the relay is the app unit's main process and
        # starts cage; nothing of the kiosk is needed for it.
        from kiosk.ops import sdnotify

        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        if not cmd:
            print("kiosk notify-relay: usage: kiosk notify-relay -- COMMAND [ARGS...]", file=sys.stderr)
            return EXIT_USAGE
        return sdnotify.relay(cmd)
    args = build_parser().parse_args(argv)
    logs.setup(args.log_level)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
