"""What the technician reads about this kiosk: the report on the technician screen (behind its
PIN) and on the safe-mode screen, and the frame figures drawn over the mirror with show_fps."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from kiosk import __version__
from kiosk import config as config_mod
from kiosk.ops import health
from kiosk.store import EventStore, StoreError
from kiosk.tryon.stage import TryOnStage
from kiosk.ui.camera_control import LiveCamera
from kiosk.ui.live_view import LiveView
from kiosk.ui.storage import StorageWatch
from kiosk.ui.visit_screen import VisitScreen


class Reported(Protocol):
    """What the report reads of the window; each part is None until it is built."""

    @property
    def config_path(self) -> Path | None: ...

    @property
    def demo(self) -> bool: ...

    @property
    def cfg(self) -> config_mod.KioskConfig | None: ...

    @property
    def visit(self) -> VisitScreen | None: ...

    @property
    def camera(self) -> LiveCamera | None: ...

    @property
    def tryon(self) -> TryOnStage | None: ...

    @property
    def store(self) -> EventStore | None: ...

    @property
    def storage(self) -> StorageWatch | None: ...


def report(win: Reported) -> list[tuple[str, str]]:
    """What the technician screen shows."""
    cfg = win.cfg
    rows: list[tuple[str, str]] = [("version", __version__)]
    if cfg is None:
        return rows
    rows += [("config", str(config_mod.resolve_path(win.config_path, win.demo))),
             ("store / device", f"{cfg.device.store_id} / {cfg.device.device_id}"),
             ("jeweler", f"{cfg.jeweler.name} ({cfg.jeweler.id})")]
    if win.visit is not None:
        rows.append(("seller", win.visit.service.ids.seller_id))
        if win.visit.brands.several:
            rows.append(("collections", ", ".join(b.name for b in win.visit.brands.all)))
    if win.camera is not None:
        rows += win.camera.report_rows()
    if win.tryon is not None:
        rows.append(("3D pieces", win.tryon.render_status()))
    if win.store is not None:
        rows += _outbox_rows(win.store)
    return rows + (win.storage.rows() if win.storage is not None else [])


def _outbox_rows(store: EventStore) -> list[tuple[str, str]]:
    try:
        s = store.status()
    except StoreError as e:
        return [("database", str(e))]
    kinds = ", ".join(f"{k} {v}" for k, v in s.pending.items())
    age = s.oldest_pending_age_s
    ok_at = s.last_success_at
    rows = [("pending events", f"{s.pending_total} ({kinds})"),
            ("oldest pending", f"{age:.0f} s" if age else "-"),
            ("last success", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ok_at)) if ok_at else "never"),
            ("last error", s.last_error or "-"),
            ("dead letters", str(s.dead))]
    rows += [(f"network ({service})", why) for service, why in s.blocked.items()]
    return rows + [(f"dead: {d['kind']}", d["error"] or "-") for d in s.dead_letters]


def status_rows(cfg: config_mod.KioskConfig) -> list[tuple[str, str]]:
    """What the safe screen adds: the events waiting and the disk (the usual report needs the
    visit screens, which safe mode does not build)."""
    rep = health.build(cfg)
    low = " (LOW)" if rep.disk.low else ""
    st = rep.outbox
    oldest = (st.oldest_pending_age_s or 0) if st else 0
    rows = [("pending events", f"{st.pending_total if st else 0} (oldest {oldest:.0f} s)"),
            ("data disk", f"{rep.disk.free_bytes / 1e9:.1f} GB free{low}")]
    rows += [("problem", p) for p in rep.problems if p.startswith(("data dir", "database"))]
    return rows + [("sync daemon", "running" if rep.processes["sync"].running else "NOT RUNNING")]


def refresh_stats(camera: LiveCamera | None, view: LiveView) -> None:
    """The frame figures over the mirror (shown with [ui] show_fps)."""
    if camera is not None and camera.live is not None:
        view.stats_text = camera.live.stats().overlay()
        if view.show_stats:
            view.update()
