"""uvicorn for an untrusted network: the bounds its h11 protocol does not set by itself.

Read in uvicorn 0.54's `protocols/http/h11_impl.py` (the version uv.lock pins) and checked
against a live server:
- No timer runs before a connection's first request, and the keep-alive timer is cancelled by
  the first byte of the next one: a client that connects and trickles a request line
  (slowloris) is kept forever. Here a request must be complete `request_timeout` seconds
  after the connection opened (first request) or after its first byte (later ones).
- A client that stops reading its answer parks the response on flow control forever. Here a
  write stalled for `write_timeout` seconds aborts the connection.
- `limit_concurrency` accepts every connection and answers 503 only once a request is read,
  so idle sockets still pile up in the app's process. Here connections beyond
  `max_connections` are dropped as they are accepted: file descriptors stay bounded.
- h11 bounds the size of a request head only while it is incomplete, never its header
  count, and uvicorn answers every protocol error with 400 plus a warning line. Here a head
  too large or with too many headers is a 431, other errors get h11's own status hint, and
  nothing is logged: the kiosk's journal is not for whoever is on the store Wi-Fi to write
  in, and request paths (share tokens are secrets) never reach it.
- Nothing served here takes a request body, so one is refused (413) before the app sees it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol

log = logging.getLogger(__name__)
# uvicorn's protocol logs only what clients cause (bad requests, upgrades) at warning level;
# what is left at error level is a fault of ours.
_protocol_log = logging.getLogger(__name__ + ".protocol")
_protocol_log.setLevel(logging.ERROR)


@dataclass(frozen=True)
class Limits:
    request_timeout: float = 5.0     # a phone's request head is one packet; a few seconds is generous
    keep_alive: int = 5              # idle between requests (uvicorn's own timer)
    write_timeout: float = 15.0      # no byte of the answer taken for this long: the client is gone
    max_connections: int = 64        # phones on one store's Wi-Fi, with room to spare
    max_head_bytes: int = 8192       # request line + headers; a phone's GET is well under 2 KB
    max_headers: int = 50


class _StrictConnection(h11.Connection):
    """Turns what this server never accepts into the protocol errors uvicorn already answers."""

    def __init__(self, limits: Limits):
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.max_head_bytes)
        self.limits = limits
        self.refusal = 400

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as e:
            self.refusal = e.error_status_hint
            raise
        if isinstance(event, h11.Request):
            # h11 checks the size of a head still incomplete only: one that arrives whole in
            # a single read is parsed at any size.
            size = len(event.method) + len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
            if len(event.headers) > self.limits.max_headers or size > self.limits.max_head_bytes:
                self.refusal = 431
                raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
            if any(name == b"transfer-encoding" or (name == b"content-length" and value != b"0")
                   for name, value in event.headers):
                self.refusal = 413
                raise h11.RemoteProtocolError("a request body", error_status_hint=413)
        return event


class GuardedConfig(uvicorn.Config):
    def __init__(self, app: Callable[..., Any], limits: Limits):
        super().__init__(
            app, http=GuardedH11Protocol, ws="none", lifespan="off", loop="asyncio", interface="asgi3",
            # log_config=None: uvicorn must not reconfigure the app's logging; its own lines
            # ("Started server process"...) are not news to a technician.
            log_config=None, log_level="warning", access_log=False, proxy_headers=False,
            server_header=False, timeout_keep_alive=limits.keep_alive, timeout_graceful_shutdown=2,
            h11_max_incomplete_event_size=limits.max_head_bytes)
        self.limits = limits


class GuardedH11Protocol(H11Protocol):
    def __init__(self, config: uvicorn.Config, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = config.limits if isinstance(config, GuardedConfig) else Limits()
        self.strict = _StrictConnection(self.limits)
        self.conn = self.strict
        self.logger = _protocol_log
        self.access_log = False          # its lines carry the path, i.e. the token
        self.request_deadline: asyncio.TimerHandle | None = None
        self.write_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            transport.abort()
            return
        self.request_deadline = self.loop.call_later(self.limits.request_timeout, self._request_timed_out)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request's clock starts with its first byte; until then the keep-alive timer
        # (armed by uvicorn just now) rules. A pipelined part already buffered has started it.
        self._cancel_request_deadline()
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:
            self._watch_request()

    def _watch_request(self) -> None:
        # their_state IDLE: a request head is (partly) in; SEND_BODY: h11 waits for its body.
        coming = self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing()
        if not coming:
            self._cancel_request_deadline()
        elif self.request_deadline is None:
            self.request_deadline = self.loop.call_later(self.limits.request_timeout,
                                                         self._request_timed_out)

    def _request_timed_out(self) -> None:
        self.request_deadline = None
        self.transport.close()

    def _cancel_request_deadline(self) -> None:
        if self.request_deadline is not None:
            self.request_deadline.cancel()
            self.request_deadline = None

    def _cancel_write_deadline(self) -> None:
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.write_deadline is None:
            self.write_deadline = self.loop.call_later(self.limits.write_timeout, self.transport.abort)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_write_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._cancel_request_deadline()
        self._cancel_write_deadline()

    def send_400_response(self, msg: str) -> None:
        status = self.strict.refusal
        body = STATUS_PHRASES.get(status) or b"Bad Request"
        headers = [(b"content-type", b"text/plain; charset=utf-8"),
                   (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        try:
            for event in (h11.Response(status_code=status, headers=headers, reason=body), h11.Data(data=body),
                          h11.EndOfMessage()):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:
            pass                         # no answer is possible in this state: just close
        self.transport.close()

    def shutdown(self) -> None:
        # The kiosk is closing: an answer in progress is cut rather than waited for (a phone
        # that stopped reading would hold the window's shutdown until the write timeout).
        self.transport.abort()


def _listen(bind: str, port: int) -> socket.socket:
    family, _, _, _, address = socket.getaddrinfo(bind, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    return socket.create_server(address, family=family, backlog=128)


def _one_line(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # asyncio's default handler prints a traceback; nothing a client does deserves one.
    exc = context.get("exception")
    log.warning("share server: %s%s", context.get("message", "error"),
                f" ({type(exc).__name__}: {exc})" if exc else "")


class BackgroundServer:
    """A uvicorn server on its own event loop in a daemon thread. The socket is bound here, so
    a taken port is an OSError for the caller and the port is known before start()."""

    def __init__(self, app: Callable[..., Any], bind: str, port: int, limits: Limits, name: str):
        self.sock = _listen(bind, port)
        self.port = int(self.sock.getsockname()[1])
        self.server = uvicorn.Server(GuardedConfig(app, limits))
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            asyncio.get_running_loop().set_exception_handler(_one_line)
            await self.server.serve(sockets=[self.sock])
        try:
            asyncio.run(serve())
        except Exception as e:           # a thread's traceback would go to stderr
            log.error("the %s server stopped: %s: %s", self.thread.name, type(e).__name__, e)

    def start(self, wait_s: float = 5.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + wait_s
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not self.server.started:
            log.error("the %s server did not start", self.thread.name)

    def stop(self, wait_s: float = 5.0) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(wait_s)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(1.0)
            if self.thread.is_alive():
                log.warning("the %s server did not stop within %.0f s", self.thread.name, wait_s + 1)
        self.sock.close()
