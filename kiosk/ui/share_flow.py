"""The share flow beside the visit: a photo (or a clip, by its poster frame) with the jeweler's
strip, recorded as a share for the sync daemon to upload, and the share screen on it: the QR code
(the kiosk's LAN page until the daemon has the photo online, saying why it waits: no daemon,
offline, under way), WhatsApp and email sends queued in the outbox with their status, a tap to
retry a failed one. Built like cloud_flow: the visit screen shows `screen` and switches pages;
the flow only reads the visit through ShareHooks. Nothing here waits on the network: the daemon
sends, the screen polls the local database."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from kiosk.config import KioskConfig
from kiosk.session.visit import PieceRef, VisitService
from kiosk.share.brand import add_strip
from kiosk.store import StoreError
from kiosk.store.shares import Share
from kiosk.ui.screens.clip import caption
from kiosk.ui.screens.share import ShareScreen, ShareView, uplink

log = logging.getLogger(__name__)
NO_JEWELRY = PieceRef("none", "No jewelry", "none", None)


class ShareHooks(Protocol):
    """What the flow needs from the visit screen."""

    service: VisitService

    @property
    def jeweler_name(self) -> str: ...

    @property
    def currency(self) -> str: ...


class ShareFlow:
    def __init__(self, cfg: KioskConfig, hooks: ShareHooks) -> None:
        sh = cfg.share
        self.cfg, self.hooks = cfg, hooks
        self.screen = ShareScreen(cfg.store.country_code, sh.whatsapp_ready, sh.email_ready, sh.wifi_name)
        self.screen.uplink = lambda: uplink(Path(cfg.store.data_dir), cfg.health.heartbeat_s)
        self.screen.send_requested.connect(self.send)
        self.screen.retry_requested.connect(self.retry)
        self.photo: tuple[bytes, PieceRef | None] | None = None     # the visit's last photo
        self.photos = 0
        # The share on the screen, or last on it: the last photo's is made once and shown again.
        self.share: Share | None = None

    def keep(self, jpeg: bytes, piece: PieceRef | None) -> int:
        """A new photo of the visit, the one to share from now, saved under captures/ off the UI
        thread. Its number in the visit."""
        self.photos += 1
        self.photo, self.share = (jpeg, piece), None
        visit = self.hooks.service.visit
        if visit is not None:
            path = Path(self.cfg.store.data_dir) / "captures" / visit.id / f"{self.photos:02d}.jpg"
            threading.Thread(target=_write, args=(path, jpeg), name="save-photo", daemon=True).start()
        return self.photos

    def photo_share(self) -> Share | None:
        """The share on the screen or, once made, the last photo's; None before any photo."""
        if self.share is None and self.photo is not None:
            self.share = self.make(*self.photo)
        return self.share

    def make(self, jpeg: bytes, piece: PieceRef | None, clip: Path | None = None) -> Share:
        """The photo (or the clip's poster, with the clip) branded and recorded for upload.
        Raises StoreError, OSError or ValueError (the caller says so where the customer looks)."""
        piece = piece or NO_JEWELRY
        h = self.hooks
        branded = add_strip(jpeg, h.jeweler_name, caption(piece, h.currency))
        return h.service.share_photo(branded, piece, self.cfg.share.link_days, {
            "jeweler_name": h.jeweler_name, "currency": h.currency}, clip=clip)

    def open(self, share: Share) -> None:
        visit = self.hooks.service.visit
        if visit is None:
            return
        self.share = share
        token, service = share.token, self.hooks.service

        def view() -> ShareView | None:
            got = service.share_status(token)
            return None if got is None else ShareView(*got)

        self.screen.open(view, visit.customer_phone, visit.customer_email)

    def send(self, channel: str, destination: str) -> None:
        if self.share is None or self.hooks.service.visit is None:
            return
        message = self.cfg.share.message.replace("{jeweler}", self.hooks.jeweler_name)
        try:
            self.hooks.service.send_share(self.share, channel=channel, destination=destination,
                                          message=message)
        except StoreError as e:
            self.screen.error.setText(f"Not queued: {e}")
            return
        self.screen.update_view()

    def retry(self, send_id: str) -> None:
        try:
            self.hooks.service.retry_send(send_id)
        except StoreError as e:
            self.screen.error.setText(f"Not queued: {e}")
        self.screen.update_view()

    def close(self) -> None:
        self.screen.close_view()

    def new_customer(self) -> None:
        self.close()
        self.photo, self.photos, self.share = None, 0, None


def _write(path: Path, jpeg: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(jpeg)
    except OSError as e:
        log.error("could not save the photo %s: %s", path.name, e.strerror)
