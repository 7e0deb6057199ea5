"""PDF through LibreOffice: a headless process converts a whole run of documents.

A converter runs up to `jobs` LibreOffice processes side by side, each over its own share of
the documents, with its own user profile (two processes sharing one fail silently) and its own
staging folder. Every conversion is checked for a real PDF (soffice can exit 0 without writing
one), and a run that takes too long is killed and reported, never waited on forever. When the
conversion is interrupted (Ctrl-C, or SIGTERM turned into one), every LibreOffice process is
killed and waited for, and the staging folders are removed, before the interruption goes on
(`ConversionInterrupted` carries what was finished); `close` removes the profiles.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from .errors import ConversionError, one_line

INSTALL_HINT = ("install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) "
                "or pass --soffice PATH")


def find_soffice(explicit: str | Path | None = None) -> str:
    """The soffice executable: the one given, or soffice/libreoffice on PATH."""
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ConversionError(f"LibreOffice not found at {explicit}; {INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(f"LibreOffice (soffice) is not on PATH; {INSTALL_HINT}")


def export_filter(pdf_a: bool) -> str:
    """LibreOffice's PDF export with its own options: always tagged, PDF/A-2b on request."""
    options: dict[str, dict[str, str]] = {"UseTaggedPDF": {"type": "boolean", "value": "true"}}
    if pdf_a:
        options["SelectPdfVersion"] = {"type": "long", "value": "2"}  # PDF/A-2b
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


# ---- user profiles ----------------------------------------------------------------------------
#
# A LibreOffice process whose profile does not record that this version has run before draws
# its graphics self-tests first: some 1.2 GB of bitmaps filled at every start, 0.6 of the
# 1.0 s that a one-document conversion takes (LibreOffice 7.4, Debian). A headless conversion
# never records the version, so the tests ran at every start, reused profile or not. Each
# profile is made with the installation's own version as the last one run (the setting that
# the check reads, /org.openoffice.Setup/Product/ooSetupLastVersion): the same conversion, in
# about 0.3 s. An installation whose version cannot be read gets a plain empty profile.

_SETUP_VERSION = re.compile(
    r'<prop oor:name="ooSetupVersion">\s*<value>(\d+\.\d+)</value>')
_versions: dict[str, str | None] = {}


def installed_version(soffice: str | Path) -> str | None:
    """The 'major.minor' version of the LibreOffice installation that `soffice` belongs to,
    read from its configuration data (main.xcd), or None when that is not found."""
    key = str(soffice)
    if key not in _versions:
        program = Path(os.path.realpath(shutil.which(key) or key)).parent
        found = None
        for candidate in (program.parent / "share" / ".registry" / "main.xcd",
                          program.parent / "share" / "registry" / "main.xcd",
                          program.parent / "Resources" / "registry" / "main.xcd"):  # macOS
            try:
                match = _SETUP_VERSION.search(candidate.read_text("utf-8", "replace"))
            except OSError:
                continue
            if match:
                found = match.group(1)
                break
        _versions[key] = found
    return _versions[key]


def new_profile(soffice: str | Path) -> Path:
    """A new, private LibreOffice user profile folder, marked as already run by this
    installation's version (see above)."""
    folder = Path(tempfile.mkdtemp(prefix="assembler-libreoffice-"))
    version = installed_version(soffice)
    if version is not None:
        (folder / "user").mkdir()
        (folder / "user" / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
            ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            '<item oor:path="/org.openoffice.Setup/Product">'
            '<prop oor:name="ooSetupLastVersion" oor:op="fuse">'
            f'<value>{version}</value></prop></item>\n'
            '</oor:items>\n', "utf-8")
    return folder


@dataclass
class Converted:
    source: Path
    pdf: Path | None
    error: str = ""
    hint: str | None = None   # a remedy the front words (errors.HINTS)


class ConversionInterrupted(KeyboardInterrupt):
    """Ctrl-C during a conversion, raised once every converter is stopped and cleaned up;
    `finished` holds the documents converted before it."""

    def __init__(self, finished: list[Converted]):
        super().__init__()
        self.finished = finished


