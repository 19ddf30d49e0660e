"""Pure rules of insights: periods, business hours, ratings (no I/O)."""
