"""`kiosk app --tour DIR [--size WxH,...]`: every screen of a visit, in a realistic state, as PNGs.

Runs the real window on the configured source (the demo's sample video by default) with a
throw-away data directory, clicks through a visit like a seller would, saves one PNG per
screen and size and exits. Nothing is recorded in the kiosk's own database. Without a display
it renders offscreen.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop

from kiosk.catalog import cache
from kiosk.store.db import Database
from kiosk.ui.app import MainWindow, create_app
from kiosk.ui.camera_control import SourceOverride
from kiosk.ui.states import State


def _wait(seconds: float, until: Callable[[], bool] | None = None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if until is not None and until():
            return
        time.sleep(0.01)


GUEST = cache.Jeweler("vendor-9", "Meenakshi Gold House", "#8e2a2a", "INR", None)
GUEST_PIECES = {"jhumka_gold": ("Kemp Temple Jhumka", 42500.0), "choker_gold": ("Polki Choker", 158000.0),
                "drop_pearl": ("Basra Pearl Drops", 18900.0), "nath_gold": ("Marathi Pearl Nath", 9800.0)}


def _guest_jeweler(data_dir: Path) -> None:
    """A second jeweler in the tour's throw-away catalogue, as an import would leave it, so the
    jeweler picker and another brand's colours are part of the tour."""
    db = Database(data_dir)
    try:
        now = time.time()
        cache.save_jeweler(db, GUEST, source="commerce", now=now)
        for src, (name, price) in GUEST_PIECES.items():
            folder = cache.BUNDLED / src
            m = json.loads((folder / "manifest.json").read_text())
            new = cache.NewPiece(f"v9-{src}", GUEST.id, name, m["category"], price, float(m["width_mm"]),
                                 (int(m["anchor"][0]), int(m["anchor"][1])), m.get("style", ""))
            cache.save_piece(db, new, (folder / m["image"]).read_bytes(), source="commerce", now=now)
    finally:
        db.close()


def offscreen_without_display() -> bool:
    """Screenshots need no screen: with no platform chosen and no X or Wayland display, Qt's
    default (xcb) would abort the process; use the offscreen platform and say so."""
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return False
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    print("kiosk app --tour: no display found, rendering offscreen", file=sys.stderr)
    return True


def tour(out_dir: Path, sizes: list[tuple[int, int]], config_path: Path | None, demo: bool,
         override: SourceOverride | None = None,
         on_clip: Callable[[str], object] | None = None) -> list[Path]:
    """The screenshots of every size, in order. `on_clip` is given the recorded clip's share
    page address while the tour's share server still serves it (the tests play it)."""
    offscreen_without_display()
    out_dir.mkdir(parents=True, exist_ok=True)
    # The application first: should Qt abort for want of a display, no temp dir is left behind.
    app = create_app()
    saved: list[Path] = []
    for size in sizes:
        tmp = tempfile.mkdtemp(prefix="kiosk-tour-")
        try:
            saved += _tour_one(app, Path(tmp), out_dir, size, config_path, demo, override, on_clip)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return saved


def _tour_one(app: QCoreApplication, tmp: Path, out_dir: Path, size: tuple[int, int],
              config_path: Path | None, demo: bool, override: SourceOverride | None,
              on_clip: Callable[[str], object] | None) -> list[Path]:
    os.environ["KIOSK_STORE__DATA_DIR"] = str(tmp)
    os.environ["KIOSK_UI__SHOW_FPS"] = "false"
    os.environ["KIOSK_SHARE__LAN_PORT"] = "0"     # never the port of a kiosk running here
    _guest_jeweler(tmp)
    win = MainWindow(config_path, demo, override)
    win.resize(*size)
    win.load_and_start()
    win.show()
    saved: list[Path] = []
    tag = f"{size[0]}x{size[1]}"

    def shot(name: str, settle_s: float = 0.6) -> None:
        _wait(settle_s)
        path = out_dir / f"{len(saved) + 1:02d}-{name}-{tag}.png"
        win.grab().save(str(path), "PNG")
        saved.append(path)

    try:
        _wait(20, lambda: win.live_view.painted > 10)
        v = win.visit
        if v is None:                 # config or asset problem: show what the technician sees
            shot("technician")
            return saved
        shot("attract", 2.0)          # the framing glides onto the face
        v.to_start()
        if v.state == State.SELLER:
            shot("seller")
            first = win.cfg.sellers[0] if win.cfg is not None else None
            if first is not None:
                v.seller_screen._choose(first.id)
                for key in "1234":
                    v.seller_screen.pin.press(key)
                shot("pin")
                v.seller_screen.reset()
                v.sign_in(first.id, first.name)
        if v.state == State.JEWELER:
            shot("jeweler")
            v.jewelers.choose(v.brands.all[0].id)
        s = v.start_screen
        s.name.setText("Priya Sharma")
        s.phone.setText("98123 45678")
        s.email.setText("priya@example.com")
        s.consent.setChecked(True)
        shot("start")
        s.start.click()
        for pid in ("jhumka_gold", "choker_gold"):
            v.catalogue.tiles[pid].click() if pid in v.catalogue.tiles else None
            v.catalogue.show_category("necklace")
        v.catalogue.show_category("earring")
        shot("catalogue", 1.5)
        v.assist.tools.closeup.click()
        shot("closeup", 1.5)
        v.assist.tools.closeup.click()
        if v.cloud is not None:
            v.to_cloud()
            _wait(3, lambda: v.cloud is not None and bool(v.cloud.screen.error.text()
                                                           or v.cloud.screen.available))
            shot("cloud")
            v.leave_cloud()
        v.take_photo()
        v.review.keep.emit()
        v.choose_attire("saree_red_silk")
        v.catalogue.show_category("set")
        shot("outfit", 1.5)
        v.assist.tools.compare.click()
        shot("compare", 1.0)
        v.assist.tools.compare.click()
        v.take_photo()
        shot("review")
        v.review.share.emit()
        v.share_screen.update_view()
        shot("share")
        v.close_share()
        # A try-on clip: the countdown, recording (it stops itself at its longest), then shared
        # like the photo; its QR page plays it.
        v.clip.record_button.click()
        _wait(10, lambda: v.clip.recording_since is not None)
        _wait(1.5)
        shot("recording", 0.0)
        _wait(20, lambda: v.clip.clip is not None)
        if v.clip.clip is not None:
            v.clip.share_button.click()
            v.share_screen.update_view()
            shot("clipshare")
            if on_clip is not None:
                on_clip(v.share_screen.current_url)
            v.close_share()
        v.to_end()
        e = v.end_screen
        e.sale.click()
        for b in e.item_buttons.values():
            b.click()
            break
        shot("end")
        e.no_sale.click()
        e.finish.click()
        v.to_forget()
        v.forget_screen.phone.setText("98123 45678")
        v.forget_screen.delete.click()                # the first tap asks to confirm
        shot("forget")
        if v.technician is not None:
            v.to_technician()
            v.technician.pages.setCurrentIndex(1)     # the tour knows no PIN; show the page
            v.technician.refresh()
            shot("technician")
            if v.technician.camera is not None:
                v.technician._to_camera()
                v.technician.camera.run_test()        # the camera in use: live figures
                shot("camera")
    finally:
        win.close()
        app.processEvents()
        os.environ.pop("KIOSK_STORE__DATA_DIR", None)
        os.environ.pop("KIOSK_UI__SHOW_FPS", None)
        os.environ.pop("KIOSK_SHARE__LAN_PORT", None)
    return saved