class PdfConverter:
    """Converts .docx files to PDF with up to `jobs` LibreOffice processes at a time."""

    def __init__(self, soffice: str | Path | None = None, *, pdf_a: bool = False,
                 seconds_per_document: float = 60.0, start_seconds: float = 120.0,
                 jobs: int = 1):
        self.soffice = find_soffice(soffice)
        self.pdf_a = pdf_a
        self.seconds_per_document = seconds_per_document
        self.start_seconds = start_seconds
        self.jobs = max(1, jobs)
        self.profiles: list[Path] = [new_profile(self.soffice)]
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def profile(self) -> Path:
        return self.profiles[0]

    def close(self) -> None:
        for profile in self.profiles:
            shutil.rmtree(profile, ignore_errors=True)

    def __enter__(self) -> "PdfConverter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, sources: list[Path], out_dir: Path | None = None, *,
                force: bool = False,
                progress: Callable[[int, int], None] | None = None) -> list[Converted]:
        """Convert each source to `<out_dir or its folder>/<stem>.pdf` (atomically).

        `progress(done, total)` is called as PDFs appear. Ctrl-C stops every converter,
        removes the staging folders and raises ConversionInterrupted.
        """
        results: list[Converted] = []
        jobs: list[tuple[Path, Path]] = []
        for source in sources:
            target = (out_dir or source.parent) / f"{source.stem}.pdf"
            if target.exists() and not force:
                results.append(Converted(source, None, f"{target} already exists",
                                         hint="overwrite"))
            else:
                jobs.append((source, target))
        if not jobs:
            return results
        # soffice names each PDF after its input's stem: one run per output folder and share.
        units: list[list[tuple[Path, Path]]] = []
        for folder in dict.fromkeys(target.parent for _, target in jobs):
            batch = [(s, t) for s, t in jobs if t.parent == folder]
            shares = min(self.jobs, len(batch))
            size = -(-len(batch) // shares)
            units.extend(batch[i:i + size] for i in range(0, len(batch), size))
        while len(self.profiles) < min(self.jobs, len(units)):
            self.profiles.append(new_profile(self.soffice))
        stages: list[Path] = []
        queue = list(units)
        self._stopping = False

        def slot(profile: Path) -> None:
            while not self._stopping:
                with self._lock:
                    if not queue:
                        return
                    unit = queue.pop(0)
                    stage = Path(tempfile.mkdtemp(prefix=".assembler-pdf-",
                                                  dir=unit[0][1].parent))
                    stages.append(stage)
                try:
                    self._convert_unit(unit, stage, profile, results)
                except Exception as exc:  # a bug or an OS failure: its documents fail, not all
                    with self._lock:
                        finished = {r.source for r in results}
                        results.extend(Converted(source, None, one_line(
                                                     f"PDF conversion failed: "
                                                     f"{type(exc).__name__}: {exc}"))
                                       for source, _ in unit if source not in finished)

        threads = [threading.Thread(target=slot, args=(profile,), daemon=True)
                   for profile in self.profiles[:min(self.jobs, len(units))]]
        try:
            for thread in threads:
                thread.start()
            while any(thread.is_alive() for thread in threads):
                time.sleep(0.1)
                if progress is not None:
                    progress(self._produced(stages, results), len(jobs))
            if progress is not None:
                progress(len(jobs), len(jobs))
        except BaseException:
            self._stop(threads)
            raise ConversionInterrupted(list(results)) from None
        finally:
            with self._lock:
                for stage in stages:
                    shutil.rmtree(stage, ignore_errors=True)
        order = {source: index for index, source in enumerate(sources)}
        return sorted(results, key=lambda r: order[r.source])

    def _convert_unit(self, unit: list[tuple[Path, Path]], stage: Path, profile: Path,
                      results: list[Converted]) -> None:
        """One LibreOffice run over a share of the documents; a document that stops the run
        is found by converting the rest one by one, so only it is reported."""
        targets = dict(unit)
        collected: set[Path] = set()

        def done(source: Path) -> None:  # as soon as LibreOffice has gone on to the next one
            if self._collect(source, targets[source], stage, results):
                collected.add(source)

        error = self._run([s for s, _ in unit], stage, profile, on_done=done)
        left = [(s, t) for s, t in unit
                if s not in collected and not self._collect(s, t, stage, results)]
        if self._stopping:
            return
        if error and len(left) > 1:
            left_errors = {}
            for source, target in left:
                single = self._run([source], stage, profile)
                if not self._collect(source, target, stage, results):
                    left_errors[source] = single
        else:
            left_errors = {s: error for s, _ in left}
        for source, _ in left:
            if source in left_errors:
                results.append(Converted(source, None, left_errors[source] or
                                         "LibreOffice wrote no PDF for this document"))

    @staticmethod
    def _produced(stages: list[Path], results: list[Converted]) -> int:
        """Documents done so far: collected, or written into a staging folder."""
        waiting = 0
        for stage in list(stages):
            try:
                waiting += sum(1 for name in os.listdir(stage) if name.endswith(".pdf"))
            except OSError:
                continue
        return len(results) + waiting

    def _stop(self, threads: list[threading.Thread]) -> None:
        """Kill every running LibreOffice process (its whole process group) and wait."""
        self._stopping = True
        with self._lock:
            running = list(self._running)
        for process in running:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for thread in threads:
            thread.join(timeout=30)

    @staticmethod
    def _collect(source: Path, target: Path, stage: Path, results: list[Converted]) -> bool:
        """Move a produced PDF into place, made reproducible; False when LibreOffice wrote
        none (or not a PDF). A PDF that cannot be written (a full disk) fails its document."""
        produced = stage / f"{source.stem}.pdf"
        try:
            data = produced.read_bytes()
        except OSError:
            return False
        if data[:5] != b"%PDF-":
            return False
        temp = stage / f".{source.stem}.reproducible"  # the stage is in the target's folder
        try:
            temp.write_bytes(reproducible(data, order_date(source)))
            os.replace(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            results.append(Converted(source, None, one_line(
                f"cannot write {target}: {exc.strerror or exc}")))
            return True
        produced.unlink(missing_ok=True)
        results.append(Converted(source, target))
        return True

    def _run(self, sources: list[Path], out_dir: Path, profile: Path | None = None,
             on_done: Callable[[Path], None] | None = None) -> str:
        """One soffice process for all `sources`; returns an error text, or '' when it ran.

        LibreOffice converts the documents in order and says `convert A -> B.pdf` on starting
        each one, so when it names the next one, the one before is written: `on_done` gets
        it then, while LibreOffice goes on (the last one's PDF is left for the caller)."""
        profile = profile or self.profile
        command = [self.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", export_filter(self.pdf_a),
                   "--outdir", str(out_dir), *map(str, sources)]
        timeout = self.start_seconds + self.seconds_per_document * len(sources)
        by_pdf = {f"{source.stem}.pdf": source for source in sources}
        # Its stderr goes to a file, read at the end: a pipe left unread could fill and block.
        with tempfile.TemporaryFile() as errors:
            with self._lock:
                if self._stopping:
                    return "stopped"
                # Its own session: a terminal's Ctrl-C reaches only us, and we stop it.
                process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                           stdin=subprocess.DEVNULL, start_new_session=True,
                                           env={**os.environ, "TZ": "UTC"})  # no local zone
                self._running.add(process)
            timed_out = threading.Event()

            def overdue() -> None:
                timed_out.set()
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

            watchdog = threading.Timer(timeout, overdue)
            watchdog.daemon = True
            watchdog.start()
            try:
                started: Path | None = None
                for line in process.stdout:  # ends when LibreOffice exits or is killed
                    head, found, _ = line.rpartition(b" using filter : ")
                    source = by_pdf.get(os.fsdecode(head.rsplit(b"/", 1)[-1])) if found else None
                    if source is None or not line.startswith(b"convert "):
                        continue
                    if started is not None and on_done is not None and not self._stopping:
                        on_done(started)
                    started = source
                process.wait()
            finally:
                watchdog.cancel()
                process.stdout.close()
                with self._lock:
                    self._running.discard(process)
            errors.seek(0)
            stderr = errors.read()
        if timed_out.is_set():
            return f"LibreOffice did not finish within {timeout:.0f} s and was stopped"
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            return f"LibreOffice failed (exit {process.returncode}): {tail[0]}"
        return ""


# ---- reproducible PDFs ------------------------------------------------------------------------
#
# LibreOffice stamps each PDF with the clock (in the local time zone), a random file ID and,
# for PDF/A, an ICC profile made on the spot with its own creation time. Afterwards every
# date is the order's date (midnight UTC) and the ID is a hash of the content, so the same
# order gives the same PDF bytes on any machine, in any time zone, on any day.

_XMP_DATE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_XMP_UUID = re.compile(rb"uuid:[0-9a-fA-F-]{36}")


def order_date(docx: Path) -> date | None:
    """The date a rendered order carries (its created property: the order's date)."""
    try:
        with zipfile.ZipFile(docx) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = re.search(r"<dcterms:created[^>]*>(\d{4})-(\d\d)-(\d\d)", core)
    return date(*map(int, found.groups())) if found else None


# A plain PDF as LibreOffice writes it: a classic cross-reference table, the info dictionary
# holding the creation date, one /ID pair, no XMP packet and no colour profile. Such a file is
# fixed by overwriting those bytes in place, which keeps every object's offset valid; anything
# else (PDF/A's XMP and ICC profile, compressed object streams) is rewritten with pypdf.
_INFO_DATE = re.compile(rb"/(?:CreationDate|ModDate)\s*\((D:[0-9]{4,14}[^)]{0,8})\)")
_FILE_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")  # LibreOffice's, of the dated file


def _patched_in_place(data: bytes, when: date) -> bytes | None:
    """`data` with its dates and ID fixed without moving a byte; None when it is not a plain
    PDF of the kind described above."""
    if (not data.startswith(b"%PDF-") or b"/ObjStm" in data or b"/XRefStm" in data
            or b"/Metadata" in data or b"/OutputIntents" in data or b"/Encrypt" in data
            or not data.rstrip().endswith(b"%%EOF") or data.count(b"%%EOF") != 1):
        return None
    ids = list(_FILE_ID.finditer(data))
    dates = list(_INFO_DATE.finditer(data))
    if len(ids) != 1 or not dates:
        return None
    stamp = f"D:{when:%Y%m%d}000000Z".encode()
    patched = bytearray(data)
    for found in dates:  # (D:20261202102701Z') becomes (D:20200813000000Z) and a space
        start, end = found.span(1)
        if end - start < len(stamp):
            return None
        patched[start - 1:end + 1] = b"(" + stamp + b")" + b" " * (end - start - len(stamp))
    spans = [ids[0].span(1), ids[0].span(2), *(m.span(1) for m in _CHECKSUM.finditer(data))]
    for start, end in spans:
        patched[start:end] = b"0" * 32
    identity = hashlib.sha256(patched).hexdigest()[:32].upper().encode()
    for start, end in spans:
        patched[start:end] = identity
    return bytes(patched)


def reproducible(data: bytes, when: date | None) -> bytes:
    """A PDF's bytes with its dates set to `when` (or the epoch) in UTC and its ID made a
    hash of its content."""
    when = when or date(1970, 1, 1)
    fixed = _patched_in_place(data, when)
    return fixed if fixed is not None else _rewritten(data, when)


def _rewritten(data: bytes, when: date) -> bytes:
    """The PDF rewritten by pypdf with its dates, XMP packet, colour profile and ID fixed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    info = writer._info.get_object() if writer._info is not None else None  # noqa: SLF001
    if info is not None:
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                info[NameObject(key)] = TextStringObject(f"D:{when:%Y%m%d}000000Z")
    root = writer._root_object  # noqa: SLF001
    metadata = root.get("/Metadata")
    if metadata is not None:
        stream = metadata.get_object()
        xmp = _XMP_DATE.sub(f"{when:%Y-%m-%d}T00:00:00Z".encode(), stream.get_data())
        digest = hashlib.sha256(xmp).hexdigest()
        uuid = f"uuid:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        stream.set_data(_XMP_UUID.sub(uuid.encode(), xmp))
    for intent in root.get("/OutputIntents", []):
        profile = intent.get_object().get("/DestOutputProfile")
        if profile is not None:  # an ICC header's creation time: bytes 24-35
            icc = bytearray(profile.get_object().get_data())
            if len(icc) >= 36:
                icc[24:36] = struct.pack(">6H", when.year, when.month, when.day, 0, 0, 0)
                profile.get_object().set_data(bytes(icc))
    buffer = io.BytesIO()
    writer._ID = ArrayObject([ByteStringObject(b"\0" * 16)] * 2)  # noqa: SLF001
    writer.write(buffer)
    identity = ByteStringObject(hashlib.sha256(buffer.getvalue()).digest()[:16])
    writer._ID = ArrayObject([identity, identity])  # noqa: SLF001
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
