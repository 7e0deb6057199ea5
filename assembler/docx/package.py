"""Reading a .docx zip into parts, and writing one byte-for-byte reproducibly.

The writer is a small ZIP (APPNOTE 6.3) implementation instead of `zipfile`, so that the
parts a template never changes (styles, theme, fonts, settings) are deflated once per batch
and copied into every document as already-compressed bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# Every entry carries the same DOS timestamp (1980-01-01 00:00:00) and no attributes, so the
# bytes depend on content alone.
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1
_VERSION = 20  # 2.0: deflate
_DEFLATE = 8


@dataclass(frozen=True)
class Compressed:
    """One part deflated once: reusable in every document that carries the same bytes."""

    source: bytes
    crc: int
    data: bytes


def compress(data: bytes, level: int = 9) -> Compressed:
    engine = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Compressed(data, zlib.crc32(data), engine.compress(data) + engine.flush())


@dataclass(frozen=True)
class CompressedHead:
    """The fixed beginning of a part deflated once, for parts whose ends differ per document."""

    source: bytes
    crc: int
    data: bytes  # ends in a full flush: byte-aligned, no reference past it

    def followed_by(self, tail: bytes) -> Compressed:
        """The whole part (head + tail), deflating only the tail."""
        engine = zlib.compressobj(1, zlib.DEFLATED, -15)
        return Compressed(self.source + tail, zlib.crc32(tail, self.crc),
                          self.data + engine.compress(tail) + engine.flush())


def compress_head(data: bytes, level: int = 9) -> CompressedHead:
    engine = zlib.compressobj(level, zlib.DEFLATED, -15)
    return CompressedHead(data, zlib.crc32(data),
                          engine.compress(data) + engine.flush(zlib.Z_FULL_FLUSH))


@dataclass
class Package:
    """The parts of an OPC package."""

    parts: dict[str, bytes] = field(default_factory=dict)

    def copy(self) -> "Package":
        return Package(dict(self.parts))


MAX_PART_BYTES = 64 << 20      # one entry, inflated (a template's largest is its pictures)
MAX_PACKAGE_BYTES = 256 << 20  # every entry together, inflated


class PackageTooLarge(ValueError):
    """A zip entry inflates beyond the limits (a zip bomb, or not a Word document)."""


def read_package(source: Path | bytes) -> Package:
    """Read every entry of a .docx, none inflated past MAX_PART_BYTES (whatever its header
    claims) and all together at most MAX_PACKAGE_BYTES."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    parts: dict[str, bytes] = {}
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                content = member.read(MAX_PART_BYTES + 1)
            total += len(content)
            if len(content) > MAX_PART_BYTES or total > MAX_PACKAGE_BYTES:
                raise PackageTooLarge(f"{info.filename}: inflates to more than "
                                      f"{MAX_PART_BYTES >> 20} MiB (a part) or "
                                      f"{MAX_PACKAGE_BYTES >> 20} MiB (the package)")
            parts[info.filename] = content
    return Package(parts)


def write_package(package: Package, cache: dict[str, Compressed] | None = None,
                  recent: dict[str, Compressed] | None = None) -> bytes:
    """Zip the parts in a fixed order; parts found unchanged in `cache` (static) or `recent`
    (what the last document had: headers and footers rarely change) are not deflated again."""
    cache = cache or {}
    out = io.BytesIO()
    central = []
    for name in sorted(package.parts, key=_entry_rank):
        data = package.parts[name]
        entry = cache.get(name)
        if entry is None or entry.source is not data and entry.source != data:
            entry = recent.get(name) if recent is not None else None
            if entry is None or entry.source != data:
                # A document's own parts: the fastest level (a few hundred bytes larger; the
                # parts shared by every document were compressed once, at the best level).
                entry = compress(data, level=1)
                if recent is not None:
                    recent[name] = entry
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, _VERSION, 0, _DEFLATE, _DOS_TIME,
                              _DOS_DATE, entry.crc, len(entry.data), len(data), len(encoded), 0))
        out.write(encoded)
        out.write(entry.data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _VERSION, _VERSION, 0,
                                   _DEFLATE, _DOS_TIME, _DOS_DATE, entry.crc, len(entry.data),
                                   len(data), len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start,
                          0))
    return out.getvalue()


def _entry_rank(name: str) -> tuple[int, str]:
    # [Content_Types].xml first and the package relationships next, as Word writes them.
    if name == "[Content_Types].xml":
        return (0, name)
    if name == "_rels/.rels":
        return (1, name)
    return (2, name)
