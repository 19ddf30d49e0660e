"""What insights talks to: its PostgreSQL tables."""
