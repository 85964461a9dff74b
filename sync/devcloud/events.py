"""Seed 000 (POST /v1/events) as a strict server would check it, written from the seed text.

Deliberately independent of the kiosk's own models (kiosk/store/events.py): a check that
reuses the client's reading of the seed can never catch a misreading of it.

Readings of the seed (each one a choice a careful server would make):
- Every field the seed lists is required, except the three it marks: ``price`` "(optional)",
  ``sale_amount`` "(if sale made)" and ``message_sid`` "(if applicable)" may be left out.
  Optional means omitted, not null: null is not a number or a string.
- "number" is any JSON number, integer or not (``245`` and ``245.5`` alike), never a string,
  a boolean, NaN or Infinity. Prices, amounts, durations and counts cannot be negative.
- "string" fields that name something (``*_id``, names, ``jewelry_category``) must not be
  empty; the customer's contact fields may be "" (an anonymous customer), and so may
  ``notes``, ``message_sid`` and a ``destination`` for airdrop/other.
- A non-empty ``customer_phone`` and the ``destination`` of a sent WhatsApp share are
  international numbers as in the seed's examples (``+6512345678``); a non-empty
  ``customer_email`` and a sent email share's ``destination`` look like an address. A failed
  share may report the destination it failed on, whatever it was.
- ``session_id`` is "Unique session identifier (UUID)": the RFC 4122 text form
  (8-4-4-4-12 hex digits, either case). Braces, "urn:uuid:" or no hyphens are refused.
- ``sale_amount`` "(if sale made)": required when ``sale_made`` is true; without a sale it may
  be left out or 0, and a positive amount or purchased items contradict ``sale_made=false``.
- ``image_url`` "URL of the uploaded/shared image": an absolute http(s) URL when the share was
  sent; a failed share may carry "" (nothing was uploaded).
- Fields the seed does not list are refused ("unknown field"), top level and payload alike: a
  server that silently drops them would hide a kiosk sending data nobody stores.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

ENVELOPE = ("event_type", "session_id", "store_id", "seller_id", "device_id", "payload")
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
CHANNELS = ("whatsapp", "email", "airdrop", "other")
SHARE_STATUSES = ("sent", "failed")


class Invalid(ValueError):
    """One line for the seed's ``{"status": "error", "message": ...}``."""


Check = Callable[[str, Any], None]


def _name(where: str, v: Any) -> None:
    if not isinstance(v, str):
        raise Invalid(f"{where}: must be a string")
    if not v.strip():
        raise Invalid(f"{where}: must not be empty")


def _text(where: str, v: Any) -> None:
    if not isinstance(v, str):
        raise Invalid(f"{where}: must be a string")


