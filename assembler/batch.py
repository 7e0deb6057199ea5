"""The CSV batch: rows -> cases -> orders, in a pool of worker processes.

Every file is written under a temporary name and renamed into place; the manifest is a journal
appended after each rename, one whole line at a time, so an interruption leaves only complete
orders and a manifest that `resume` can finish. Workers ignore Ctrl-C (and the parent takes
SIGTERM as one): the parent stops handing out rows and waits for the ones in flight
(milliseconds), so nothing is half-written. Workers die with the parent. One batch at a time
writes into a folder (an advisory lock on the folder itself).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gc
import hashlib
import io
import os
import signal
import sys
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from .case import Case, validate_case
from .errors import (AssemblerError, CaseFileError, LeakError, OutputError, PrivacyError,
                     one_line)
from .hints import remedy, with_hint
from .output import BATCH_TAG, holds_exactly, remove_temporaries
from .rawdata import (LocatedData, Path_, apply_override, dotted_path, parse_override,
                      read_data_file)

MANIFEST = "manifest.csv"
CHUNK = 16  # rows per task at most: enough to make inter-process traffic negligible


@dataclass
class RowResult:
    row: int
    case_number: str
    status: str          # ok | failed | kept (an identical order was there: --resume)
    output: str = ""
    sha256: str = ""
    error: str = ""
    pdf: str = ""
    version: str = ""    # public | sealed: which version of the order the file is
    # The court style, template, style and clause files (for -v; not a manifest column).
    used: tuple[tuple[str, str], ...] = field(default=(), metadata={"manifest": False})

    def cells(self) -> list[str | int]:
        """The row's manifest line, in MANIFEST_FIELDS order."""
        return [getattr(self, name) for name in MANIFEST_FIELDS]


MANIFEST_FIELDS = [f.name for f in dataclasses.fields(RowResult)
                   if f.metadata.get("manifest", True)]


@dataclass
class BatchSummary:
    ok: int = 0
    failed: int = 0
    kept: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    manifest_error: str = ""  # the manifest could not be written to the end (disk full)
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str, change: int = 1) -> None:
        setattr(self, status, getattr(self, status) + change)

    @property
    def total(self) -> int:
        return self.ok + self.failed + self.kept

    def line(self, next_step: str = "") -> str:
        # Kept orders were rendered again too (to compare them), so they count as work done.
        rate = ((self.ok + self.kept) / self.seconds) if self.seconds > 0 else 0.0
        kept = f"{self.kept} kept (finished earlier)" if self.kept else "0 kept"
        text = (f"{self.ok} ok, {self.failed} failed, {kept} in "
                f"{self.seconds:.1f} s ({rate:.0f} docs/s)")
        if self.interrupted or self.manifest_error:
            # How to finish is the front's to say (the CLI: hints.remedy("resume")).
            state = "interrupted" if self.interrupted else "manifest incomplete"
            text += f" ({state}{next_step})"
        return text


@dataclass(frozen=True)
class BatchOptions:
    rows_file: Path
    out_dir: Path
    base: Path | None = None
    overrides: tuple[str, ...] = ()
    template: Path | None = None
    jobs: int = 1
    force: bool = False
    resume: bool = False
    dry_run: bool = False
    sealed: bool = False
    allow: tuple[str, ...] = ()
    pdf: bool = False
    pdf_a: bool = False
    soffice: Path | None = None
    style_folders: tuple[Path, ...] = ()   # searched for court styles before the bundled ones


