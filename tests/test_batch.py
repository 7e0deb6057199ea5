"""The CSV batch: every good row an order, every bad row reported, nothing lost."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from click.testing import CliRunner

from assembler.cli import main

from conftest import FIXTURES, ROOT, document_text

BATCHES = FIXTURES / "batches"
ROWS = BATCHES / "early-discovery.csv"
BAD = BATCHES / "early-discovery-bad.csv"
BASE = BATCHES / "early-discovery.yaml"


def batch(*args):
    return CliRunner().invoke(main, ["batch", *map(str, args)], catch_exceptions=False)


def manifest(folder):
    with (folder / "manifest.csv").open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fixture_batch_writes_every_order_and_a_complete_manifest(tmp_path):
    out = tmp_path / "out"
    result = batch(ROWS, "--base", BASE, "-o", out, "-j", 2)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("40 ok, 0 failed, 0 kept in ")
    entries = manifest(out)
    assert [int(e["row"]) for e in entries] == list(range(2, 42))
    for entry in entries:
        path = out / entry["output"]
        assert entry["status"] == "ok" and sha(path) == entry["sha256"]
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    first = document_text((out / "3-23-cv-01100-order.docx").read_bytes())
    assert "JOHN DOE, subscriber assigned IP address 192.0.2.10," in first
    assert "Example Broadband Co." in first and "NOTICE TO SUBSCRIBER" in first


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_rows_are_reported_with_row_and_field_and_good_rows_written(tmp_path, jobs):
    out = tmp_path / "out"
    result = batch(BAD, "--base", BASE, "-o", out, "-j", jobs)
    assert result.exit_code == 1
    errors = {line for line in result.stderr.splitlines() if line.startswith("error:")}
    where = f"error: {BAD}:row"
    expected = [
        f"{where} 3: clause early-discovery-subpoena/introduction: isp: needs a value",
        f"{where} 4: signed.date: invalid date '2020-13-01'",
        f"{where} 5: defendants.0.ip_address: invalid IP address '999.0.2.44'",
        f"{where} 6: clause standard/nope: discussion.0.clause: unknown clause id",
        f"{where} 7: case_number: '3:23-cv-02001' gives the same file name as row 2",
        f"{where} 9: has 4 cells but the header has 6",
        f"{where} 11: signed.date: required field is missing",
    ]
    for prefix in expected:
        assert any(e.startswith(prefix) for e in errors), (prefix, errors)
    assert len(errors) == len(expected)
    status = {int(e["row"]): e["status"] for e in manifest(out)}
    assert status == {2: "ok", 3: "failed", 4: "failed", 5: "failed", 6: "failed", 7: "failed",
                      8: "ok", 9: "failed", 10: "ok", 11: "failed"}
    # The case number "../../../tmp/escape" stays inside the output folder.
    written = sorted(p.name for p in out.iterdir())
    assert written == ["3-23-cv-02001-order.docx", "3-23-cv-02009-order.docx", "manifest.csv",
                       "tmp-escape-order.docx"]
    assert result.stdout.startswith("3 ok, 7 failed")


def test_worker_processes_give_the_same_manifest_and_files_as_one_process(tmp_path):
    rows = tmp_path / "rows.csv"
    lines = [HEADER]
    for index in range(150):  # enough for full chunks and the shrinking ones at the end
        number = 5 if index in (40, 97) else index  # two repeats of an earlier case number
        lines.append(f"3:24-cv-{number:05d},203.0.113.{index % 250 + 1},Example Broadband Co.,"
                     f"6,{'2023-13-01' if index % 37 == 5 else '2023-04-03'}\n")
    _write(rows, "".join(lines))
    one, two = tmp_path / "one", tmp_path / "two"
    assert batch(rows, "--base", BASE, "-o", one, "-j", 1).exit_code == 1
    assert batch(rows, "--base", BASE, "-o", two, "-j", 2).exit_code == 1
    assert (one / "manifest.csv").read_bytes() == (two / "manifest.csv").read_bytes()
    assert [int(e["row"]) for e in manifest(two)] == list(range(2, 152))
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


HEADER = "case_number,defendants.0.ip_address,isp,motion.doc,signed.date\n"
GOOD = "3:23-cv-03001,192.0.2.61,Example Broadband Co.,6,2023-04-03\n"


@pytest.mark.parametrize("text, message", [
    (HEADER.replace("isp", "case_number") + GOOD, "duplicate header 'case_number'"),
    (HEADER.replace("isp", "ISP provider") + GOOD, "unknown header 'ISP provider'"),
    (HEADER + GOOD + '3:23-cv-03002,"192.0.2.62,Example,6,2023-04-03\n' + GOOD,
     "CSV error: unexpected end of data"),
    ("", "the CSV is empty"),
])
def test_structural_problems_stop_before_any_order_is_written(tmp_path, text, message):
    rows = _write(tmp_path / "rows.csv", text)
    out = tmp_path / "out"
    result = batch(rows, "--base", BASE, "-o", out)
    assert result.exit_code == 1
    assert message in result.output and result.output.startswith(f"error: {rows}")
    assert not out.exists() or not any(out.iterdir())


def test_excel_bom_cp1252_and_embedded_newlines(tmp_path):
    header = HEADER.strip() + ",plaintiffs.0.name,background\n"
    row = ('3:23-cv-03001,192.0.2.61,Example Broadband Co.,6,2023-04-03,'
           '"Société Générale Films, S.A.","First paragraph.\n\nSecond, after a blank line."\n')
    for encoding, name in (("utf-8-sig", "bom.csv"), ("cp1252", "ansi.csv")):
        rows = _write(tmp_path / name, header + row, encoding)
        out = tmp_path / name.replace(".csv", "")
        result = batch(rows, "--base", BASE, "-o", out)
        assert result.exit_code == 0, result.output
        assert ("not UTF-8; read as Windows-1252" in result.stderr) == (encoding == "cp1252")
        text = document_text((out / "3-23-cv-03001-order.docx").read_bytes())
        assert "SOCIÉTÉ GÉNÉRALE FILMS, S.A.," in text
        assert "First paragraph.\nSecond, after a blank line." in text


def test_dry_run_validates_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = batch(BAD, "--base", BASE, "-o", out, "--dry-run")
    assert result.exit_code == 1
    assert result.stdout.startswith("dry run: 3 ok, 7 failed")
    assert not out.exists()


def test_nothing_is_overwritten_without_force(tmp_path):
    out = tmp_path / "out"
    assert batch(ROWS, "--base", BASE, "-o", out, "-j", 1).exit_code == 0
    victim = out / "3-23-cv-01100-order.docx"
    victim.write_bytes(b"the clerk's edited copy")
    journal = (out / "manifest.csv").read_bytes()
    result = batch(ROWS, "--base", BASE, "-o", out, "-j", 1)  # the finished run's journal stays
    assert result.exit_code == 1 and result.stderr == (
        f"error: {out / 'manifest.csv'}: a manifest from an earlier batch is here: run again "
        "with --resume to finish it, --force to start over, or choose another folder\n")
    assert (out / "manifest.csv").read_bytes() == journal
    (out / "manifest.csv").unlink()
    result = batch(ROWS, "--base", BASE, "-o", out, "-j", 1)
    assert result.exit_code == 1 and "already exists (use --force" in result.stderr
    assert victim.read_bytes() == b"the clerk's edited copy"
    result = batch(ROWS, "--base", BASE, "-o", out, "-j", 1, "--resume")
    assert result.exit_code == 1  # resume keeps matching files, and refuses a changed one
    assert victim.read_bytes() == b"the clerk's edited copy"
    assert "39 kept (finished earlier)" in result.stdout
    assert batch(ROWS, "--base", BASE, "-o", out, "-j", 1, "--force").exit_code == 0
    assert victim.read_bytes().startswith(b"PK")


def test_a_runaway_clause_fails_only_its_row(tmp_path):
    chambers = tmp_path / "chambers"
    (chambers / "clauses" / "bomb").mkdir(parents=True)
    (chambers / "clauses" / "bomb" / "big.md").write_text(
        "---\nid: bomb/big\ntitle: x\n---\n{{ 'a' * 10**9 }}\n", encoding="utf-8")
    rows = _write(tmp_path / "rows.csv", HEADER.strip() + ",chambers,discussion.0.clause\n"
                  + GOOD.strip() + f",{chambers},\n"
                  + GOOD.strip().replace("03001", "03002") + f",{chambers},bomb/big\n")
    out = tmp_path / "out"
    result = batch(rows, "--base", BASE, "-o", out)
    assert result.exit_code == 1
    assert "row 3: clause bomb/big" in result.stderr and "limit" in result.stderr
    assert [e["status"] for e in manifest(out)] == ["ok", "failed"]


def _make_rows(path, count):
    lines = [HEADER]
    for index in range(count):
        lines.append(f"3:24-cv-{index:05d},203.0.113.{index % 250 + 1},Example Broadband Co.,"
                     f"6,2023-04-03\n")
    _write(path, "".join(lines))


def test_interrupt_leaves_complete_files_and_resume_finishes(tmp_path):
    rows = tmp_path / "rows.csv"
    _make_rows(rows, 800)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
               "-o", str(out), "-j", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (out / "manifest.csv").exists() and len(list(out.glob("*.docx"))) >= 40:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"interrupted" in stdout
    docs = sorted(out.glob("*.docx"))
    assert 40 <= len(docs) < 800
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    for path in docs:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    listed = {e["output"]: e for e in manifest(out)}
    for entry in listed.values():
        assert entry["status"] == "ok" and sha(out / entry["output"]) == entry["sha256"]
    before = {p.name: p.stat().st_mtime_ns for p in docs}

    result = subprocess.run(command + ["--resume"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    entries = manifest(out)
    assert [int(e["row"]) for e in entries] == list(range(2, 802))
    kept = [e for e in entries if e["status"] == "kept"]
    assert len(kept) >= len(listed)
    for name, stamp in before.items():
        assert (out / name).stat().st_mtime_ns == stamp  # finished rows were not redone
    assert len(list(out.glob("*.docx"))) == 800


@pytest.mark.parametrize("problem", ["rows are a folder", "output is a file", "no base"])
def test_unusable_inputs_and_outputs_are_one_line_errors(tmp_path, problem):
    rows, out, base = ROWS, tmp_path / "out", BASE
    if problem == "rows are a folder":
        rows = tmp_path
    elif problem == "output is a file":
        out.write_text("not a folder")
    else:
        base = tmp_path / "missing.yaml"
    result = batch(rows, "--base", base, "-o", out)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output


def test_on_a_terminal_errors_print_verbatim_above_the_progress_bar(tmp_path):
    import pty
    import re

    rows = _write(tmp_path / "rows.csv", HEADER + GOOD.replace("2023-04-03", "[bold]2023"))
    command = [sys.executable, "-m", "assembler", "batch", str(rows), "--base", str(BASE),
               "-o", str(tmp_path / "out"), "-j", "1"]
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=child_fd,
                               stderr=child_fd, env=dict(os.environ, PYTHONPATH=str(ROOT),
                                                         COLUMNS="60"))
    os.close(child_fd)
    output = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main_fd)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", "replace"))
    lines = [line.strip() for line in re.split(r"[\r\n]+", text)]
    expected = (f"error: {rows}:row 2: signed.date: invalid date '[bold]2023' "
                "(write it as YYYY-MM-DD)")
    assert expected in lines  # one line, markup-like text kept, though wider than the terminal
    assert process.returncode == 1


def test_a_row_never_changes_the_shared_base_or_another_row():
    import copy

    from assembler.batch import merge_row
    from assembler.errors import CaseFileError

    base = {"defendants": [{"name": "John Doe", "ip_address": "203.0.113.1"}],
            "signed": {"place": "New Haven"}, "case_number": "base"}
    before = copy.deepcopy(base)
    first = merge_row(base, {("defendants", 0, "ip_address"): " 198.51.100.7 ",
                             ("signed", "date"): "2023-04-03"})
    second = merge_row(base, {("defendants", 1, "name"): "Jane Doe"})
    assert base == before
    assert first["defendants"] == [{"name": "John Doe", "ip_address": "198.51.100.7"}]
    assert first["signed"] == {"place": "New Haven", "date": "2023-04-03"}
    assert second["defendants"] == [{"name": "John Doe", "ip_address": "203.0.113.1"},
                                    {"name": "Jane Doe"}]
    assert "date" not in second["signed"]
    with pytest.raises(CaseFileError, match="index 3 skips items"):
        merge_row(base, {("defendants", 3, "name"): "Skipped Doe"})
    with pytest.raises(CaseFileError, match="not a mapping"):
        merge_row(base, {("case_number", "part"): "x"})
    assert base == before


def test_a_killed_worker_stops_the_batch_with_one_line_and_resume_finishes(tmp_path, monkeypatch):
    import assembler.batch as batch_module

    rows = tmp_path / "rows.csv"
    _make_rows(rows, 120)
    out = tmp_path / "out"
    render_row = batch_module._render_row

    def dies_on_row_90(row, cells):
        if row == 90:
            os._exit(9)  # as the kernel's out-of-memory killer would leave it
        return render_row(row, cells)

    monkeypatch.setattr(batch_module, "_render_row", dies_on_row_90)  # inherited by the fork
    result = batch(rows, "--base", BASE, "-o", out, "-j", 2)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {out}: a worker process stopped unexpectedly; the orders recorded in the "
        "manifest are complete: run again with --resume")
    recorded = manifest(out)
    assert recorded and all(sha(out / e["output"]) == e["sha256"] for e in recorded)
    assert [int(e["row"]) for e in recorded] == list(range(2, 2 + len(recorded)))
    monkeypatch.setattr(batch_module, "_render_row", render_row)
    again = batch(rows, "--base", BASE, "-o", out, "-j", 2, "--resume")
    assert again.exit_code == 0, again.output
    assert [int(e["row"]) for e in manifest(out)] == list(range(2, 122))
    assert len(list(out.glob("*.docx"))) == 120 and not [p for p in out.iterdir() if p.name.startswith(".")]
