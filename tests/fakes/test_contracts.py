"""The fakes take what the real things take: a client or renderer that gains or renames a
parameter fails here, not as a fake that quietly accepts calls the real one would refuse."""

from __future__ import annotations

import inspect
import threading

import pytest

from kiosk.config import Garment
from kiosk.outfit.client import OutfitProgress, TryOnError, WidgetClient
from kiosk.outfit.service import CloudOutfits
from kiosk.render.renderer import Renderer
from kiosk.store import Job
from kiosk.store.kinds import Kind
from kiosk.store.outcomes import Delivered, Retry
from sync.clients.commerce import CommerceClient
from sync.clients.events import EventsClient
from sync.clients.images import ImageStoreClient
from sync.clients.messaging import MessagingClient
from sync.clients.persons import PersonClient
from sync.clients.s3images import S3ImageStore
from sync.clients.smtp import SmtpSender
from tests.fakes.clock import FakeClock
from tests.fakes.cloud import (
    FakeClients,
    FakeCommerce,
    FakeEvents,
    FakeImages,
    FakeMessaging,
    FakePersons,
    FakeSmtp,
    FakeWidget,
)
from tests.fakes.renderer import FakeRenderer

PAIRS = [
    (FakeEvents, EventsClient, ["send", "close"]),
    (FakePersons, PersonClient, ["create", "update", "erase", "close"]),
    (FakeImages, ImageStoreClient, ["upload", "close"]),
    (FakeImages, S3ImageStore, ["upload", "close"]),
    (FakeMessaging, MessagingClient, ["send", "close"]),
    (FakeSmtp, SmtpSender, ["send"]),
    (FakeCommerce, CommerceClient, ["public_list", "product", "vendor", "own_products", "resolve",
                                    "download", "close"]),
    (FakeWidget, WidgetClient, ["create_session", "session", "submit", "result", "stream", "download",
                                "probe", "close"]),
    (FakeRenderer, Renderer, ["render", "render_each", "load", "unload", "release"]),
]


def params(f: object) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # type: ignore[arg-type]


@pytest.mark.parametrize(("fake", "real", "methods"), PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_each_fake_takes_the_parameters_of_the_real_one(fake: type, real: type, methods: list[str]) -> None:
    for m in methods:
        assert params(getattr(fake, m)) == params(getattr(real, m)), f"{fake.__name__}.{m}"


def test_fake_clients_route_the_outbox_kinds_through_the_real_senders() -> None:
    messaging = FakeMessaging(Retry("HTTP 503: busy"))
    clients = FakeClients(messaging=messaging)
    share = Job(seq=1, id="row-1", kind=Kind.SHARE_SEND, stream="share:t", session_id="s", payload={
        "channel": "whatsapp", "destination": "+919800000000", "name": "Asha",
        "message": "Your photo: {link}"}, attempts=0, created_at=0.0, share_page_url="https://p.example/t")
    send = clients.senders()[Kind.SHARE_SEND]
    assert send(share) == Retry("HTTP 503: busy")            # as scripted, then the default
    assert isinstance(send(share), Delivered)
    assert [c["content"] for c in messaging.sent()] == ["Your photo: https://p.example/t"] * 2
    assert messaging.sent()[0]["idempotency_key"] == "row-1"
    assert not clients.events.calls                          # type: ignore[attr-defined]


def garment() -> Garment:
    return Garment(id="saree", name="Saree", category="saree",
                   image="https://tryon.example/saree.jpg")  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [True, False], ids=["event stream", "polling"])
def test_cloud_outfits_over_the_fake_widget(stream: bool) -> None:
    widget = FakeWidget(clock=FakeClock(), stream_events=None if stream else [])
    outfits = CloudOutfits(widget, [garment()], clock=widget.clock)    # type: ignore[arg-type]
    seen: list[OutfitProgress] = []
    for _ in range(3):
        assert outfits.generate("saree", b"jpeg", seen.append, threading.Event()) == widget.result_image
    assert outfits.tries_left("saree") == 0 and len(widget.photos) == 3
    assert [c.method for c in widget.calls].count("create_session") == 1   # one session per garment
    with pytest.raises(TryOnError, match="tried 3 times"):
        outfits.generate("saree", b"jpeg", seen.append, threading.Event())
    assert ("result" in [c.method for c in widget.calls]) is not stream
