"""The devcloud's HQ page, as a jeweler at HQ reads it (headless Chromium at a desktop size):
totals and conversion per store, seller and jeweler, sessions and sales per day, money with
its currency, QR shares counted, faults in words and only when on."""

from __future__ import annotations

import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import httpx
import numpy as np
import pytest

from kiosk.store import shares
from sync.devcloud import hq
from sync.devcloud.faults import Faults
from tests import chromium
from tests.helpers.cloud import LiveCloud

JPEG = b"\xff\xd8\xff\xe0" + bytes(300)
DAY = 86400.0


class Tables(HTMLParser):
    """Each table of the page as its header (the h2 before it) and rows of cell texts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._h2, self._title = False, ""
        self._rows: list[list[str]] = []
        self._cell: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._h2, self._title = True, ""
        elif tag == "table":
            self._rows = self.tables.setdefault(self._title, [])
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._h2 = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._h2:
            self._title += data
        elif self._cell is not None:
            self._cell += data


class Kiosk:
    """Posts one visit's seed-000 events the way the sync daemon does."""

    def __init__(self, cloud: LiveCloud, http: httpx.Client) -> None:
        self.cloud, self.http = cloud, http

    def event(self, sid: str, store: str, seller: str, kind: str, payload: dict[str, object]) -> None:
        r = self.http.post(self.cloud.url + "/v1/events", json={
            "event_type": kind, "session_id": sid, "store_id": store, "seller_id": seller,
            "device_id": "ipad_1", "payload": payload})
        assert r.status_code == 200, r.text

    def photo(self, sid: str, currency: str, jeweler: str) -> dict[str, str]:
        r = self.http.post(self.cloud.url + "/v1/images", files={"image": ("p.jpg", JPEG, "image/jpeg")},
                           data={"token": shares.new_token(), "expires_at": str(time.time() + DAY),
                                 "jeweler_name": jeweler, "jewelry_name": "Kundan Gold Choker",
                                 "price": "145000", "currency": currency, "session_id": sid})
        assert r.status_code == 201, r.text
        answer: dict[str, str] = r.json()
        return answer

    def visit(self, store: str, seller: str, jeweler: str, currency: str, *, days_ago: float,
              sale: float = 0.0, whatsapp: bool = False, qr: bool = False) -> str:
        sid = str(uuid.uuid4())
        self.event(sid, store, seller, "session.started", {
            "customer_name": "Jane", "customer_phone": "", "customer_email": "",
            "jeweler_id": jeweler.lower(), "jeweler_name": jeweler})
        self.event(sid, store, seller, "jewelry.selected", {
            "jewelry_id": "choker_gold", "jewelry_name": "Kundan Gold Choker", "jewelry_category": "necklace",
            "price": 145000.0})
        self.event(sid, store, seller, "image.generated", {
            "jewelry_id": "choker_gold", "jewelry_name": "Kundan Gold Choker", "attire_id": "original",
            "attire_name": "Original", "generation_time_ms": 240})
        if whatsapp or qr:
            got = self.photo(sid, currency, jeweler)
            # The customer opens the page: from the WhatsApp message, or by scanning the QR code.
            assert self.http.get(got["page_url"]).status_code == 200
            if whatsapp:
                self.event(sid, store, seller, "image.shared", {
                    "channel": "whatsapp", "destination": "+919812345678", "jewelry_id": "choker_gold",
                    "jewelry_name": "Kundan Gold Choker", "jeweler_id": jeweler.lower(),
                    "jeweler_name": jeweler, "share_status": "sent", "message_sid": "SM1",
                    "image_url": got["image_url"]})
        self.event(sid, store, seller, "session.ended", {
            "duration_seconds": 600, "items_tried": 1, "items_shared": int(whatsapp), "sale_made": bool(sale),
            "sale_amount": sale, "purchased_items": ["choker_gold"] if sale else [], "notes": ""})
        # As if the visit had arrived that many days ago (the API stamps the time of arrival).
        db = self.cloud.app.state.db
        with db.lock:
            db.conn.execute("UPDATE events SET received_at = received_at - ? WHERE session_id = ?",
                            (days_ago * DAY, sid))
        return sid