# ---- reading the CSV -----------------------------------------------------------------------

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """The CSV's encoding, as Excel saves them: UTF-8 (with or without BOM) when the whole file
    decodes; UTF-16 when it starts with UTF-16's BOM ("Unicode text"); else Windows-1252, with
    a warning. Anything else is an error naming the line of the first byte that fits none."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                return _check_decodes(path, "utf-16"), None
            if head.count(b"\x00") > len(head) // 4:
                raise CaseFileError("looks like UTF-16 text without a byte-order mark; save it "
                                    "from Excel as \"CSV UTF-8\"", file=str(path), row=1)
            try:
                return _check_decodes(path, "utf-8-sig"), None
            except CaseFileError:
                pass
            handle.seek(0)
            line = 1
            while chunk := handle.read(1 << 16):
                for index, byte in enumerate(chunk):
                    if byte in _CP1252_UNDEFINED:
                        line += chunk[:index].count(b"\n")
                        raise CaseFileError(
                            f"neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X} on line "
                            f"{line}); save it from Excel as \"CSV UTF-8\"", file=str(path))
                line += chunk.count(b"\n")
        return "cp1252", f"{path}: not UTF-8; read as Windows-1252 (cp1252)"
    except FileNotFoundError:
        raise CaseFileError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise CaseFileError("is a folder, not a CSV file", file=str(path)) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _check_decodes(path: Path, encoding: str) -> str:
    """`encoding` if the whole file decodes as it (read in chunks); else an error with the
    line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 16):
                line += decoder.decode(chunk).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise CaseFileError(f"not {encoding.replace('-sig', '').upper()} text (line "
                                f"{line})", file=str(path)) from None
    return encoding


def _field_known(model: Any, path: Path_) -> bool:
    """Whether a dotted header names a case-file field (list items by index)."""
    if not path:
        return True
    origin = typing.get_origin(model)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return any(_field_known(arm, path) for arm in typing.get_args(model)
                   if arm is not type(None))
    if origin is typing.Annotated:
        return _field_known(typing.get_args(model)[0], path)
    if origin is list:
        return isinstance(path[0], int) and _field_known(typing.get_args(model)[0], path[1:])
    if isinstance(model, type) and issubclass(model, BaseModel):
        name = path[0]
        return (isinstance(name, str) and name in model.model_fields
                and _field_known(model.model_fields[name].annotation, path[1:]))
    return False


def _header_path(header: str) -> Path_:
    return dotted_path(header.strip())


