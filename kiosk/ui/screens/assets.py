"""Add a piece from a product photo, on the touchscreen (behind the technician PIN).

Photos are picked from the incoming folder (``<data_dir>/incoming``) and USB sticks mounted
under /media. The cut-out and the face preview run on one worker thread (a MediaPipe graph must
never run in two threads at once); the screen only shows results. Staff drag the hook point
on the cut-out and see the piece worn on the sample video's face before saving.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import paths
from kiosk.catalog import cache
from kiosk.catalog.pieces import CATEGORIES, WIDTH_MM, AssetError, Catalog
from kiosk.catalog.prepare import Prepared, PrepareError, decode, prepare
from kiosk.store.db import Database, StoreError
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.qimage import wrap_bgr
from kiosk.ui.screens.common import action_row, button, clear, note, title

IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".glb")     # a .glb: a 3D piece (kiosk/catalog/model3d.py)
MAX_PHOTOS = 12


def incoming_photos(data_dir: Path, media: Path = Path("/media")) -> list[Path]:
    roots = [data_dir / "incoming"] + ([p for p in media.glob("*") if p.is_dir()] if media.is_dir() else [])
    found: list[Path] = []
    for root in roots:
        try:
            found += [p for p in root.iterdir() if p.suffix.lower() in IMAGE_TYPES and p.is_file()]
        except OSError:
            continue
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_PHOTOS]


def to_pixmap(bgr: np.ndarray[Any, Any]) -> QPixmap:
    img = np.ascontiguousarray(bgr)
    return QPixmap.fromImage(wrap_bgr(img).copy())      # copy: the buffer goes away


class _Results(QObject):
    prepared = Signal(object)        # Prepared or str (error)
    previewed = Signal(object)       # BGR image or str


class _Worker:
    """One thread for the cut-out and the face preview, latest request wins."""

    def __init__(self, results: _Results) -> None:
        self.results = results
        self.jobs: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="asset-tool", daemon=True)
        self.thread.start()

    def submit(self, kind: str, arg: Any) -> None:
        self.jobs.put((kind, arg))

    def stop(self, wait_s: float = 10.0) -> None:
        """Cooperative stop; waits so no result arrives for a screen that is gone."""
        self.jobs.put(None)
        self.thread.join(wait_s)

    def _run(self) -> None:
        tracker: Any = None
        face: Any = None
        try:
            while True:
                jobs = [self.jobs.get()]
                while not self.jobs.empty():
                    jobs.append(self.jobs.get_nowait())
                if None in jobs:
                    return
                latest: dict[str, Any] = {}
                for job in jobs:                   # only the newest request of each kind matters
                    assert job is not None
                    latest[job[0]] = job[1]
                for kind, arg in latest.items():
                    tracker, face = self._do(kind, arg, tracker, face)
        finally:
            if tracker is not None:
                tracker.close()

    def _do(self, kind: str, arg: Any, tracker: Any, face: Any) -> tuple[Any, Any]:
        if kind == "prepare":
            path, category = arg
            try:
                if Path(path).suffix.lower() == ".glb":
                    self.results.prepared.emit(_model_draft(Path(path), category))
                else:
                    self.results.prepared.emit(prepare(decode(Path(path).read_bytes()), category))
            except (OSError, PrepareError, AssetError) as e:
                self.results.prepared.emit(f"{Path(path).name}: {getattr(e, 'strerror', None) or e}")
            return tracker, face
        from kiosk.capture.sources import first_frame
        from kiosk.track.mediapipe_tracker import MediaPipeTracker
        from kiosk.tryon.still import render

        if tracker is None:                 # kept across previews: its graphs load once
            tracker = MediaPipeTracker(static=True)
            face = first_frame(paths.SAMPLE_VIDEO)
        try:
            worn = render(face.copy(), Catalog({arg.id: arg}), [arg.id], tracker=tracker)
            self.results.previewed.emit(worn.image)
        except (AssetError, cv2.error) as e:
            self.results.previewed.emit(f"No preview: {e}")
        return tracker, face


class AnchorCanvas(QLabel):
    """The cut-out on a dark ground with the hook point; tap or drag to move the hook."""

    moved = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("asset_canvas")
        self.setMinimumSize(260, 260)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: #2a2623; border-radius: 10px;")
        self.rgba: np.ndarray[Any, Any] | None = None
        self.anchor = (0, 0)

    def show_piece(self, rgba: np.ndarray[Any, Any], anchor: tuple[int, int]) -> None:
        self.rgba, self.anchor = rgba, anchor
        self._paint()

    def _scale(self) -> tuple[float, int, int]:
        assert self.rgba is not None
        h, w = self.rgba.shape[:2]
        s = min((self.width() - 20) / w, (self.height() - 20) / h)
        return s, int((self.width() - w * s) / 2), int((self.height() - h * s) / 2)

    def _paint(self) -> None:
        if self.rgba is None:
            return
        a = self.rgba[:, :, 3:4].astype(np.float32) / 255
        ground = np.empty_like(self.rgba[:, :, :3])
        ground[:] = (35, 38, 42)
        bgr = (a * self.rgba[:, :, :3] + (1 - a) * ground).astype(np.uint8)
        s, _, _ = self._scale()
        pm = to_pixmap(cv2.resize(bgr, None, fx=s, fy=s, interpolation=cv2.INTER_AREA))
        p = QPainter(pm)
        p.setPen(QPen(QColor("#ff4d6d"), 3))
        x, y = int(self.anchor[0] * s), int(self.anchor[1] * s)
        p.drawLine(x - 14, y, x + 14, y)
        p.drawLine(x, y - 14, x, y + 14)
        p.end()
        self.setPixmap(pm)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self._move(e.position().toPoint())

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        self._move(e.position().toPoint())

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self.rgba is not None:
            self.moved.emit(*self.anchor)

    def _move(self, at: QPoint) -> None:
        if self.rgba is None:
            return
        s, ox, oy = self._scale()
        h, w = self.rgba.shape[:2]
        self.anchor = (min(w, max(0, round((at.x() - ox) / s))), min(h, max(0, round((at.y() - oy) / s))))
        self._paint()


@dataclass
class _Draft:
    photo: Path
    prep: Prepared | None
    model: bytes | None = None      # a 3D piece's .glb


@dataclass(frozen=True)
class _ModelPrep:
    prep: Prepared
    glb: bytes


def _model_draft(path: Path, category: str) -> _ModelPrep:
    """A .glb, checked and its sprite rendered (on the worker: the renderer's context is its)."""
    from kiosk.catalog.model3d import prepare_model

    made = prepare_model(path, category)
    rgba = decode(made.png)
    return _ModelPrep(Prepared(rgba, made.anchor, made.model_width_mm, True, (0, 0)), made.glb)


class AssetScreen(QWidget):
    closed = Signal()

    def __init__(self, db: Database, jeweler_id: str, parent: QWidget | None = None,
                 photos: Callable[[], list[Path]] | None = None) -> None:
        super().__init__(parent)
        self.db, self.data_dir, self.jeweler_id = db, db.data_dir, jeweler_id
        self.photos = photos or (lambda: incoming_photos(db.data_dir))
        self.results = _Results()             # connected while the worker runs (open → shutdown)
        self.worker: _Worker | None = None
        self.draft: _Draft | None = None
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(title("Add a piece"))
        self.photo_hint = note("")
        left.addWidget(self.photo_hint)
        self.photo_grid = QGridLayout()
        left.addLayout(self.photo_grid)
        self.canvas = AnchorCanvas()
        self.canvas.moved.connect(lambda _x, _y: self._request_preview())
        left.addWidget(self.canvas, 1)
        left.addWidget(note("Tap or drag on the piece to place its hook (red cross).", name="fine"))
        outer.addLayout(left, 1)
        right = QVBoxLayout()
        self.keyboard = Keyboard()
        self.name = self.keyboard.field("Name, e.g. Kemp Temple Jhumka", "asset_name")
        right.addWidget(self.name)
        cats = QHBoxLayout()
        self.category_group = QButtonGroup(self)
        for c in CATEGORIES:
            b = button(c.replace("_", " ").capitalize(), f"asset_cat_{c}", primary=False, checkable=True)
            self.category_group.addButton(b)
            cats.addWidget(b)
        self.category_group.buttons()[0].setChecked(True)
        self.category_group.buttonClicked.connect(lambda _b: self._reprepare())
        right.addLayout(cats)
        nums = QHBoxLayout()
        self.price = self.keyboard.field("Price", "asset_price")
        self.width_mm = self.keyboard.field("Real width in mm", "asset_width")
        self.width_mm.editingFinished.connect(self._request_preview)
        nums.addWidget(self.price)
        nums.addWidget(self.width_mm)
        right.addLayout(nums)
        self.preview = QLabel()
        self.preview.setObjectName("asset_preview")
        self.preview.setMinimumHeight(200)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.preview, 1)
        self.message = note("", name="error")
        right.addWidget(self.message)
        right.addWidget(self.keyboard)
        row, self.back, self.save = action_row(("Back", "asset_back"), ("Save piece", "asset_save"))
        right.addLayout(row)
        outer.addLayout(right, 1)
        self.back.clicked.connect(self.close_screen)
        self.save.clicked.connect(self._save)

    # ---- flow -----------------------------------------------------------------------------

    def open(self) -> None:
        if self.worker is None:
            self.results.prepared.connect(self._on_prepared)
            self.results.previewed.connect(self._on_preview)
            self.worker = _Worker(self.results)
        self.draft = None
        self.canvas.rgba = None
        self.canvas.clear()
        self.preview.clear()
        self.message.setText("")
        for w in (self.name, self.price, self.width_mm):
            w.clear()
        clear(self.photo_grid)
        found = self.photos()
        self.photo_hint.setText("Tap a product photo (shot on a plain background):" if found else
                                f"No photos yet: copy them to {self.data_dir / 'incoming'} "
                                "or plug in a USB stick.")
        for i, p in enumerate(found):
            b = button(p.name[:22], f"asset_photo_{i}", primary=False)
            b.clicked.connect(lambda _=False, path=p: self.pick(path))
            self.photo_grid.addWidget(b, i // 3, i % 3)

    def close_screen(self) -> None:
        self.closed.emit()

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
            for sig in (self.results.prepared, self.results.previewed):
                sig.disconnect()

    def category(self) -> str:
        b = self.category_group.checkedButton()
        return b.objectName().removeprefix("asset_cat_") if b is not None else CATEGORIES[0]

    def pick(self, photo: Path) -> None:
        self.draft = _Draft(photo, None)        # the cut-out arrives in _on_prepared
        self.message.setText(f"Cutting out {photo.name}…")
        self._reprepare()

    def _reprepare(self) -> None:
        if self.draft is not None and self.worker is not None:
            self.worker.submit("prepare", (self.draft.photo, self.category()))

    def _on_prepared(self, got: object) -> None:
        if self.draft is None:
            return
        if isinstance(got, str):
            self.message.setText(got)
            return
        if isinstance(got, _ModelPrep):
            self.draft.model = got.glb
            assert got.prep.width_mm is not None
            self.width_mm.setText(f"{got.prep.width_mm:.1f}")     # the model's own size
            got = got.prep
        assert isinstance(got, Prepared)
        self.draft.prep = got
        self.canvas.show_piece(got.rgba, got.anchor)
        self.message.setText("" if got.plain_background else
                             "The background is not plain: check the edges in the preview.")
        if got.width_mm is None and not self.width_mm.text():
            self.width_mm.setText(f"{sum(WIDTH_MM[self.category()]) / 2:g}")
        self._request_preview()

    def _piece(self, pid: str) -> tuple[cache.NewPiece, bytes] | None:
        """The piece as the form says, or None after telling the seller what is missing."""
        d = self.draft
        if d is None or d.prep is None:
            self.message.setText("Pick a photo first.")
            return None
        try:
            mm = float(self.width_mm.text().replace(",", "."))
        except ValueError:
            self.message.setText("Give the piece's real width in mm, e.g. 24.")
            return None
        price_text = self.price.text().replace(",", "").strip()
        try:
            price = float(price_text) if price_text else None
        except ValueError:
            self.message.setText("The price should be a number, e.g. 42500.")
            return None
        try:
            return cache.new_piece(d.prep, pid=pid, jeweler_id=self.jeweler_id,
                                   name=self.name.text().strip() or d.photo.stem, category=self.category(),
                                   price=price, piece_mm=mm, anchor=self.canvas.anchor)
        except AssetError as e:
            self.message.setText(str(e))
            return None

    def _request_preview(self) -> None:
        if self.worker is None or self.draft is None or self.draft.prep is None:
            return
        got = self._piece("preview")
        if got is None:
            return
        folder = self.data_dir / "catalog" / "tmp" / "preview"
        try:
            piece = cache.write_piece_files(folder, *got, source="preview", model=self.draft.model)
            for old in folder.glob("piece-*.png"):         # earlier previews (already in memory)
                if old.name not in piece.files.values():
                    old.unlink()
        except (OSError, AssetError) as e:
            self.message.setText(f"No preview: {e}")
            return
        self.worker.submit("preview", piece)

    def _on_preview(self, got: object) -> None:
        if isinstance(got, str):
            self.message.setText(got)
            return
        img = np.asarray(got)
        h, w = img.shape[:2]
        crop = img[h // 8: h * 7 // 8, w // 5: w * 4 // 5]     # the face, not the room
        pm = to_pixmap(np.ascontiguousarray(crop))
        self.preview.setPixmap(pm.scaled(self.preview.width(), self.preview.height(),
                                         Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))

    def _save(self) -> None:
        try:
            wanted = f"{self.jeweler_id}_{self.name.text().strip() or 'piece'}"
            pid = cache.unique_id(self.db, cache.slug(wanted))
            got = self._piece(pid)
            if got is None:
                return
            new, png = got
            model = self.draft.model if self.draft is not None else None
            cache.save_piece(self.db, new, png, source="staff", now=time.time(), model=model)
        except (StoreError, AssetError, OSError) as e:
            self.message.setText(f"Not saved: {e}")
            return
        self.message.setText(f"Saved “{new.name}”: it is in the catalogue now.")
