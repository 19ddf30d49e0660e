"""The notifier domain: pure rules about what to email and how it is marked, no I/O."""
