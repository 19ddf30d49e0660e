"""The chat's rules: the Conversation aggregate, its transitions, entries and wait estimates (pure)."""
