"""The files domain: pure rules about what may be attached, no I/O."""
