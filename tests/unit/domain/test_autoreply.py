"""RFC 3834: automatic mail never opens a ticket."""

import pytest

from mail_ingest.domain.autoreply import automatic_reason


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "ana@example.com", "auto_submitted"),
        ({"auto-submitted": "auto-generated; owner-email=x@y"}, "ana@example.com", "auto_submitted"),
        ({"Precedence": "bulk"}, "ana@example.com", "precedence_bulk"),
        ({"Precedence": "List"}, "ana@example.com", "precedence_bulk"),
        ({"X-Autoreply": "yes"}, "ana@example.com", "x_autoreply"),
        ({"List-Id": "<news.example.com>"}, "ana@example.com", "mailing_list"),
        ({"Return-Path": "<>"}, "ana@example.com", "empty_return_path"),
        ({}, "MAILER-DAEMON@example.com", "mailer_daemon"),
        ({}, "<postmaster@example.com>", "mailer_daemon"),
        ({"X-Atende-Loop": "atende"}, "ana@example.com", "own_loop_header"),
    ],
)
def test_automatic_mail_is_recognised(headers: dict[str, str], sender: str, reason: str) -> None:
    assert automatic_reason(headers, sender) == reason


def test_a_person_writing_is_not_automatic() -> None:
    headers = {"Auto-Submitted": "no", "Precedence": "first-class", "Return-Path": "<ana@example.com>"}
    assert automatic_reason(headers, "ana@example.com") is None


def test_a_daemon_with_a_display_name_is_still_a_daemon() -> None:
    assert automatic_reason({}, '"Mail Delivery Subsystem" <MAILER-DAEMON@example.com>') == "mailer_daemon"
