"""One client module per cloud contract. Clients know their wire format, not the kiosk's tables."""
