"""A reference cloud for demos and tests: seed 000 events and seed 001 persons, with faults."""
