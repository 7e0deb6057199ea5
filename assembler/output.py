"""Writing files into a user's folder: never half-written, never through a planted link, and
never touching a file this program did not make.

A file is written under a temporary name that `tempfile` makes (unpredictable, created with
O_EXCL, so a name planted in advance, a symlink say, is never opened) in the target's own
folder, then renamed into place. Without `force` the rename is a hard link, which fails if
the target appeared meanwhile, so nothing that is there is ever replaced.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import OutputError

BATCH_TAG = "assembler-batch"
"""Marks a batch's temporary files (`.NAME.assembler-batch-XXXXXXXX.tmp`), so that a later
batch into the same folder can recognise and remove what a killed one left, and only that."""

_UMASK: int | None = None


def _file_mode() -> int:
    """0o666 less the umask, as a plain open() would make (mkstemp makes 0o600 files)."""
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_atomic(path: Path, data: bytes, *, force: bool = False, durable: bool = True,
                 tag: str = "assembler") -> None:
    """Write `data` to `path` via a temporary file and a rename: never a half-written file.

    `durable` also flushes the file to disk before the rename (a batch flushes once at the
    end instead, which is much faster for hundreds of files). `tag` goes into the temporary
    file's name (a batch passes BATCH_TAG).
    """
    path = Path(path)
    if not force and os.path.lexists(path):
        raise OutputError("already exists", file=str(path), hint="overwrite")
    if path.is_dir():
        raise OutputError("is a directory", file=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError("the output folder does not exist", file=str(path))
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name[:100]}.{tag}-", suffix=".tmp",
                                    dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write: {_reason(exc)}", file=str(path)) from None
    try:
        try:
            os.fchmod(fd, _file_mode())
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        _place(temp, path, force)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {_reason(exc)}", file=str(path)) from None
        raise


def _place(temp: str, path: Path, force: bool) -> None:
    if force:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path, follow_symlinks=False)  # fails if the target appeared meanwhile
    except FileExistsError:
        raise OutputError("already exists", file=str(path), hint="overwrite") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK,
                             errno.EXDEV):
            raise
        # A file system without hard links (FAT, some network shares): check, then rename.
        if os.path.lexists(path):
            raise OutputError("already exists", file=str(path), hint="overwrite") from None
        os.replace(temp, path)
        return
    os.unlink(temp)


def remove_temporaries(folder: Path, tag: str = BATCH_TAG) -> int:
    """Remove the temporary files named with `tag` in `folder` (regular files only; a link
    of that name is left alone). Returns how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    marker = f".{tag}-"
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".tmp") and marker in name):
            continue
        try:
            if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed


def holds_exactly(path: Path, digest: str) -> bool:
    """Whether `path` is a regular file (not a link) whose bytes have the sha256 `digest`: an
    order that is already there, so writing it again would change nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "rb") as handle:
            return (stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
                    and hashlib.sha256(handle.read()).hexdigest() == digest)
    except OSError:
        return False