class CsvRows:
    """A CSV whose structure was checked in a first streaming pass; rows are read lazily."""

    def __init__(self, path: Path):
        self.path = path
        if path.exists() and not path.is_file() and not path.is_dir():  # read twice: a FIFO
            raise CaseFileError("is not a regular file (a device, pipe or socket)",  # blocks
                                file=str(path))
        self.encoding, self.warning = detect_encoding(path)
        self.headers: list[str] = []
        self.count = 0
        self._check_structure()

    def _open(self) -> io.TextIOWrapper:
        return self.path.open("r", encoding=self.encoding, newline="")

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(spreadsheet row number, cells); the header is row 1."""
        with self._open() as handle:
            reader = csv.reader(handle, strict=True)
            try:
                for index, cells in enumerate(reader, start=1):
                    yield index, cells
            except csv.Error as exc:
                raise CaseFileError(f"CSV error: {exc} (an unterminated quote?)",
                                    file=str(self.path), line=reader.line_num) from None
            except UnicodeDecodeError:
                raise CaseFileError(f"bytes that are not {self.encoding} text",
                                    file=str(self.path), line=reader.line_num) from None

    def _check_structure(self) -> None:
        records = self._records()
        try:
            _, self.headers = next(records)
        except StopIteration:
            raise CaseFileError("the CSV is empty (it needs a header row)",
                                file=str(self.path)) from None
        seen: dict[Path_, int] = {}
        for column, header in enumerate(self.headers, start=1):
            name = header.strip()
            if not name:
                raise CaseFileError(f"column {column} has an empty header", file=str(self.path),
                                    row=1)
            path = _header_path(name)  # `defendants.00.ip` is `defendants.0.ip`
            if path in seen:
                raise CaseFileError(f"duplicate header '{name}' (columns {seen[path]} and "
                                    f"{column} name the same field)", file=str(self.path), row=1)
            seen[path] = column
            if not _field_known(Case, _header_path(name)):
                from .suggest import path_hint
                raise CaseFileError(f"unknown header '{name}': not a case-file field"
                                    f"{path_hint(Case, _header_path(name))} "
                                    "(see `assembler schema`)", file=str(self.path), row=1)
        for _ in records:  # the rest: an unterminated quote raises here, before any output
            self.count += 1

    def rows(self) -> Iterator[tuple[int, dict[Path_, str] | str]]:
        """(row number, {field path: cell}) for each data row; a string when the row is bad."""
        width = len(self.headers)
        paths = [_header_path(h) for h in self.headers]
        for number, cells in self._records():
            if number == 1:
                continue
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) != width:
                yield number, (f"has {len(cells)} cells but the header has {width}")
                continue
            yield number, {path: cell for path, cell in zip(paths, cells, strict=True) if cell.strip()}


# ---- one row -------------------------------------------------------------------------------

def merge_row(base: dict[str, Any], cells: dict[Path_, str]) -> dict[str, Any]:
    """The base fields with a row's cells set over them; `base` itself is never changed.

    Only the mappings and lists on the way to a cell are copied (a deep copy of the whole
    base for every row costs more than validating it).
    """
    data = dict(base)
    for path, value in cells.items():
        node: Any = data
        for key in path[:-1]:
            child = node[key] if _has(node, key) else None
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                break  # apply_override makes what is missing (or reports what cannot be)
            node[key] = child
            node = child
        apply_override(data, path, value.strip())
    return data


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


@dataclass(frozen=True)
class _Setup:
    """What every row of a batch shares; set once by run_batch, inherited by forked workers."""

    options: BatchOptions
    template: Any            # the compiled template
    base: dict[str, Any]     # the fields every row shares (--base and --set)
    case_dir: Path           # where relative paths in the rows (chambers) are read from


_SETUP: _Setup | None = None


def _render_row(row: int, cells: dict[Path_, str] | str) -> RowResult:
    """Validate, render and write one row; every problem becomes a failed row."""
    from .output import write_atomic
    from .render import ensure_public_file_name, output_name_for_number, render_order

    assert _SETUP is not None
    options = _SETUP.options
    case_number = ""
    try:
        if isinstance(cells, str):
            raise CaseFileError(cells)
        data = merge_row(_SETUP.base, cells)
        case_number = str(data.get("case_number") or "")
        case = validate_case(LocatedData(data, {}, str(options.rows_file)), row=row)
        name = output_name_for_number(case.case_number, options.sealed)
        version = "sealed" if options.sealed else "public"
        target = options.out_dir / name
        order = render_order(case, case_dir=_SETUP.case_dir, template=_SETUP.template,
                             sealed=options.sealed, allow=options.allow,
                             style_folders=options.style_folders)
        used = (("court style", order.style), *order.used_files)
        digest = _sha(order.data)
        if not options.sealed:
            ensure_public_file_name(target, case, options.allow)
        if options.dry_run:
            return RowResult(row, case.case_number, "ok", name, digest, version=version,
                             used=used)
        # The name comes from this CSV row, never from a manifest: --resume keeps an order
        # only where this row's own file is there, byte for byte what it renders to now.
        if options.resume and not options.force and holds_exactly(target, digest):
            return RowResult(row, case.case_number, "kept", name, digest, version=version,
                             used=used)
        write_atomic(target, order.data, force=options.force, durable=False, tag=BATCH_TAG)
        return RowResult(row, case.case_number, "ok", name, digest, version=version, used=used)
    except AssemblerError as exc:
        if isinstance(exc, (LeakError, PrivacyError)):
            case_number = ""  # it may be what must not be shown: the manifest says nothing
        return _failed(options, row, case_number, exc)


def _failed(options: BatchOptions, row: int, case_number: str,
            exc: AssemblerError) -> RowResult:
    # In a batch, every problem is reported against its CSV row.
    message = exc.message
    if isinstance(exc, OutputError) and exc.file:
        message = f"{exc.file}: {message}"
    located = AssemblerError(message, file=str(options.rows_file), row=row, field=exc.field,
                             clause=exc.clause, hint=exc.hint, code=exc.code)
    return RowResult(row, case_number, "failed", error=with_hint(located))


def _case_dir(options: BatchOptions) -> Path:
    return (options.base.parent if options.base else options.rows_file.parent).resolve()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- workers -------------------------------------------------------------------------------

def _worker_init(parent: int) -> None:
    # Ctrl-C is the parent's to handle: a worker always finishes the rows it holds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the batch process dies, however it dies (a worker
    left behind would hold the batch's pipes open and keep writing)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


_Task = "tuple[int, dict[Path_, str] | str] | RowResult"


def _run_task(task: Any) -> RowResult:
    return task if isinstance(task, RowResult) else _render_row(*task)


def _worker_chunk(chunk: list[Any]) -> list[RowResult]:
    return [_run_task(task) for task in chunk]


# ---- the manifest --------------------------------------------------------------------------

def read_manifest(path: Path) -> dict[int, RowResult]:
    """The rows of an earlier run's manifest (a torn or foreign line is passed over)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise OutputError("is a folder, not a manifest", file=str(path)) from None
    except OSError as exc:
        raise OutputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise OutputError(f"line {line}: not UTF-8 text, so not "
                          "a manifest this program wrote", file=str(path), hint="replace") from None
    results: dict[int, RowResult] = {}
    try:
        for record in csv.DictReader(io.StringIO(text, newline="")):
            try:
                row = int(record["row"])
            except (KeyError, TypeError, ValueError):
                continue  # a torn last line from a crash: that row is simply redone
            fields = {name: _plain(record.get(name) or "") for name in MANIFEST_FIELDS[1:]}
            results[row] = RowResult(row, **fields)
    except csv.Error as exc:
        raise OutputError(f"not a manifest this program wrote ({exc})", file=str(path),
                          hint="replace") from None
    return results


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutral(cell: str | int) -> str | int:
    """A cell Excel will show as text, on one line: one that could start a formula gets a
    leading apostrophe (OWASP's advice against CSV injection)."""
    if isinstance(cell, str):
        cell = one_line(cell)
        if cell.startswith(_FORMULA_STARTS):
            return "'" + cell
    return cell


