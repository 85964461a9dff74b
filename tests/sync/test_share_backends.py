"""The other share backends: photos on an S3-compatible bucket, email over SMTP."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kiosk.config import ConfigError, KioskConfig
from kiosk.store import EventStore, shares
from tests.fakes.s3 import FakeS3
from tests.helpers.cloud import LiveCloud
from tests.helpers.shares import BUCKET, JPEG, new_share, run, s3_fields, send, shared_events

pytestmark = pytest.mark.slow     # shares through a fake S3 bucket and an SMTP inbox


def upload_rows(store: EventStore) -> list[dict[str, Any]]:
    rows = store.db.read("SELECT state, last_error FROM outbox WHERE kind = 'image.upload'")
    return [dict(r) for r in rows]


def test_s3_backend_puts_photo_and_page_and_the_presigned_links_open(
        s3: FakeS3, kiosk_config: Callable[..., KioskConfig]) -> None:
    cfg = kiosk_config(**s3_fields(s3, link_days=2))
    store = EventStore(cfg.store.data_dir)
    share = new_share(store, days=2)
    run(cfg, store)
    done = store.db.read("SELECT image_url, page_url FROM shares WHERE token = ?", (share.token,))[0]
    base = f"kiosk-shares/{share.token}/"
    assert set(s3.objects) == {base + "photo.jpg", base + "index.html"}
    assert s3.objects[base + "photo.jpg"][1]["content-type"] == "image/jpeg"
    for url in (done["image_url"], done["page_url"]):
        q = parse_qs(urlsplit(url).query)
        assert urlsplit(url).path.startswith(f"/{BUCKET}/kiosk-shares/{share.token}/")
        assert abs(int(q["X-Amz-Expires"][0]) - 2 * 86400) < 30        # runs out with the link
    with httpx.Client(timeout=10) as http:
        page = http.get(done["page_url"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Temple Gold Jhumka" in page.text and "Abharana" in page.text
        assert done["image_url"].replace("&", "&amp;") in page.text
        assert http.get(done["image_url"]).content == JPEG
        # Without the signature (or with another token) the bucket gives nothing away.
        assert http.get(done["image_url"].split("?")[0]).status_code == 403
        guess = done["page_url"].replace(share.token, share.token[:-2] + "xx")
        assert http.get(guess).status_code == 404


def test_s3_outage_retries_and_a_refusal_is_a_plain_dead_letter(
        s3: FakeS3, kiosk_config: Callable[..., KioskConfig]) -> None:
    cfg = kiosk_config(**s3_fields(s3))
    store = EventStore(cfg.store.data_dir)
    share = new_share(store)
    s3.fault = (503, "SlowDown")
    run(cfg, store, seconds=1.0)
    assert [r["state"] for r in upload_rows(store)] == ["pending"]
    assert "busy or failing (SlowDown" in upload_rows(store)[0]["last_error"]
    s3.fault = None
    run(cfg, store)
    assert store.db.read("SELECT page_url FROM shares WHERE token = ?", (share.token,))[0][0]

    wrong = kiosk_config(**s3_fields(s3, s3_access_key='"AKIDSOMEONEELSE"'))
    store2 = EventStore(wrong.store.data_dir)
    new_share(store2)
    run(wrong, store2)
    failed = [r for r in upload_rows(store2) if r["state"] == "dead"]
    assert failed and "does not know share.s3_access_key (InvalidAccessKeyId)" in failed[0]["last_error"]


def test_s3_config_mistakes_name_the_key(s3: FakeS3, kiosk_config: Callable[..., KioskConfig]) -> None:
    with pytest.raises(ConfigError) as no_bucket:
        kiosk_config(**(s3_fields(s3) | {"s3_bucket": '""'}))
    assert [p.key for p in no_bucket.value.problems] == ["share.s3_bucket"]
    with pytest.raises(ConfigError) as too_long:
        kiosk_config(**s3_fields(s3, link_days=10))
    assert [p.key for p in too_long.value.problems] == ["share.image_store"]
    assert "at most 7 days" in str(too_long.value)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Envelope] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:       # aiosmtpd's start() checks the port it was given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def smtp_fields(port: int) -> dict[str, object]:
    return {"email_enabled": "true", "smtp_host": '"127.0.0.1"', "smtp_port": port,
            "smtp_security": '"none"', "smtp_from": '"photos@abharana.example"'}


def test_email_goes_over_smtp_when_there_is_no_messaging_api(
        smtp: tuple[Controller, Inbox], cloud: LiveCloud, kiosk_config: Callable[..., KioskConfig]) -> None:
    controller, inbox = smtp
    cfg = kiosk_config(**smtp_fields(controller.port))
    assert cfg.share.email_ready and not cfg.share.whatsapp_ready
    store = EventStore(cfg.store.data_dir)
    share = new_share(store)
    send(store, share, to="priya@example.com", channel="email")
    refused = send(store, share, to="nobody@example.com", channel="email")
    run(cfg, store)
    assert len(inbox.mails) == 1 and inbox.mails[0].rcpt_tos == ["priya@example.com"]
    raw = inbox.mails[0].content
    mail = email.message_from_bytes(raw if isinstance(raw, bytes) else b"", policy=email.policy.default)
    page_url = store.db.read("SELECT page_url FROM shares WHERE token = ?", (share.token,))[0][0]
    assert mail["Subject"] == "Your try-on photo from Abharana" and mail["To"] == "Priya <priya@example.com>"
    body = mail.get_body()
    assert page_url and body is not None and page_url in body.get_content()
    events = shared_events(cloud)
    assert [(e["destination"], e["share_status"]) for e in events] == [("priya@example.com", "sent")]
    sid = str(events[0]["message_sid"])
    assert sid.startswith("<") and sid.endswith("@abharana.example>")
    status = {s.id: s for s in shares.sends(store, share.token)}
    assert status[refused].status == "failed" and "refused nobody@example.com: 550" in status[refused].error


def test_smtp_server_down_keeps_the_email_queued(kiosk_config: Callable[..., KioskConfig]) -> None:
    cfg = kiosk_config(**smtp_fields(9))       # nothing listens on the discard port
    store = EventStore(cfg.store.data_dir)
    share = new_share(store)
    send(store, share, to="priya@example.com", channel="email")
    run(cfg, store, seconds=1.0)
    rows = store.db.read("SELECT state, last_error FROM outbox WHERE kind = 'share.send'")
    assert [r["state"] for r in rows] == ["pending"]
    assert "cannot reach the mail server" in rows[0]["last_error"]
