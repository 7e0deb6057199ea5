"""The CSV batch: rows -> cases -> orders, in a pool of worker processes.

Every file is written under a temporary name and renamed into place; the manifest is a journal
appended after each rename, so an interruption leaves only complete orders and a manifest that
`resume` can finish. Workers ignore Ctrl-C: the parent stops handing out rows and waits for the
ones in flight (milliseconds), so nothing is half-written.
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
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from .case import Case, validate_case
from .errors import AssemblerError, CaseFileError, OutputError
from .rawdata import LocatedData, Path_, apply_override, parse_override, read_data_file

MANIFEST = "manifest.csv"
CHUNK = 16  # rows per task at most: enough to make inter-process traffic negligible


@dataclass
class RowResult:
    row: int
    case_number: str
    status: str          # ok | failed | skipped
    output: str = ""
    sha256: str = ""
    error: str = ""
    pdf: str = ""

    def cells(self) -> list[str | int]:
        """The row's manifest line, in MANIFEST_FIELDS order."""
        return [getattr(self, name) for name in MANIFEST_FIELDS]


MANIFEST_FIELDS = [f.name for f in dataclasses.fields(RowResult)]


@dataclass
class BatchSummary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str, change: int = 1) -> None:
        setattr(self, status, getattr(self, status) + change)

    @property
    def total(self) -> int:
        return self.ok + self.failed + self.skipped

    def line(self) -> str:
        rate = (self.ok / self.seconds) if self.seconds > 0 else 0.0
        text = (f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped in "
                f"{self.seconds:.1f} s ({rate:.0f} docs/s)")
        return text + (" (interrupted: run again with --resume)" if self.interrupted else "")


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


# ---- reading the CSV -----------------------------------------------------------------------

def detect_encoding(path: Path) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM) when the whole file decodes; else cp1252, with a warning."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig", None
    except UnicodeDecodeError:
        return "cp1252", f"{path}: not UTF-8; read as Windows-1252 (cp1252)"
    except FileNotFoundError:
        raise CaseFileError("no such file", file=str(path)) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read: {exc.strerror}", file=str(path)) from None


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
    return tuple(int(p) if p.isdigit() else p for p in header.strip().split("."))


