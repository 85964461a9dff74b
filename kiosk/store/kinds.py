"""The kinds of outbox rows, and which cloud service each goes to."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What an outbox row is. A StrEnum: the rows keep the plain strings ("event", "share.send")
    and a member compares equal to its string, so rows read back need no conversion."""
    EVENT = "event"
    PERSON_CREATE = "person.create"
    PERSON_UPDATE = "person.update"
    PERSON_ERASE = "person.erase"       # see ERASE_BODIES below
    IMAGE_UPLOAD = "image.upload"
    SHARE_SEND = "share.send"


# Seed 001 has no DELETE: a forgotten person already in the cloud gets a PUT that blanks the
# contact details the kiosk sent (name, phone). Its vector and photo can only be removed by
# the cloud's operator; `kiosk privacy forget` prints the cloud ids for that.
# Seed 001 does not say what its fields accept. Blank first: a CharField(blank=True), like the
# one that shows "" for a person without a name, takes "" and it carries nothing. A default DRF
# CharField (allow_null=False, allow_blank=False) refuses both "" and null, so a 400 for blank
# is followed at once by placeholders: "+0000000000" is a string any plain CharField takes and
# looks like the seed's phones ("+998901234567"), yet cannot be anyone's number (no country code
# starts with 0, E.164) and the kiosk's own phone check refuses it. Refused both ways: a dead
# letter the technician sees, never silence.
ERASE_BLANK: dict[str, Any] = {"full_name": "", "phone_number": ""}
ERASE_PLACEHOLDER: dict[str, Any] = {"full_name": "Erased on request", "phone_number": "+0000000000"}
ERASE_BODIES = (ERASE_BLANK, ERASE_PLACEHOLDER)
ERASE_BODY = ERASE_BLANK            # what the outbox row records
KINDS = tuple(Kind)
SERVICES = ("events", "persons", "images", "messaging")


def service_of(kind: str) -> str:
    """Which cloud service a row goes to (a 429 or a portal pauses that service only)."""
    if kind == Kind.EVENT:
        return "events"
    if kind == Kind.IMAGE_UPLOAD:
        return "images"
    if kind == Kind.SHARE_SEND:
        return "messaging"
    return "persons"
