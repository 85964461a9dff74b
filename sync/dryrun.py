"""`kiosk simulate --dry-run`: the post-upgrade smoke test of the whole recording → sync path.

Simulated visits are recorded into a throw-away data directory (never the store's real
one), then drained by the real daemon code — syncer, senders, clients built from the
configured cloud — through a transport that answers like the events API (seed 000) without
sending anything: the store's analytics must not count test visits, and the seeds have no
dry-run flag. The configured endpoints are then probed for reachability (a GET, like
`kiosk doctor`); an unreachable cloud is reported but does not fail the smoke test, because
a store upgraded from a USB stick may well be offline.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from kiosk.config import KioskConfig
from kiosk.store import EventStore
from kiosk.store.events import Envelope


@dataclass
class DryTransport(httpx.BaseTransport):
    """Answers POST {events_url}/v1/events as seed 000 does; anything else is a 404."""

    events_endpoint: str
    seen: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or str(request.url) != self.events_endpoint:
            self.problems.append(f"unexpected {request.method} {request.url}")
            return httpx.Response(404, json={"status": "error", "message": "not in the dry run"})
        try:
            Envelope.model_validate(json.loads(request.content))     # what the cloud would check
        except ValueError as e:
            self.problems.append(f"an event the events API would refuse: {e}")
            return httpx.Response(400, json={"status": "error", "message": str(e)})
        if not request.headers.get("Idempotency-Key"):
            self.problems.append("an event without Idempotency-Key")
        self.seen.append(request.headers.get("Idempotency-Key", ""))
        return httpx.Response(201, json={"status": "ok", "event_id": str(uuid.uuid4())})


class Recorded(Protocol):
    sessions: int
    events: int


class Record(Protocol):
    """The simulator's `run` (`kiosk simulate`), handed in by the command line: the product does not
    import the test and demo drivers."""

    def __call__(self, cfg: KioskConfig, sessions: int, seed: int | None, data_dir: Path | None = None, *,
                 persons_rate: float = ..., shares_rate: float = ...) -> Recorded: ...


@dataclass
class DryRun:
    sessions: int
    events: int
    delivered: int
    pending: int
    problems: list[str]
    reachability: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and self.delivered == self.events and self.pending == 0


def run(cfg: KioskConfig, sessions: int = 3, seed: int | None = 1, probe: bool = True, *,
        record: Record) -> DryRun:
    from kiosk.ops import doctor
    from sync.daemon import drain_once
    from sync.senders import Clients, make_syncer

    transport = DryTransport(cfg.cloud.events_endpoint())
    with tempfile.TemporaryDirectory(prefix="kiosk-dryrun-") as tmp:
        # Events only: the transport stands in for seed 000 alone, and a dry run must not log in
        # to the person or messaging APIs either.
        res = record(cfg, sessions, seed, data_dir=Path(tmp), persons_rate=0.0, shares_rate=0.0)
        store = EventStore(Path(tmp))
        clients = Clients(cfg, transport)
        syncer = make_syncer(cfg, store, clients)
        try:
            totals = drain_once(store, syncer)
            pending = store.count("pending")
        finally:
            syncer.close()
            clients.close()
            store.close()
    problems = list(dict.fromkeys(transport.problems))[:5] + totals.errors[-3:]
    reach = []
    if probe:
        checks, _skews = doctor.check_cloud(cfg)
        reach = [f"{c.name}: {c.detail}" for c in checks]
    return DryRun(res.sessions, res.events, totals.delivered, pending, problems, reach)