@pytest.fixture
def hq_page(cloud: LiveCloud) -> str:
    with httpx.Client(timeout=10) as http:
        k = Kiosk(cloud, http)
        k.visit("store_1", "seller_1", "Abharana", "INR", days_ago=5, sale=145000.0, whatsapp=True)
        k.visit("store_1", "seller_1", "Abharana", "INR", days_ago=2, qr=True)
        k.visit("store_1", "seller_2", "Abharana", "INR", days_ago=2, sale=38900.0, qr=True)
        k.visit("store_1", "seller_2", "Abharana", "INR", days_ago=0)
        k.visit("store_2", "seller_9", "Zari House", "AED", days_ago=0, sale=12500.0, qr=True)
        k.visit("store_2", "seller_9", "Zari House", "AED", days_ago=0)
        return http.get(cloud.url + "/").text


@pytest.mark.slow
def test_hq_totals_per_store_seller_and_jeweler_with_currency_and_qr_shares(hq_page: str) -> None:
    t = Tables(hq_page).tables
    head = ["sessions", "sales", "conversion", "revenue", "photos", "shared (QR)"]
    assert t["Per store"][0][1:] == head
    assert t["Per store"][1:] == [["store_1", "4", "2", "50%", "INR 183,900", "4", "3 (2)"],
                                  ["store_2", "2", "1", "50%", "AED 12,500", "2", "1 (1)"]]
    assert t["Per seller"][1:] == [["store_1 / seller_1", "2", "1", "50%", "INR 145,000", "2", "2 (1)"],
                                   ["store_1 / seller_2", "2", "1", "50%", "INR 38,900", "2", "1 (1)"],
                                   ["store_2 / seller_9", "2", "1", "50%", "AED 12,500", "2", "1 (1)"]]
    assert t["Per jeweler"][1:] == [["Abharana", "4", "2", "50%", "INR 183,900", "4", "3 (2)"],
                                    ["Zari House", "2", "1", "50%", "AED 12,500", "2", "1 (1)"]]
    # The WhatsApp photo was opened from the message: a send, not also a QR share.
    assert t["Funnel per piece"][1][4] == "4"
    assert "AED 12,500 + INR 183,900" in hq_page and "sale INR 145,000" in hq_page
    # No fault is on: no banner (it printed "Faults on: {...}" for the defaults before).
    assert "Faults on" not in hq_page and "{" not in hq_page.split("</style>", 1)[1]


def test_hq_chart_has_sessions_and_sales_per_day() -> None:
    now = time.mktime((2026, 12, 1, 12, 0, 0, 0, 0, -1))
    sessions = [{"first": now - d * DAY, "ended": {"sale_made": sold}}
                for d, sold in ((0, True), (0, False), (2, True), (9, False))]
    days = hq.per_day(sessions, now)
    assert len(days) == 10 and days[-1] == ("2026-12-01", 2, 1) and days[-3] == ("2026-11-29", 1, 1)
    assert days[0] == ("2026-11-22", 1, 0) and sum(n for _, n, _ in days) == 4
    svg = hq.chart(days)
    assert svg.count("<rect") == 20 and "<title>2026-12-01: 2 sessions</title>" in svg
    # The scale ends at the busiest day: its bar is the plot's full height.
    assert "text-anchor='end'>2</text>" in svg and "text-anchor='end'>3</text>" not in svg
    assert "height='180.0' fill='#c9b79c'><title>2026-12-01: 2 sessions" in svg
    assert hq.per_day([], now)[-1] == ("2026-12-01", 0, 0) and len(hq.per_day([], now)) == 7


def test_faults_are_shown_in_words_only_when_on() -> None:
    assert hq.active_faults(Faults()) == [] and hq.active_faults(Faults(seed=7)) == []
    on = hq.active_faults(Faults(fail_rate=0.25, down=True, slow_ms=800))
    assert on == ["25% of API requests answer 500", "every API request waits 800 ms",
                  "the API is down (every request 503)"]
    page = hq.render([], {"events": 0, "event_repeats": 0, "event_duplicates": 0, "persons": 0},
                     Faults(fail_rate=0.25))
    assert "<b>Faults on:</b> 25% of API requests answer 500." in page and "fail_rate" not in page


@pytest.mark.slow
def test_hq_page_in_a_browser_at_desktop_size(cloud: LiveCloud, hq_page: str, tmp_path: Path) -> None:
    shot, dom = chromium.open_page(cloud.url + "/", tmp_path / "hq.png", size=chromium.DESKTOP, budget_ms=500)
    assert shot.size == chromium.DESKTOP
    px = np.asarray(shot, dtype=np.int16)
    bars = (np.abs(px - np.array([0x8a, 0x65, 0x08])).max(axis=2) < 12).sum()
    assert bars > 300, "the chart's sales bars are not drawn"
    chromium.save_for_readme(shot, "hq-page.png")
    assert "<h2>Sessions and sales per day</h2><svg" in dom and "<h2>Per jeweler</h2>" in dom
