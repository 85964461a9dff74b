"""Customer contact details as sellers type them."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_email(text: str) -> bool:
    return bool(EMAIL.match(text))


def normalise_phone(text: str, country_code: str) -> str | None:
    """E.164 from what a seller types: '98123 45678' → '+919812345678'. None if not a number."""
    digits = re.sub(r"[\s\-().]", "", text)
    if not digits:
        return ""
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        digits = country_code + digits.lstrip("0")
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        return None
    return digits
