"""The render memo: rendering an unchanged order again replays the earlier render.

A clerk renders an order, reads it, and renders it again; a script re-renders every case
file of a folder whenever one of them changes. When nothing an earlier render read has
changed since, and the command line is the same, the result is known already: the memo
writes the same .docx (through the same atomic write, which never replaces a file without
--force) and prints the same messages, without loading the case models, composing,
cite-checking or scanning again.

"Nothing has changed" is recorded, not guessed. While a render runs, an audit hook (PEP 578)
notes every file opened for reading and every folder listed: the case file, the template,
the clause files, court styles, motion kinds, a chambers profile, the data of courts-db and
reporters-db, the code of every library. Where the program looks for a file without opening
or listing anything (`Path.is_file()` on a chambers folder's `profile.yaml`, say), it says so
with `sys.audit("assembler.probe", folder)`, and that folder's entries are noted. A file is
noted by its identity (device, inode, size, modification and change times in nanoseconds)
and, outside the installed libraries, by its SHA-256 too; a folder by the names in it. A
later render replays only with the same command line, working folder, environment, day and
package fingerprint (the memo lives in the compile cache's folder for this exact package),
and only if every file and folder noted is as it was: anything else renders afresh.

Only a public render that succeeded is kept: never `--sealed` (no sealed order is kept in a
cache), never one that writes a PDF, a draft or nothing; `ASSEMBLER_CACHE_DIR=off` turns the
memo off with the rest of the cache. The memo is the command line's: a library caller
(`render_case`) always renders.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any

from . import cache

KIND = "memo"
_FORMAT = 1
PROBE_EVENT = "assembler.probe"

# Options whose render is never replayed: a sealed version is not kept in a cache, a PDF
# comes from LibreOffice, help and version print no order.
_NOT_REPLAYED = frozenset({"--sealed", "--pdf", "--pdf-a", "--soffice", "--help", "-h",
                           "--version"})
# Environment variables that can change what a render writes or prints.
_ENVIRONMENT = ("TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES",
                "SOURCE_DATE_EPOCH", "HOME", "XDG_CACHE_HOME", "PYTHONHASHSEED", "PYTHONUTF8",
                "PYTHONIOENCODING", "COLUMNS")
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def key_for(args: list[str]) -> str | None:
    """The memo key of a command line (the arguments after the program's name), or None
    when it is not a render that may be replayed."""
    try:
        return _key_for(args)
    except Exception:  # noqa: BLE001 - the memo is an optimisation: without it, render
        return None


def _key_for(args: list[str]) -> str | None:
    if len(args) < 2 or args[0] != "render" or cache.cache_dir() is None:
        return None
    for arg in args[1:]:
        if arg.split("=", 1)[0] in _NOT_REPLAYED or arg == "-":
            return None
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
            return None  # "-vo FILE", "-oFILE": spelled otherwise than the recorded one
    environment = sorted((name, value) for name, value in os.environ.items()
                         if name.startswith("ASSEMBLER_") or name in _ENVIRONMENT)
    return cache.key("render-memo", str(_FORMAT), os.getcwd(), "\0".join(args),
                     repr(environment), date.today().isoformat(), str(os.getuid()))


# ---- recording ---------------------------------------------------------------------------------


def _library_roots() -> tuple[str, ...]:
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
             site.getusersitepackages(), *sysconfig.get_paths().values()}
    return tuple(sorted({os.path.realpath(r) + os.sep for r in roots if r}))


class _Recorder:
    """What one render read: files (identity and, outside the libraries, content hash) and
    folders (their names), each as it was when the render first looked at it."""

    def __init__(self, key: str):
        self.key = key
        self.files: dict[str, tuple] = {}
        self.folders: dict[str, tuple[str, ...] | None] = {}
        self.transcript: list[tuple[int, str]] = []
        self.target: str | None = None
        self.data = b""
        self.force = False
        self.busy = False
        self.failed = False
        self.libraries = _library_roots()
        package = Path(__file__).resolve().parent
        self.package = str(package) + os.sep
        folder = cache.cache_dir()
        self.skipped = tuple(str(p) + os.sep for p in (folder,) if p is not None) + (
            "/proc/", "/dev/", "/sys/")
        # The cache's own folders: what is in them follows from the inputs noted.
        self.cache_folders = (str(folder), str(folder.parent)) if folder is not None else ()

    def _in_library(self, path: str) -> bool:
        return path.startswith(self.libraries)

    def note_file(self, path: str) -> None:
        if path in self.files or path.startswith(self.skipped):
            return
        if path.endswith(".pyc") or (path.startswith(self.package) and path.endswith(".py")):
            return  # compiled code (its source is noted), and this package's own code: the
            # fingerprint the memo's folder is named by
        library = self._in_library(path)
        self.files[path] = _identity(path, hashed=not library)
        if not library:
            self.note_folder(os.path.dirname(path))

    def note_folder(self, path: str) -> None:
        if (path in self.folders or path.startswith(self.skipped) or self._in_library(path)
                or path in self.cache_folders
                or os.path.basename(path) == "__pycache__"
                or (path + os.sep).startswith(self.package)):
            return
        self.folders[path] = _names(path)

    def note_probe(self, path: str) -> None:
        """A path looked at without being opened: its folder's entries, or the nearest
        existing folder's above it."""
        current = path
        while True:
            if os.path.isdir(current):
                self.note_folder(current)
                return
            parent = os.path.dirname(current)
            if parent == current:
                return
            current = parent


def _identity(path: str, *, hashed: bool) -> tuple:
    """A file as the memo compares it: by its bytes (size and SHA-256) where they are the
    user's (case files, templates, clauses, styles: rewriting the same bytes changes
    nothing), by its stat where it is an installed library's (device, inode, size and the
    modification and change times, which an upgrade or reinstall changes). A missing file
    is (None,): it must still be missing."""
    try:
        found = os.stat(path)
    except OSError:
        return (None,)
    if hashed and stat.S_ISREG(found.st_mode):
        try:
            with open(path, "rb") as handle:
                return ("sha256", found.st_size,
                        hashlib.file_digest(handle, "sha256").hexdigest())
        except OSError:
            return ("unreadable",)
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _names(path: str) -> tuple[str, ...] | None:
    try:
        return tuple(sorted(os.listdir(path)))
    except OSError:
        return None


_RECORDER: _Recorder | None = None
_HOOKED = False


def _hook(event: str, args: tuple) -> None:
    recorder = _RECORDER
    if recorder is None or recorder.busy:
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            return
        if isinstance(flags, int) and flags & _WRITING:
            return
        note = recorder.note_file
    elif event in ("os.listdir", "os.scandir"):
        path = args[0] if args else "."
        note = recorder.note_folder
    elif event == PROBE_EVENT:
        path = args[0]
        note = recorder.note_probe
    else:
        return
    if path is None:
        path = "."
    if isinstance(path, int):
        return
    recorder.busy = True
    try:
        path = os.fsdecode(os.fspath(path))
        note(os.path.abspath(path))
    except Exception:  # noqa: BLE001 - a path that cannot be noted: this render is not kept
        recorder.failed = True
    finally:
        recorder.busy = False


class _Tee:
    """A standard stream that also keeps what is written to it."""

    def __init__(self, stream: Any, index: int, transcript: list[tuple[int, str]]):
        self._stream, self._index, self._transcript = stream, index, transcript

    def write(self, text: Any) -> int:
        written = self._stream.write(text)
        if isinstance(text, str) and text:
            self._transcript.append((self._index, text))
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def start(key: str) -> None:
    """Record what the render about to run reads and prints."""
    global _RECORDER, _HOOKED
    recorder = _Recorder(key)
    if not _HOOKED:
        sys.addaudithook(_hook)
        _HOOKED = True
    sys.stdout = _Tee(sys.stdout, 1, recorder.transcript)
    sys.stderr = _Tee(sys.stderr, 2, recorder.transcript)
    _RECORDER = recorder


def written(target: Path, *, force: bool) -> None:
    """The render wrote its order to `target` (the command line calls this)."""
    recorder = _RECORDER
    if recorder is None:
        return
    recorder.busy = True
    try:
        recorder.target = os.path.abspath(target)
        recorder.data = Path(target).read_bytes()
        recorder.force = force
    except OSError:
        recorder.failed = True
    finally:
        recorder.busy = False


def finish(succeeded: bool) -> None:
    """Stop recording; keep the render if it succeeded and wrote its order."""
    try:
        _finish(succeeded)
    except Exception:  # noqa: BLE001 - not kept: the next render renders afresh
        pass


def _finish(succeeded: bool) -> None:
    global _RECORDER
    recorder, _RECORDER = _RECORDER, None
    if recorder is None:
        return
    for stream in ("stdout", "stderr"):
        tee = getattr(sys, stream)
        if isinstance(tee, _Tee):
            setattr(sys, stream, tee._stream)  # noqa: SLF001
    if not succeeded or recorder.failed or recorder.target is None:
        return
    recorder.busy = True
    for module in list(sys.modules.values()):  # the code of every library the render ran
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            recorder.note_file(os.path.abspath(path))
    name = os.path.basename(recorder.target)
    folders = {path: _without(names, name) if path == os.path.dirname(recorder.target)
               else names for path, names in recorder.folders.items()}
    entry = {"format": _FORMAT, "files": recorder.files, "folders": folders,
             "target": recorder.target, "force": recorder.force, "data": recorder.data,
             "transcript": recorder.transcript}
    try:
        cache.store(KIND, recorder.key, marshal.dumps(entry))
    except ValueError:
        pass


def _without(names: tuple[str, ...] | None, name: str) -> tuple[str, ...] | None:
    return None if names is None else tuple(n for n in names if n != name)


# ---- replaying ---------------------------------------------------------------------------------


def replay(key: str) -> bool:
    """Write and print what the recorded render did, if nothing it read has changed since;
    False (having written nothing) when it must be rendered afresh."""
    try:
        return _replay(key)
    except Exception:  # noqa: BLE001 - a damaged entry: render afresh
        return False


def _replay(key: str) -> bool:
    data = cache.load(KIND, key)
    if data is None:
        return False
    try:
        entry = marshal.loads(data)
        if not isinstance(entry, dict) or entry.get("format") != _FORMAT:
            return False
        files, folders = entry["files"], entry["folders"]
        target, force = entry["target"], entry["force"]
        document, transcript = entry["data"], entry["transcript"]
    except (EOFError, ValueError, TypeError, KeyError):
        return False
    name = os.path.basename(target)
    for path, identity in files.items():
        if _identity(path, hashed=identity[0] in ("sha256", "unreadable")) != identity:
            return False
    for path, names in folders.items():
        found = _names(path)
        if path == os.path.dirname(target):
            found = _without(found, name)
        if found != names:
            return False
    from .errors import AssemblerError
    from .output import write_atomic

    try:
        write_atomic(Path(target), document, force=force)
    except (AssemblerError, OSError):
        return False  # e.g. the order is there and no --force: the render says so itself
    try:
        for index, text in transcript:
            (sys.stdout if index == 1 else sys.stderr).write(text)
    except (OSError, ValueError):
        pass  # e.g. a closed pipe: the exit status says so (launch.exit_flushed)
    return True
