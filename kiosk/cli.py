"""`kiosk` command line: thin dispatch to the packages. Heavy imports happen per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.ops import logs

if TYPE_CHECKING:   # the config module is imported per subcommand, not at start-up
    from kiosk.config import KioskConfig

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


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
    cfg = _load_config(path)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.catalog.check import check_pieces

    problems = check_pieces(cfg)
    if problems:
        _print_problems(config.resolve_path(path), problems)
        return EXIT_USAGE
    print(f"{config.resolve_path(path)}: OK (store {cfg.device.store_id}, "
          f"device {cfg.device.device_id}, camera {cfg.camera.source})")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.ops import doctor

    return doctor.main(args.config, as_json=args.json, probe_seconds=args.probe_seconds,
                       require=[r for r in (args.require or "").split(",") if r])


def _cmd_bench(args: argparse.Namespace) -> int:
    from kiosk.bench import run

    return run.main(args.what, seconds=args.seconds, as_json=args.json, out=args.out)


def _load_config(path: Path | None) -> KioskConfig | None:
    """The config, or None after printing its problems (exit 2 for the caller)."""
    from kiosk import config

    try:
        return config.load(path)
    except config.ConfigError as e:
        _print_problems(e.path, e.problems)
        return None


def _print_problems(path: object, problems: Sequence[object]) -> None:
    print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)


def _cmd_sync(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from sync import daemon
    from sync import status as sync_status

    if args.sync_command == "run":
        return daemon.run(cfg)
    if args.sync_command == "once":
        return daemon.once(cfg)
    if args.sync_command == "retry-dead":
        return sync_status.retry_dead(cfg, args.kind)
    return sync_status.status(cfg, args.json)


def _cmd_devcloud(args: argparse.Namespace) -> int:
    from sync.devcloud import server
    from sync.devcloud.faults import Faults

    faults = Faults(fail_rate=args.fail_rate, drop_rate=args.drop_rate, slow_ms=args.slow_ms,
                    rate_limit=args.rate_limit, expire_sessions_every=args.expire_sessions_every,
                    token_ttl_s=args.token_ttl, seed=args.seed, ignore_idempotency=args.ignore_idempotency,
                    captive_portal=args.captive_portal, commit_fail_rate=args.commit_fail_rate)
    return server.main(args.host, args.port, args.data_dir, faults, args.user, args.upload_key)


def _cmd_simulate(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.store import StoreError

    if args.dry_run:
        from kiosk.harness import simulate
        from sync import dryrun

        try:
            dry = dryrun.run(cfg, args.sessions, args.seed, record=simulate.run)
        except StoreError as e:
            print(f"kiosk simulate --dry-run: {e}", file=sys.stderr)
            return EXIT_FAIL
        print(f"dry run: {dry.sessions} simulated visits, {dry.events} events recorded in a scratch"
              f" database, {dry.delivered} accepted by the sync path for {cfg.cloud.events_endpoint()};"
              " nothing was sent")
        for line in dry.reachability:
            print(f"  {line}")
        for line in dry.problems:
            print(f"  PROBLEM {line}")
        return EXIT_OK if dry.ok else EXIT_FAIL

    from kiosk.harness import simulate

    try:
        res = simulate.run(cfg, args.sessions, args.seed, persons_rate=args.persons_rate,
                           shares_rate=args.shares_rate)
    except (StoreError, ValueError) as e:
        print(f"kiosk simulate: {e}", file=sys.stderr)
        return EXIT_FAIL
    sends = "" if cfg.share.whatsapp_ready or cfg.share.email_ready else \
        " (no WhatsApp/email set up in [share]: QR only)"
    print(f"simulate: recorded {res.sessions} sessions in {res.seconds:.2f} s into {cfg.store.data_dir}:"
          f" {res.events} events, {res.persons} new person records ({res.returning} returning faces),"
          f" {res.shares} shared photos, {res.sends} sends{sends}; the sync daemon delivers them")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    import json

    from kiosk.ops import health
    from kiosk.store import datadir

    try:
        rep = health.report(cfg)
    except OSError as e:        # e.g. the data dir's mount point cannot even be looked at
        print(f"kiosk status: data dir {cfg.store.data_dir}: {datadir.cause(e)}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(rep, indent=2, default=str))
    else:
        health.print_report(rep)
    return EXIT_OK if rep["ok"] else EXIT_FAIL


def _cmd_health(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.ops import health

    ok, why = health.wait_healthy(cfg, args.since, args.timeout, args.hold, args.release)
    print(f"health: {'OK' if ok else 'FAILED'}: {why}")
    return EXIT_OK if ok else EXIT_FAIL


def _cmd_db(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.store import maintenance
    from kiosk.store.db import StoreError

    try:
        if args.db_command == "backup":
            out = maintenance.backup(cfg.store.data_dir, args.label)
            print(out or "")
        elif args.db_command == "migrate":
            print(maintenance.migrate(cfg.store.data_dir))
        elif args.db_command == "schema":
            print(maintenance.schema(args.file or cfg.store.data_dir / "kiosk.db"))
        else:
            print(maintenance.restore(cfg.store.data_dir, args.file))
    except StoreError as e:
        print(f"kiosk db {args.db_command}: {e}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _catalogue_config(args: argparse.Namespace) -> tuple[KioskConfig | None, bool]:
    """(config, ok): the config whose data dir's pieces (imported, staff-added) join the bundled
    ones, found as `kiosk catalog sync` finds it; a bad default config leaves the bundled only."""
    from kiosk import config

    if args.config is not None or os.environ.get(config.CONFIG_ENV):
        cfg = _load_config(args.config)
        return cfg, cfg is not None
    try:
        return config.load(None), True
    except config.ConfigError as e:
        print(f"kiosk {args.command}: {e.path} has {len(e.problems)} problem(s) (kiosk config check): "
              "only the bundled pieces are known", file=sys.stderr)
        return None, True


def _cmd_tryon(args: argparse.Namespace) -> int:
    from kiosk.tryon import still

    cfg, ok = _catalogue_config(args)
    if not ok:
        return EXIT_USAGE
    return still.main(args.photo, args.jewelry, args.out, args.json, args.attire,
                      data_dir=cfg.store.data_dir if cfg else None)


def _cmd_face(args: argparse.Namespace) -> int:
    from kiosk.face import cli as face_cli

    if args.compare:
        return face_cli.compare(*args.compare)
    if not args.photos:
        print("kiosk face: give one or more photos, or --compare A B", file=sys.stderr)
        return EXIT_USAGE
    return face_cli.analyse(args.photos, args.json)


def _cmd_catalog_sync(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    c = cfg.catalog
    if c.commerce_url is None or not (c.vendor_ids or c.include_drafts):
        print("kiosk catalog sync: set [catalog] commerce_url and vendor_ids in the config", file=sys.stderr)
        return EXIT_USAGE
    from kiosk.store.db import Database, StoreError
    from sync import catalog_import

    try:
        db = Database(cfg.store.data_dir)
        try:
            report = catalog_import.run_configured(cfg, db)
        finally:
            db.close()
    except StoreError as e:
        print(f"kiosk catalog sync: {e}", file=sys.stderr)
        return EXIT_FAIL
    for line in report.lines():
        print(line)
    if report.failed:
        print(f"kiosk catalog sync: {len(report.skipped)} product(s) skipped, {len(report.errors)} "
              "error(s): see the skipped/error lines above", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _cmd_assets(args: argparse.Namespace) -> int:
    from kiosk.catalog import tool

    if args.assets_command == "check":
        cfg, ok = _catalogue_config(args)
        if not ok:
            return EXIT_USAGE
        return tool.check(cfg.store.data_dir if cfg else None)
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    anchor = None
    if args.anchor:
        x, _, y = args.anchor.partition(",")
        if not (x.strip().isdigit() and y.strip().isdigit()):
            print("kiosk assets add: --anchor wants X,Y in pixels of the cut-out", file=sys.stderr)
            return EXIT_USAGE
        anchor = (int(x), int(y))
    preview = None
    if args.preview is not None:
        from kiosk.tryon.still import preview_on_sample

        def preview(pid: str) -> None:
            preview_on_sample(cfg.store.data_dir, pid, args.preview)
    return tool.add(cfg.store.data_dir, args.image, jeweler=args.jeweler or cfg.jeweler.id,
                    category=args.category, name=args.name, price=args.price, width_mm=args.width_mm,
                    coin_mm=args.coin_mm, anchor=anchor, preview=preview)


def _cmd_privacy(args: argparse.Namespace) -> int:
    cfg = _load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.session.contact import normalise_phone
    from kiosk.store import EventStore, StoreError, privacy

    try:
        store = EventStore(cfg.store.data_dir)
        try:
            if args.privacy_command == "expire":
                out = privacy.expire(store)
                print(f"privacy: {len(out.local_ids)} expired face record(s) deleted "
                      f"(retention {cfg.privacy.retention_days} days)")
                return EXIT_OK
            if not (args.phone or args.person):
                print("kiosk privacy forget: give --phone NUMBER or --person ID", file=sys.stderr)
                return EXIT_USAGE
            phone = normalise_phone(args.phone, cfg.store.country_code) if args.phone else None
            if args.phone and not phone:
                print(f"kiosk privacy forget: {args.phone!r} is not a phone number", file=sys.stderr)
                return EXIT_USAGE
            out = privacy.forget(store, phone=phone, person=args.person)
        finally:
            store.close()
    except StoreError as e:
        print(f"kiosk privacy: {e}", file=sys.stderr)
        return EXIT_FAIL
    if not out.local_ids:
        print("privacy: no face record matches; customer details on past sessions were cleared"
              if args.phone else "privacy: no face record matches")
        return EXIT_OK
    print(f"privacy: deleted {len(out.local_ids)} person record(s) with their face vector and photo; "
          f"{out.unsent_dropped} unsent cloud update(s) dropped")
    if out.cloud_ids:
        print(f"  {len(out.cloud_ids)} already in the person API: a PUT blanking name and phone is queued;"
              " seed 001 has no delete call, so ask the cloud operator to delete "
              + ", ".join(out.cloud_ids))
    return EXIT_OK


def _count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, e.g. 25 (got {text!r})") from None
    if v < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return v


def _rate(text: str) -> float:
    v = float(text)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1, e.g. 0.3")
    return v


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

    doc = sub.add_parser("doctor", help="check camera, display, disk, database, clock, cloud")
    doc.add_argument("--json", action="store_true")
    doc.add_argument("--probe-seconds", type=float, default=1.0,
                     help="how long to measure each camera's frame rate")
    doc.add_argument("--require", metavar="CHECK[,CHECK...]",
                     help="fail only when one of these checks fails (install.sh: config,disk,sqlite)")
    doc.set_defaults(func=_cmd_doctor)

    stat = sub.add_parser("status", help="is the kiosk well: processes, camera, pending, disk, last sync")
    stat.add_argument("--json", action="store_true")
    stat.set_defaults(func=_cmd_status)

    hl = sub.add_parser("health", help="wait until the app and sync daemon run well (install.sh uses it)")
    hl.add_argument("--since", type=float, default=0.0, metavar="UNIXTIME",
                    help="both processes must have started after this")
    hl.add_argument("--release", help="... from this release (/opt/kiosk/releases/NAME)")
    hl.add_argument("--timeout", type=float, default=90.0, metavar="SECONDS")
    hl.add_argument("--hold", type=float, default=20.0, metavar="SECONDS",
                    help="and stay up, same pids, this long")
    hl.set_defaults(func=_cmd_health)

    dbp = sub.add_parser("db", help="the kiosk database: backup, migrate, restore (install.sh uses these)")
    db_sub = dbp.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    bk = db_sub.add_parser("backup", help="copy the database to <data_dir>/backups/; prints the file")
    bk.add_argument("--label", default="manual")
    db_sub.add_parser("migrate", help="bring the schema up to this release (backs up first)")
    sc = db_sub.add_parser("schema", help="print the schema version of the database or of FILE")
    sc.add_argument("file", nargs="?", type=Path)
    rs = db_sub.add_parser("restore", help="put a backup back (stop both units first)")
    rs.add_argument("file", type=Path)
    dbp.set_defaults(func=_cmd_db)

    sync = sub.add_parser("sync", help="the sync daemon that delivers recorded events to the cloud")
    sync_sub = sync.add_subparsers(dest="sync_command", required=True, metavar="ACTION")
    sync_sub.add_parser("run", help="run the daemon (systemd's kiosk-sync.service)")
    sync_sub.add_parser("once", help="deliver everything now; exit 0 when nothing is left pending"
                        " and nothing was dead-lettered")
    rd = sync_sub.add_parser("retry-dead", help="queue dead letters again after fixing their cause")
    rd.add_argument("--kind", help="only this kind of row: event, person.create, person.update,"
                    " person.erase, image.upload, share.send")
    st = sync_sub.add_parser("status", help="pending, last success, last error, dead letters")
    st.add_argument("--json", action="store_true")
    sync.set_defaults(func=_cmd_sync)

    dc = sub.add_parser("devcloud", help="run the local reference cloud (seeds 000, 001, 003, image store)")
    dc.add_argument("--host", default="127.0.0.1")
    dc.add_argument("--port", type=int, default=8700)
    dc.add_argument("--data-dir", type=Path, default=Path("var/devcloud"))
    dc.add_argument("--user", action="append", metavar="EMAIL:PASSWORD",
                    help="person and messaging API account (default kiosk@demo.local:demo-password)")
    dc.add_argument("--upload-key", default="demo-upload-key",
                    help="Bearer key the image upload endpoint wants ('' for none)")
    dc.add_argument("--token-ttl", type=float, default=900.0, metavar="SECONDS",
                    help="life of a messaging API access token (seed 003 says 900)")
    dc.add_argument("--fail-rate", type=_rate, default=0.0, help="fraction of API requests answered 500")
    dc.add_argument("--drop-rate", type=_rate, default=0.0,
                    help="fraction of API requests processed but whose answer is cut off")
    dc.add_argument("--slow-ms", type=int, default=0, help="delay before every API answer")
    dc.add_argument("--rate-limit", type=int, default=0, metavar="N",
                    help="answer 429 with Retry-After beyond N API requests per second")
    dc.add_argument("--expire-sessions-every", type=float, default=0.0, metavar="SECONDS",
                    help="person API login sessions expire after this long")
    dc.add_argument("--ignore-idempotency", action="store_true",
                    help="behave like a server that never heard of Idempotency-Key: every POST stores anew")
    dc.add_argument("--captive-portal", type=_count, default=0, metavar="N",
                    help="the first N API answers are a store Wi-Fi portal's 302 to an HTML login page")
    dc.add_argument("--commit-fail-rate", type=_rate, default=0.0, metavar="R",
                    help="fraction of API requests processed, then answered 500 (commit then fail)")
    dc.add_argument("--seed", type=int, default=None, help="random seed for the fault injection")
    dc.set_defaults(func=_cmd_devcloud)

    sim = sub.add_parser("simulate", help="record scripted customer sessions (load test, smoke test)")
    sim.add_argument("--sessions", type=int, default=10)
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--persons-rate", type=_rate, default=0.4, metavar="R",
                     help="share of visits whose customer consents to a person record (default 0.4)")
    sim.add_argument("--shares-rate", type=_rate, default=0.3, metavar="R",
                     help="share of composed photos the seller shares, by WhatsApp/email where set up"
                          " (default 0.3)")
    sim.add_argument("--dry-run", action="store_true",
                     help="smoke test: record into a scratch database and run the sync path without "
                          "sending; probe the configured cloud")
    sim.set_defaults(func=_cmd_simulate)

    tr = sub.add_parser("tryon", help="composite jewelry onto a still photo")
    tr.add_argument("photo", type=Path)
    tr.add_argument("--jewelry", required=True, metavar="ID[,ID...]", help="piece or set ids")
    tr.add_argument("--out", type=Path, required=True, metavar="OUT.jpg")
    tr.add_argument("--attire", metavar="ID", help="recolour the outfit (assets/attire/manifest.json)")
    tr.add_argument("--json", action="store_true", help="per piece: anchor, width px/mm, scale, hidden")
    tr.set_defaults(func=_cmd_tryon)

    fc = sub.add_parser("face", help="faces in photos: box, 128-d vector, quality, age, gender, emotion")
    fc.add_argument("photos", nargs="*", type=Path)
    fc.add_argument("--json", action="store_true")
    fc.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"),
                    help="distance between the main faces of two photos; exit 0 same, 1 different")
    fc.set_defaults(func=_cmd_face)

    pv = sub.add_parser("privacy", help="retention and deletion of customers' face data")
    pv_sub = pv.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    fg = pv_sub.add_parser("forget", help="delete a customer's face vector, photo and details")
    fg.add_argument("--phone", help="the customer's phone number (E.164)")
    fg.add_argument("--person", help="a local or cloud person id")
    pv_sub.add_parser("expire", help="delete face records past [privacy] retention_days now")
    pv.set_defaults(func=_cmd_privacy)

    cat = sub.add_parser("catalog", help="the jewelers' catalogue from the commerce API (seed 002)")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    cat_sub.add_parser("sync", help="import new and changed products now, hide removed ones")
    cat.set_defaults(func=_cmd_catalog_sync)

    ast = sub.add_parser("assets", help="staff asset tool: add a piece from a product photo, check manifests")
    ast_sub = ast.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    add = ast_sub.add_parser("add", help="cut a product photo on a plain background into a wearable piece")
    add.add_argument("image", type=Path)
    add.add_argument("--jeweler", help="jeweler id (default: [jeweler] id)")
    add.add_argument("--category", required=True, help="earring, necklace, nose_ring or maang_tikka")
    add.add_argument("--name", required=True)
    add.add_argument("--price", type=float)
    add.add_argument("--width-mm", type=float, help="the piece's real width in mm")
    add.add_argument("--coin-mm", type=float, help="diameter of a coin lying by the piece, to measure it")
    add.add_argument("--anchor", help="X,Y hook point in the cut-out (default: guessed per category)")
    add.add_argument("--preview", type=Path, help="also write the piece worn on the sample face here")
    ast_sub.add_parser("check", help="validate every jewelry manifest (bundled and in the catalogue)")
    ast.set_defaults(func=_cmd_assets)

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
