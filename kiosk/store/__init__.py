"""On-device storage: every SQL statement of the kiosk's database is in this package.

One module per table or concern: outbox.py (EventStore: the event outbox and the person
records), rows.py (the outbox's row types and its INSERT), sessions.py (visits), shares.py and
share_outcomes.py (photos handed to customers and the daemon's outcomes for them), catalog.py
(the local catalogue), syncstate.py (what the daemon remembers), privacy.py and housekeeping.py
(deletion and retention), schema.py (the numbered migrations: a schema change is written there
only), connection.py and db.py (connections, the one writer per process, WAL, BEGIN IMMEDIATE,
synchronous=FULL), damage.py, datadir.py and maintenance.py (a damaged file, a data dir that
takes no writes, backup and restore), files.py (files made durable before the row that points
at them), audit.py (the soak run's after-the-fact count); events.py, persons.py, kinds.py
and outcomes.py hold no SQL: the seed payloads, the outbox kinds and a client's outcome.

sync/devcloud/ is not the kiosk: it is the reference cloud server with its own database
(devcloud.db), and its SQL stays there.
"""

from kiosk.store.db import StoreError
from kiosk.store.outbox import DeviceIds, EventStore, Job

__all__ = ["DeviceIds", "EventStore", "Job", "StoreError"]
