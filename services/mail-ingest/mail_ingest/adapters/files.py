"""The files service's private port: each attachment of a mail is validated and stored like an upload."""

from __future__ import annotations

import uuid

import httpx

from contracts.files import OwnerKind
from contracts.tickets import RefusedAttachment
from mail_ingest.domain.parsing import MailAttachment
from plumbing.ops import CLIENT_KEEP_ALIVE_S

# Attachment ids derive from the mail and the part's place in it: a mail handled again (a crash
# before it was flagged, an admin's retry) stores each file once.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://atende.dev/mail-attachments")


# httpx's default pool sizes, but idle connections are dropped before the files service closes them.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=CLIENT_KEEP_ALIVE_S)


class FilesUnavailable(RuntimeError):
    """The files service could not take the files now; the mail stays unhandled and is tried again."""


class Files:
    """Hands a mail's attachments to the files service; answers which were stored and which refused."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout_s, limits=LIMITS)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def store(
        self, message_id: str, sender: str, ticket_id: str, attachments: tuple[MailAttachment, ...]
    ) -> tuple[list[str], list[RefusedAttachment]]:
        """(stored ids, refusals) for a mail's attachments, owned by ``ticket_id``, uploaded by its sender."""
        stored: list[str] = []
        refused: list[RefusedAttachment] = []
        for index, attachment in enumerate(attachments):
            attachment_id = str(uuid.uuid5(_NAMESPACE, f"{message_id}#{index}"))
            params = {
                "filename": attachment.filename,
                "owner_kind": OwnerKind.TICKET.value,
                "owner_id": ticket_id,
                "uploaded_by": sender,
                "attachment_id": attachment_id,
            }
            try:
                answer = await self.http.post("/v1/attachments", params=params, content=attachment.content)
            except httpx.TransportError as exc:
                raise FilesUnavailable(repr(exc)) from exc
            if answer.status_code == 201:
                stored.append(attachment_id)
            elif answer.status_code in (413, 415, 422):
                body = answer.json()
                name = str(body.get("filename") or attachment.filename)
                refused.append(RefusedAttachment(filename=name[:500], reason_code=str(body["error"])))
            else:  # 401 (a wrong token), 409 (being stored right now), 5xx: not the file's fault
                raise FilesUnavailable(f"files answered {answer.status_code}")
        return stored, refused
