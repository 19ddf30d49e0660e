"""How our own mail is marked, so replies thread and auto-responders never loop with us."""

import re

LOOP_HEADER = "X-Atende-Loop"
# Control characters, C1 controls and Unicode line/paragraph separators: each could end a header.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def subject_line(number: int, subject: str, max_length: int = 200) -> str:
    """``[#1042] subject``: the tag lets a reply find its ticket; control characters never pass."""
    clean = _UNSAFE.sub(" ", subject).strip()
    return f"[#{number}] {clean}"[:max_length].rstrip()


def automatic_headers(site: str) -> dict[str, str]:
    """Headers on every notification (RFC 3834): automatic, no auto-replies wanted, our loop mark."""
    return {
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        LOOP_HEADER: _UNSAFE.sub("", site),
    }
