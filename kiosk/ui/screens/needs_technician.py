"""The screens shown instead of the try-on when the kiosk needs a technician: a config that does
not load, a restart loop (safe mode). The technician's own screen, behind a PIN, is technician.py."""

from __future__ import annotations

import time
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


def _needs_technician(screen: QWidget) -> tuple[QVBoxLayout, QLabel]:
    """The heading both technician screens open with; returns the layout and the subtitle."""
    outer = QVBoxLayout(screen)
    outer.setContentsMargins(48, 40, 48, 40)
    outer.setSpacing(16)
    title = QLabel("This kiosk needs a technician")
    title.setObjectName("title")
    subtitle = QLabel()
    subtitle.setObjectName("subtitle")
    subtitle.setWordWrap(True)
    outer.addWidget(title)
    outer.addWidget(subtitle)
    return outer, subtitle


class ConfigProblemScreen(QWidget):
    def __init__(self, on_recheck: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_recheck = on_recheck
        outer, self.subtitle = _needs_technician(self)
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


class SafeModeScreen(QWidget):
    """After a restart loop: the camera and try-on stay off until someone decides otherwise.

    A kiosk that crashes every minute in front of customers is worse than one that says
    plainly that it needs a technician; the systemd unit keeps restarting the app (no start
    limit), and it is the app that chooses to stop here."""

    def __init__(self, on_start_normally: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer, self.subtitle = _needs_technician(self)
        self.detail = QLabel()
        self.detail.setObjectName("mono")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.detail, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_normally = QPushButton("Start normally")
        self.start_normally.clicked.connect(on_start_normally)
        row.addWidget(self.start_normally)
        outer.addLayout(row)

    def show_loop(self, starts: list[float], window_min: float, report: list[tuple[str, str]]) -> None:
        self.subtitle.setText(
            f"The app restarted {len(starts)} times in the last {window_min:.0f} minutes, so it has stopped "
            "the camera and the try-on to stop the restarts. Customers: please ask a member of staff.")
        times = ", ".join(time.strftime("%H:%M:%S", time.localtime(t)) for t in starts)
        lines = [f"Starts: {times}", "What happened:  journalctl -u kiosk-app -n 200",
                 "Checks:  kiosk doctor    Status:  kiosk status", ""]
        lines += [f"{k}: {v}" for k, v in report]
        self.detail.setText("\n".join(lines))
