"""Seed 001 person fields as the kiosk records them.

The seed sends ``vector`` as a JSON string of 128 numbers inside multipart/form-data,
times as ISO 8601 UTC with a ``Z`` (``2024-12-01T10:00:00Z``; the kiosk adds milliseconds,
``2024-12-01T10:00:00.250Z``, which ISO 8601 and DRF accept). Fields the kiosk does not
know are left out of the request rather than sent empty: Django REST framework would
reject ``""`` for an integer or a date-time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

VECTOR_DIM = 128


def iso_utc(t: datetime) -> str:
    """Milliseconds included: a person record is found again by its entry_time when the
    answer to its POST was lost (seed 001 has no idempotency), and seconds are too coarse."""
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    u = t.astimezone(UTC)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


class PersonFields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    age: int | None = Field(None, ge=0, le=120)
    gender: str | None = Field(None, min_length=1, max_length=32)
    emotion: str | None = Field(None, min_length=1, max_length=32)
    body_type: str | None = Field(None, min_length=1, max_length=32)
    entry_time: datetime | None = None
    exit_time: datetime | None = None

    @field_validator("entry_time", "exit_time")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("must be timezone-aware")
        return v

    def wire(self) -> dict[str, Any]:
        """JSON-ready values, absent fields left out."""
        out: dict[str, Any] = {}
        for k, v in self.model_dump(exclude_none=True).items():
            out[k] = iso_utc(v) if isinstance(v, datetime) else v
        return out


class PersonUpdate(PersonFields):
    """Body of PUT /api/client/person/{id}/ (e.g. name, phone and exit time at session end)."""

    full_name: str | None = Field(None, min_length=1, max_length=200)
    phone_number: str | None = Field(None, pattern=r"^\+[1-9]\d{6,14}$")


def check_vector(vector: Sequence[float]) -> list[float]:
    values = [float(x) for x in vector]
    if len(values) != VECTOR_DIM:
        raise ValueError(f"a face vector has {VECTOR_DIM} numbers, got {len(values)}")
    if not all(math.isfinite(x) for x in values):
        raise ValueError("a face vector must not contain NaN or infinity")
    return values
