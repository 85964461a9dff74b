"""One module per screen of a customer visit; no business logic here (see kiosk.session)."""
