"""The chat domain: pure rules, no I/O."""
