"""What a cloud client reports for one outbox row; the store turns it into row state.

Texts are bounded here, once, whatever the client put in them: a hostile or broken server
must not be able to grow the database or the log by answering with megabytes.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_RESPONSE_CHARS = 4096   # a cloud id, or the image store's two URLs as JSON
MAX_ERROR_CHARS = 500


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Delivered:
    response: str = ""          # the cloud's id for what was created (event_id, person id)
    adopted: bool = False       # person.create: found already on the server, not posted again

    def __post_init__(self) -> None:
        object.__setattr__(self, "response", clip(self.response, MAX_RESPONSE_CHARS))


@dataclass(frozen=True)
class Retry:
    error: str
    after_s: float | None = None  # the server's Retry-After, when it gave one
    throttled: bool = False       # 429: pause the whole service, not just this row
    # The request may have been carried out although no answer says so (timeout after the
    # body was sent, connection dropped, 5xx): a re-send may duplicate on a server that does
    # not honour Idempotency-Key, so person creates look the record up first.
    ambiguous: bool = False
    # Not the cloud answering (a captive portal's 302, a proxy's login page, a moved URL):
    # nothing is wrong with the row. The whole service is paused and probed, the row keeps
    # its attempt count, and this text is shown to the technician until the service answers.
    blocked: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", clip(self.error, MAX_ERROR_CHARS))
        if self.blocked is not None:
            object.__setattr__(self, "blocked", clip(self.blocked, MAX_ERROR_CHARS))


@dataclass(frozen=True)
class Rejected:
    error: str                  # the server's own message; the row becomes a dead letter

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", clip(self.error, MAX_ERROR_CHARS))


Outcome = Delivered | Retry | Rejected
