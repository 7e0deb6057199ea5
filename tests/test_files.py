"""Nothing lost: files that were already in a folder survive render and batch, a planted link is
never followed, one batch per folder, --resume trusts the CSV and not the manifest, and a full
disk or a killed parent ends cleanly."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest
from click.testing import CliRunner

from assembler.cli import main

from conftest import FIXTURES, ROOT, SEED

BATCHES = FIXTURES / "batches"
ROWS = BATCHES / "early-discovery.csv"
BASE = BATCHES / "early-discovery.yaml"
HEADER = "case_number,defendants.0.ip_address,isp,motion.doc,signed.date\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def manifest(folder):
    with (folder / "manifest.csv").open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_rows(path, count, start=0):
    lines = [HEADER] + [f"3:24-cv-{i:05d},203.0.113.{i % 250 + 1},Example Broadband Co.,6,"
                        "2023-04-03\n" for i in range(start, start + count)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_batch_leaves_other_peoples_part_files_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    theirs = {".ubuntu.iso.part": b"half a download", ".3-23-cv-01100-order.docx.77.part": b"x",
              ".report.docx.assembler-abcd1234.tmp": b"a render in progress"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    assert run("batch", ROWS, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    for name, data in theirs.items():
        assert (out / name).read_bytes() == data


def test_a_batch_removes_what_a_killed_batch_left_and_only_that(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".3-23-cv-01100-order.docx.assembler-batch-k3x9q2_a.tmp"
    stale.write_bytes(b"torn")
    link = out / ".x.docx.assembler-batch-zzzzzzzz.tmp"
    link.symlink_to(tmp_path / "elsewhere")
    assert run("batch", ROWS, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    assert not stale.exists() and link.is_symlink()


def test_render_does_not_follow_a_symlink_planted_at_a_temporary_name(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "orders"
    folder.mkdir()
    target = folder / "order.docx"
    # The old, predictable temporary name (.NAME.PID.part), and a few guesses at the new one.
    for name in (f".order.docx.{os.getpid()}.part", ".order.docx.assembler-.tmp"):
        (folder / name).symlink_to(outside)
    result = run("render", SEED, "-o", target)
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "precious"
    assert zipfile.is_zipfile(target) and not target.is_symlink()
    planted = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert planted == sorted([".order.docx.assembler-.tmp", f".order.docx.{os.getpid()}.part"])


def test_render_never_writes_through_a_symlink_at_the_target(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (tmp_path / "order.docx").symlink_to(outside)
    result = run("render", SEED, "-o", tmp_path / "order.docx")
    assert result.exit_code == 1 and "already exists" in result.output
    assert outside.read_text() == "precious"


def test_a_second_batch_into_the_same_folder_is_one_clear_error(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # as a running batch holds it
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run("batch", ROWS, "--base", BASE, "-o", out, "-j", 1)
    finally:
        os.close(holder)
    assert result.exit_code == 1
    assert result.output == (f"error: {out}: another batch is writing into this folder; wait "
                             "for it to finish or choose another folder\n")
    assert list(out.iterdir()) == []


def test_two_real_batches_at_once_one_refuses_and_the_manifest_is_the_others(tmp_path):
    rows = make_rows(tmp_path / "rows.csv", 5000)  # long enough to be running throughout
    out = tmp_path / "out"
    command = [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
               "-o", str(out), "-j", "1"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / "manifest.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    second = run("batch", rows, "--base", BASE, "-o", out, "-j", 1, "--force")
    still_running = first.poll() is None
    first.terminate()  # stopped as Ctrl-C stops it: its rows so far are recorded
    stdout, _ = first.communicate(timeout=120)
    assert still_running, "the first batch finished before the second one started"
    assert second.exit_code == 1 and "another batch is writing into this folder" in second.output
    assert first.returncode == 130 and b"interrupted" in stdout
    entries = manifest(out)
    assert [int(e["row"]) for e in entries] == list(range(2, 2 + len(entries)))
    assert all(sha(out / e["output"]) == e["sha256"] for e in entries)


def test_resume_writes_a_row_whose_manifest_entry_points_elsewhere(tmp_path):
    rows = make_rows(tmp_path / "rows.csv", 5)
    out = tmp_path / "out"
    assert run("batch", rows, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    entries = manifest(out)
    outside = tmp_path / "hostname"
    outside.write_text("host\n")
    victim = out / entries[1]["output"]          # row 3
    victim.unlink()
    (out / entries[3]["output"]).unlink()        # row 5
    entries[1].update(output=entries[0]["output"], sha256=entries[0]["sha256"])
    entries[3].update(output="../hostname", sha256=sha(outside))
    entries.append(dict(entries[0], row="99", case_number="not in the CSV"))
    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entries[0]))
        writer.writeheader()
        writer.writerows(entries)
    result = run("batch", rows, "--base", BASE, "-o", out, "-j", 1, "--resume")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 ok, 0 failed, 3 kept (finished earlier) in ")
    after = manifest(out)
    assert [(e["row"], e["status"]) for e in after] == [
        ("2", "kept"), ("3", "ok"), ("4", "kept"), ("5", "ok"), ("6", "kept")]
    for entry in after:
        assert sha(out / entry["output"]) == entry["sha256"]
    assert victim.exists() and outside.read_text() == "host\n"


def test_resume_redoes_a_row_that_changed_and_names_a_duplicate_row_as_such(tmp_path):
    rows = make_rows(tmp_path / "rows.csv", 3)
    out = tmp_path / "out"
    assert run("batch", rows, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    text = rows.read_text().replace("203.0.113.2,", "198.51.100.9,")  # row 3 changed
    rows.write_text(text + "3:24-cv-00000,203.0.113.7,Example Broadband Co.,6,2023-04-03\n")
    result = run("batch", rows, "--base", BASE, "-o", out, "-j", 1, "--resume")
    assert result.exit_code == 1
    assert f"error: {rows}:row 3: {out / '3-24-cv-00001-order.docx'}: already exists" \
        in result.stderr  # a changed row is not kept: its new order differs from the file
    assert (f"error: {rows}:row 5: case_number: '3:24-cv-00000' gives the same file name as "
            "row 2") in result.stderr
    assert [e["status"] for e in manifest(out)] == ["kept", "failed", "kept", "failed"]


@pytest.mark.parametrize("problem", ["folder", "not utf-8"])
def test_resume_with_an_unreadable_manifest_is_one_line(tmp_path, problem):
    out = tmp_path / "out"
    out.mkdir()
    if problem == "folder":
        (out / "manifest.csv").mkdir()
    else:
        (out / "manifest.csv").write_bytes(b"row,case_number\n2,Pe\xf1a\n")
    result = run("batch", ROWS, "--base", BASE, "-o", out, "-j", 1, "--resume")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {out / 'manifest.csv'}: ")
    assert ("is a folder" if problem == "folder" else "line 2: not UTF-8") in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.csv"]


def test_manifest_opens_in_excel_as_text_with_its_accents(tmp_path):
    numbers = ['=HYPERLINK("http://203.0.113.9/x","click")', "+cmd|' /C calc'!A0",
               "@SUM(1+1)", "-2+3+cmd", "3:24-cv-00001 Peña"]
    rows = tmp_path / "rows.csv"
    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.strip().split(","))
        for index, number in enumerate(numbers):
            writer.writerow([number, f"192.0.2.{index + 1}", "Example Broadband Co.", "6",
                             "2023-04-03"])
    out = tmp_path / "out"
    assert run("batch", rows, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    raw = (out / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrow,")
    cells = [r[1] for r in csv.reader(io.StringIO(raw.decode("utf-8-sig")))][1:]
    assert cells == ["'" + n for n in numbers[:4]] + [numbers[4]]
    for line in raw.decode("utf-8-sig").splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# ---- faults --------------------------------------------------------------------------------

def _whole_lines(path):
    data = path.read_bytes()
    assert data.endswith(b"\n")
    entries = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for entry in entries:
        assert set(entry) == {"row", "case_number", "status", "output", "sha256", "error", "pdf",
                              "version"}
        assert None not in entry.values() and entry["status"] in ("ok", "failed", "kept")
    return entries


@pytest.fixture
def small_disk(tmp_path):
    """A real 192 KiB file system (tmpfs): room for about a dozen orders."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(folder)],
                          capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_disk_full_mid_batch_ends_cleanly_and_resume_finishes(tmp_path, small_disk, jobs):
    rows = make_rows(tmp_path / "rows.csv", 40)
    out = small_disk / "out"
    result = run("batch", rows, "--base", BASE, "-o", out, "-j", jobs)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("No space left on device" in line for line in errors)
    assert all(line.startswith(f"error: {rows}:row ") for line in errors)
    assert "Traceback" not in result.output
    assert " ok, " in result.stdout and "failed" in result.stdout  # the summary
    entries = _whole_lines(out / "manifest.csv")
    for entry in entries:
        if entry["status"] == "ok":
            assert sha(out / entry["output"]) == entry["sha256"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    again = run("batch", rows, "--base", BASE, "-o", out, "-j", jobs, "--resume")
    assert again.exit_code == 0, again.output
    entries = _whole_lines(out / "manifest.csv")
    assert [int(e["row"]) for e in entries] == list(range(2, 42))
    assert all(sha(out / e["output"]) == e["sha256"] for e in entries)


def test_an_injected_write_fault_fails_its_rows_and_keeps_the_manifest_whole(tmp_path,
                                                                          monkeypatch):
    """The same without a tmpfs: every write after the first 60 KiB fails with ENOSPC."""
    import errno

    import assembler.batch as batch_module
    import assembler.output as output_module

    budget = [60_000]
    real_write = os.write

    def write(fd, data):
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        size = min(len(data), budget[0])
        budget[0] -= size
        return real_write(fd, bytes(data[:size]))

    class FullDisk:
        def __getattr__(self, name):
            return write if name == "write" else getattr(os, name)

    monkeypatch.setattr(output_module, "os", FullDisk())
    monkeypatch.setattr(batch_module, "os", FullDisk())
    rows = make_rows(tmp_path / "rows.csv", 12)
    out = tmp_path / "out"
    result = run("batch", rows, "--base", BASE, "-o", out, "-j", 1)
    assert result.exit_code == 1
    assert "warning: " in result.stderr and "the manifest stops before row" in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("No space left on device" in line for line in errors)
    entries = _whole_lines(out / "manifest.csv")
    assert [int(e["row"]) for e in entries] == list(range(2, 2 + len(entries)))
    monkeypatch.undo()
    again = run("batch", rows, "--base", BASE, "-o", out, "-j", 1, "--resume")
    assert again.exit_code == 0, again.output
    assert [int(e["row"]) for e in _whole_lines(out / "manifest.csv")] == list(range(2, 14))


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal")
def test_no_worker_outlives_a_killed_parent(tmp_path):
    rows = make_rows(tmp_path / "rows.csv", 3000)
    command = [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
               "-o", str(tmp_path / "out"), "-j", "2"]
    process = subprocess.Popen(command, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers = []
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = _children(process.pid)
        time.sleep(0.02)
    assert len(workers) >= 2
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{w}") and
                                              _state(w) != "Z" for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}") and _state(w) != "Z"]


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_sigterm_stops_a_batch_as_ctrl_c_does(tmp_path):
    rows = make_rows(tmp_path / "rows.csv", 1500)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
               "-o", str(out), "-j", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (out / "manifest.csv").exists() and len(list(out.glob("*.docx"))) >= 20:
            break
        time.sleep(0.02)
    process.terminate()  # SIGTERM to the parent alone
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"interrupted: run again with --resume" in stdout and b"Traceback" not in stderr
    entries = _whole_lines(out / "manifest.csv")
    assert entries and all(sha(out / e["output"]) == e["sha256"] for e in entries)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert not _children(process.pid)


# ---- render ----------------------------------------------------------------------------------

def test_o_with_a_pdf_name_is_an_error_not_word_under_a_pdf_name(tmp_path):
    result = run("render", SEED, "-o", tmp_path / "order.pdf")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: {tmp_path / 'order.pdf'}: -o names a PDF, but the order is written as Word: "
        "give the .docx name and add --pdf (the PDF is written beside it)")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_pdf_leaves_neither_file_and_a_retry_needs_no_force(tmp_path):
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 0\n")  # as LibreOffice does at times: 0, and no PDF
    soffice.chmod(0o755)
    folder = tmp_path / "orders"
    folder.mkdir()
    target = folder / "order.docx"
    for _retry in range(2):
        result = run("render", SEED, "-o", target, "--pdf", "--soffice", soffice)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == (
            f"error: {target}: LibreOffice wrote no PDF for this document; nothing was written "
            "(the .docx was removed again, so a retry finds nothing in its way)")
        assert list(folder.iterdir()) == []
    target.write_bytes(b"an older order")
    forced = run("render", SEED, "-o", target, "--pdf", "--soffice", soffice, "--force")
    assert forced.exit_code == 1
    assert forced.output.splitlines()[-1].endswith("; the .docx was written and kept")
    assert zipfile.is_zipfile(target) and not target.with_suffix(".pdf").exists()


def test_the_compile_cache_does_not_follow_a_link_planted_at_a_temporary_name(tmp_path,
                                                                             monkeypatch):
    from assembler import cache

    folder = tmp_path / "shared-cache"
    monkeypatch.setenv("ASSEMBLER_CACHE_DIR", str(folder))
    cache.store("probe", "entry", b"first")  # makes the folder and its fingerprint
    target = next(folder.rglob("entry"))
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (target.parent / f".entry.{os.getpid()}.part").symlink_to(outside)  # the old fixed name
    cache.store("probe", "entry", b"second")
    assert outside.read_text() == "precious" and target.read_bytes() == b"second"
