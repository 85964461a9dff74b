"""Seed 002: the commerce catalogue (SimpleJWT), as far as the kiosk's import reads it."""
