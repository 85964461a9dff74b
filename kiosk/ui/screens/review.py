"""The captured photo: share it, keep trying on, or take another."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.screens.common import action_row, button, note, title


class ReviewScreen(QWidget):
    retake = Signal()
    keep = Signal()
    share = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(title("Your photo"))
        self.photo = QLabel()
        self.photo.setObjectName("photo")
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        lay.addWidget(self.photo, 1)
        self.info = note("")
        lay.addWidget(self.info)
        row, self.retake_button, self.share_button = action_row(("Take another", "retake"),
                                                                ("Share this photo", "share"))
        self.keep_button = button("Keep trying on", "keep", primary=False)
        row.insertWidget(1, self.keep_button)
        lay.addLayout(row)
        self.share_button.clicked.connect(self.share)
        self.retake_button.clicked.connect(self.retake)
        self.keep_button.clicked.connect(self.keep)
        self._pixmap: QPixmap | None = None

    def show_photo(self, jpeg: bytes, pieces: list[str], outfit: str = "", note: str = "") -> None:
        """pieces: the names of everything worn in the photo; outfit: the outfit's name when it
        is not the customer's own. How long the photo took is the log's business, not theirs."""
        pm = QPixmap()
        pm.loadFromData(jpeg, "JPG")
        self._pixmap = pm
        self.info.setText(caption(pieces, outfit, note))
        self._fit()

    def _fit(self) -> None:
        if self._pixmap is not None and not self._pixmap.isNull():
            self.photo.setPixmap(self._pixmap.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit()
        super().resizeEvent(event)


def caption(pieces: list[str], outfit: str = "", note: str = "") -> str:
    """"Temple Gold Jhumka and Kundan Gold Choker · Blue silk saree": every piece, in the order
    chosen, then the outfit and any note."""
    worn = (", ".join(pieces[:-1]) + " and " + pieces[-1]) if len(pieces) > 1 else "".join(pieces)
    return " · ".join(x for x in (worn or "No jewelry selected", outfit, note) if x)
