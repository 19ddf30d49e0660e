"""What a mail says about files: names of an agent's attachments, and why a customer's were refused (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from contracts.tickets import RefusedAttachment

# Control characters and Unicode line breaks: a file's name is shown on one line, as sent.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# Each files refusal rule as the end of "O anexo X não foi aceito: …" / "The attachment X was not
# accepted: …". The limits are the files service's settings, so no number is promised here.
_REASONS: dict[str, tuple[str, str]] = {
    "too_large": ("o arquivo é maior que o tamanho máximo permitido", "the file is over the size limit"),
    "extension_not_allowed": ("tipo de arquivo não permitido", "file type not allowed"),
    "content_mismatch": (
        "o conteúdo do arquivo não corresponde à extensão do nome",
        "its content does not match the extension of its name",
    ),
    "empty": ("o arquivo está vazio", "the file is empty"),
    "archive_too_large": (
        "o arquivo compactado ficaria grande demais ao ser extraído",
        "the archive would be too large once extracted",
    ),
    "archive_ratio": (
        "o arquivo compactado tem uma taxa de compressão suspeita",
        "the archive has a suspicious compression ratio",
    ),
    "archive_too_many_entries": ("o arquivo compactado tem itens demais", "the archive holds too many files"),
    "archive_broken": ("o arquivo compactado está corrompido", "the archive is damaged"),
    "image_too_large": ("a imagem tem dimensões grandes demais", "the image's dimensions are too large"),
    "image_broken": ("a imagem está corrompida", "the image is damaged"),
    "office_broken": (
        "o documento está corrompido ou não é do tipo que o nome indica",
        "the document is damaged or not of the type its name says",
    ),
    "pdf_broken": ("o PDF está incompleto ou corrompido", "the PDF is incomplete or damaged"),
    "not_text": (
        "um script de banco de dados (.sql) precisa ser um arquivo de texto",
        "a database script (.sql) must be a text file",
    ),
    "infected": ("o antivírus encontrou uma ameaça no arquivo", "the antivirus found a threat in it"),
    # mail-ingest's own: it had no files service to hand the file to.
    "files_unavailable": (
        "não foi possível processá-lo naquele momento",
        "it could not be processed at that moment",
    ),
}
# A rule this release does not know yet (files may gain rules before the notifier learns their words).
_UNKNOWN_REASON = (
    "o arquivo não atende às regras de anexos",
    "the file does not meet the rules for attachments",
)


@dataclass(frozen=True)
class Attachment:
    """A stored file of an agent's reply: the name the customer reads and the id its link is made of."""

    attachment_id: str
    name: str


@dataclass(frozen=True)
class Refusal:
    """A file the customer sent that was refused, with the reason in the mail's language."""

    filename: str
    reason: str


def _portuguese(language: str) -> bool:
    return language.lower().startswith("pt")


def reason_text(code: str, language: str) -> str:
    """Why a file was refused, as the end of a sentence in ``language``."""
    texts = _REASONS.get(code, _UNKNOWN_REASON)
    return texts[0] if _portuguese(language) else texts[1]


def shown_name(name: str) -> str:
    """A file's name fit for one line of a mail."""
    return _UNSAFE.sub(" ", name).strip()


def refusals(refused: Iterable[RefusedAttachment], language: str) -> tuple[Refusal, ...]:
    """The refused files of a message, each with its reason in ``language``."""
    return tuple(
        Refusal(shown_name(r.filename) or "?", reason_text(r.reason_code, language)) for r in refused
    )


def named(
    attachment_ids: Sequence[str], names: Mapping[str, str] | None, language: str
) -> tuple[Attachment, ...]:
    """Each attachment with its file's name; "anexo N" where the files service could not tell it."""
    generic = "anexo" if _portuguese(language) else "attachment"
    found = names or {}
    return tuple(
        Attachment(attachment_id, shown_name(found.get(attachment_id, "")) or f"{generic} {position}")
        for position, attachment_id in enumerate(attachment_ids, start=1)
    )
