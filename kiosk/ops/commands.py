"""`kiosk doctor`, `status`, `health`, `db` and `privacy`: running the appliance."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.ops.commandline import EXIT_FAIL, EXIT_OK, EXIT_USAGE, load_config


def _cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.ops import doctor

    return doctor.main(args.config, as_json=args.json, probe_seconds=args.probe_seconds,
                       require=[r for r in (args.require or "").split(",") if r])


def _cmd_status(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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
    cfg = load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    from kiosk.ops import health

    ok, why = health.wait_healthy(cfg, args.since, args.timeout, args.hold, args.release)
    print(f"health: {'OK' if ok else 'FAILED'}: {why}")
    return EXIT_OK if ok else EXIT_FAIL


def _cmd_db(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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


def _cmd_privacy(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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

    pv = sub.add_parser("privacy", help="retention and deletion of customers' face data")
    pv_sub = pv.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    fg = pv_sub.add_parser("forget", help="delete a customer's face vector, photo and details")
    fg.add_argument("--phone", help="the customer's phone number (E.164)")
    fg.add_argument("--person", help="a local or cloud person id")
    pv_sub.add_parser("expire", help="delete face records past [privacy] retention_days now")
    pv.set_defaults(func=_cmd_privacy)

