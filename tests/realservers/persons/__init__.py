"""Seed 001: the person API (Django session auth), and seed 000's events endpoint on the same
host, routed the Django way (with a trailing slash)."""
