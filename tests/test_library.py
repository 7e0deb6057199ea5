"""The library's single-order workflow: the README's example, the CLI's twin, one composition."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from click.testing import CliRunner

from assembler import render_case
from assembler.cli import main
from assembler.order import OrderWriter
from conftest import FIXTURES, ROOT, SEED


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using assembler from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_example_writes_the_bytes_the_cli_writes(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    run = subprocess.run([sys.executable, "-c", _readme_example()], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                              "ASSEMBLER_CACHE_DIR": "off"})
    assert run.returncode == 0, run.stderr
    assert "error cite-short" in run.stdout and ":61: discussion.0.text" in run.stdout
    cli_out = tmp_path / "cli.docx"
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "order.docx").read_bytes() == cli_out.read_bytes()


def _count_compositions(monkeypatch) -> list[int]:
    calls = [0]
    compose = OrderWriter.compose

    def counted(self, *args, **kwargs):
        calls[0] += 1
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(OrderWriter, "compose", counted)
    return calls


def test_a_render_composes_the_order_once_and_cite_checks_that(tmp_path, monkeypatch):
    calls = _count_compositions(monkeypatch)
    report = render_case(SEED, tmp_path / "o.docx")
    assert calls[0] == 1
    assert [f.code for f in report.findings if f.level == "error"] == ["cite-short"]
    assert report.findings[1].location.line == 61
    assert report.clauses_used and all(len(d) == 64 for d in report.clauses_used.values())
    calls[0] = 0
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(tmp_path / "c.docx")])
    assert result.exit_code == 0 and calls[0] == 1


def test_an_existing_file_is_an_error_with_a_hint_not_an_option_name(tmp_path):
    out = tmp_path / "o.docx"
    out.write_bytes(b"theirs")
    try:
        render_case(SEED, out)
    except Exception as error:  # noqa: BLE001 - the test looks at what was raised
        assert error.message == "already exists" and error.hint == "overwrite"
        assert "--" not in str(error)
    else:
        raise AssertionError("an existing file was replaced")
    assert out.read_bytes() == b"theirs"
    assert render_case(SEED, out, force=True).docx == out and out.read_bytes() != b"theirs"
