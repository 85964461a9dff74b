"""Seed 001 person resource validation, with Django REST framework's error shapes."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

TEXT_FIELDS = ("gender", "emotion", "body_type")
TIME_FIELDS = ("entry_time", "exit_time")
CREATE_FIELDS = {"vector", "age", *TEXT_FIELDS, *TIME_FIELDS, "image"}
UPDATE_FIELDS = {"full_name", "phone_number", "age", *TEXT_FIELDS, *TIME_FIELDS}
# The list view shows these as null until a name or phone is given, so they are nullable.
NULLABLE = {"full_name", "phone_number"}
LIST_FIELDS = ("id", "full_name", "phone_number", "age", "gender", "emotion", "body_type",
               "entry_time", "exit_time", "created_at", "updated_at")
CREATE_ANSWER = ("id", "vector", "image", "age", "gender", "emotion", "body_type",
                 "entry_time", "exit_time")


class Invalid(Exception):
    def __init__(self, details: dict[str, list[str]]):
        super().__init__(json.dumps(details))
        self.details = details


def _time(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError("Datetime has wrong format. Use ISO 8601.")
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Datetime has wrong format. Use ISO 8601.") from None
    if t.tzinfo is None:
        raise ValueError("Datetime must carry a timezone.")
    return v


def _age(v: Any, from_form: bool) -> int:
    if from_form and isinstance(v, str) and v.strip().lstrip("-").isdigit():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("A valid integer is required.")
    if not 0 <= v <= 150:
        raise ValueError("Ensure this value is between 0 and 150.")
    return v


def _text(v: Any, limit: int = 50) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError("Not a valid string." if not isinstance(v, str) else "This field may not be blank.")
    if len(v) > limit:
        raise ValueError(f"Ensure this field has no more than {limit} characters.")
    return v


def _vector(v: Any) -> list[float]:
    if not isinstance(v, str):
        raise ValueError("Must be a JSON string of 128 numbers.")
    try:
        values = json.loads(v)
    except ValueError:
        raise ValueError("Must be a JSON string of 128 numbers.") from None
    if (not isinstance(values, list) or len(values) != 128
            or not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                       for x in values)):
        raise ValueError("Must be a JSON array of exactly 128 finite numbers.")
    return [float(x) for x in values]


def validate(fields: dict[str, Any], allowed: set[str], from_form: bool) -> dict[str, Any]:
    """Check the fields; raise Invalid with DRF-style per-field messages."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in fields.items():
        try:
            if key not in allowed:
                raise ValueError("Unknown field.")
            if key in NULLABLE and value is None and not from_form:
                out[key] = None           # a forgotten customer's contact details are blanked
            elif key == "vector":
                out[key] = _vector(value)
            elif key == "age":
                out[key] = _age(value, from_form)
            elif key in TIME_FIELDS:
                out[key] = _time(value)
            elif key == "phone_number":
                v = _text(value, 20)
                if not (v.startswith("+") and v[1:].isdigit()):
                    raise ValueError("Enter a valid phone number.")
                out[key] = v
            elif key == "full_name":
                out[key] = _text(value, 200)
            else:
                out[key] = _text(value)
        except ValueError as e:
            errors[key] = [str(e)]
    if errors:
        raise Invalid(errors)
    return out


def list_view(person: dict[str, Any]) -> dict[str, Any]:
    return {k: person.get(k) for k in LIST_FIELDS}


def create_view(person: dict[str, Any]) -> dict[str, Any]:
    return {k: person.get(k) for k in CREATE_ANSWER}
