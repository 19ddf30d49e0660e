"""What each refusal code means, in words for logs, agents and the AttachmentRejected fact."""

_EXPLAINED = {
    "extension_not_allowed": "the file type is not on the allowed list",
    "too_large": "the file is larger than the limit",
    "empty": "the file is empty",
    "content_mismatch": "the content is not what the file name says it is",
    "archive_too_large": "the archive would expand past the limit",
    "archive_ratio": "the archive's compression ratio is absurd (a zip bomb)",
    "archive_too_many_entries": "the archive holds too many files",
    "archive_broken": "the archive cannot be read safely",
    "image_too_large": "the image would decompress into too many pixels",
    "image_broken": "the image cannot be read",
    "office_broken": "the document is not a valid file of its type",
    "not_text": "a database script must be plain text",
    "pdf_broken": "the PDF is incomplete or damaged",
    "infected": "the antivirus found a threat in it",
}


def explain(code: str) -> str:
    """A short English sentence for ``code`` (the code itself when unknown)."""
    return _EXPLAINED.get(code, code.replace("_", " "))
