"""What the outbox holds, read from a data dir no process has open any more (the soak run
checks after the fact that every recorded event reached the cloud once)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.store.db import DB_NAME, connect
from kiosk.store.kinds import Kind


@dataclass(frozen=True)
class Tally:
    event_ids: set[str]             # each event's Idempotency-Key
    events_delivered: int
    by_kind: dict[str, int]


def tally(data_dir: Path) -> Tally:
    """Raises sqlite3.Error when the database cannot be read."""
    conn = connect(data_dir / DB_NAME, readonly=True)
    try:
        ids = {r[0] for r in conn.execute("SELECT id FROM outbox WHERE kind = ?", (Kind.EVENT,))}
        delivered = conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = ? AND state = 'delivered'",
                                 (Kind.EVENT,)).fetchone()[0]
        by_kind = dict(conn.execute("SELECT kind, COUNT(*) FROM outbox GROUP BY kind").fetchall())
    finally:
        conn.close()
    return Tally(ids, int(delivered), {str(k): int(n) for k, n in by_kind.items()})
