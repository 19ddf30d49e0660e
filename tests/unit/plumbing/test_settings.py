"""Each service reads its own prefix, once, from the environment."""

import pytest

from files.config import Settings as FilesSettings
from tickets.config import Settings as TicketsSettings


def test_each_service_reads_only_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATENDE_TICKETS_NATS_URL", "nats://tickets:4222")
    monkeypatch.setenv("ATENDE_TICKETS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("ATENDE_FILES_S3_SECRET_KEY", "s3cr3t")
    tickets, files = TicketsSettings(), FilesSettings()
    assert tickets.nats_url == "nats://tickets:4222" and tickets.log_level == "debug"
    assert files.nats_url == "nats://127.0.0.1:4222"
    assert files.s3_secret_key.get_secret_value() == "s3cr3t"
    assert "s3cr3t" not in repr(files), "secrets never reach logs"
    assert (tickets.ops_port, files.ops_port) == (8101, 8105)
