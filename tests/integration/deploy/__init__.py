"""A package, so the test modules import the shared ./support.py relatively (tests/support is `support`)."""
