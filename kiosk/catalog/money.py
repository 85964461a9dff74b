"""How amounts read on screens, photos and share pages (one place, so they all agree)."""

from __future__ import annotations


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "price on request"
    return f"{currency} {amount:,.0f}"
