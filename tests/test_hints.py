"""Library messages name no command-line option: they carry a hint the front words."""

from __future__ import annotations

import ast
import re

import pytest

from assembler.batch import BatchSummary
from assembler.errors import HINTS, OutputError
from assembler.hints import remedy, with_hint
from assembler.skeleton import write_skeleton

from conftest import ROOT

_OPTION = re.compile(r"--(force|resume|allow|strict|sealed|pdf|fix)\b")
_FRONTS = {"cli.py", "hints.py", "helptext.py", "launch.py", "memo.py"}  # memo reads argv


def _strings(tree: ast.AST):
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            yield node


def test_no_library_string_names_a_command_line_option():
    found = []
    for path in sorted((ROOT / "assembler").rglob("*.py")):
        if path.name in _FRONTS:
            continue
        for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if _OPTION.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def test_every_hint_has_the_command_lines_words():
    assert all(remedy(hint, "ssn") for hint in HINTS)
    assert remedy(None) == "" and remedy("allow", "ssn") == " (pass --allow ssn if it may be filed)"


def test_new_over_an_existing_file_hints_overwrite(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("court: ctd\n", encoding="utf-8")
    from assembler.skeleton import check_combination

    combo, _ = check_combination("ctd", "dismiss", "granted")
    with pytest.raises(OutputError) as caught:
        write_skeleton(combo, target, force=False)
    assert caught.value.hint == "overwrite" and "--force" not in caught.value.message
    assert with_hint(caught.value).endswith("already exists (use --force to overwrite)")


def test_an_interrupted_batch_summary_leaves_the_next_step_to_the_front():
    summary = BatchSummary(ok=3, interrupted=True)
    assert summary.line().endswith("(interrupted)")
    assert summary.line(remedy("resume")).endswith("(interrupted: run again with --resume)")
