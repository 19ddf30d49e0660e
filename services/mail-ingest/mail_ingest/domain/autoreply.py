"""Which incoming mail is automatic and must never open a ticket or be answered (RFC 3834).

The rules follow RFC 3834 and what Zammad, RT and FreeScout learned the hard way: vacation
replies, bounces and mailing lists answered by a helpdesk make mail loops.
"""

from collections.abc import Mapping
from email.utils import parseaddr

LOOP_HEADER = "X-Atende-Loop"
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
_DAEMON_LOCAL_PARTS = {"mailer-daemon", "postmaster"}


def automatic_reason(headers: Mapping[str, str], sender: str) -> str | None:
    """Why the mail is automatic (a short rule name), or None when a person sent it.

    ``headers`` is looked up case-insensitively; ``sender`` is the From header (display name allowed).
    """
    lower = {name.lower(): value.strip() for name, value in headers.items()}
    if LOOP_HEADER.lower() in lower:
        return "own_loop_header"
    auto_submitted = lower.get("auto-submitted", "no").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return "auto_submitted"
    if lower.get("precedence", "").lower() in _BULK_PRECEDENCE:
        return "precedence_bulk"
    if "x-autoreply" in lower or "x-autorespond" in lower:
        return "x_autoreply"
    if "list-id" in lower or "list-unsubscribe" in lower:
        return "mailing_list"
    if "return-path" in lower and lower["return-path"] in {"", "<>"}:
        return "empty_return_path"
    local_part = parseaddr(sender)[1].split("@")[0].lower()
    if local_part in _DAEMON_LOCAL_PARTS:
        return "mailer_daemon"
    return None
