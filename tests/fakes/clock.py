"""A clock a test sets and moves, for code that takes a `clock`/`now` callable (the outbox,
the messaging and widget clients, the webhook verifier, the S3 image store)."""

from __future__ import annotations

START = 1_800_000_000.0      # 2027-01-15: after every date a fixture or seed carries


class FakeClock:
    """Epoch seconds that move only when the test says so: `clock()` reads it, `advance(s)`
    moves it on, `t` may also be set outright (a clock jumped back an hour)."""

    def __init__(self, t: float = START) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t
