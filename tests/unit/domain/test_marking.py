"""Our notifications are tagged for threading and marked as automatic."""

from notifier.domain.marking import LOOP_HEADER, automatic_headers, subject_line


def test_subject_carries_the_ticket_tag_and_no_header_injection() -> None:
    assert subject_line(1042, "Não consigo entrar") == "[#1042] Não consigo entrar"
    assert subject_line(7, "x\r\nBcc: evil@example.com") == "[#7] x Bcc: evil@example.com"
    assert len(subject_line(1, "a" * 500)) == 200


def test_notifications_are_marked_automatic() -> None:
    headers = automatic_headers("atende\r\nX-Evil: 1")
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers[LOOP_HEADER] == "atendeX-Evil: 1"


def test_unicode_line_breaks_never_reach_a_header() -> None:
    assert subject_line(3, "a\u2028b\u2029c\x85d") == "[#3] a b c d"
