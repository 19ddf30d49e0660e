"""Messages owned by the files service: what happened to an attachment."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import Id, ShortText
from contracts.envelope import Message
from contracts.registry import message_type


class OwnerKind(StrEnum):
    """What an attachment belongs to."""

    TICKET = "ticket"
    CONVERSATION = "conversation"


@message_type("files.AttachmentStored", 1)
class AttachmentStoredV1(Message):
    """An attachment passed validation and its bytes are in object storage."""

    attachment_id: Id
    owner_kind: OwnerKind
    owner_id: Id
    filename: ShortText = Field(description="Sanitised original name, for display only.")
    content_type: ShortText
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    uploaded_by: Id
    stored_at: datetime


@message_type("files.AttachmentRejected", 1)
class AttachmentRejectedV1(Message):
    """An attachment was refused; nothing was stored."""

    attachment_id: Id
    owner_kind: OwnerKind
    owner_id: Id
    filename: ShortText
    reason_code: ShortText = Field(description="Stable rule name, e.g. too_large, extension_not_allowed.")
    reason: ShortText = Field(description="Human explanation, for logs and agents.")
    uploaded_by: Id
    rejected_at: datetime


class Attachment(BaseModel):
    """A stored attachment as callers see it (no storage key: bytes are fetched through files)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    attachment_id: Id
    owner_kind: OwnerKind
    owner_id: Id
    filename: ShortText = Field(description="Sanitised original name, for display only.")
    content_type: ShortText = Field(description="The detected type it is served as.")
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    uploaded_by: Id
    stored_at: datetime


@message_type("files.DescribeAttachments", 1)
class DescribeAttachmentsV1(Message):
    """The stored attachments among ``attachment_ids`` (unknown or refused ids are left out)."""

    attachment_ids: list[Id] = Field(max_length=100)


@message_type("files.AttachmentList", 1)
class AttachmentListV1(Message):
    """Answer to DescribeAttachments, in the order asked."""

    attachments: list[Attachment]
