"""`kiosk sync`, `kiosk devcloud` and `kiosk catalog sync`: the sync daemon, the reference cloud, the
commerce import (all of the sync process's side)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.ops.commandline import EXIT_FAIL, EXIT_OK, EXIT_USAGE, count, load_config, rate


def _cmd_sync(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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


def _cmd_catalog_sync(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    dc.add_argument("--fail-rate", type=rate, default=0.0, help="fraction of API requests answered 500")
    dc.add_argument("--drop-rate", type=rate, default=0.0,
                    help="fraction of API requests processed but whose answer is cut off")
    dc.add_argument("--slow-ms", type=int, default=0, help="delay before every API answer")
    dc.add_argument("--rate-limit", type=int, default=0, metavar="N",
                    help="answer 429 with Retry-After beyond N API requests per second")
    dc.add_argument("--expire-sessions-every", type=float, default=0.0, metavar="SECONDS",
                    help="person API login sessions expire after this long")
    dc.add_argument("--ignore-idempotency", action="store_true",
                    help="behave like a server that never heard of Idempotency-Key: every POST stores anew")
    dc.add_argument("--captive-portal", type=count, default=0, metavar="N",
                    help="the first N API answers are a store Wi-Fi portal's 302 to an HTML login page")
    dc.add_argument("--commit-fail-rate", type=rate, default=0.0, metavar="R",
                    help="fraction of API requests processed, then answered 500 (commit then fail)")
    dc.add_argument("--seed", type=int, default=None, help="random seed for the fault injection")
    dc.set_defaults(func=_cmd_devcloud)

    cat = sub.add_parser("catalog", help="the jewelers' catalogue from the commerce API (seed 002)")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    cat_sub.add_parser("sync", help="import new and changed products now, hide removed ones")
    cat.set_defaults(func=_cmd_catalog_sync)

