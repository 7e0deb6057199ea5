"""Reading a .docx zip into parts, and writing one byte-for-byte reproducibly."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Every entry gets the same timestamp and attributes, so the bytes depend on content alone.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Package:
    """The parts of an OPC package, in their zip order."""

    parts: dict[str, bytes] = field(default_factory=dict)

    def copy(self) -> "Package":
        return Package(dict(self.parts))


def read_package(source: Path | bytes) -> Package:
    """Read every entry of a .docx."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return Package({info.filename: archive.read(info) for info in archive.infolist()
                        if not info.is_dir()})


def write_package(package: Package) -> bytes:
    """Zip the parts with a fixed order, timestamps and attributes (reproducible output)."""
    names = sorted(package.parts, key=_entry_rank)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, package.parts[name], compresslevel=6)
    return buffer.getvalue()


def _entry_rank(name: str) -> tuple[int, str]:
    # [Content_Types].xml first and the package relationships next, as Word writes them.
    if name == "[Content_Types].xml":
        return (0, name)
    if name == "_rels/.rels":
        return (1, name)
    return (2, name)
