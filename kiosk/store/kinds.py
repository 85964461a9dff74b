"""The kinds of outbox rows, and which cloud service each goes to."""

from __future__ import annotations

from typing import Any

KIND_EVENT = "event"
KIND_PERSON_CREATE = "person.create"
KIND_PERSON_UPDATE = "person.update"
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
KIND_PERSON_ERASE = "person.erase"
ERASE_BLANK: dict[str, Any] = {"full_name": "", "phone_number": ""}
ERASE_PLACEHOLDER: dict[str, Any] = {"full_name": "Erased on request", "phone_number": "+0000000000"}
ERASE_BODIES = (ERASE_BLANK, ERASE_PLACEHOLDER)
ERASE_BODY = ERASE_BLANK            # what the outbox row records
KIND_IMAGE_UPLOAD = "image.upload"
KIND_SHARE_SEND = "share.send"
KINDS = (KIND_EVENT, KIND_PERSON_CREATE, KIND_PERSON_UPDATE, KIND_PERSON_ERASE, KIND_IMAGE_UPLOAD,
         KIND_SHARE_SEND)
SERVICES = ("events", "persons", "images", "messaging")


def service_of(kind: str) -> str:
    """Which cloud service a row goes to (a 429 or a portal pauses that service only)."""
    if kind == KIND_EVENT:
        return "events"
    if kind == KIND_IMAGE_UPLOAD:
        return "images"
    if kind == KIND_SHARE_SEND:
        return "messaging"
    return "persons"
