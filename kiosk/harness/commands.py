"""`kiosk simulate`: scripted customer visits recorded as the app records them."""

from __future__ import annotations

import argparse
import sys

from kiosk.ops.commandline import EXIT_FAIL, EXIT_OK, EXIT_USAGE, load_config, rate


def _cmd_simulate(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = sub.add_parser("simulate", help="record scripted customer sessions (load test, smoke test)")
    sim.add_argument("--sessions", type=int, default=10)
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--persons-rate", type=rate, default=0.4, metavar="R",
                     help="share of visits whose customer consents to a person record (default 0.4)")
    sim.add_argument("--shares-rate", type=rate, default=0.3, metavar="R",
                     help="share of composed photos the seller shares, by WhatsApp/email where set up"
                          " (default 0.3)")
    sim.add_argument("--dry-run", action="store_true",
                     help="smoke test: record into a scratch database and run the sync path without "
                          "sending; probe the configured cloud")
    sim.set_defaults(func=_cmd_simulate)

