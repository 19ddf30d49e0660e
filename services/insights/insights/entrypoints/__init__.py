"""How work reaches insights: JetStream facts, NATS queries."""
