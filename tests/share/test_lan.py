"""The store-Wi-Fi share server: what it serves (as the stdlib server did), and what phones on an
open network cannot do to it: hold connections, fill the log, reach anything else."""

from __future__ import annotations

import logging
import selectors
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from kiosk.share.guarded_http import Limits
from kiosk.share.lan import LanShareServer
from kiosk.store import EventStore, shares
from tests.helpers.shares import JPEG, NOW

MARGIN_S = 2.0          # scheduling slack on a loaded 2-core CI machine


def new_share(store: EventStore, jpeg: bytes = JPEG) -> shares.Share:
    return shares.create(store, session_id=str(uuid.uuid4()), jpeg=jpeg,
                         jewelry=("jhumka_gold", "Temple Gold Jhumka", 38900.0), link_days=7, upload={})


def url(srv: LanShareServer, path: str = "") -> str:
    return f"http://127.0.0.1:{srv.port}{path}"


def raw(srv: LanShareServer, data: bytes = b"") -> socket.socket:
    c = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    if data:
        c.sendall(data)
    return c


def request(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: kiosk\r\n{extra}\r\n".encode()


def closed_by_peer(c: socket.socket) -> bool:
    """True once the server has closed (EOF or reset); drains whatever it sent before."""
    try:
        while True:
            chunk = c.recv(65536, socket.MSG_DONTWAIT)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def connections(srv: LanShareServer, until: Callable[[int], bool], seconds: float) -> int:
    """The server's open connections, once `until` holds for them or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not until(n := len(srv.http.server.server_state.connections)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return n


def none_left(srv: LanShareServer, seconds: float) -> bool:
    return connections(srv, lambda n: n == 0, seconds) == 0


@pytest.mark.slow
def test_serves_the_page_and_photo_token_gated_with_the_same_headers(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    srv = serve()
    share = new_share(store)
    page = httpx.get(url(srv, f"/s/{share.token}?utm=x"))
    assert page.status_code == 200 and "only inside the store" in page.text
    assert "Temple Gold Jhumka" in page.text
    assert f"/s/{share.token}/photo.jpg" in page.text
    for r in (page, httpx.get(url(srv, f"/s/{share.token}/photo.jpg"))):
        assert r.headers["cache-control"] == "private, no-store"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "server" not in r.headers
    photo = httpx.get(url(srv, f"/s/{share.token}/photo.jpg"))
    assert photo.headers["content-type"] == "image/jpeg" and photo.content == JPEG
    head = httpx.head(url(srv, f"/s/{share.token}/photo.jpg"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(JPEG))
    for guess in (share.token[:-1] + ("A" if share.token[-1] != "A" else "B"), "x" * 43, "1"):
        assert httpx.get(url(srv, f"/s/{guess}")).status_code == 404
    for other in ("/", "/s/", f"/s/{share.token}/", f"/s/{share.token}/other.jpg", f"/x/{share.token}",
                  f"/s/{share.token}%2Fphoto.jpg", "/favicon.ico"):
        r = httpx.get(url(srv, other))
        assert r.status_code == 404 and r.headers["cache-control"] == "private, no-store", other


def test_expired_links_answer_410_and_a_photo_gone_locally_redirects_to_the_cloud(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    srv = serve()
    moved, missing, old = new_share(store), new_share(store), new_share(store)
    cloud = f"https://cdn.example.com/s/{moved.token}/photo.jpg"
    with store.db.write() as conn:
        conn.execute("UPDATE shares SET image_url = ? WHERE token = ?", (cloud, moved.token))
        conn.execute("UPDATE shares SET expires_at = ? WHERE token = ?", (NOW[0] - 1, old.token))
    moved.image.unlink()
    missing.image.unlink()
    r = httpx.get(url(srv, f"/s/{moved.token}/photo.jpg"))
    assert r.status_code == 302 and r.headers["location"] == cloud
    assert r.headers["referrer-policy"] == "no-referrer"
    assert httpx.get(url(srv, f"/s/{missing.token}/photo.jpg")).status_code == 404
    for path in (f"/s/{old.token}", f"/s/{old.token}/photo.jpg"):
        gone = httpx.get(url(srv, path))
        assert gone.status_code == 410 and "expired" in gone.text
        assert gone.headers["cache-control"] == "private, no-store"


@pytest.mark.slow
def test_other_methods_bodies_and_oversize_heads_are_refused(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    srv = serve()
    token = new_share(store).token
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        r = httpx.request(method, url(srv, f"/s/{token}"))
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD", method
    assert httpx.post(url(srv, f"/s/{token}"), content=b"x" * 100).status_code == 413
    chunked = raw(srv, request(f"/s/{token}", "Transfer-Encoding: chunked\r\n") + b"5\r\n")
    assert chunked.recv(100).startswith(b"HTTP/1.1 413 ")
    # A head too large arriving in one read, one trickled in pieces, and one with many headers.
    assert httpx.get(url(srv, f"/s/{token}"), headers={"x-big": "a" * 9000}).status_code == 431
    many = [(f"x-h{i}", "1") for i in range(60)]
    assert httpx.get(url(srv, f"/s/{token}"), headers=many).status_code == 431
    trickled = raw(srv, f"GET /s/{token} HTTP/1.1\r\n".encode())
    answer = b""
    try:
        for _ in range(40):
            trickled.sendall(b"x-pad: " + b"a" * 500 + b"\r\n")
            time.sleep(0.005)
    except ConnectionError:
        pass                                  # closed while we still wrote: refused too
    try:
        answer = trickled.recv(100)
    except ConnectionError:
        pass
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    garbage = raw(srv, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n")
    assert garbage.recv(100).startswith(b"HTTP/1.1 400 ")
    assert httpx.get(url(srv, f"/s/{token}")).status_code == 200          # still serving


@pytest.mark.slow
def test_fifty_slow_clients_are_closed_within_the_timeout_while_a_phone_is_served(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    limits = Limits()
    srv = serve(limits)
    token = new_share(store).token
    partial = [b"", b"GET /s/", request(f"/s/{token}")[:-2], b"GET / HTTP/1.1\r\nHost: k\r\nX-A: 1"]
    slow: dict[socket.socket, float] = {}
    for i in range(50):
        slow[raw(srv, partial[i % len(partial)])] = time.monotonic()
    trickling = list(slow)[::5]                  # these keep sending a byte now and then
    sel = selectors.DefaultSelector()
    for c in slow:
        c.setblocking(False)
        sel.register(c, selectors.EVENT_READ)
    for _ in range(3):                           # the attack does not keep phones out
        r = httpx.get(url(srv, f"/s/{token}"), timeout=limits.request_timeout)
        assert r.status_code == 200 and "Temple Gold Jhumka" in r.text
    took: dict[socket.socket, float] = {}
    deadline = time.monotonic() + limits.request_timeout + 2 * MARGIN_S
    while len(took) < len(slow) and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            c = key.fileobj
            assert isinstance(c, socket.socket)
            if closed_by_peer(c):
                took[c] = time.monotonic() - slow[c]
                sel.unregister(c)
        for c in trickling:
            if c not in took:
                try:
                    c.send(b"x")
                except OSError:
                    pass
    sel.close()
    for c in slow:
        c.close()
    assert len(took) == 50, f"{50 - len(took)} of 50 slow clients still open"
    assert max(took.values()) <= limits.request_timeout + MARGIN_S
    assert min(took.values()) >= limits.request_timeout - 0.5       # the timeout, not something else
    assert none_left(srv, MARGIN_S)


@pytest.mark.slow
def test_a_kept_alive_connection_is_closed_when_idle_or_when_its_next_request_stalls(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    limits = Limits(request_timeout=1.0, keep_alive=1)
    srv = serve(limits)
    token = new_share(store).token
    idle, stalled = raw(srv, request(f"/s/{token}")), raw(srv, request(f"/s/{token}"))
    for c in (idle, stalled):
        assert c.recv(15).startswith(b"HTTP/1.1 200")
    stalled.sendall(b"GET /s/")                 # cancels uvicorn's keep-alive timer
    t0 = time.monotonic()
    for c in (idle, stalled):
        c.settimeout(limits.request_timeout + MARGIN_S + 1)
        while c.recv(65536):                     # the rest of the answer, then EOF
            pass
    assert time.monotonic() - t0 <= limits.request_timeout + MARGIN_S


@pytest.mark.slow
def test_a_client_that_stops_reading_is_cut_after_the_write_timeout(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    srv = serve(Limits(write_timeout=1.0))
    big = b"\xff\xd8" + bytes(30_000_000)       # more than the socket buffers hold
    token = new_share(store, big).token
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", srv.port))
    c.sendall(request(f"/s/{token}/photo.jpg"))
    time.sleep(0.2)
    assert len(srv.http.server.server_state.connections) == 1
    assert none_left(srv, 1.0 + 2 * MARGIN_S)
    got = 0
    c.settimeout(5)
    try:
        while chunk := c.recv(1 << 20):
            got += len(chunk)
    except ConnectionError:
        pass
    c.close()
    assert got < len(big)
    assert httpx.get(url(srv, f"/s/{token}")).status_code == 200


def test_connections_beyond_the_limit_are_dropped_when_accepted(
        serve: Callable[..., LanShareServer], store: EventStore) -> None:
    srv = serve(Limits(max_connections=5))
    token = new_share(store).token
    held = [raw(srv) for _ in range(5)]
    assert connections(srv, lambda n: n == 5, 2) == 5
    extra = raw(srv)
    extra.settimeout(2)
    try:
        assert extra.recv(10) == b""
    except ConnectionError:
        pass
    for c in held:
        c.close()
    assert none_left(srv, 2)
    assert httpx.get(url(srv, f"/s/{token}")).status_code == 200


def test_clients_that_hang_up_leave_no_traceback_and_no_token_in_the_logs(
        serve: Callable[..., LanShareServer], store: EventStore, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    srv = serve()
    token = new_share(store, b"\xff\xd8" + bytes(5_000_000)).token
    reset = struct.pack("ii", 1, 0)              # SO_LINGER 0: close with a TCP reset
    for i in range(12):
        c = raw(srv, request(f"/s/{token}/photo.jpg") if i % 4 else b"GET /s/" + token.encode())
        if i % 4 and i % 3 == 0:
            c.recv(100)                          # read the start of the answer, then go
        if i % 2 == 0:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, reset)
        c.close()
    before_read = raw(srv, request(f"/s/{token}"))
    before_read.shutdown(socket.SHUT_RDWR)
    before_read.close()
    assert none_left(srv, 5)
    assert httpx.get(url(srv, f"/s/{token}")).status_code == 200
    srv.stop()
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and token not in out + err
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]   # the test's client
    assert [r.getMessage() for r in ours if r.exc_info or r.levelno >= logging.WARNING] == []
    assert not [r for r in ours if token in r.getMessage()]


def test_stop_returns_at_once_with_clients_connected_and_frees_the_port(
        serve: Callable[..., LanShareServer], store: EventStore, caplog: pytest.LogCaptureFixture) -> None:
    srv = serve(Limits(request_timeout=60, write_timeout=60))
    token = new_share(store, b"\xff\xd8" + bytes(20_000_000)).token
    slow = [raw(srv, b"GET /s/") for _ in range(10)]
    reader = socket.socket()
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.connect(("127.0.0.1", srv.port))
    reader.sendall(request(f"/s/{token}/photo.jpg"))     # an answer stuck mid-way
    assert connections(srv, lambda n: n == 11, 2) == 11
    done = threading.Event()
    threading.Thread(target=lambda: (srv.stop(), done.set()), daemon=True).start()
    assert done.wait(10), "stop() waited for the clients"    # their own timeouts are 60 s
    # uvicorn's graceful shutdown would wait for the stuck answer, then log an error.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    for c in slow:
        c.settimeout(5)
        try:
            assert c.recv(10) == b""
        except ConnectionError:
            pass
        c.close()
    reader.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2)
    again = serve(port=srv.port)                  # the same port, at once
    assert httpx.get(url(again, f"/s/{token}")).status_code == 200
