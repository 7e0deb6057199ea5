"""An on-disk cache of work that depends only on its inputs: compiled Jinja code, cleaned
templates, court records.

Every run of the command starts a new process, and compiling a template's parts and clauses,
cleaning the template package and loading courts-db cost more than rendering a whole order.
Like Python's own `__pycache__`, the results are kept on disk and reused while their inputs are
unchanged. An entry's key is a hash of everything its content depends on (the input's bytes and
the environment's compile options), and entries live in a folder named after a fingerprint of
this package's own code, the Python version and the installed libraries whose output is kept,
so no change can serve a stale entry. Each such folder carries a CACHEDIR.TAG (so backup tools
skip it); only tagged folders are ever pruned. The cache is only ever an optimisation: an
entry that cannot be read, or a folder that cannot be written, means the work is simply done again.

Location: `$ASSEMBLER_CACHE_DIR` if set (`off` turns the cache off), else
`$XDG_CACHE_HOME/assembler`, else `~/.cache/assembler`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any, Callable

CACHE_ENV = "ASSEMBLER_CACHE_DIR"
_OFF = ("", "0", "off", "no", "none", "false")


# The libraries whose output is kept: Jinja's compiled code, markdown-it's parse, docxtpl's
# tag patching, courts-db's records, the cite-check's findings (eyecite, reporters-db), the
# legal holidays of a year and a state's code (holidays).
_LIBRARIES = ("jinja2", "markdown_it", "mdit_py_plugins", "docxtpl", "courts_db", "eyecite",
              "reporters_db", "holidays")


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """This package's source, the Python version, and the installed copy of each library.

    A library is identified by where its files are and their size and time (an upgrade
    rewrites them), found without importing it.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(importlib.util.MAGIC_NUMBER)
    digest.update(repr(sys.version_info[:3]).encode())
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        digest.update(f"{name}|{origin}|{stat and (stat.st_size, stat.st_mtime_ns)}".encode())
    return digest.hexdigest()[:20]


def cache_dir() -> Path | None:
    """The folder entries are read from and written to; None when the cache is off (or when
    there is no home folder to put it in, or the package's own files cannot be read)."""
    configured = os.environ.get(CACHE_ENV)
    try:
        if configured is not None:
            if configured.strip().lower() in _OFF:
                return None
            base = Path(configured)
        else:
            home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            base = Path(home) / "assembler"
        return base / _fingerprint()
    except (OSError, RuntimeError):  # Path.home() raises RuntimeError without a home
        return None


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def load(kind: str, entry: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / kind / entry).read_bytes()
    except OSError:
        return None


def store(kind: str, entry: str, data: bytes) -> None:
    """Write an entry under a temporary name and rename it into place; failures are ignored."""
    folder = cache_dir()
    if folder is None:
        return
    target = folder / kind / entry
    temp = None
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            (folder / "CACHEDIR.TAG").write_text(
                f"{_TAG_SIGNATURE}\n# the compile cache of assembler (safe to delete)\n")
            _prune(folder)
        target.parent.mkdir(exist_ok=True, mode=0o700)
        # An unpredictable name, created exclusively: a link planted in the folder is never
        # followed (the folder may be one ASSEMBLER_CACHE_DIR shares).
        fd, temp = tempfile.mkstemp(prefix=f".{entry}.", suffix=".part", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except OSError:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass


STALE_DAYS = 30
_TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"  # the Cache Directory Tagging spec


def _prune(current: Path) -> None:
    """When a new fingerprint folder is made (an upgrade, an edited package), remove the
    folders of other fingerprints that have not changed for STALE_DAYS days.

    Only a folder named like a fingerprint and holding this cache's CACHEDIR.TAG is removed,
    whatever else ASSEMBLER_CACHE_DIR's folder holds.
    """
    import shutil
    import time

    cutoff = time.time() - STALE_DAYS * 86400
    for sibling in current.parent.iterdir():
        try:
            if (sibling == current or sibling.is_symlink() or not sibling.is_dir()
                    or len(sibling.name) != len(current.name)
                    or any(c not in "0123456789abcdef" for c in sibling.name)
                    or sibling.stat().st_mtime >= cutoff):
                continue
            if (sibling / "CACHEDIR.TAG").read_text(errors="replace").startswith(_TAG_SIGNATURE):
                shutil.rmtree(sibling, ignore_errors=True)
        except OSError:
            continue


def load_value(kind: str, entry: str, valid: Callable[[Any], bool]) -> Any:
    """A stored value (marshal format), or None when there is none or it is not `valid`."""
    data = load(kind, entry)
    if data is None:
        return None
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return value if valid(value) else None


def store_value(kind: str, entry: str, value: Any) -> None:
    store(kind, entry, marshal.dumps(value))


def environment_options(env: Any) -> str:
    """What in a Jinja environment changes the code it compiles a source to."""
    options = [type(env).__module__, type(env).__qualname__, repr(env.autoescape),
               repr(getattr(env.finalize, "__qualname__", env.finalize)),
               repr(sorted(getattr(env, "intercepted_binops", ()))),
               repr(sorted(getattr(env, "intercepted_unops", ()))),
               env.block_start_string, env.block_end_string, env.variable_start_string,
               env.variable_end_string, env.comment_start_string, env.comment_end_string,
               repr(env.line_statement_prefix), repr(env.line_comment_prefix),
               repr((env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                     env.newline_sequence, env.optimized)),
               repr(sorted(type(e).__qualname__ for e in env.extensions.values())),
               # The code looks filters and tests up by name when it is loaded.
               repr(sorted(env.filters)), repr(sorted(env.tests))]
    return "\n".join(options)


def jinja_template(env: Any, source: str) -> Any:
    """`env.from_string(source)`, with the compiled code kept on disk.

    A syntax error is raised as from `from_string`, and nothing is stored for it.
    """
    entry = key("jinja", environment_options(env), source)
    code = load_value("jinja", entry, lambda value: isinstance(value, CodeType))
    if code is None:
        code = env.compile(source)
        store_value("jinja", entry, code)
    # A plain dict of the environment's globals, not the ChainMap `make_globals` gives: Jinja
    # copies the globals into every render's context, and a ChainMap is slow to iterate.
    return env.template_class.from_code(env, code, dict(env.make_globals(None)), None)
