"""Share the photo: a QR code to download it, WhatsApp and email sends with their status.

The QR code points at the photo's cloud page once the sync daemon has uploaded it, and at
the kiosk's own LAN page until then (the caption says the phone must be on the store Wi-Fi,
and why: the sync daemon is not running, the cloud does not answer it, or the upload is
simply under way).
Sends are queued in the outbox; their rows show queued, sent, or failed with the reason and
a tap to retry. The screen polls the local database once a second while it is open.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ops import health
from kiosk.session.contact import normalise_phone, valid_email
from kiosk.store.kinds import Kind
from kiosk.store.shares import Send, Share
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.common import button, clear, labelled, note, title

CHANNEL_NAMES = {"whatsapp": "WhatsApp", "email": "Email"}
NO_DAEMON, OFFLINE, UNDER_WAY = "no_daemon", "offline", "under_way"


@dataclass(frozen=True)
class ShareView:
    """What the screen shows of one share, read fresh from the store on every poll."""

    share: Share
    sends: list[Send]


def uplink(data_dir: Path, heartbeat_s: float, now: float | None = None) -> str:
    """Why a photo is not online yet. NO_DAEMON: the sync daemon's heartbeat is missing or
    stale, so nothing is uploading however good the network is. OFFLINE: it runs, and the
    image service is blocked (a portal, a 429) or its last attempt failed after the last
    success. UNDER_WAY: it runs and nothing failed, the upload is just not done."""
    now = time.time() if now is None else now
    beat = health.read_beats(data_dir).get("sync")
    if beat is None or not health.is_alive(beat, heartbeat_s, now):
        return NO_DAEMON
    status, _ = health.outbox_status(data_dir)
    if status is None:
        return UNDER_WAY
    failed = (status.last_error or "").startswith((Kind.IMAGE_UPLOAD, "images"))
    if "images" in status.blocked or (failed and (status.last_error_at or 0) > (status.last_success_at or 0)):
        return OFFLINE
    return UNDER_WAY


def qr_pixmap(url: str, size: int) -> QPixmap:
    """The code at most `size` pixels wide, every module a whole number of pixels: a scaled-down
    code has uneven modules that phone cameras (and decoders) misread at some sizes."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    code.box_size = max(1, size // (code.modules_count + 2 * code.border))
    buf = io.BytesIO()
    code.make_image().save(buf, "PNG")
    pm = QPixmap()
    pm.loadFromData(buf.getvalue(), "PNG")
    return pm


def send_text(s: Send) -> str:
    who = f"{CHANNEL_NAMES.get(s.channel, s.channel)} {s.destination}"
    if s.status == "sent":
        return f"{who}: sent ✓"
    if s.status == "failed":
        return f"{who}: failed — tap to retry ({s.error[:80]})"
    waiting = f" — waiting: {s.error[:60]}" if s.error else ""
    return f"{who}: queued{waiting}"


