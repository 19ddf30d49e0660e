"""Benchmark runner: scenarios reported as ratios to raw NATS and PostgreSQL baselines from the same run."""
