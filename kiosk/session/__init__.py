"""The customer visit: what the seller's screens do, recorded as seed-000 events."""
