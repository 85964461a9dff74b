"""Fake cloud clients: each records what it was sent and answers as the test scripted.

For tests of what sits around the clients (the outbox drain, the daemon's jobs, the catalogue
import, the cloud outfits): the wire itself is tested against the devcloud, MockTransports and
the real servers in tests/sync/ and tests/realservers/. Each fake has the methods of the real
client it stands for, with the same parameters (tests/fakes/test_contracts.py checks that).

`FakeClients` is the daemon's `sync.senders.Clients` with fakes for its clients, so its real
`senders()` route the outbox kinds to them: `daemon.make_syncer(cfg, store, FakeClients())`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.outfit.client import TryOnError, WidgetSession
from kiosk.store.outcomes import Delivered, Outcome
from sync.clients.commerce import CommerceError
from sync.senders import Clients


@dataclass(frozen=True)
class Call:
    """One request a fake was asked to make: the method, its arguments, when (monotonic)."""
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, name: str) -> Any:
        return self.args[name]


Answer = Outcome | Callable[[Call], Outcome]


class Scripted:
    """Answers in the order given (an Outcome, or a function of the call that returns one);
    once they are used up, `default(call)`. Thread-safe: the drain sends from a worker pool."""

    def __init__(self, *answers: Answer) -> None:
        self.calls: list[Call] = []
        self.closed = False
        self._answers: deque[Answer] = deque(answers)
        self._lock = threading.Lock()

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._answers.extend(answers)

    def sent(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if method is None or c.method == method]

    def default(self, call: Call) -> Outcome:
        return Delivered(f"{call.method}_{len(self.calls)}")

    def _answer(self, method: str, **args: Any) -> Outcome:
        call = Call(method, args)
        with self._lock:
            self.calls.append(call)
            answer = self._answers.popleft() if self._answers else self.default
        return answer(call) if callable(answer) else answer

    def close(self) -> None:
        self.closed = True


class FakeEvents(Scripted):
    """sync.clients.events.EventsClient (seed 000)."""

    def send(self, body: dict[str, Any], idempotency_key: str) -> Outcome:
        return self._answer("send", body=body, idempotency_key=idempotency_key)


class FakePersons(Scripted):
    """sync.clients.persons.PersonClient (seed 001); `default` gives each new person an id."""

    def default(self, call: Call) -> Outcome:
        if call.method == "create":
            return Delivered(f"person_{sum(c.method == 'create' for c in self.calls)}")
        return Delivered(str(call.args.get("person_id", "")))

    def create(self, fields: dict[str, Any], vector: list[float], image: Path, idempotency_key: str,
               after_ambiguous: bool = False) -> Outcome:
        return self._answer("create", fields=fields, vector=vector, image=image,
                            idempotency_key=idempotency_key, after_ambiguous=after_ambiguous)

    def update(self, person_id: str, body: dict[str, Any], idempotency_key: str) -> Outcome:
        return self._answer("update", person_id=person_id, body=body, idempotency_key=idempotency_key)

    def erase(self, person_id: str, idempotency_key: str) -> Outcome:
        return self._answer("erase", person_id=person_id, idempotency_key=idempotency_key)


class FakeImages(Scripted):
    """sync.clients.images.ImageStoreClient (or the S3 store): delivered as the real ones
    deliver, with the photo's addresses as JSON."""

    def default(self, call: Call) -> Outcome:
        n = len(self.calls)
        return Delivered(json.dumps({"image_url": f"https://images.example/{n}.jpg",
                                     "page_url": f"https://images.example/p/{n}"}))

    def upload(self, meta: dict[str, Any], image: Path, idempotency_key: str) -> Outcome:
        return self._answer("upload", meta=meta, image=image, idempotency_key=idempotency_key)


class FakeMessaging(Scripted):
    """sync.clients.messaging.MessagingClient (seed 003)."""

    def send(self, *, channel: str, destination: str, name: str, content: str,
             idempotency_key: str) -> Outcome:
        return self._answer("send", channel=channel, destination=destination, name=name,
                            content=content, idempotency_key=idempotency_key)


class FakeSmtp(Scripted):
    """sync.clients.smtp.SmtpSender."""

    def send(self, *, destination: str, name: str, subject: str, content: str,
             idempotency_key: str) -> Outcome:
        return self._answer("send", destination=destination, name=name, subject=subject,
                            content=content, idempotency_key=idempotency_key)


class FakeClients(Clients):
    """The daemon's clients, every one a fake (messaging and SMTP only when given, as when
    the config names no messaging API or mail server)."""

    def __init__(self, events: FakeEvents | None = None, persons: FakePersons | None = None,
                 images: FakeImages | None = None, messaging: FakeMessaging | None = None,
                 smtp: FakeSmtp | None = None, page_fields: dict[str, str] | None = None) -> None:
        # Not super().__init__: that builds the real clients from a config.
        self.events = events or FakeEvents()            # type: ignore[assignment]
        self.persons = persons or FakePersons()         # type: ignore[assignment]
        self.images = images or FakeImages()            # type: ignore[assignment]
        self.messaging = messaging                      # type: ignore[assignment]
        self.smtp = smtp                                # type: ignore[assignment]
        self.page_fields = page_fields or {}


