"""The visit's states: which page the panel shows (kiosk.ui.visit_screen), and how much of the
window each leaves the mirror (kiosk.ui.mirror)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The page of the panel (attract: the mirror alone). A str, so `state == "review"` reads."""

    ATTRACT = "attract"
    SELLER = "seller"
    JEWELER = "jeweler"
    START = "start"
    FORGET = "forget"
    CATALOGUE = "catalogue"
    CLOUD = "cloud"
    REVIEW = "review"
    SHARE = "share"
    END = "end"
    TECHNICIAN = "technician"
