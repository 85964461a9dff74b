"""`kiosk sync status` and `kiosk sync retry-dead`: what is waiting, what was refused, what
keeps the cloud away (network, disk, a damaged database), read without the daemon."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from typing import Any

from kiosk.config import KioskConfig
from kiosk.ops.status import SyncReport, storage
from kiosk.store import EventStore, StoreError
from kiosk.store.db import DB_NAME, connect, explain
from kiosk.store.kinds import KINDS
from kiosk.store.syncstate import read_status


def retry_dead(cfg: KioskConfig, kind: str | None) -> int:
    """`kiosk sync retry-dead [--kind K]`: the technician fixed a cause; send them again."""
    if kind is not None and kind not in KINDS:
        print(f"kiosk sync retry-dead: unknown kind {kind!r}; one of {', '.join(KINDS)}", file=sys.stderr)
        return 2
    try:
        store = EventStore(cfg.store.data_dir)
        try:
            again, kept = store.requeue_dead(kind)
        finally:
            store.close()
    except StoreError as e:
        print(f"kiosk sync retry-dead: {e}", file=sys.stderr)
        return 1
    what = f"{kind} " if kind else ""
    print(f"sync: {again} {what}dead letter(s) queued again; the sync daemon sends them now")
    if kept:
        print(f"  {kept} photo send(s) stay dead: already reported as failed; the seller can send "
              "the photo again from the visit")
    return 0


# ---- status -------------------------------------------------------------------------------

def build(cfg: KioskConfig) -> SyncReport:
    data_dir = cfg.store.data_dir
    path = data_dir / DB_NAME
    # What the outbox cannot say itself: a damaged database set aside (and the backup to
    # restore), a data dir that takes no writes.
    problems = storage(data_dir)
    if not path.exists():
        return SyncReport(path, problems)
    try:
        conn = connect(path, readonly=True)
        try:
            st = read_status(conn, time.time())
        finally:
            conn.close()
    except (sqlite3.Error, StoreError) as e:
        return SyncReport(path, problems, error=explain(e) if isinstance(e, sqlite3.Error) else str(e))
    return SyncReport(path, problems, st)


def status_report(cfg: KioskConfig) -> dict[str, Any]:
    """`kiosk sync status --json`."""
    return build(cfg).to_json()


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def status(cfg: KioskConfig, as_json: bool) -> int:
    rep = status_report(cfg)
    if as_json:
        print(json.dumps(rep, indent=2, default=str))
        return 0 if rep["ok"] else 1
    for line in rep["storage_problems"]:
        print(f"STORAGE        {line}")
    if "error" in rep:
        print(f"sync status: cannot read {rep['database']}: {rep['error']}")
        return 1
    if "note" in rep:
        print(f"sync status: {rep['note']} ({rep['database']})")
        return 0 if rep["ok"] else 1
    now = time.time()
    pend = ", ".join(f"{k} {v}" for k, v in rep["pending"].items())
    print(f"pending        {rep['pending_total']}  ({pend})")
    print(f"oldest pending {_age(rep['oldest_pending_age_s'])}")
    print(f"delivered      {rep['delivered']}")
    ls = rep["last_success_at"]
    print(f"last success   {rep['last_success_time'] or 'never'}"
          + (f"  ({_age(now - ls)} ago)" if ls else ""))
    if rep["last_error"]:
        le = rep["last_error_at"]
        print(f"last error     {rep['last_error']}  ({_age(now - le) if le else '?'} ago)")
    for service, why in rep["blocked"].items():
        since = rep["blocked_since"].get(service)
        print(f"NETWORK        {service}: {why}" + (f"  (for {_age(now - since)})" if since else ""))
    resent = rep["resent_after_ambiguity"]
    if resent or rep["adopted"]:
        parts = [f"{k} {v}" for k, v in resent.items()]
        print(f"re-sent after a lost answer  {', '.join(parts) or 'none'}"
              "  (each may be a duplicate where the server ignores Idempotency-Key)")
        for k, v in rep["adopted"].items():
            print(f"found, not re-sent  {k} {v}  (looked up on the server after a lost answer)")
    print(f"dead letters   {rep['dead']}")
    for d in rep["dead_letters"]:
        print(f"  {d['kind']:<14} {d['id']}  {d['error']}")
    if rep["dead"]:
        print("  after fixing the cause: kiosk sync retry-dead [--kind KIND]")
    return 0 if rep["ok"] else 1
