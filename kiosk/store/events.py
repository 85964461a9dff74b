"""Seed 000 event contract: one typed payload model per event type, plus the envelope.

Choices where the seed is vague (a careful integrator's reading, kept in one place):
- Every field the seed lists is always sent with its documented type. Text the customer did
  not give (name, phone, email, a provider message id) is sent as "" rather than null or
  omitted, because the seed types those fields as plain strings.
- ``price`` is the only field the seed calls optional: it is omitted when a piece has no
  price (price on request), never sent as null.
- ``sale_amount`` is "(if sale made)": it is 0.0 when no sale was made, so the field keeps
  its number type; a model validator refuses a positive amount without a sale.
- Amounts are JSON numbers (floats), counts and durations are integers, ``session_id`` is
  a canonical lowercase UUID string.
Models are strict (no "12" for 12, no unknown fields) so a bad event fails where it is
recorded, in the kiosk, not later as a dead letter from the cloud.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Id = Field(min_length=1, max_length=200)


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    event_type: ClassVar[str]

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class SessionStarted(Payload):
    event_type: ClassVar[str] = "session.started"
    customer_name: str = Field("", max_length=200)
    customer_phone: str = Field("", max_length=32)
    customer_email: str = Field("", max_length=254)
    jeweler_id: str = Id
    jeweler_name: str = Id

    @field_validator("customer_phone")
    @classmethod
    def _e164(cls, v: str) -> str:
        if v and not (v.startswith("+") and v[1:].isdigit() and 8 <= len(v) <= 16):
            raise ValueError("phone must be E.164, e.g. +6512345678")
        return v

    @field_validator("customer_email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and ("@" not in v or " " in v or v.startswith("@") or v.endswith("@")):
            raise ValueError("not an email address")
        return v


class JewelrySelected(Payload):
    event_type: ClassVar[str] = "jewelry.selected"
    jewelry_id: str = Id
    jewelry_name: str = Id
    jewelry_category: str = Id
    price: float | None = Field(None, ge=0)


class ImageGenerated(Payload):
    event_type: ClassVar[str] = "image.generated"
    jewelry_id: str = Id
    jewelry_name: str = Id
    attire_id: str = Id
    attire_name: str = Id
    generation_time_ms: int = Field(ge=0)


class ImageShared(Payload):
    event_type: ClassVar[str] = "image.shared"
    channel: Literal["whatsapp", "email", "airdrop", "other"]
    destination: str = Field(max_length=254)
    jewelry_id: str = Id
    jewelry_name: str = Id
    jeweler_id: str = Id
    jeweler_name: str = Id
    share_status: Literal["sent", "failed"]
    message_sid: str = Field("", max_length=200)
    image_url: str = Field(max_length=2000)


class SessionEnded(Payload):
    event_type: ClassVar[str] = "session.ended"
    duration_seconds: int = Field(ge=0)
    items_tried: int = Field(ge=0)
    items_shared: int = Field(ge=0)
    sale_made: bool
    sale_amount: float = Field(ge=0)
    purchased_items: list[str]
    notes: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _amount_needs_sale(self) -> SessionEnded:
        if not self.sale_made and (self.sale_amount or self.purchased_items):
            raise ValueError("sale_amount and purchased_items need sale_made=true")
        return self


class AttireChanged(Payload):
    event_type: ClassVar[str] = "attire.changed"
    attire_id: str = Id
    attire_name: str = Id
    is_original: bool


PAYLOADS: dict[str, type[Payload]] = {
    m.event_type: m
    for m in (SessionStarted, JewelrySelected, ImageGenerated, ImageShared, SessionEnded, AttireChanged)
}


def canonical_uuid(v: str) -> str:
    try:
        parsed = uuid.UUID(v)
    except (ValueError, AttributeError, TypeError):
        raise ValueError("must be a UUID like 550e8400-e29b-41d4-a716-446655440000") from None
    if str(parsed) != v:
        raise ValueError("must be a UUID in canonical lowercase form")
    return v


class Envelope(BaseModel):
    """The exact body of POST /v1/events."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    event_type: str
    session_id: str
    store_id: str = Id
    seller_id: str = Id
    device_id: str = Id
    payload: dict[str, Any]

    @field_validator("session_id")
    @classmethod
    def _session_uuid(cls, v: str) -> str:
        return canonical_uuid(v)

    @model_validator(mode="after")
    def _payload_matches_type(self) -> Envelope:
        model = PAYLOADS.get(self.event_type)
        if model is None:
            raise ValueError(f"unknown event_type {self.event_type!r}; one of {sorted(PAYLOADS)}")
        # JSON-mode strictness: the payload must already carry wire types.
        try:
            model.model_validate_json(json.dumps(self.payload), strict=True)
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in ("payload", *err["loc"]))
            raise ValueError(f"{where}: {err['msg']}") from None
        return self


def envelope(payload: Payload, *, session_id: str, store_id: str, seller_id: str,
             device_id: str) -> dict[str, Any]:
    """The wire body for one event. The typed payload validated itself when it was built, so
    only the envelope fields are checked here (this is on the recording hot path)."""
    try:
        canonical_uuid(session_id)
    except ValueError as e:
        raise ValueError(f"session_id {e}") from None
    for name, value in (("store_id", store_id), ("seller_id", seller_id), ("device_id", device_id)):
        if not isinstance(value, str) or not 1 <= len(value) <= 200:
            raise ValueError(f"{name} must be 1-200 characters")
    return {"event_type": payload.event_type, "session_id": session_id, "store_id": store_id,
            "seller_id": seller_id, "device_id": device_id, "payload": payload.wire()}
