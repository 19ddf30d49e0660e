"""Live chat through the gateway: the start form over HTTP, then WebSockets fed by NATS."""
