"""The cite-check's findings come from the compile cache when the order's prose is unchanged:
a warm render neither imports nor runs eyecite, and reports exactly what a cold one did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEED


def _render(case: Path, cache_dir: Path, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(cache_dir))
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "assembler", "render",
                           str(case), "-o", str(out), "--force"],
                          env=env, capture_output=True, text=True)


def _findings(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("import time:")]


def _imported(result: subprocess.CompletedProcess) -> set[str]:
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:")}


def test_a_warm_render_does_not_import_eyecite_and_reports_the_same(tmp_path):
    case = tmp_path / "case.yaml"  # a copy we may edit, its chambers folder named absolutely
    case.write_text(SEED.read_text(encoding="utf-8").replace(
        "chambers: ../chambers/jam", f"chambers: {SEED.parent.parent / 'chambers' / 'jam'}"),
        encoding="utf-8")
    store = tmp_path / "cache"
    cold = _render(case, store, tmp_path / "cold.docx")
    assert cold.returncode == 0, cold.stderr
    assert "eyecite" in _imported(cold)
    assert any("[cite-short]" in line for line in _findings(cold))
    warm = _render(case, store, tmp_path / "warm.docx")
    assert warm.returncode == 0, warm.stderr
    assert _findings(warm) == _findings(cold)
    imported = _imported(warm)
    assert "eyecite" not in imported and "reporters_db" not in imported
    assert "markdown_it" not in imported
    # An edited citation is checked afresh, not served from the cache.
    case.write_text(case.read_text(encoding="utf-8").replace("654 F.3d at 137", "645 F.3d at 137"),
                    encoding="utf-8")
    edited = _render(case, store, tmp_path / "edited.docx")
    assert edited.returncode == 0, edited.stderr
    assert "eyecite" in _imported(edited)
    assert not any("[cite-short]" in line for line in _findings(edited))
