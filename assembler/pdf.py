"""PDF through LibreOffice: one headless process converts a whole run of documents.

Each converter has its own LibreOffice user profile (two processes sharing one fail
silently), every conversion is checked for a real PDF (soffice can exit 0 without writing
one), and a run that takes too long is killed and reported, never waited on forever.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ConversionError

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


@dataclass
class Converted:
    source: Path
    pdf: Path | None
    error: str = ""


class PdfConverter:
    """Converts .docx files to PDF with one LibreOffice process per call (many files each)."""

    def __init__(self, soffice: str | Path | None = None, *, pdf_a: bool = False,
                 seconds_per_document: float = 60.0, start_seconds: float = 120.0):
        self.soffice = find_soffice(soffice)
        self.pdf_a = pdf_a
        self.seconds_per_document = seconds_per_document
        self.start_seconds = start_seconds
        self.profile = Path(tempfile.mkdtemp(prefix="assembler-libreoffice-"))

    def close(self) -> None:
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "PdfConverter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, sources: list[Path], out_dir: Path | None = None, *,
                force: bool = False) -> list[Converted]:
        """Convert each source to `<out_dir or its folder>/<stem>.pdf` (atomically)."""
        results: list[Converted] = []
        jobs: list[tuple[Path, Path]] = []
        for source in sources:
            target = (out_dir or source.parent) / f"{source.stem}.pdf"
            if target.exists() and not force:
                results.append(Converted(source, None, f"{target} already exists (use --force "
                                                       "to overwrite)"))
            else:
                jobs.append((source, target))
        if not jobs:
            return results
        folders = {target.parent for _, target in jobs}
        staging = {folder: Path(tempfile.mkdtemp(prefix=".assembler-pdf-", dir=folder))
                   for folder in folders}
        try:
            # soffice names each PDF after its input's stem: one call per output folder.
            for folder, stage in staging.items():
                batch = [(s, t) for s, t in jobs if t.parent == folder]
                error = self._run([s for s, _ in batch], stage)
                left = [(s, t) for s, t in batch if not self._collect(s, t, stage, results)]
                if error and len(left) > 1:
                    # One document stopped the run: convert the rest one by one, so that
                    # only the document at fault is reported.
                    retried = []
                    for source, target in left:
                        single = self._run([source], stage)
                        if not self._collect(source, target, stage, results):
                            retried.append((source, single))
                    left_errors = dict(retried)
                else:
                    left_errors = {s: error for s, _ in left}
                for source, _ in left:
                    if source in left_errors:
                        results.append(Converted(source, None, left_errors[source] or
                                                 "LibreOffice wrote no PDF for this document"))
        finally:
            for stage in staging.values():
                shutil.rmtree(stage, ignore_errors=True)
        order = {source: index for index, source in enumerate(sources)}
        return sorted(results, key=lambda r: order[r.source])

    @staticmethod
    def _collect(source: Path, target: Path, stage: Path, results: list[Converted]) -> bool:
        """Move a produced PDF into place; False when LibreOffice wrote none."""
        produced = stage / f"{source.stem}.pdf"
        if produced.exists() and produced.read_bytes()[:5] == b"%PDF-":
            os.replace(produced, target)
            results.append(Converted(source, target))
            return True
        return False

    def _run(self, sources: list[Path], out_dir: Path) -> str:
        """One soffice process for all `sources`; returns an error text, or '' when it ran."""
        command = [self.soffice, f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", export_filter(self.pdf_a),
                   "--outdir", str(out_dir), *map(str, sources)]
        timeout = self.start_seconds + self.seconds_per_document * len(sources)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return f"LibreOffice did not finish within {timeout:.0f} s and was stopped"
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            return f"LibreOffice failed (exit {process.returncode}): {tail[0]}"
        return ""
