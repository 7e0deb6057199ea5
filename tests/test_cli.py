"""CLI wiring: messages, exit codes, and nothing written on error."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from assembler.cli import main

from conftest import SEED, document_text

GOOD_BUT = {
    "unknown key": ("introduction:", "introducton:"),
    "wrong type": ("  doc: 29", "  doc: [29]"),
    "invalid date": ("date: 2020-08-13", "date: 2020-02-30"),
    "unknown court": ("court: ctd", "court: ctx"),
    "missing field": ("  kind: default_judgment\n", ""),
    "yaml syntax": ("  doc: 29", "  doc: [29"),
}


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        if cwd:
            os.chdir(old)


def test_render_writes_default_name_from_case_number(tmp_path):
    result = run("render", str(SEED), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "3-18-cv-01369-order.docx"
    assert out.exists()
    assert "ORDER DENYING MOTION FOR DEFAULT JUDGMENT" in document_text(out.read_bytes())
    again = run("render", str(SEED), cwd=tmp_path)
    assert again.exit_code == 1 and "already exists" in again.output
    assert run("render", str(SEED), "--force", cwd=tmp_path).exit_code == 0


def test_set_overrides_reach_the_order(tmp_path):
    out = tmp_path / "o.docx"
    result = run("render", str(SEED), "-o", str(out), "--set", "signed.date=2023-05-20",
                 "--set", "signed.place=Hartford")
    assert result.exit_code == 0, result.output
    text = document_text(out.read_bytes())
    assert "by June 20, 2023." in text  # day 30 is June 19, 2023: Juneteenth
    assert "Dated at Hartford this 20th day of May 2023." in text


@pytest.mark.parametrize("problem", sorted(GOOD_BUT))
def test_bad_case_files_give_one_line_and_write_nothing(tmp_path, problem):
    old, new = GOOD_BUT[problem]
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    case = tmp_path / "case.yaml"
    case.write_text(text.replace(old, new, 1).replace("../chambers/jam",
                                                      str(SEED.parent.parent / "chambers/jam")),
                    encoding="utf-8")
    out = tmp_path / "out.docx"
    result = run("render", str(case), "-o", str(out))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {case}:"), result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert os.listdir(tmp_path) == ["case.yaml"]


def test_missing_case_file(tmp_path):
    result = run("render", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"


def test_existing_file_is_kept_when_rendering_fails(tmp_path):
    out = tmp_path / "o.docx"
    out.write_bytes(b"earlier work")
    result = run("render", str(SEED), "-o", str(out), "--force", "--set", "motion.doc=0")
    assert result.exit_code == 1
    assert out.read_bytes() == b"earlier work"


def test_schema_is_json_schema_of_the_case_file():
    import json
    result = run("schema")
    schema = json.loads(result.output)
    assert {"court", "case_number", "signed"} <= set(schema["required"])
    assert {"required": ["motion", "ruling"]} in schema["anyOf"]  # or `motions`, a list
    assert {"required": ["motions"]} in schema["anyOf"]
    kinds = schema["$defs"]["Motion"]["properties"]["kind"]["anyOf"][0]["enum"]
    assert {"dismiss", "default_judgment", "other"} <= set(kinds)
    assert schema["additionalProperties"] is False


def test_unwritable_output_is_a_one_line_error():
    # /proc takes no new files, even from root.
    result = run("render", str(SEED), "-o", "/proc/assembler-test-order.docx")
    assert result.exit_code == 1
    (line,) = [l for l in result.output.splitlines() if l.startswith("error:")]
    assert line.startswith("error: /proc/assembler-test-order.docx: cannot write")
    assert "Traceback" not in result.output


def test_output_folder_missing(tmp_path):
    result = run("render", str(SEED), "-o", str(tmp_path / "nope" / "o.docx"))
    assert result.exit_code == 1
    assert "the output folder does not exist" in result.output


@pytest.mark.parametrize("background, message", [
    ("See the note.[^7] More.", "footnote [^7] is referenced but never defined"),
    ("Text.\n\n[^7]: A note nothing refers to.", "footnote [^7] is defined but never referenced"),
])
def test_footnote_mistakes_name_the_case_file_line(tmp_path, background, message):
    text = SEED.read_text(encoding="utf-8").replace("../chambers/jam",
                                                    str(SEED.parent.parent / "chambers/jam"))
    start = text.index("background: |")
    end = text.index("discussion:")
    body = "".join(f"  {line}\n" for line in background.split("\n"))
    case = tmp_path / "case.yaml"
    case.write_text(text[:start] + "background: |\n" + body + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    result = run("render", str(case), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"error: {case}:{line}: background: {message}"
    assert not (tmp_path / "o.docx").exists()


def test_the_program_exits_with_the_commands_status_and_flushes_its_output(tmp_path):
    """`python -m assembler` (and the console script) leave through cli.entry."""
    import os
    import subprocess
    import sys

    from conftest import ROOT, SEED

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = tmp_path / "order.docx"
    ok = subprocess.run([sys.executable, "-m", "assembler", "render", str(SEED), "-o", str(out)],
                        env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert out.read_bytes()[:2] == b"PK" and "wrote" in ok.stdout
    again = subprocess.run([sys.executable, "-m", "assembler", "render", str(SEED), "-o",
                            str(out)], env=env, capture_output=True, text=True)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines()[-1] == f"error: {out}: already exists (use --force to overwrite)"
    usage = subprocess.run([sys.executable, "-m", "assembler", "no-such-command"], env=env,
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "No such command" in usage.stderr
    listing = subprocess.run([sys.executable, "-m", "assembler", "clauses"], env=env,
                             capture_output=True, text=True)
    assert listing.returncode == 0 and listing.stdout.count("\n") > 20  # long output, all there
