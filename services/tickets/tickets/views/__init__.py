"""Read models of tickets: projected from the event store, queried by the gateway over NATS."""
