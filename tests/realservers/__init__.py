"""Real Django + Django REST framework (+ SimpleJWT) servers for the kiosk's tests.

Seeds 001 (person API, session auth) and 002 (commerce catalogue, JWT) are DRF services.
The devcloud (sync/devcloud/) is our own FastAPI stand-in, so it can only do what we thought
of; these are built from the frameworks' own parts, configured the way such a project
usually is, so the kiosk meets what those frameworks really do: Django's session and CSRF
middleware, ModelSerializers with default field options, PageNumberPagination, DRF throttling,
SimpleJWT with rotating and blacklisted refresh tokens, APPEND_SLASH, DEBUG=False error pages,
ImageFields served at relative URLs.

Test-only (the `test-django` dependency group): nothing in kiosk/ or sync/ imports this.
Django's settings are process-wide, so both seeds live in one Django project, each served on
its own loopback port with its own URLconf (see `common.ServerSelect`).
"""
