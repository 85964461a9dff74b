"""The try-on clip on the catalogue: "● Clip" beside "Take photo", then "Share clip".

A tap counts down like the photo (3, 2, 1 on the mirror), then records what the mirror shows,
with the pieces on, for up to MAX_S seconds with a timer on the mirror; after MIN_S a second
tap stops it. The frames are the ones the mirror paints (taken as it paints them, so the clip
runs at the mirror's rate), in the true view like the photos, and go to an encoder thread as
they come (kiosk.clip.encoder) with the jeweler's strip on each. The clip is kept under
clips/ until it is shared: then it moves in with its share (the share's photo is one of its
frames) and the share screen offers it like a photo. An unshared clip is deleted by the next
recording, by the next visit, and at start-up: nothing of one customer is kept for the next.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget

from kiosk.capture.base import Image
from kiosk.clip.encoder import Clip, ClipEncoder, plain
from kiosk.session.visit import PieceRef
from kiosk.share.brand import draw_strip
from kiosk.store import StoreError
from kiosk.ui.screens.common import button, money
from kiosk.ui.states import State

if TYPE_CHECKING:
    from kiosk.ui.visit_screen import VisitScreen

log = logging.getLogger(__name__)
MIN_S = 3.0
MAX_S = 5.0
CLIP_DIR = "clips"
TICK_MS = 100


def row_of(layout: QLayout, widget: QWidget) -> tuple[QBoxLayout, int] | None:
    """The box layout (at any depth) that holds `widget`, and its index there."""
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        if item.widget() is widget and isinstance(layout, QBoxLayout):
            return layout, i
        inner = item.layout()
        if inner is not None:
            found = row_of(inner, widget)
            if found is not None:
                return found
    return None


def caption(piece: PieceRef | None, currency: str) -> str:
    """The strip's right side: what is worn and its price (the photo's strip says the same)."""
    if piece is None or piece.id == "none":
        return ""
    price = money(piece.price, currency) if piece.price is not None else ""
    return " · ".join(x for x in (piece.name, price) if x)


class ClipControl(QObject):
    def __init__(self, visit: VisitScreen) -> None:
        super().__init__(visit)
        self.visit = visit
        self.folder = Path(visit.cfg.store.data_dir) / CLIP_DIR
        shutil.rmtree(self.folder, ignore_errors=True)      # left by a crash: a past customer's
        self.record_button = button("● Clip", "record_clip", primary=False)
        self.record_button.setToolTip("Record a 3-5 s clip of the customer turning")
        self.share_button = button("▶ Share clip", "share_clip", primary=False)
        self.share_button.hide()
        cat = visit.catalogue
        lay = cat.layout()
        found = row_of(lay, cat.capture_button) if lay is not None else None
        if found is not None:
            row, at = found
            row.insertWidget(at, self.share_button)
            row.insertWidget(at, self.record_button)
        self.record_button.clicked.connect(self.tapped)
        self.share_button.clicked.connect(self.share)
        self.encoder: ClipEncoder | None = None
        self.recording_since: float | None = None
        self.piece: PieceRef | None = None
        self.clip: Clip | None = None
        self.clip_visit: str | None = None          # whose clip it is
        self._last: object = None                   # the Processed frame fed last
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        visit.live_view.installEventFilter(self)
        cat.installEventFilter(self)

    # ---- state ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.encoder is not None

    def _visit_id(self) -> str | None:
        v = self.visit.service.visit
        return v.id if v is not None else None

    def _say(self, text: str | None) -> None:
        self.visit.catalogue.show_badge(text)

    def _forget_clip(self) -> None:
        if self.clip is not None:
            self.clip.path.unlink(missing_ok=True)
        self.clip, self.clip_visit = None, None
        self.share_button.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.visit.live_view and event.type() == QEvent.Type.Paint:
            self._take_frame()
        elif obj is self.visit.catalogue:
            if event.type() == QEvent.Type.Show:
                if self.clip_visit != self._visit_id():
                    self._forget_clip()             # another customer's
                if not self.busy:                   # a countdown the visit's end cut short
                    self.record_button.setEnabled(True)
                if self.recording_since is None:
                    self.visit.catalogue.capture_button.setEnabled(True)
            elif event.type() == QEvent.Type.Hide and self.recording_since is not None:
                self.stop()                         # the visit moved on (photo, end, timeout)
        return False

    # ---- recording --------------------------------------------------------------------------

    def tapped(self) -> None:
        if self.recording_since is not None:
            if time.monotonic() - self.recording_since >= MIN_S:
                self.stop()
            return
        if self.busy or self.visit.service.visit is None:
            return
        if self.visit.live_view.current() is None:
            self._say("No clip yet: the camera is not ready.")
            return
        if self.visit.countdown.running:       # the photo's countdown is on
            return
        self._say(None)
        self.record_button.setEnabled(False)
        self.visit.start_countdown(self.begin)

    def begin(self) -> None:
        """After the countdown: the encoder starts and each frame the mirror paints goes to it."""
        if self.visit.state != State.CATALOGUE or self.visit.service.visit is None:
            self.record_button.setEnabled(True)
            return
        self._forget_clip()
        v = self.visit
        main = v.catalog.get(v.selected[-1]) if v.selected else None
        self.piece = PieceRef(main.id, main.name, main.category, main.price) if main else None
        jeweler, text = v.jeweler_name, caption(self.piece, v.currency)

        def strip(w: int, h: int) -> Image:
            return np.ascontiguousarray(np.asarray(draw_strip(w, h, jeweler, text))[:, :, ::-1])

        self.clip_visit = self._visit_id()
        self.encoder = ClipEncoder(self.folder / f"{uuid.uuid4().hex}.mp4", strip)
        self.encoder.start()
        self._last = v.live_view.current()           # already on screen before the start
        self.recording_since = time.monotonic()
        self.record_button.setText("■ Stop")
        self.record_button.setEnabled(True)
        # A photo now would be a countdown over the clip being filmed: after it.
        v.catalogue.capture_button.setEnabled(False)
        self.timer.start()
        self._tick()

    def _take_frame(self) -> None:
        if self.recording_since is None or self.encoder is None:
            return
        cur = self.visit.live_view.current()
        if cur is None or cur is self._last:
            return
        self._last = cur
        self.encoder.feed(cur.frame.image, cur.frame.captured_at)

    def _tick(self) -> None:
        if self.recording_since is not None:
            held = time.monotonic() - self.recording_since
            if held >= MAX_S:
                self.stop()
                return
            self.visit.live_view.set_overlay(f"● REC  {held:.1f} s / {MAX_S:.0f} s")
            self.record_button.setEnabled(held >= MIN_S)
        elif self.encoder is not None and not self.encoder.is_alive():
            self._done(self.encoder)

    def stop(self) -> None:
        """Recording ends; the encoder finishes on its thread and _tick collects the result."""
        if self.recording_since is None or self.encoder is None:
            return
        self.recording_since = None
        self.encoder.finish()
        self.visit.catalogue.capture_button.setEnabled(True)
        self.visit.live_view.set_overlay("")
        self.record_button.setText("● Clip")
        self.record_button.setEnabled(False)
        if self.visit.state == State.CATALOGUE:
            self._say("Making the clip…")

    def _done(self, encoder: ClipEncoder) -> None:
        self.timer.stop()
        self.encoder = None
        self.record_button.setEnabled(True)
        clip, mine = encoder.clip, self.clip_visit is not None and self.clip_visit == self._visit_id()
        if not mine:                                 # the visit ended meanwhile: nothing to say
            if clip is not None:
                clip.path.unlink(missing_ok=True)
            self.clip_visit = None
            return
        if encoder.error is not None or clip is None:
            self._say(f"The clip could not be made: {encoder.error or 'nothing was recorded'}.")
            self.clip_visit = None
            return
        if clip.duration_s < 1.0:
            clip.path.unlink(missing_ok=True)
            self._say("No clip: the recording was too short.")
            self.clip_visit = None
            return
        self.clip = clip
        log.info("clip recorded: %.1f s, %d frames (%.1f fps, %d dropped), %.1f MB", clip.duration_s,
                 clip.frames, clip.fps, clip.dropped, clip.path.stat().st_size / 1e6)
        self.share_button.setText(f"▶ Share clip ({clip.duration_s:.0f} s)")
        self.share_button.show()
        self._say(f"Clip ready: {clip.duration_s:.1f} s.")

    # ---- sharing ----------------------------------------------------------------------------

    def share(self) -> None:
        """A share of the clip and one of its frames as the photo; then the usual share screen."""
        v, clip = self.visit, self.clip
        if clip is None or v.service.visit is None or self.clip_visit != self._visit_id():
            return
        try:
            share = v.sharing.make(clip.poster, self.piece, clip=clip.path)
        except (StoreError, OSError, ValueError) as e:
            why = plain(e) if isinstance(e, OSError) else str(e)      # an OSError names paths
            log.error("could not prepare the clip for sharing: %s", why)
            self._say(f"The clip could not be shared: {why}. Try again once there is room.")
            return
        self.clip, self.clip_visit = None, None      # the share has it now
        self.share_button.hide()
        v.to_share(share)          # the last photo stays what it was (the compare view shows it)

    def shutdown(self) -> None:
        self.timer.stop()
        if self.encoder is not None:
            self.encoder.finish()
            self.encoder.wait(5)
        self._forget_clip()
