"""The ticket API: customers' portal endpoints and the agents' console endpoints, over NATS."""