def _number(where: str, v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise Invalid(f"{where}: must be a number")
    if not math.isfinite(v) or v < 0:
        raise Invalid(f"{where}: must be a number >= 0")


def _boolean(where: str, v: Any) -> None:
    if not isinstance(v, bool):
        raise Invalid(f"{where}: must be true or false")


def _ids(where: str, v: Any) -> None:
    if not isinstance(v, list):
        raise Invalid(f"{where}: must be an array")
    for i, item in enumerate(v):
        _name(f"{where}[{i}]", item)


def _phone_or_empty(where: str, v: Any) -> None:
    _text(where, v)
    if v and not PHONE.match(v):
        raise Invalid(f"{where}: not a phone number in international format (+6512345678)")


def _email_or_empty(where: str, v: Any) -> None:
    _text(where, v)
    if v and not EMAIL.match(v):
        raise Invalid(f"{where}: not an email address")


def _one_of(*values: str) -> Check:
    def check(where: str, v: Any) -> None:
        if v not in values:
            raise Invalid(f"{where}: must be one of {', '.join(repr(x) for x in values)}")
    return check


# event_type -> {field: (check, required)}, in the seed's table order.
PAYLOADS: dict[str, dict[str, tuple[Check, bool]]] = {
    "session.started": {
        "customer_name": (_text, True), "customer_phone": (_phone_or_empty, True),
        "customer_email": (_email_or_empty, True), "jeweler_id": (_name, True),
        "jeweler_name": (_name, True)},
    "jewelry.selected": {
        "jewelry_id": (_name, True), "jewelry_name": (_name, True), "jewelry_category": (_name, True),
        "price": (_number, False)},
    "image.generated": {
        "jewelry_id": (_name, True), "jewelry_name": (_name, True), "attire_id": (_name, True),
        "attire_name": (_name, True), "generation_time_ms": (_number, True)},
    "image.shared": {
        "channel": (_one_of(*CHANNELS), True), "destination": (_text, True), "jewelry_id": (_name, True),
        "jewelry_name": (_name, True), "jeweler_id": (_name, True), "jeweler_name": (_name, True),
        "share_status": (_one_of(*SHARE_STATUSES), True), "message_sid": (_text, False),
        "image_url": (_text, True)},
    "session.ended": {
        "duration_seconds": (_number, True), "items_tried": (_number, True), "items_shared": (_number, True),
        "sale_made": (_boolean, True), "sale_amount": (_number, False), "purchased_items": (_ids, True),
        "notes": (_text, True)},
    "attire.changed": {
        "attire_id": (_name, True), "attire_name": (_name, True), "is_original": (_boolean, True)},
}


def _refuse_constant(name: str) -> Any:
    raise Invalid(f"Invalid JSON body: {name} is not a JSON number")


def parse(raw: bytes) -> dict[str, Any]:
    """The checked envelope from a request body; Invalid says what is wrong."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as e:
        if isinstance(e, Invalid):
            raise
        raise Invalid("Invalid JSON body") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object (the event envelope)")
    check_envelope(body)
    return body


def check_envelope(body: dict[str, Any]) -> None:
    for k in body:
        if k not in ENVELOPE:
            raise Invalid(f"{k}: unknown field (the envelope has {', '.join(ENVELOPE)})")
    for k in ENVELOPE:
        if k not in body:
            raise Invalid(f"{k}: required")
    kind = body["event_type"]
    if kind not in PAYLOADS:
        raise Invalid(f"event_type: unknown event type {kind!r}; one of {', '.join(PAYLOADS)}")
    if not isinstance(body["session_id"], str) or not UUID_TEXT.match(body["session_id"]):
        raise Invalid("Invalid session_id")
    for k in ("store_id", "seller_id", "device_id"):
        _name(k, body[k])
    payload = body["payload"]
    if not isinstance(payload, dict):
        raise Invalid("payload: must be an object")
    check_payload(kind, payload)


def check_payload(kind: str, p: dict[str, Any]) -> None:
    spec = PAYLOADS[kind]
    for k in p:
        if k not in spec:
            raise Invalid(f"payload.{k}: unknown field for {kind}")
    for k, (check, required) in spec.items():
        if k in p:
            check(f"payload.{k}", p[k])
        elif required:
            raise Invalid(f"payload.{k}: required for {kind}")
    if kind == "session.ended":
        if p["sale_made"] and "sale_amount" not in p:
            raise Invalid("payload.sale_amount: required when sale_made is true")
        if not p["sale_made"] and (p.get("sale_amount") or p["purchased_items"]):
            raise Invalid("payload.sale_amount/purchased_items: a sale amount or purchased items "
                          "with sale_made=false")
    elif kind == "image.shared":
        _check_share(p)


def _check_share(p: dict[str, Any]) -> None:
    dest, channel, sent = p["destination"], p["channel"], p["share_status"] == "sent"
    if sent and channel == "whatsapp" and not PHONE.match(dest):
        raise Invalid("payload.destination: a WhatsApp share goes to a phone number (+6512345678)")
    if sent and channel == "email" and not EMAIL.match(dest):
        raise Invalid("payload.destination: an email share goes to an email address")
    url = p["image_url"]
    if (url or p["share_status"] == "sent") and not URL.match(url):
        raise Invalid("payload.image_url: must be an absolute http(s) URL")
