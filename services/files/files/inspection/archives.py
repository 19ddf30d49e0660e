"""Archive bombs, judged from the archive's directory alone: nothing is ever decompressed."""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

import rarfile

from files.domain.policy import Limits, Refusal

# Below this many expanded bytes a high ratio is harmless (a page of spaces deflates 1000:1).
RATIO_FLOOR = 1024 * 1024

# APPNOTE 4.3.16: end of central directory; 4.3.15 and 4.3.14: its Zip64 locator and record.
_END = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
# APPNOTE 4.3.7: a local file header (signature ... name length, extra length).
_LOCAL = struct.Struct("<4s22xHH")


def bounds(entries: int, expanded: int, size: int, limits: Limits) -> Refusal | None:
    """The limit an archive of ``entries`` files expanding to ``expanded`` bytes breaks, or None."""
    if entries > limits.max_entries:
        return Refusal("archive_too_many_entries", limits.max_entries)
    if expanded > limits.max_expanded_bytes:
        return Refusal("archive_too_large", limits.max_expanded_bytes)
    if expanded > RATIO_FLOOR and expanded > limits.max_ratio * size:
        return Refusal("archive_ratio", limits.max_ratio, f"{expanded // max(size, 1)}:1")
    return None


def declared_entries(stream: BinaryIO, size: int) -> int | None:
    """The entry count the end-of-directory record declares (None when there is none to read).

    zipfile builds every entry before anyone can count them (130,000 empty entries fit in 10 MB and
    cost it half a second and 64 MB), so the count is read first.
    """
    tail = min(size, _END.size + 0xFFFF)  # the record, then a comment of at most 64 KiB
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + _END.size > len(data):
        return None
    count: int = _END.unpack_from(data, at)[4]
    if count != 0xFFFF or at < _ZIP64_LOCATOR.size:
        return count
    locator = _ZIP64_LOCATOR.unpack_from(data, at - _ZIP64_LOCATOR.size)
    if locator[0] != b"PK\x06\x07":
        return count
    stream.seek(locator[2])
    record = stream.read(_ZIP64_END.size)
    if len(record) < _ZIP64_END.size or not record.startswith(b"PK\x06\x06"):
        return None
    total: int = _ZIP64_END.unpack(record)[7]
    return total


def overlapping(archive: zipfile.ZipFile, stream: BinaryIO) -> bool:
    """Whether two entries share bytes, or an entry has no local header where the directory says.

    Non-recursive zip bombs (Fifield, "A better zip bomb", 2019) point many entries at one kernel,
    or let one entry's data quote the next entry's header; either way the byte ranges overlap.
    """
    end = 0
    for info in sorted(archive.infolist(), key=lambda entry: entry.header_offset):
        if info.header_offset < end:
            return True
        stream.seek(info.header_offset)
        header = stream.read(_LOCAL.size)
        if len(header) < _LOCAL.size:
            return True
        signature, name_length, extra_length = _LOCAL.unpack(header)
        if signature != b"PK\x03\x04":
            return True
        end = info.header_offset + _LOCAL.size + name_length + extra_length + info.compress_size
    return end > archive.start_dir


def check_zip(archive: zipfile.ZipFile, stream: BinaryIO, size: int, limits: Limits) -> Refusal | None:
    """Entry count, declared expanded size, ratio and overlaps of an opened zip (also docx, xlsx)."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        return Refusal("archive_too_many_entries", limits.max_entries)
    if overlapping(archive, stream):
        return Refusal("archive_broken", detail="overlapping entries")
    return bounds(len(infos), sum(info.file_size for info in infos), size, limits)


def open_zip(stream: BinaryIO, size: int, limits: Limits) -> zipfile.ZipFile | Refusal:
    """The zip in ``stream``, opened once its declared entry count is known to be within the limit."""
    declared = declared_entries(stream, size)
    if declared is not None and declared > limits.max_entries:
        return Refusal("archive_too_many_entries", limits.max_entries)
    try:
        return zipfile.ZipFile(stream)  # which it leaves open when closed: ours
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        ValueError,
        EOFError,
        struct.error,
    ):
        return Refusal("archive_broken")


class _TooMany(Exception):
    """Stops rarfile's listing as soon as the entry limit is passed."""


def _is_file(header: rarfile.RarInfo) -> bool:
    # Every file header counts, old file versions too: infolist() hides those, `unrar -ver` does not.
    return bool(
        getattr(header, "type", None) == rarfile.RAR_BLOCK_FILE
        or getattr(header, "block_type", None) == rarfile.RAR5_BLOCK_FILE
    )


def check_rar(stream: BinaryIO, size: int, limits: Limits) -> Refusal | None:
    """Entry count, declared expanded size and ratio of a RAR (4 or 5), from its headers only.

    rarfile lists archives in pure Python; the `unrar` tool it drives is needed only to extract.
    """
    entries = expanded = 0

    def tally(header: rarfile.RarInfo) -> None:
        nonlocal entries, expanded
        if _is_file(header):
            entries += 1
            expanded += header.file_size or 0
            if entries > limits.max_entries:
                raise _TooMany

    try:
        # A stream and part_only: given a path, rarfile would go looking for sibling volumes on disk.
        archive = rarfile.RarFile(stream, errors="strict", part_only=True, info_callback=tally)
    except _TooMany:
        return Refusal("archive_too_many_entries", limits.max_entries)
    except (rarfile.Error, ValueError, EOFError, struct.error):
        return Refusal("archive_broken")
    if not entries and archive.needs_password():
        return Refusal("archive_broken", detail="encrypted file list")
    return bounds(entries, expanded, size, limits)
