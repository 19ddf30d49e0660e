"""Guide 003's attachment rules, checked before any byte is read."""

import dataclasses

import pytest

from files.domain.policy import ALLOWED_EXTENSIONS, MAX_BYTES, Limits, Refusal, check, extension_of, safe_name


@pytest.mark.parametrize("extension", sorted(ALLOWED_EXTENSIONS))
def test_every_listed_type_is_accepted(extension: str) -> None:
    assert check(f"relatório.{extension.upper()}", 1024) is None


@pytest.mark.parametrize(
    "name", ["script.exe", "page.html", "logo.svg", "noextension", ".png", "doc.pdf.exe"]
)
def test_other_types_are_refused(name: str) -> None:
    refusal = check(name, 10)
    assert refusal is not None and refusal.code == "extension_not_allowed"


def test_size_limit_is_ten_megabytes() -> None:
    assert check("backup.zip", MAX_BYTES) is None
    assert check("backup.zip", MAX_BYTES + 1) == Refusal("too_large", MAX_BYTES)
    assert check("backup.zip", 0) == Refusal("empty")
    assert check("backup.zip", None) is None


def test_names_lose_paths_controls_and_direction_tricks() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\ana\\nota.pdf") == "nota.pdf"
    assert safe_name("fatura\u202egpj.exe") == "faturagpj.exe"
    assert safe_name("a\x00b\r\n.png") == "ab.png"
    assert extension_of("fatura\u202egnp.exe") == "exe"
    long = safe_name("x" * 400 + ".docx")
    assert len(long) == 150 and long.endswith(".docx")
    assert safe_name("...") == "arquivo"


def test_content_limits_default_to_the_issues_numbers() -> None:
    limits = Limits()
    assert limits.max_expanded_bytes == 1024**3
    assert limits.max_ratio == 100
    assert limits.max_entries == 10_000
    assert limits.max_pixels == 40_000_000
    assert Limits(max_pixels=10).max_pixels == 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_ratio = 1  # type: ignore[misc]


def test_a_refusal_may_say_what_was_seen() -> None:
    assert Refusal("too_large", MAX_BYTES).detail is None
    assert Refusal("content_mismatch", None, "text/html") == Refusal("content_mismatch", detail="text/html")
