"""Government open days: registration, capacity, waitlist, check-in and review."""
