"""Cloud garment try-on (seed 004): client, per-visit sessions, webhook verifier."""