def _plain(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS) else cell


def _manifest_line(cells: list[str | int]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([_neutral(c) for c in cells])
    return buffer.getvalue().encode("utf-8")


def _write_manifest(path: Path, results: list[RowResult]) -> None:
    """The whole manifest, replaced at once; UTF-8 with a BOM, which Excel needs to read it
    as UTF-8 (without one it takes the file for the local code page: "ilÃ±d")."""
    from .output import write_atomic
    data = b"\xef\xbb\xbf" + _manifest_line(MANIFEST_FIELDS) + b"".join(
        _manifest_line(r.cells()) for r in sorted(results, key=lambda r: r.row))
    write_atomic(path, data, force=True)


class _Journal:
    """The manifest, appended to after each row's file is in place, a whole line per write:
    a line that cannot be written whole (disk full) is cut off again, and the journal stops,
    so the manifest on disk is always complete lines."""

    def __init__(self, path: Path):
        self.path = path
        self.results: list[RowResult] = []
        self.error = ""
        _write_manifest(path, [])
        try:
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
            self.size = os.fstat(self.fd).st_size
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", file=str(path)) from None
        self.last_row = 0
        self.in_order = True  # rows appended in row order: no rewrite needed at the end

    def add(self, result: RowResult) -> None:
        self.results.append(result)
        self.in_order = self.in_order and result.row > self.last_row
        self.last_row = max(self.last_row, result.row)
        if self.error:
            return
        line = _manifest_line(result.cells())
        try:
            written = os.write(self.fd, line)
            if written != len(line):
                raise OSError(28, os.strerror(28))  # a short write: the disk is full
            self.size += written
        except OSError as exc:
            try:
                os.ftruncate(self.fd, self.size)
            except OSError:
                pass
            self.error = (f"{self.path}: cannot write: {exc.strerror}; the manifest stops "
                          f"before row {result.row}")

    def close(self) -> None:
        if self.fd >= 0:  # once: the batch closes it before the PDF phase and on the way out
            os.close(self.fd)
            self.fd = -1


# ---- the run -------------------------------------------------------------------------------

def load_base(options: BatchOptions) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if options.base is not None:
        located = read_data_file(options.base)
        if not isinstance(located.data, dict):
            raise CaseFileError("a base case file must be a mapping of fields",
                                file=str(options.base), line=1)
        data = located.data
    for assignment in options.overrides:
        path, value = parse_override(assignment)
        apply_override(data, path, value)
    return data


def run_batch(options: BatchOptions,
              progress: Callable[[int, int, RowResult], None] | None = None,
              pdf_progress: Callable[[int, int], None] | None = None) -> BatchSummary:
    """Render every row of the CSV; returns counts. Raises only for problems that stop the
    whole batch (unreadable CSV, bad headers, unwritable or busy output folder, an earlier
    manifest without --resume or --force)."""
    from .render import compile_template, output_name_for_number

    started = time.monotonic()
    converter = None
    if (options.pdf or options.pdf_a) and not options.dry_run:
        from .pdf import PdfConverter
        # Fails fast if LibreOffice is missing; up to -j converters in the PDF phase.
        converter = PdfConverter(options.soffice, pdf_a=options.pdf_a, jobs=options.jobs)
    global _SETUP
    lock = None
    journal = None
    try:  # whatever stops it, a batch leaves no lock held and no LibreOffice profile
        rows = CsvRows(options.rows_file)
        base = load_base(options)
        summary = BatchSummary()
        if rows.warning:
            summary.warnings.append(rows.warning)
        # A --template is compiled once, here; forked workers inherit it with the rest.
        # Without one, each row's court style gives its template (compiled once per process
        # and style).
        _SETUP = _Setup(options, compile_template(options.template) if options.template
                        else None, base, _case_dir(options))
        manifest_path = options.out_dir / MANIFEST
        earlier: dict[int, RowResult] = {}
        if not options.dry_run:
            lock = _lock_folder(options.out_dir)
            earlier = _earlier_manifest(options, manifest_path)
            remove_temporaries(options.out_dir)  # what a killed batch into this folder left
            journal = _Journal(manifest_path)
        _run_rows(options, rows, base, summary, journal, earlier, progress,
                  output_name_for_number)
        if journal is not None:
            journal.close()
            final = journal.results
            summary.manifest_error = journal.error
            if not summary.interrupted and (converter is not None or not journal.in_order
                                            or journal.error):
                if converter is not None:
                    _convert_pdfs(options, converter, final, summary, progress, pdf_progress)
                try:
                    _write_manifest(manifest_path, final)
                    summary.manifest_error = ""
                except OutputError as exc:
                    summary.manifest_error = summary.manifest_error or str(exc)
    finally:
        if journal is not None:
            journal.close()  # a second close does nothing
        if converter is not None:
            converter.close()
        if lock is not None:
            remove_temporaries(options.out_dir)  # a worker killed mid-write leaves one
            os.close(lock)
    if summary.manifest_error:
        summary.warnings.append(summary.manifest_error)
    if not options.dry_run:
        os.sync()  # the orders were written without a flush each; make them durable together
    summary.seconds = time.monotonic() - started
    return summary


def _lock_folder(folder: Path) -> int:
    """Make the output folder and hold an advisory lock on it for the batch (one batch per
    folder: two into one would each keep only their own rows in one manifest)."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"cannot make the output folder: {exc.strerror}",
                          file=str(folder)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputError("another batch is writing into this folder; wait for it to finish "
                          "or choose another folder", file=str(folder)) from None
    return fd


def _earlier_manifest(options: BatchOptions, path: Path) -> dict[int, RowResult]:
    """An earlier run's manifest is a journal of what was done: replaced only on --force,
    read (for the PDFs it lists) and then rewritten on --resume."""
    if os.path.isdir(path):
        raise OutputError("is a folder, not a manifest", file=str(path))
    if not os.path.lexists(path) or options.force:
        return {}
    if not options.resume:
        raise OutputError("a manifest from an earlier batch is here", file=str(path),
                          hint="resume-or-restart")
    return read_manifest(path)


def _run_rows(options: BatchOptions, rows: CsvRows, base: dict[str, Any],
              summary: BatchSummary, journal: _Journal | None, earlier: dict[int, RowResult],
              progress: Callable[[int, int, RowResult], None] | None,
              output_name_for_number: Callable[[str], str]) -> None:
    total = rows.count
    finished = 0

    def record(result: RowResult) -> None:
        nonlocal finished
        finished += 1
        if result.status == "kept":
            before = earlier.get(result.row)
            pdf = Path(result.output).with_suffix(".pdf").name
            if (before is not None and before.pdf == pdf
                    and os.path.isfile(options.out_dir / pdf)):
                result.pdf = pdf  # the PDF an earlier run made of this same order
        summary.count(result.status)
        if journal is not None:
            journal.add(result)
        if progress is not None:
            progress(finished, total, result)

    names: dict[str, int] = {}

    def tasks() -> Iterator[_Task]:
        """Each row in order: to render, or already decided (a file name an earlier row
        has). Decided rows travel with the others, so every row is recorded in row order."""
        for row, cells in rows.rows():
            if isinstance(cells, str):
                yield row, cells
                continue
            number = str(cells.get(("case_number",), base.get("case_number")) or "").strip()
            name = output_name_for_number(number) if number else ""
            if name and name in names:
                yield RowResult(row, number, "failed", error=(
                    f"{options.rows_file}:row {row}: case_number: '{number}' gives the same "
                    f"file name as row {names[name]} ({name})"))
                continue
            if name:
                names[name] = row
            yield row, cells

    # Everything made so far (modules, the compiled template, the base) lives as long as the
    # batch: keep it out of the garbage collector's full passes, which would otherwise walk
    # it again and again and, in forked workers, copy every page it touches.
    gc.freeze()
    restore = _terminate_as_interrupt()
    try:
        if options.jobs <= 1:
            for task in tasks():
                record(_run_task(task))
        else:
            _run_pool(options, tasks(), total, record)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        restore()
        gc.unfreeze()


def _terminate_as_interrupt() -> Callable[[], None]:
    """SIGTERM (a shutdown, `kill`, a scheduler's time limit) stops a batch as Ctrl-C does:
    rows in flight finish and are recorded. Returns what puts the old handler back."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _convert_pdfs(options: BatchOptions, converter: Any, results: list[RowResult],
                  summary: BatchSummary, progress: Any, pdf_progress: Any = None) -> None:
    """Convert every finished order, with up to -j LibreOffice processes; a failure fails
    its own row. Ctrl-C or SIGTERM stops every converter (cleaned up by the converter); the
    PDFs finished before it are recorded and the batch is reported as interrupted."""
    from .pdf import ConversionInterrupted

    wanted = [r for r in results if r.status in ("ok", "kept") and r.output
              and not (r.status == "kept" and r.pdf)]
    restore = _terminate_as_interrupt()
    try:
        converted = converter.convert([options.out_dir / r.output for r in wanted], force=True,
                                      progress=pdf_progress)
    except ConversionInterrupted as stop:
        summary.interrupted = True
        done = {outcome.source: outcome for outcome in stop.finished if outcome.pdf}
        for result in wanted:
            outcome = done.get(options.out_dir / result.output)
            if outcome is not None:
                result.pdf = outcome.pdf.name
        return
    finally:
        restore()
    for result, outcome in zip(wanted, converted, strict=True):
        if outcome.pdf is not None:
            result.pdf = outcome.pdf.name
            continue
        summary.count(result.status, -1)
        summary.count("failed")
        result.status = "failed"
        result.error = (f"{options.rows_file}:row {result.row}: PDF: {outcome.error}"
                        f"{remedy(outcome.hint)}")
        if progress is not None:
            progress(summary.total, summary.total, result)


def _run_pool(options: BatchOptions, tasks: Iterator[Any], total: int,
              record: Callable[[RowResult], None]) -> None:
    """Render in `options.jobs` forked workers (which inherit the compiled template and the
    warm caches); results are recorded in row order, as they are in one process.

    Chunks shrink towards the end (guided scheduling), so the workers finish together.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    jobs = options.jobs
    window = jobs * 2  # chunks in flight: each worker has the next one queued
    pending: deque[Future] = deque()
    left = total

    def collect(until: int) -> None:
        """Record the oldest chunks until at most `until` are still pending."""
        while len(pending) > until:
            for result in pending.popleft().result():
                record(result)

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        try:
            chunk: list[Any] = []
            for task in tasks:
                chunk.append(task)
                if len(chunk) >= max(1, min(CHUNK, left // (4 * jobs))):
                    left -= len(chunk)
                    pending.append(pool.submit(_worker_chunk, chunk))
                    chunk = []
                    collect(window - 1)
            if chunk:
                pending.append(pool.submit(_worker_chunk, chunk))
            collect(0)
        except BrokenProcessPool:
            # A worker was killed (out of memory, a signal): what was recorded stands.
            raise OutputError("a worker process stopped unexpectedly; the orders recorded in "
                              "the manifest are complete", file=str(options.out_dir),
                              hint="resume") from None
        except KeyboardInterrupt:
            # Stop handing out rows; the workers finish what they hold, and it is recorded.
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled():
                    try:
                        for result in future.result():
                            record(result)
                    except Exception:  # a worker lost mid-chunk: its rows are redone on resume
                        pass
            raise
