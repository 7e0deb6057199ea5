"""PDFs on every core: `batch --pdf -j N` runs up to N LibreOffice converters, each with its
own profile; the PDF phase reports its own progress; Ctrl-C or SIGTERM during it leaves no
LibreOffice process, staging folder or profile behind."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assembler.batch import BatchOptions, run_batch
from assembler.pdf import PdfConverter

from conftest import FIXTURES, ROOT

if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install LibreOffice (see .ci/run)")
    pytest.skip("LibreOffice is not installed", allow_module_level=True)

BASE = FIXTURES / "batches" / "early-discovery.yaml"


def rows_file(tmp_path: Path, count: int) -> Path:
    with (FIXTURES / "batches" / "early-discovery.csv").open(encoding="utf-8-sig",
                                                              newline="") as handle:
        records = list(csv.reader(handle))
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records[: count + 1])
    return path


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(f"{entry.name}: {command[:120]}")
    return found


def test_two_converters_each_with_its_own_profile(tmp_path, seed_docx):
    sources = []
    for index in range(4):
        source = tmp_path / f"order-{index}.docx"
        source.write_bytes(seed_docx)
        sources.append(source)
    seen: list[tuple[int, int]] = []
    with PdfConverter(jobs=2) as converter:
        results = converter.convert(sources, progress=lambda done, total: seen.append((done, total)))
        assert len(converter.profiles) == 2 and len(set(converter.profiles)) == 2
        profiles = list(converter.profiles)
    assert [r.pdf for r in results] == [s.with_suffix(".pdf") for s in sources]
    assert all(r.pdf.read_bytes()[:5] == b"%PDF-" for r in results)
    assert seen[-1] == (4, 4) and all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    assert not any(p.exists() for p in profiles)  # close() removed both profiles
    assert not list(tmp_path.glob(".assembler-pdf-*"))


def test_batch_pdf_phase_has_its_own_progress(tmp_path):
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []
    summary = run_batch(BatchOptions(rows_file=rows_file(tmp_path, 4), out_dir=out, base=BASE,
                                     jobs=2, pdf=True),
                        pdf_progress=lambda done, total: seen.append((done, total)))
    assert summary.ok == 4 and summary.failed == 0
    assert len(list(out.glob("*.pdf"))) == 4
    assert seen and seen[-1] == (4, 4)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_the_pdf_phase_leaves_no_converter_staging_folder_or_profile(tmp_path, stop):
    private = tmp_path / "tmp"  # LibreOffice profiles are made here (TMPDIR)
    private.mkdir()
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(private))
    batch = subprocess.Popen([sys.executable, "-m", "assembler", "batch",
                              str(rows_file(tmp_path, 12)), "--base", str(BASE), "-o", str(out),
                              "--pdf", "-j", "2"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not processes_mentioning(str(private)) or not list(out.glob(".assembler-pdf-*")):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() < deadline, "the PDF phase never started"
            time.sleep(0.05)
        time.sleep(0.5)  # the converters are running
        batch.send_signal(stop)
        stdout, stderr = batch.communicate(timeout=60)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 130, stderr
    assert b"interrupted: run again with --resume" in stdout
    time.sleep(0.2)
    assert processes_mentioning(str(private)) == []
    assert list(out.glob(".assembler-pdf-*")) == []
    assert list(private.glob("assembler-libreoffice-*")) == []
    # Every order was written before the PDF phase, and the manifest says which PDFs exist.
    assert len(list(out.glob("*.docx"))) == 12
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        listed = [entry["pdf"] for entry in csv.DictReader(handle) if entry["pdf"]]
    assert all((out / name).exists() for name in listed)


def test_each_profile_is_seeded_so_libreoffice_skips_its_graphics_self_tests(tmp_path, seed_docx):
    # An unseeded profile runs LibreOffice's graphics self-tests at every start (and logs
    # them in the profile); a profile from new_profile records the installed version as
    # already run, so a conversion with it starts straight away.
    import tempfile

    from assembler.pdf import installed_version, new_profile

    source = tmp_path / "order.docx"
    source.write_bytes(seed_docx)
    with PdfConverter() as converter:
        version = installed_version(converter.soffice)
        assert version is not None and version.count(".") == 1
        assert f"<value>{version}</value>" in (
            converter.profile / "user" / "registrymodifications.xcu").read_text("utf-8")
        assert converter._run([source], tmp_path, converter.profile) == ""
        assert source.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
        assert not (converter.profile / "user" / "GraphicsRenderTests.log").exists()

        plain = Path(tempfile.mkdtemp(prefix="assembler-test-profile-"))
        try:
            assert converter._run([source], tmp_path, plain) == ""
            assert (plain / "user" / "GraphicsRenderTests.log").exists()
        finally:
            shutil.rmtree(plain)

    # An installation whose version cannot be read still gets a usable (empty) profile.
    assert installed_version(tmp_path / "no-such" / "program" / "soffice") is None
    empty = new_profile(tmp_path / "no-such" / "program" / "soffice")
    try:
        assert list(empty.iterdir()) == []
    finally:
        shutil.rmtree(empty)


@pytest.mark.parametrize("problem", ["bad header", "busy folder", "earlier manifest"])
def test_a_batch_that_never_begins_leaves_no_libreoffice_profile(tmp_path, problem):
    """`batch --pdf` makes its converter first (a missing LibreOffice fails before anything
    is read); a CSV, base or output-folder problem found after that leaves no profile."""
    private = tmp_path / "tmp"
    private.mkdir()
    rows = rows_file(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    holder = None
    if problem == "bad header":
        rows.write_text("case_number,no_such_field\n3:24-cv-1,x\n", encoding="utf-8")
    elif problem == "earlier manifest":
        (out / "manifest.csv").write_text("row,case_number,status\n", encoding="utf-8")
    else:  # another batch holds the folder
        holder = subprocess.Popen([sys.executable, "-c", (
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(out)!r}, os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)\n")],
            stdout=subprocess.PIPE)
        assert holder.stdout.readline() == b"held\n"
    try:
        result = subprocess.run([sys.executable, "-m", "assembler", "batch", str(rows),
                                 "--base", str(BASE), "-o", str(out), "--pdf"],
                                env=dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(private)),
                                capture_output=True, text=True, timeout=120)
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    assert list(private.glob("assembler-libreoffice-*")) == []


def test_each_pdf_is_handed_on_as_soon_as_libreoffice_starts_the_next(tmp_path, seed_docx):
    """Collection does not wait for the whole run: when soffice names the next document, the
    one before is complete (a whole PDF) and is handed on while soffice is still running."""
    sources = []
    for index in range(3):
        source = tmp_path / f"order-{index}.docx"
        source.write_bytes(seed_docx)
        sources.append(source)
    stage = tmp_path / "stage"
    stage.mkdir()
    seen = []
    with PdfConverter() as converter:
        def done(source):
            data = (stage / f"{source.stem}.pdf").read_bytes()
            seen.append((source, data.startswith(b"%PDF-") and b"%%EOF" in data[-32:],
                         bool(converter._running)))  # noqa: SLF001 - soffice still running
        assert converter._run(sources, stage, on_done=done) == ""  # noqa: SLF001
    assert seen == [(sources[0], True, True), (sources[1], True, True)]
    assert (stage / "order-2.pdf").exists()  # the last is left for the caller
