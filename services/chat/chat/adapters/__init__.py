"""Thin wrappers over chat's own PostgreSQL tables that are state, not projections."""
