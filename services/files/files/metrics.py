"""Prometheus metrics of the files service: uploads stored and refused (by rule), bytes stored."""

from prometheus_client import Counter

UPLOADS = Counter(
    "atende_uploads_total", "Uploads by outcome (stored, refused) and refusal rule.", ["outcome", "reason"]
)
STORED_BYTES = Counter("atende_upload_stored_bytes_total", "Bytes of the uploads stored.")
