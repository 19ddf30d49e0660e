"""Prometheus metrics the plumbing records for every service."""

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_HANDLED = Counter(
    "atende_messages_handled_total",
    "JetStream messages handled by a durable consumer, by outcome.",
    ["consumer", "outcome"],
)
HANDLE_SECONDS = Histogram(
    "atende_message_handle_seconds", "Time to handle one JetStream message.", ["consumer"]
)
PUBLISHED = Counter(
    "atende_messages_published_total", "Messages published to JetStream.", ["subject", "duplicate"]
)
REQUESTS = Counter(
    "atende_requests_total", "Request-reply calls served, by outcome.", ["endpoint", "outcome"]
)
REQUEST_SECONDS = Histogram("atende_request_seconds", "Time to serve one request-reply call.", ["endpoint"])
RELAY_LAG = Gauge(
    "atende_relay_lag_events", "Events recorded but not yet published, as the relay last measured.", ["app"]
)
RELAY_LEADING = Gauge("atende_relay_leading", "1 while this replica's relay is the one publishing.", ["app"])
CONSUMER_PENDING = Gauge(
    "atende_consumer_pending_messages", "Messages waiting for a durable consumer (its lag).", ["consumer"]
)
