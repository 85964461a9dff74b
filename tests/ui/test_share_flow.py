"""Sharing from the app: the QR code on screen (decoded from a screenshot), its LAN page while
offline, the cloud page after the upload, and a WhatsApp send that reaches the devcloud."""

from __future__ import annotations

from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk import config
from kiosk.ui.app import MainWindow
from kiosk.ui.screens.share import ShareScreen
from sync import daemon
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud
from tests.helpers.sync import drain_until_empty
from tests.helpers.ui import click, decode_qr, launch


@pytest.fixture
def sharing(qtbot: QtBot, make_config: Any, cloud: LiveCloud) -> MainWindow:
    path = make_config(events_url=cloud.url, person_url=cloud.person_url)
    path.write_text(path.read_text() + f"""
[share]
messaging_url = "{cloud.url}"
messaging_email = "{EMAIL}"
messaging_password = "{PASSWORD}"
messaging_project_id = "p1"
wifi_name = "Store-Guest"
""")
    return launch(qtbot, path)




@pytest.mark.slow
def test_qr_on_screen_opens_the_photo_and_whatsapp_reaches_the_cloud(
        qtbot: QtBot, sharing: MainWindow, cloud: LiveCloud) -> None:
    v = sharing.visit
    assert v is not None and sharing.cfg is not None
    v.to_start()
    v.start_screen.name.setText("Priya")
    v.start_screen.phone.setText("98123 45678")
    click(qtbot, v.start_screen.start)
    click(qtbot, v.catalogue.tiles["jhumka_gold"])
    v.take_photo()
    assert v.state == "review"
    click(qtbot, v.review.share_button)
    assert v.state == "share"
    s = v.share_screen
    assert s.phone.text() == "+919812345678"                    # the customer's number, prefilled
    qtbot.wait(300)
    offline_url = decode_qr(sharing)                             # no daemon yet: the kiosk's LAN page
    assert "/s/" in offline_url and "Store-Guest" in s.qr_note.text()
    page = httpx.get(offline_url)
    assert page.status_code == 200 and "only inside the store" in page.text
    assert "Temple Gold Jhumka" in page.text
    photo = httpx.get(offline_url + "/photo.jpg")
    assert photo.status_code == 200
    assert cv2.imdecode(np.frombuffer(photo.content, np.uint8), cv2.IMREAD_COLOR) is not None
    s.phone.setText("98123")
    click(qtbot, s.whatsapp)
    assert "WhatsApp number" in s.error.text()                   # validated before queueing
    s.phone.setText("98123 45678")
    click(qtbot, s.whatsapp)
    s.update_view()
    assert s.list.itemAt(0).widget().text().endswith("queued")  # type: ignore[union-attr]
    # The sync daemon runs: photo uploaded, message sent, image.shared recorded and delivered.
    cfg = config.load(sharing.config_path)
    clients = daemon.Clients(cfg)
    syncer = daemon.make_syncer(cfg, sharing.store, clients)  # type: ignore[arg-type]
    try:
        drain_until_empty(sharing.store, syncer, 20)  # type: ignore[arg-type]
    finally:
        syncer.close()
        clients.close()
    s.update_view()
    qtbot.wait(300)
    assert s.list.itemAt(0).widget().text().endswith("sent ✓")  # type: ignore[union-attr]
    online_url = decode_qr(sharing)
    assert online_url.startswith(cloud.url + "/s/")
    assert online_url.split("/s/")[1] == offline_url.split("/s/")[1]        # the same token
    page = httpx.get(online_url)
    assert page.status_code == 200 and "Temple Gold Jhumka" in page.text and "only inside" not in page.text
    [msg] = cloud.app.state.db.messages()
    assert msg["recipient"]["phone"] == "+919812345678" and online_url in msg["content"]
    [ev] = [e["payload"] for e in cloud.events() if e["event_type"] == "image.shared"]
    assert ev["share_status"] == "sent" and ev["channel"] == "whatsapp" and ev["jewelry_id"] == "jhumka_gold"
    assert ev["message_sid"] == msg["message_sid"]
    click(qtbot, s.done_button)
    assert v.state == "catalogue"


@pytest.mark.parametrize(("whatsapp", "email"), [(True, True), (False, True), (True, False), (False, False)])
def test_share_screen_offers_only_the_channels_that_are_set_up(qtbot: QtBot, whatsapp: bool,
                                                               email: bool) -> None:
    screen = ShareScreen("+91", whatsapp, email, "Store-Guest")
    qtbot.addWidget(screen)
    assert screen.whatsapp.isVisibleTo(screen) == whatsapp and screen.phone.isVisibleTo(screen) == whatsapp
    assert screen.email_button.isVisibleTo(screen) == email and screen.email.isVisibleTo(screen) == email
    texts = [w.text() for w in screen.findChildren(QLabel)]
    assert any("not set up on this kiosk" in t for t in texts) == (not whatsapp and not email)
