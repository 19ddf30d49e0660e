"""Content inspection of uploads: real files of every allowed type pass, hostile ones are refused."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import pytest
from support import hostile_files, samples

from files.domain.policy import Limits, Refusal, extension_of
from files.inspection import CONTENT_TYPES, Inspected, archives, images, inspect, signature, text


def _inspect(tmp_path: Path, filename: str, data: bytes, limits: Limits | None = None) -> Inspected | Refusal:
    path = tmp_path / "upload.tmp"  # like the service's spool file: the name says nothing
    path.write_bytes(data)
    return inspect(path, extension_of(filename), limits or Limits())


@pytest.mark.parametrize("name", samples.accepted_names())
def test_real_files_of_every_allowed_type_are_accepted(tmp_path: Path, name: str) -> None:
    filename, data = samples.accepted(name)
    extension = extension_of(filename)
    assert _inspect(tmp_path, filename, data) == Inspected(samples.CONTENT_TYPES[extension])


def test_every_allowed_extension_has_a_sample_and_a_content_type() -> None:
    covered = {extension_of(samples.accepted(name)[0]) for name in samples.accepted_names()}
    assert covered == set(CONTENT_TYPES) == set(samples.CONTENT_TYPES)
    assert CONTENT_TYPES == samples.CONTENT_TYPES


@pytest.mark.parametrize("name", sorted(hostile_files.HOSTILE))
def test_hostile_uploads_are_refused(tmp_path: Path, name: str) -> None:
    filename, data = hostile_files.hostile(name)
    found = _inspect(tmp_path, filename, data)
    assert isinstance(found, Refusal), found
    assert found.code == hostile_files.HOSTILE[name].code, found


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("pe_as_pdf", "application/x-dosexec"),
        ("html_as_png", "text/html"),
        ("svg_as_png", "image/svg+xml"),
        ("gif_js_polyglot", "text/javascript"),
        ("png_html_polyglot", "text/html"),
        ("png_as_jpg", "image/png"),
        ("html_as_sql", "text/html"),
        ("docx_macro_enabled", "application/vnd.ms-word.document.macroEnabled.12"),
    ],
)
def test_a_mismatch_says_what_the_content_looks_like(tmp_path: Path, name: str, detail: str) -> None:
    assert _inspect(tmp_path, *hostile_files.hostile(name)) == Refusal("content_mismatch", detail=detail)


def test_limits_are_the_callers(tmp_path: Path) -> None:
    png, zip_, rar = samples.sample("png"), samples.sample("zip"), samples.sample("rar")
    assert _inspect(tmp_path, "a.png", png, Limits(max_pixels=3000)) == Refusal(
        "image_too_large", 3000, "64x48"
    )
    assert _inspect(tmp_path, "a.zip", zip_, Limits(max_entries=1)) == Refusal("archive_too_many_entries", 1)
    refused = _inspect(tmp_path, "a.zip", zip_, Limits(max_expanded_bytes=1000))  # it expands to ~2 KB
    assert refused == Refusal("archive_too_large", 1000)
    assert _inspect(tmp_path, "a.rar", rar, Limits(max_entries=1)) == Refusal("archive_too_many_entries", 1)
    bomb = hostile_files.hostile("zip_ratio")[1]  # 30 MiB of zeros deflate about 1000:1
    assert _inspect(tmp_path, "a.zip", bomb, Limits(max_ratio=2000)) == Inspected("application/zip")


def test_empty_and_unlisted(tmp_path: Path) -> None:
    assert _inspect(tmp_path, "a.png", b"") == Refusal("empty")
    refused = _inspect(tmp_path, "a.exe", hostile_files.hostile("pe_as_pdf")[1])
    assert isinstance(refused, Refusal) and refused.code == "extension_not_allowed"


def test_a_library_failing_in_an_unforeseen_way_is_a_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(images, "check_image", explode)
    assert _inspect(tmp_path, *samples.accepted("png")) == Refusal("image_broken", detail="RuntimeError")


@pytest.mark.parametrize("name", samples.accepted_names())
def test_damaged_files_never_raise(tmp_path: Path, name: str) -> None:
    filename, data = samples.accepted(name)
    rng = random.Random(name)
    outcomes = set()
    for _ in range(40):
        damaged = bytearray(data[: rng.randrange(1, len(data) + 1)] if rng.random() < 0.3 else data)
        for _ in range(rng.randrange(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        found = _inspect(tmp_path, filename, bytes(damaged))
        assert isinstance(found, Inspected | Refusal)
        outcomes.add(type(found))
    assert Refusal in outcomes


def test_scripts_are_read_across_chunks(tmp_path: Path) -> None:
    start = b"--" + b"a" * (text.CHUNK - 12) + b"\n"
    script = start + "SELECT 'ç';\n".encode() * 20_000
    assert script[text.CHUNK - 1 : text.CHUNK + 1] == "ç".encode()  # straddles the first chunk's end
    assert _inspect(tmp_path, "a.sql", script) == Inspected("application/sql")
    assert _inspect(tmp_path, "a.sql", script + b"\x00") == Refusal("not_text")
    assert _inspect(tmp_path, "a.sql", script[:150_000] + b"\x81\x8d" + script[150_000:]) == Refusal(
        "not_text"
    )


def test_random_bytes_do_not_look_like_markup() -> None:
    rng = random.Random(7)
    assert not any(signature.sniffed_markup(rng.randbytes(signature.SNIFF_BYTES)) for _ in range(500))


def _as_zip64(data: bytes) -> bytes:
    """The same archive with a Zip64 end record and locator (what zipfile writes past 65,535 entries)."""
    at = data.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack_from("<xxxxxxxxxxHLL", data, at)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record + locator + end


def test_the_declared_entry_count_is_read_before_zipfile_builds_entries(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(7):
            archive.writestr(f"f{number}", b"x")
    for data in (out.getvalue(), _as_zip64(out.getvalue())):
        assert archives.declared_entries(io.BytesIO(data), len(data)) == 7
        assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [f"f{n}" for n in range(7)]
        assert _inspect(tmp_path, "a.zip", data) == Inspected("application/zip")
        assert _inspect(tmp_path, "a.zip", data, Limits(max_entries=6)) == Refusal(
            "archive_too_many_entries", 6
        )
    assert archives.declared_entries(io.BytesIO(b"no zip here"), 11) is None
