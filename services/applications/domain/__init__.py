"""The applications service's rules in plain Python: no transport, no storage."""
