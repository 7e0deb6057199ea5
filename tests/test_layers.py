"""The layering in pyproject's import-linter contracts holds, and breaking it is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(root),
                                                       "PATH": "/usr/bin:/bin"})


def test_the_import_contracts_are_kept():
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_a_forbidden_import_breaks_a_contract(tmp_path):
    shutil.copytree(ROOT / "assembler", tmp_path / "assembler",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    checks = tmp_path / "assembler" / "checks.py"
    checks.write_text(checks.read_text(encoding="utf-8")
                      + "\nfrom . import render  # noqa: E402 - upward, on purpose\n",
                      encoding="utf-8")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0 and "BROKEN" in run.stdout
    assert "assembler.checks -> assembler.render" in run.stdout