class ShareScreen(QWidget):
    done = Signal()
    send_requested = Signal(str, str)       # channel, destination (validated)
    retry_requested = Signal(str)           # send id

    def __init__(self, country_code: str, whatsapp: bool, email: bool, wifi_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country_code, self.wifi_name = country_code, wifi_name
        self.lan_url: Callable[[str], str | None] = lambda _token: None
        # Set by the visit screen (uplink() on its data dir); only asked while not online.
        self.uplink: Callable[[], str] = lambda: UNDER_WAY
        self.current_url = ""
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(title("Scan to get the photo"))
        self.qr = QLabel()
        self.qr.setObjectName("qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setStyleSheet("background: white; border-radius: 12px;")
        left.addWidget(self.qr, 1)
        self.qr_note = note("")
        left.addWidget(self.qr_note)
        outer.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(title("Send it"))
        self.keyboard = Keyboard()
        self.phone = self.keyboard.field("e.g. 98123 45678", "share_phone", "phone")
        self.whatsapp = button("Send on WhatsApp", "send_whatsapp")
        self.email = self.keyboard.field("e.g. name@example.com", "share_email")
        self.email_button = button("Send by email", "send_email")
        # Labelled like the start screen's: the fields come filled in, so a placeholder never shows.
        for w in (labelled(f"WhatsApp number ({country_code} is added)", self.phone), self.whatsapp):
            w.setVisible(whatsapp)
            right.addWidget(w)
        for w in (labelled("Email address", self.email), self.email_button):
            w.setVisible(email)
            right.addWidget(w)
        if not whatsapp and not email:
            right.addWidget(note("WhatsApp and email are not set up on this kiosk: use the QR code."))
        self.error = note("", name="error")
        right.addWidget(self.error)
        self.list_host = QWidget()
        self.list = QGridLayout(self.list_host)
        self.list.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.list_host)
        right.addWidget(self.keyboard, 1)
        self.done_button = button("Done", "share_done")
        right.addWidget(self.done_button)
        outer.addLayout(right, 1)
        self.whatsapp.clicked.connect(self._whatsapp)
        self.email_button.clicked.connect(self._email)
        self.done_button.clicked.connect(self.done)
        self.view: ShareView | None = None
        self.shown_sends: list[Send] | None = None
        self.refresh: Callable[[], ShareView | None] = lambda: None
        self.poll = QTimer(self)
        self.poll.setInterval(1000)
        self.poll.timeout.connect(self.update_view)

    def open(self, refresh: Callable[[], ShareView | None], phone: str, email: str) -> None:
        self.refresh = refresh
        self.current_url = ""
        self.shown_sends = None
        self.phone.setText(phone)
        self.email.setText(email)
        self.error.setText("")
        self.keyboard.attach(self.phone, "phone")
        self.update_view()
        self.poll.start()

    def close_view(self) -> None:
        self.poll.stop()

    def update_view(self) -> None:
        view = self.refresh()
        self.view = view
        if view is None:
            return
        url = view.share.page_url or self.lan_url(view.share.token) or ""
        if url != self.current_url:
            self.current_url = url
            self._draw_qr()
        self.qr_note.setText(self._note(view.share.page_url, url))
        self._show_sends(view.sends)

    def _note(self, page_url: str | None, url: str) -> str:
        if page_url:
            return "Works on any phone with internet, for the next days."
        why = self.uplink()
        wifi = f" “{self.wifi_name}”" if self.wifi_name else ""
        local = f"the phone must be on the store Wi-Fi{wifi}"
        if why == NO_DAEMON:
            # The cloud may be fine: saying "offline" sent staff to check the router.
            if url:
                return (f"Waiting for the sync daemon (not running on this kiosk): until it runs, {local}. "
                        "Please tell the technician.")
            return "Waiting for the sync daemon (not running on this kiosk): please tell the technician."
        if why == OFFLINE:
            if url:
                return (f"The kiosk is offline: {local}. "
                        "The link moves online as soon as the kiosk reconnects.")
            return "The kiosk is offline: the code appears once it reconnects."
        if url:
            return f"Uploading the photo: until it is online, {local}."
        return "The photo is on its way online; the code appears in a moment."

    def _draw_qr(self) -> None:
        if self.current_url:
            side = max(240, min(self.qr.width(), self.qr.height()) - 32)
            self.qr.setPixmap(qr_pixmap(self.current_url, side))
        else:
            self.qr.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._draw_qr()

    def _show_sends(self, sends: list[Send]) -> None:
        if sends == self.shown_sends:          # polled every second: rebuild only on a change
            return
        self.shown_sends = sends
        clear(self.list)
        for i, s in enumerate(sends[-4:]):
            b = QPushButton(send_text(s))
            b.setObjectName(f"send_{s.status}")
            b.setProperty("secondary", True)
            b.setStyleSheet("text-align: left; font-size: 16px; padding: 6px 12px;")
            if s.status == "failed":
                b.clicked.connect(lambda _=False, sid=s.id: self.retry_requested.emit(sid))
            else:
                b.setEnabled(False)
            self.list.addWidget(b, i, 0)

    def _whatsapp(self) -> None:
        phone = normalise_phone(self.phone.text(), self.country_code)
        if not phone:
            self.error.setText("Type the customer's WhatsApp number, e.g. 98123 45678 "
                               f"(the country code {self.country_code} is added).")
            return
        self.error.setText("")
        self.send_requested.emit("whatsapp", phone)

    def _email(self) -> None:
        address = self.email.text().strip()
        if not valid_email(address):
            self.error.setText("The email address does not look right, e.g. name@example.com.")
            return
        self.error.setText("")
        self.send_requested.emit("email", address)
