"""On-device storage: the event outbox, person records, schema migrations."""

from kiosk.store.db import StoreError
from kiosk.store.outbox import DeviceIds, EventStore, Job

__all__ = ["DeviceIds", "EventStore", "Job", "StoreError"]
