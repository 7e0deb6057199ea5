"""What one process keeps between orders: compiled templates and clause libraries.

Each front makes one `Engine` (the CLI per command, a batch once for all its rows, a web form
once per process) and passes it to `render_order`; library callers that pass none share
`default_engine()`. Templates are keyed by path and modification time; a clause library by
its folders and the modification times of its files, looked at again on `refresh()` (what
`preview --watch` calls before each render), so an edited clause or chambers profile is read
anew while unchanged ones keep their compiled clauses. Converted prose and the privacy memo are
keyed by their own text, so nothing stale can come out of them and they need no owner.
"""

from __future__ import annotations

import os
from pathlib import Path

from .case import Case
from .clauses import ClauseLibrary
from .docx import CompiledTemplate
from .environment import make_environment
from .errors import CaseFileError, TemplateError
from .chambers import Chambers, library_for, load_chambers
from .resources import default_template

_Stamp = tuple[tuple[str, int, int], ...]


def _stamp(paths: list[Path]) -> _Stamp:
    """Name, modification time and size of each file under `paths` (folders walked)."""
    found: list[tuple[str, int, int]] = []
    for path in paths:
        if path.is_dir():
            for folder, _, names in os.walk(path):
                for name in names:
                    if name.endswith((".md", ".yaml", ".yml")):
                        found.append(_file_stamp(Path(folder) / name))
        else:
            found.append(_file_stamp(path))
    return tuple(sorted(found))


def _file_stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


class Engine:
    """The caches of one process, with one owner (see the module's docstring)."""

    def __init__(self) -> None:
        self._environment = None
        self._templates: dict[tuple[str, int, int], CompiledTemplate] = {}
        # chambers folder (None: none) -> (what it was read from, chambers, library)
        self._chambers: dict[str | None, tuple[_Stamp, Chambers, ClauseLibrary]] = {}

    def template(self, path: Path | str | None = None) -> CompiledTemplate:
        """The compiled template at `path` (the bundled order by default), until it changes."""
        path = Path(path or default_template()).resolve()
        try:
            stat = path.stat()
        except OSError:
            raise TemplateError("template not found", file=str(path)) from None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        compiled = self._templates.get(key)
        if compiled is None:
            if self._environment is None:
                self._environment = make_environment(autoescape=True)
            self._templates = {k: v for k, v in self._templates.items() if k[0] != key[0]}
            compiled = self._templates[key] = CompiledTemplate(path, self._environment)
        return compiled

    def chambers(self, folder: Path | str | None) -> tuple[Chambers, ClauseLibrary]:
        """The chambers profile read from `folder` (None: the defaults) and its clause library."""
        key = str(Path(folder).resolve()) if folder is not None else None
        held = self._chambers.get(key)
        if held is None:
            chambers = load_chambers(Path(key) if key else None)
            library = library_for(chambers)
            held = self._chambers[key] = (self._sources(key, library), chambers, library)
        return held[1], held[2]

    def chambers_for(self, case: Case, case_dir: Path | None) -> tuple[Chambers, ClauseLibrary]:
        """The chambers folder a case names (relative to its own folder) and its library."""
        try:
            folder = (case_dir or Path.cwd()) / case.chambers if case.chambers else None
            return self.chambers(folder)
        except (OSError, UnicodeDecodeError) as exc:  # a name too long, a folder not readable
            reason = exc.strerror if isinstance(exc, OSError) else "a file that is not UTF-8 text"
            raise CaseFileError(f"the chambers folder cannot be read: {reason}",
                                field="chambers") from None

    def refresh(self) -> None:
        """Forget every chambers profile and clause library whose files changed on disk."""
        for key, (stamp, _, library) in list(self._chambers.items()):
            if self._sources(key, library) != stamp:
                del self._chambers[key]

    @staticmethod
    def _sources(key: str | None, library: ClauseLibrary) -> _Stamp:
        paths = list(library.folders)
        if key is not None:
            paths.append(Path(key) / "profile.yaml")
        return _stamp(paths)


_DEFAULT: Engine | None = None


def default_engine() -> Engine:
    """The engine of library callers that do not make their own."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine()
    return _DEFAULT
