"""The kinds of outbox rows, and which cloud service each goes to."""

from __future__ import annotations

from typing import Any

KIND_EVENT = "event"
KIND_PERSON_CREATE = "person.create"
KIND_PERSON_UPDATE = "person.update"
# Seed 001 has no DELETE: a forgotten person already in the cloud gets a PUT that blanks the
# contact details the kiosk sent (name, phone). Its vector and photo can only be removed by
# the cloud's operator; `kiosk privacy forget` prints the cloud ids for that.
# The values are placeholders, not nulls or "": seed 001 is Django REST framework, and a
# model serializer's default CharField (allow_null=False, allow_blank=False) refuses both, which
# would leave the customer's name and phone on the server. "+0000000000" is a string any plain
# CharField takes and looks like the seed's phones ("+998901234567"), yet cannot be anyone's
# number: no country code starts with 0 (E.164), and the kiosk's own phone check refuses it.
KIND_PERSON_ERASE = "person.erase"
ERASE_BODY: dict[str, Any] = {"full_name": "Erased on request", "phone_number": "+0000000000"}
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
