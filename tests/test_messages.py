"""Values in messages are shown escaped: no escape sequence reaches the terminal, and every
error stays one line (issue 11)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assembler.checks import Finding
from assembler.cli import main
from assembler.errors import CaseFileError, terminal_safe

from conftest import SEED


@pytest.mark.parametrize("value", [
    "x\x1b]0;owned\x07y",         # OSC: sets the terminal's title
    "x\x1b[2J\x1b[31my",          # CSI: clears the screen, turns text red
    "x\ny",                       # a second line
    "x\u202ey\u2066z",            # bidi override and isolate
    "x\u0085y\u2028z",            # NEL and LINE SEPARATOR
])
def test_an_error_echoing_a_value_is_one_escaped_line(tmp_path, value):
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(tmp_path / "o.docx"),
                                       "--set", f"court={value}"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert all(ch.isprintable() for ch in errors[0]), errors[0]
    assert not (tmp_path / "o.docx").exists()


def test_terminal_safe_shows_what_it_escapes():
    assert terminal_safe("plain “text”, é") == "plain “text”, é"
    assert terminal_safe("a\x1bb\tc\U000e0041") == "a\\u001bb\\u0009c\\U000e0041"
    assert str(CaseFileError("bad 'a\nb'", file="c.yaml", line=2)) == "c.yaml:2: bad 'a\\nb'"
    finding = Finding("error", "x", "c.yaml:1: f", "quote '\u202eab'")
    assert str(finding) == "c.yaml:1: f: error: quote '\\u202eab' [x]"