class FakeCommerce:
    """sync.clients.commerce.CommerceClient (seed 002) over a scripted shop: `vendors` maps a
    vendor id to (its info, its products), `drafts` are the seller's own drafts, `files` the
    downloadable images by URL (relative ones resolve against `media`). A vendor or file not
    there is the CommerceError the real client raises for an HTTP 404."""

    def __init__(self, vendors: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] | None = None,
                 drafts: list[dict[str, Any]] | None = None, files: dict[str, bytes] | None = None,
                 media: str = "https://shop.example/") -> None:
        self.vendors = vendors or {}
        self.drafts = drafts or []
        self.files = files or {}
        self.media = media
        self.calls: list[Call] = []
        self.closed = False

    def _note(self, method: str, **args: Any) -> None:
        self.calls.append(Call(method, args))

    def close(self) -> None:
        self.closed = True

    def public_list(self, category: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
        self._note("public_list", category=category, search=search)
        every = [p for _info, products in self.vendors.values() for p in products]
        return [p for p in every if (category is None or _category(p) == category)
                and (search is None or search.lower() in str(p.get("name", "")).lower())]

    def product(self, product_id: int | str) -> dict[str, Any]:
        self._note("product", product_id=product_id)
        for _info, products in self.vendors.values():
            for p in products:
                if str(p.get("id")) == str(product_id):
                    return p
        raise CommerceError(f"products/public/{product_id}/: HTTP 404")

    def vendor(self, vendor_id: int | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        self._note("vendor", vendor_id=vendor_id)
        try:
            return self.vendors[int(vendor_id)]
        except KeyError:
            raise CommerceError(f"products/public/vendor/{vendor_id}/: HTTP 404") from None

    def own_products(self, status: str | None = None) -> list[dict[str, Any]]:
        self._note("own_products", status=status)
        return [p for p in self.drafts if status is None or p.get("status") == status]

    def resolve(self, url: str) -> str:
        from urllib.parse import urljoin, urlsplit

        full = urljoin(self.media, url.strip())
        if urlsplit(full).scheme not in ("http", "https"):
            raise CommerceError(f"image {url!r} is not an http(s) address")
        return full

    def download(self, url: str) -> bytes:
        url = self.resolve(url)
        self._note("download", url=url)
        if url not in self.files:
            raise CommerceError(f"image {url}: HTTP 404")
        return self.files[url]


def _category(p: dict[str, Any]) -> str | None:
    """The `category` filter matches a category's slug (or its name when it has none)."""
    c = p.get("category")
    if isinstance(c, dict):
        return str(c.get("slug") or c.get("name"))
    return None if c is None else str(c)


@dataclass
class FakeWidget:
    """kiosk.outfit.client.WidgetClient (seed 004): sessions that take `max_tries` photos, a
    result made at once. `stream_events` is what the event stream yields per try (by default
    one "completed" carrying `result`); `refuse` maps a method name to the TryOnError code it
    raises (each entry used once), as the service refuses a call."""

    result_image: bytes = b"\x89PNG\r\n\x1a\n fake outfit"
    max_tries: int = 3
    session_s: float = 900.0
    clock: Callable[[], float] = time.time
    stream_events: list[tuple[str, dict[str, Any]]] | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    limit_remaining: int | None = None
    limit_reset: float | None = None
    calls: list[Call] = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    closed: bool = False

    def _note(self, method: str, **args: Any) -> None:
        self.calls.append(Call(method, args))
        code = self.refuse.pop(method, None)
        if code is not None:
            raise TryOnError(code)

    def close(self) -> None:
        self.closed = True

    def create_session(self, product: dict[str, Any]) -> WidgetSession:
        self._note("create_session", product=product)
        n = sum(c.method == "create_session" for c in self.calls)
        return WidgetSession(f"ses_fake_{n}", self.clock() + self.session_s, self.max_tries)

    def session(self, session_id: str) -> dict[str, Any]:
        self._note("session", session_id=session_id)
        return {"sessionId": session_id}

    def submit(self, s: WidgetSession, photo_jpeg: bytes) -> None:
        if s.tries >= s.max_tries:           # refused before any request, as the real client does
            raise TryOnError("TRIES_USED")
        self._note("submit", session_id=s.id)
        self.photos.append(photo_jpeg)
        s.tries += 1

    def _done(self) -> dict[str, Any]:
        return {"status": "completed", "resultImage": "https://tryon.example/result.png"}

    def result(self, session_id: str) -> dict[str, Any]:
        self._note("result", session_id=session_id)
        return self._done()

    def stream(self, session_id: str, cancel: threading.Event) -> Iterator[tuple[str, dict[str, Any]]]:
        self._note("stream", session_id=session_id)
        yield from self.stream_events if self.stream_events is not None else [("completed", self._done())]
        raise TryOnError("SSE_UNAVAILABLE", "the stream ended without a result")

    def download(self, url: str) -> bytes:
        self._note("download", url=url)
        return self.result_image

    def probe(self) -> None:
        self._note("probe")
