"""Seed 003 auth as a stricter server answers it: a refresh answer not shaped like login's,
refused logins and 429s, and the seed's limit of 5 auth requests a minute."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from kiosk.store.outcomes import Delivered, Outcome, Retry
from sync.clients.messaging import AUTH_PER_MIN, MessagingClient
from tests.fakes.clock import FakeClock
from tests.helpers.cloud import EMAIL, PASSWORD, LiveCloud

PROJECT = "11111111-2222-4333-8444-555555555555"
AUTH = ("/api/v1/auth/login", "/api/v1/auth/refresh")


@dataclass
class Server:
    """A seed-003 server whose answers the test chooses per endpoint."""

    clock: FakeClock
    login: Callable[[int], httpx.Response] | None = None
    refresh: Callable[[], httpx.Response] | None = None
    good_tokens: set[str] = field(default_factory=set)
    tokens_work: bool = True            # False: the send endpoint refuses every token it issues
    calls: list[tuple[float, str]] = field(default_factory=list)
    issued: int = 0

    def pair(self, expires_in: int = 900) -> httpx.Response:
        self.issued += 1
        access = f"access-{self.issued}"
        if self.tokens_work:
            self.good_tokens.add(access)
        return httpx.Response(200, json={"access_token": access, "refresh_token": f"refresh-{self.issued}",
                                         "token_type": "bearer", "expires_in": expires_in})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append((self.clock.t, path))
        if path == AUTH[0]:
            return self.login(len(self.auth_calls())) if self.login else self.pair()
        if path == AUTH[1]:
            return self.refresh() if self.refresh else self.pair()
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.good_tokens:
            return httpx.Response(401, json={"detail": "Could not validate credentials",
                                             "code": "TOKEN_EXPIRED"})
        content = json.loads(request.content)["content"]
        return httpx.Response(200, json={"id": "m1", "status": "sent", "message_sid": f"SM-{content}"})

    def auth_calls(self) -> list[tuple[float, str]]:
        return [c for c in self.calls if c[1] in AUTH]

    def paths(self) -> list[str]:
        return [p.removeprefix("/api/v1/") for _, p in self.calls]


@pytest.fixture
def server() -> Server:
    return Server(FakeClock(1_000_000.0))


@pytest.fixture
def client(server: Server) -> Iterator[MessagingClient]:
    c = MessagingClient("https://msg.example", "kiosk@example.com", lambda: "pw", PROJECT,
                        transport=httpx.MockTransport(server), clock=server.clock)
    yield c
    c.close()


def send(client: MessagingClient, n: int = 0) -> Outcome:
    return client.send(channel="whatsapp", destination="+919812345678", name="Priya", content=f"hi{n}",
                       idempotency_key=f"k{n}")


def most_in_a_minute(times: list[float]) -> int:
    return max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0)


def test_a_refresh_answer_not_shaped_like_logins_falls_back_to_a_login(
        server: Server, client: MessagingClient) -> None:
    # SimpleJWT's shape, not seed 003's: no access_token.
    server.refresh = lambda: httpx.Response(200, json={"access": "eyJ..."})
    assert isinstance(send(client, 1), Delivered)
    server.clock.t += 1000                                  # the access token ran out
    assert send(client, 2) == Delivered("SM-hi2")
    assert server.paths()[-3:] == ["auth/refresh", "auth/login", f"messages/{PROJECT}/send"]
    server.clock.t += 1000
    assert isinstance(send(client, 3), Delivered)           # no second try of that refresh
    assert server.paths()[-2:] == ["auth/login", f"messages/{PROJECT}/send"]
    assert client.logins == 3 and client.refreshes == 0


def test_a_refresh_that_is_refused_logs_in_and_a_good_one_keeps_the_session(
        server: Server, client: MessagingClient) -> None:
    send(client, 1)
    server.clock.t += 1000
    assert isinstance(send(client, 2), Delivered)
    assert client.refreshes == 1 and client.logins == 1
    server.refresh = lambda: httpx.Response(401, json={"detail": "Invalid or expired refresh token",
                                                       "code": "TOKEN_EXPIRED"})
    server.clock.t += 1000
    assert isinstance(send(client, 3), Delivered)
    assert client.refreshes == 1 and client.logins == 2


def test_a_refused_login_pauses_a_minute_and_never_exceeds_five_a_minute(
        server: Server, client: MessagingClient) -> None:
    server.login = lambda n: httpx.Response(401, json={"detail": "Incorrect email or password",
                                                      "code": "INVALID_CREDENTIALS"})
    first = send(client)
    assert isinstance(first, Retry) and first.throttled and first.after_s == 60.0
    assert "refused the kiosk's login" in first.error and "Incorrect email or password" in first.error
    for second in range(600):                               # a worker retrying every second
        server.clock.t += 1
        out = send(client, second)
        assert isinstance(out, Retry) and out.throttled and out.after_s is not None and out.after_s > 0
    logins = [t for t, _ in server.auth_calls()]
    assert 10 <= len(logins) <= 11 and most_in_a_minute(logins) <= 2
    assert all(b - a >= 60 for a, b in zip(logins, logins[1:], strict=False))
    server.login = None                                     # the technician fixed the password
    server.clock.t += 61
    assert isinstance(send(client, 999), Delivered)


def test_a_429_on_login_waits_for_its_reset(server: Server, client: MessagingClient) -> None:
    reset = int(server.clock.t) + 30
    limited = httpx.Response(429, json={"detail": "Rate limit exceeded", "code": "RATE_LIMITED"},
                             headers={"X-RateLimit-Reset": str(reset)})
    server.login = lambda n: limited if n == 1 else server.pair()
    out = send(client)
    assert isinstance(out, Retry) and out.throttled and out.after_s == 30.0
    for _ in range(29):
        server.clock.t += 1
        assert isinstance(send(client), Retry)
    assert len(server.auth_calls()) == 1                    # nothing asked before the reset
    server.clock.t += 1.5
    assert isinstance(send(client), Delivered)


def test_at_most_five_auth_calls_a_minute_even_when_every_token_is_refused(
        server: Server, client: MessagingClient) -> None:
    refused = 0
    send(client)
    server.good_tokens.clear()
    server.tokens_work = False
    for n in range(300):
        server.clock.t += 0.5
        out = send(client, n)
        assert not isinstance(out, Delivered)
        refused += isinstance(out, Retry)
    times = [t for t, _ in server.auth_calls()]
    assert refused == 300 and len(times) >= AUTH_PER_MIN and most_in_a_minute(times) <= AUTH_PER_MIN


def test_an_early_renewal_that_is_throttled_keeps_using_the_valid_token(
        server: Server, client: MessagingClient) -> None:
    server.refresh = lambda: httpx.Response(503, json={"detail": "down", "code": "SERVER_ERROR"})
    send(client)
    server.clock.t += 870                                   # inside the last minute of its life
    assert isinstance(send(client, 2), Delivered)           # the refresh failed, the token still works
    assert client.logins == 1


def devcloud_auth(cloud: LiveCloud) -> list[int]:
    return [r["status"] for r in cloud.requests() if r["path"].startswith("/api/v1/auth/")]


@pytest.mark.slow
def test_against_the_devcloud_a_wrong_password_is_asked_once_not_every_send(cloud: LiveCloud) -> None:
    cloud.faults.update({"messaging_auth_per_min": AUTH_PER_MIN})
    wrong = MessagingClient(cloud.url, EMAIL, lambda: "not-the-password", PROJECT)
    try:
        for n in range(20):
            out = send(wrong, n)
            assert isinstance(out, Retry) and out.throttled and "Incorrect email or password" in out.error
            time.sleep(0.05)
    finally:
        wrong.close()
    assert devcloud_auth(cloud) == [401]


@pytest.mark.slow
def test_against_the_devcloud_short_tokens_never_meet_the_auth_limits_429(cloud: LiveCloud) -> None:
    cloud.faults.update({"messaging_auth_per_min": AUTH_PER_MIN, "token_ttl_s": 0.3})
    client = MessagingClient(cloud.url, EMAIL, lambda: PASSWORD, PROJECT)
    outcomes: list[Outcome] = []
    try:
        for n in range(20):
            outcomes.append(send(client, n))
            time.sleep(0.1)                                 # the tokens run out every 0.3 s
    finally:
        client.close()
    assert devcloud_auth(cloud) == [200] * AUTH_PER_MIN     # a login and 4 refreshes, then it waits
    delivered = [o for o in outcomes if isinstance(o, Delivered)]
    waiting = [o for o in outcomes if isinstance(o, Retry) and o.throttled and "logins/refreshes" in o.error]
    assert delivered and len(delivered) + len(waiting) == len(outcomes)
