"""Seed 001 person resource, checked as its Django REST framework server would, written from the
seed text (the ``Person`` data model, the POST/PUT examples, the error shapes), not from the
kiosk's models.

The model this stands in for (a careful reading of ``interface Person``, where every field but
``id``/``organization``/timestamps is optional):
- ``full_name``, ``phone_number``, ``gender``, ``emotion``, ``body_type``: Django
  ``CharField(blank=True)``, the convention for optional text. A DRF ModelSerializer then
  accepts "" and refuses null ("This field may not be null."), and a person never given one
  shows "" (the seed's ``string``, not ``string | null``). ``phone_number``, when not blank,
  is an international number as in the seed (``+998901234567``).
- ``age``: ``PositiveIntegerField(null=True)``: DRF's IntegerField takes 25, "25" and 25.0 but
  not 25.5 or true.
- ``entry_time``/``exit_time``: ``DateTimeField(null=True)``, ISO 8601, rendered back as DRF
  does (UTC, ``isoformat()`` with ``Z``: ``...T10:00:00.123000Z`` for milliseconds). A time
  without a timezone is refused rather than guessed (DRF would assume the server's zone).
- ``vector``: 128 finite numbers; in the POST's multipart body a JSON string of them (the
  seed's ``"vector": "[0.1, 0.2, ...]"``), in a JSON PUT an array or that string.
- ``image``: ``ImageField(null=True)``, multipart only; stored under ``people/``.
- Fields the model does not have are refused ("unknown field") and so are the read-only ones
  (``id``, ``organization``, ``created_at``, ``updated_at``): DRF would drop them silently,
  which would hide a kiosk sending data that is never stored.
Errors use the seed's ``{"error": "Invalid data provided", "details": {field: [msg]}}``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

TEXT_FIELDS = {"full_name": 255, "phone_number": 20, "gender": 50, "emotion": 50, "body_type": 50}
TIME_FIELDS = ("entry_time", "exit_time")
NULLABLE = {"age", "vector", "image", *TIME_FIELDS}
WRITABLE = {*TEXT_FIELDS, *NULLABLE}
READ_ONLY = {"id", "organization", "created_at", "updated_at"}
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_AGE = 2147483647           # Django's PositiveIntegerField range
DECIMAL_ZERO = re.compile(r"\.0*\s*$")   # DRF's IntegerField accepts "25.0"
DATETIME_FORMAT = "Datetime has wrong format. Use one of these formats instead: " \
                  "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
LIST_FIELDS = ("id", "full_name", "phone_number", "age", "gender", "emotion", "body_type",
               "entry_time", "exit_time", "created_at", "updated_at")
CREATE_ANSWER = ("id", "vector", "image", "age", "gender", "emotion", "body_type",
                 "entry_time", "exit_time")


class Invalid(Exception):
    def __init__(self, details: dict[str, list[str]]):
        super().__init__(json.dumps(details))
        self.details = details


def drf_time(t: datetime) -> str:
    """How DRF's DateTimeField renders an aware time (USE_TZ, TIME_ZONE = UTC)."""
    text = t.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _time(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(DATETIME_FORMAT)
    try:
        t = datetime.fromisoformat(v.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(DATETIME_FORMAT) from None
    if t.tzinfo is None:
        raise ValueError("Datetime has no timezone: add Z or an offset such as +05:30.")
    return drf_time(t)


def _age(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ValueError("A valid integer is required.")
    try:
        n = int(DECIMAL_ZERO.sub("", str(v)))
    except ValueError:
        raise ValueError("A valid integer is required.") from None
    if n < 0:
        raise ValueError("Ensure this value is greater than or equal to 0.")
    if n > MAX_AGE:
        raise ValueError(f"Ensure this value is less than or equal to {MAX_AGE}.")
    return n


def _text(key: str, v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError("Not a valid string.")
    text = v.strip()                # DRF's trim_whitespace
    limit = TEXT_FIELDS[key]
    if len(text) > limit:
        raise ValueError(f"Ensure this field has no more than {limit} characters.")
    if key == "phone_number" and text and not PHONE.match(text):
        raise ValueError("Enter a valid phone number in international format (+998901234567).")
    return text


def _vector(v: Any, from_form: bool) -> list[float]:
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            raise ValueError("Must be a JSON array of 128 numbers.") from None
    elif from_form:
        raise ValueError("Must be a JSON string of 128 numbers.")
    if (not isinstance(v, list) or len(v) != 128
            or not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                       for x in v)):
        raise ValueError("Must be a JSON array of exactly 128 finite numbers.")
    return [float(x) for x in v]


def validate(fields: dict[str, Any], *, from_form: bool) -> dict[str, Any]:
    """The fields as the model stores them; raise Invalid with DRF-style per-field messages.
    An uploaded ``image`` file is checked by the caller; here ``image`` can only be text."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in fields.items():
        try:
            if key in READ_ONLY:
                raise ValueError("This field is read-only.")
            if key not in WRITABLE:
                raise ValueError("Unknown field: not part of the person resource.")
            if value is None:
                if key not in NULLABLE:
                    raise ValueError("This field may not be null.")
                out[key] = None
            elif from_form and value == "" and key in NULLABLE:
                out[key] = None     # DRF reads an empty form value of a nullable field as null
            elif key == "image":        # the file itself never gets here (see app.py)
                raise ValueError("The submitted data was not a file. Check the encoding type on the form.")
            elif key == "vector":
                out[key] = _vector(value, from_form)
            elif key == "age":
                out[key] = _age(value)
            elif key in TIME_FIELDS:
                out[key] = _time(value)
            else:
                out[key] = _text(key, value)
        except ValueError as e:
            errors[key] = [str(e)]
    if errors:
        raise Invalid(errors)
    return out


def new_person(person_id: str, organization: str, clean: dict[str, Any], image: str | None,
               stamp: str) -> dict[str, Any]:
    """A created person: every model field, blank text and null for what was not given."""
    person: dict[str, Any] = {"id": person_id, "organization": organization}
    person |= {k: "" for k in TEXT_FIELDS} | {k: None for k in NULLABLE}
    person |= {k: v for k, v in clean.items() if k != "image"}
    return person | {"image": image, "created_at": stamp, "updated_at": stamp}


def list_view(person: dict[str, Any]) -> dict[str, Any]:
    return {k: person.get(k) for k in LIST_FIELDS}


def create_view(person: dict[str, Any]) -> dict[str, Any]:
    return {k: person.get(k) for k in CREATE_ANSWER}
