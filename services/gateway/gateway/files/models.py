"""The attachment API's HTTP bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from contracts.files import Attachment

# OpenAPI for a raw-body upload: the file's bytes are the request body, its name a query parameter.
RAW_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes, as they are (not multipart). Content-Length lets a too-big file "
        "be refused before it is sent.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class AttachmentOut(BaseModel):
    """A stored attachment: reference it by id in a ticket or reply; fetch it at ``url``."""

    id: str
    filename: str = Field(description="The original name, cleaned of paths and control characters.")
    content_type: str = Field(description="What the content was found to be.")
    size: int
    sha256: str
    uploaded_at: datetime
    url: str = Field(description="Where those who may see the ticket download it.")


def attachment_out(attachment: Attachment, url: str) -> AttachmentOut:
    """The API's form of a stored attachment."""
    return AttachmentOut(
        id=attachment.attachment_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_at=attachment.stored_at,
        url=url,
    )
