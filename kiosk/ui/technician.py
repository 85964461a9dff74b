"""The technician's config screen: exactly which key is wrong, and a button to check again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Problem


class ConfigProblemScreen(QWidget):
    def __init__(self, on_recheck: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_recheck = on_recheck
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 40, 48, 40)
        outer.setSpacing(16)
        title = QLabel("This kiosk needs a technician")
        title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(self.subtitle)
        self._list_host = QWidget()
        self._list = QVBoxLayout(self._list_host)
        self._list.setSpacing(10)
        self._list.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list_host)
        outer.addWidget(scroll, 1)
        self.hint = QLabel()
        self.hint.setObjectName("mono")
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.recheck = QPushButton("Check again")
        self.recheck.clicked.connect(self._on_recheck)
        row.addWidget(self.recheck)
        outer.addLayout(row)
        self.problem_labels: list[tuple[QLabel, QLabel]] = []

    def show_problems(self, path: Path | None, problems: list[Problem]) -> None:
        while self._list.count() > 1:
            item = self._list.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.problem_labels.clear()
        n = len(problems)
        self.subtitle.setText(
            f"The configuration file has {n} problem{'s' if n != 1 else ''}. "
            "The try-on cannot start until it is fixed. Customers: please ask a member of staff.")
        for i, prob in enumerate(problems):
            box = QFrame()
            box.setObjectName("problem")
            lay = QVBoxLayout(box)
            lay.setContentsMargins(16, 10, 16, 10)
            key = QLabel(prob.key)
            key.setObjectName("problemKey")
            msg = QLabel(prob.message)
            msg.setObjectName("problemMsg")
            msg.setWordWrap(True)
            lay.addWidget(key)
            lay.addWidget(msg)
            self._list.insertWidget(i, box)
            self.problem_labels.append((key, msg))
        where = str(path) if path else "the configuration file"
        self.hint.setText(f"File: {where}\nCheck from a shell:  kiosk config check {where}\n"
                          "Keys can also be set by environment: KIOSK_<SECTION>__<KEY>")