class CsvRows:
    """A CSV whose structure was checked in a first streaming pass; rows are read lazily."""

    def __init__(self, path: Path):
        self.path = path
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
        seen: dict[str, int] = {}
        for column, header in enumerate(self.headers, start=1):
            name = header.strip()
            if not name:
                raise CaseFileError(f"column {column} has an empty header", file=str(self.path),
                                    row=1)
            if name in seen:
                raise CaseFileError(f"duplicate header '{name}' (columns {seen[name]} and "
                                    f"{column})", file=str(self.path), row=1)
            seen[name] = column
            if not _field_known(Case, _header_path(name)):
                raise CaseFileError(f"unknown header '{name}': not a case-file field "
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
    from .render import ensure_public_file_name, output_name_for_number, render_order, \
        write_atomic

    assert _SETUP is not None
    options = _SETUP.options
    case_number = ""
    try:
        if isinstance(cells, str):
            raise CaseFileError(cells)
        data = merge_row(_SETUP.base, cells)
        case_number = str(data.get("case_number") or "")
        case = validate_case(LocatedData(data, {}, str(options.rows_file)), row=row)
        name = output_name_for_number(case.case_number)
        target = options.out_dir / name
        order = render_order(case, case_dir=_SETUP.case_dir, template=_SETUP.template,
                             sealed=options.sealed, allow=options.allow)
        digest = _sha(order.data)
        if not options.sealed:
            ensure_public_file_name(target, case)
        if options.dry_run:
            return RowResult(row, case.case_number, "ok", name, digest)
        if target.exists() and not options.force:
            if options.resume and _sha_file(target) == digest:
                return RowResult(row, case.case_number, "skipped", name, digest)
            raise OutputError("already exists (use --force to overwrite)", file=str(target))
        write_atomic(target, order.data, force=True, durable=False)  # existence checked above
        return RowResult(row, case.case_number, "ok", name, digest)
    except AssemblerError as exc:
        return _failed(options, row, case_number, exc)


def _failed(options: BatchOptions, row: int, case_number: str,
            exc: AssemblerError) -> RowResult:
    # In a batch, every problem is reported against its CSV row.
    message = exc.message
    if isinstance(exc, OutputError) and exc.file:
        message = f"{exc.file}: {message}"
    located = AssemblerError(message, file=str(options.rows_file), row=row, field=exc.field,
                             clause=exc.clause)
    return RowResult(row, case_number, "failed", error=str(located))


def _case_dir(options: BatchOptions) -> Path:
    return (options.base.parent if options.base else options.rows_file.parent).resolve()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha_file(path: Path) -> str:
    return _sha(path.read_bytes())


# ---- workers -------------------------------------------------------------------------------

def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: a worker always finishes the rows it holds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_Task = "tuple[int, dict[Path_, str] | str] | RowResult"


def _run_task(task: Any) -> RowResult:
    return task if isinstance(task, RowResult) else _render_row(*task)


def _worker_chunk(chunk: list[Any]) -> list[RowResult]:
    return [_run_task(task) for task in chunk]


# ---- the manifest --------------------------------------------------------------------------

def read_manifest(path: Path) -> dict[int, RowResult]:
    if not path.exists():
        return {}
    results: dict[int, RowResult] = {}
    with path.open("r", encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            try:
                row = int(record["row"])
            except (KeyError, TypeError, ValueError):
                continue  # a torn last line from a crash: that row is simply redone
            fields = {name: record.get(name) or "" for name in MANIFEST_FIELDS[1:]}
            results[row] = RowResult(row, **fields)
    return results


def _write_manifest(path: Path, results: list[RowResult]) -> None:
    from .render import write_atomic
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    for result in sorted(results, key=lambda r: r.row):
        writer.writerow(result.cells())
    write_atomic(path, buffer.getvalue().encode("utf-8"), force=True)


class _Journal:
    """The manifest, appended to (and flushed) after each row's file is in place."""

    def __init__(self, path: Path, carried: list[RowResult]):
        self.path = path
        _write_manifest(path, carried)
        self.handle = path.open("a", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.last_row = max((r.row for r in carried), default=0)
        self.in_order = True  # rows appended in row order: no rewrite needed at the end

    def add(self, result: RowResult) -> None:
        self.writer.writerow(result.cells())
        self.handle.flush()
        self.in_order = self.in_order and result.row > self.last_row
        self.last_row = max(self.last_row, result.row)

    def close(self) -> None:
        self.handle.close()


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
              progress: Callable[[int, int, RowResult], None] | None = None) -> BatchSummary:
    """Render every row of the CSV; returns counts. Raises only for problems that stop the
    whole batch (unreadable CSV, bad headers, unwritable output folder)."""
    from .render import compile_template, output_name_for_number

    started = time.monotonic()
    converter = None
    if (options.pdf or options.pdf_a) and not options.dry_run:
        from .pdf import PdfConverter
        converter = PdfConverter(options.soffice, pdf_a=options.pdf_a)  # fails fast if missing
    rows = CsvRows(options.rows_file)
    base = load_base(options)
    summary = BatchSummary()
    if rows.warning:
        summary.warnings.append(rows.warning)
    global _SETUP
    # The template is compiled once, here; forked workers inherit it with the rest.
    _SETUP = _Setup(options, compile_template(options.template), base, _case_dir(options))
    if not options.dry_run:
        try:
            options.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot make the output folder: {exc.strerror}",
                              file=str(options.out_dir)) from None
        _remove_stale_temporaries(options.out_dir)
    manifest_path = options.out_dir / MANIFEST
    done: dict[int, RowResult] = {}
    if options.resume and not options.dry_run:
        for row, result in read_manifest(manifest_path).items():
            target = options.out_dir / result.output if result.output else None
            if (result.status in ("ok", "skipped") and target is not None and target.exists()
                    and _sha_file(target) == result.sha256):
                done[row] = RowResult(row, result.case_number, "skipped", result.output,
                                      result.sha256)
    journal = None if options.dry_run else _Journal(manifest_path, list(done.values()))
    total = rows.count
    finished = 0

    def record(result: RowResult) -> None:
        nonlocal finished
        finished += 1
        summary.count(result.status)
        if journal is not None and result.row not in done:
            journal.add(result)
        if progress is not None:
            progress(finished, total, result)

    names: dict[str, int] = {}

    def tasks() -> Iterator[_Task]:
        """Each row in order: to render, or already decided (finished before a resume, or a
        file name an earlier row has). Decided rows travel with the others, so every row is
        recorded in row order."""
        for row, cells in rows.rows():
            if row in done:
                yield done[row]
                continue
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
    try:
        if options.jobs <= 1:
            for task in tasks():
                record(_run_task(task))
        else:
            _run_pool(options, tasks(), total, record)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        gc.unfreeze()
        if journal is not None:
            journal.close()
            if not summary.interrupted and (converter is not None or not journal.in_order):
                final = list(read_manifest(manifest_path).values())
                if converter is not None:
                    _convert_pdfs(options, converter, final, summary, progress)
                _write_manifest(manifest_path, final)
        if converter is not None:
            converter.close()
    if not options.dry_run:
        os.sync()  # the orders were written without a flush each; make them durable together
    summary.seconds = time.monotonic() - started
    return summary


def _convert_pdfs(options: BatchOptions, converter: Any, results: list[RowResult],
                  summary: BatchSummary, progress: Any) -> None:
    """Convert every finished order in one LibreOffice run; a failure fails its own row."""
    wanted = [r for r in results if r.status in ("ok", "skipped") and r.output
              and not (r.status == "skipped" and r.pdf and (options.out_dir / r.pdf).exists())]
    converted = converter.convert([options.out_dir / r.output for r in wanted], force=True)
    for result, outcome in zip(wanted, converted, strict=True):
        if outcome.pdf is not None:
            result.pdf = outcome.pdf.name
            continue
        summary.count(result.status, -1)
        summary.count("failed")
        result.status = "failed"
        result.error = f"{options.rows_file}:row {result.row}: PDF: {outcome.error}"
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
                             initializer=_worker_init) as pool:
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
                              "the manifest are complete: run again with --resume",
                              file=str(options.out_dir)) from None
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


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files an interrupted or killed run left behind."""
    for stale in folder.glob(".*.part"):
        try:
            stale.unlink()
        except OSError:
            pass
