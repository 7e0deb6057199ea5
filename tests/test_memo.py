"""The render memo: an unchanged render is replayed, anything changed renders afresh.

Every test runs the real program (`python -m assembler`) in its own process, as a user does:
the memo is the command line's, and what it notes is what a real render opens and lists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT, document_text


def _setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The seed case and its chambers folder, copied where the test may change them."""
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "seed.yaml"
    shutil.copy(FIXTURES / "cases" / "malibu-media-v-doe.yaml", case)
    shutil.copytree(FIXTURES / "chambers" / "jam", tmp_path / "chambers" / "jam")
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return case, env


def _render(env: dict[str, str], *args: str, cwd: Path | None = None,
            trace: bool = False) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if trace else []
    return subprocess.run([sys.executable, *flags, "-m", "assembler", "render", *args],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def _messages(done: subprocess.CompletedProcess) -> str:
    """stderr without the interpreter's import trace."""
    return "".join(line for line in done.stderr.splitlines(keepends=True)
                   if not line.startswith("import time:"))


def _composed(done: subprocess.CompletedProcess) -> bool:
    """The process loaded the case models: it rendered, rather than replayed."""
    return any(line.rstrip().endswith("| assembler.case") or
               line.rstrip().endswith("|   assembler.case") for line in done.stderr.splitlines()
               if line.startswith("import time:"))


def test_an_unchanged_render_is_replayed_byte_for_byte_with_the_same_messages(tmp_path):
    case, env = _setup(tmp_path)
    out = tmp_path / "order.docx"
    fresh = _render(dict(env, ASSEMBLER_CACHE_DIR="off"), str(case), "-o", str(out))
    assert fresh.returncode == 0, fresh.stderr
    expected = out.read_bytes()
    out.unlink()
    first = _render(env, str(case), "-o", str(out), trace=True)
    assert first.returncode == 0 and _composed(first)
    assert out.read_bytes() == expected
    out.unlink()  # gone: the replay writes it again
    again = _render(env, str(case), "-o", str(out), trace=True)
    assert again.returncode == 0, again.stderr
    assert not _composed(again)  # replayed: no case model, composer or cite-check loaded
    assert out.read_bytes() == expected
    assert again.stdout == fresh.stdout == first.stdout
    assert _messages(again) == fresh.stderr == _messages(first)
    assert "citation error" in fresh.stderr  # the seed's own warnings are replayed too


def test_an_existing_order_is_not_replaced_by_a_replay_without_force(tmp_path):
    case, env = _setup(tmp_path)
    out = tmp_path / "order.docx"
    assert _render(env, str(case), "-o", str(out)).returncode == 0
    out.write_bytes(b"the clerk's own edits")
    again = _render(env, str(case), "-o", str(out))
    assert again.returncode == 1
    assert again.stderr.strip().endswith("already exists (use --force to overwrite)")
    assert out.read_bytes() == b"the clerk's own edits"
    forced = _render(env, str(case), "-o", str(out), "--force")
    assert forced.returncode == 0 and out.read_bytes()[:2] == b"PK"


def test_an_edited_case_file_renders_afresh_even_with_its_old_size_and_time(tmp_path):
    case, env = _setup(tmp_path)
    out = tmp_path / "order.docx"
    assert _render(env, str(case), "-o", str(out)).returncode == 0
    before = os.stat(case)
    text = case.read_text(encoding="utf-8")
    assert "Malibu Media" in text
    case.write_text(text.replace("Malibu Media", "Malibu Medib"), encoding="utf-8")
    os.utime(case, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same time
    again = _render(env, str(case), "-o", str(out), "--force", trace=True)
    assert again.returncode == 0, again.stderr
    assert _composed(again)
    assert "Malibu Medib" in document_text(out.read_bytes())


def test_a_clause_file_added_or_edited_in_the_chambers_folder_is_seen(tmp_path):
    """Files the render never opened count too: a clause added to a folder it listed, and a
    profile created where it only looked for one."""
    case, env = _setup(tmp_path)
    out = tmp_path / "order.docx"
    assert _render(env, str(case), "-o", str(out)).returncode == 0
    clause = (tmp_path / "chambers" / "jam" / "clauses" / "default-judgment" /
              "denied-without-prejudice.md")
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "the Court may dismiss", "the Court will consider dismissing"), encoding="utf-8")
    edited = _render(env, str(case), "-o", str(out), "--force")
    assert edited.returncode == 0, edited.stderr
    assert "the Court will consider dismissing" in document_text(out.read_bytes())
    # The profile removed, then made again where the render only looked for one.
    edited_order = out.read_bytes()
    profile = tmp_path / "chambers" / "jam" / "profile.yaml"
    kept = profile.read_bytes()
    profile.unlink()
    without_profile = _render(env, str(case), "-o", str(out), "--force", trace=True)
    assert without_profile.returncode == 0 and _composed(without_profile)
    assert out.read_bytes() != edited_order  # the quotes are typographic without the profile
    profile.write_bytes(kept)
    with_profile = _render(env, str(case), "-o", str(out), "--force", trace=True)
    assert with_profile.returncode == 0 and _composed(with_profile)
    assert out.read_bytes() == edited_order


def test_the_command_line_working_folder_and_environment_are_part_of_the_key(tmp_path):
    case, env = _setup(tmp_path)
    out = tmp_path / "order.docx"
    assert _render(env, str(case), "-o", str(out)).returncode == 0
    other = tmp_path / "elsewhere"
    other.mkdir()
    moved = _render(env, str(case), "-o", str(out), "--force", cwd=other, trace=True)
    assert _composed(moved)
    changed = _render(dict(env, ASSEMBLER_TOKENIZER="default"), str(case), "-o", str(out),
                      "--force", trace=True)
    assert _composed(changed)
    straight = _render(env, str(case), "-o", str(out), "--force", "--straight-quotes",
                       trace=True)
    assert _composed(straight)


def test_sealed_pdf_failed_and_uncached_renders_are_never_kept(tmp_path):
    case, env = _setup(tmp_path)
    memo = tmp_path / "cache"
    sealed = _render(env, str(case), "-o", str(tmp_path / "s.docx"), "--sealed")
    assert sealed.returncode == 0, sealed.stderr
    strict = _render(env, str(case), "-o", str(tmp_path / "x.docx"), "--strict")
    assert strict.returncode == 1 and not (tmp_path / "x.docx").exists()
    assert not list(memo.glob("*/memo/*"))  # neither the sealed order nor a refusal is kept
    again = _render(env, str(case), "-o", str(tmp_path / "x.docx"), "--strict")
    assert again.returncode == 1 and again.stderr == strict.stderr
    off = dict(env, ASSEMBLER_CACHE_DIR="off")
    assert _render(off, str(case), "-o", str(tmp_path / "o.docx")).returncode == 0
    assert _render(off, str(case), "-o", str(tmp_path / "o.docx"), "--force",
                   trace=True).returncode == 0
    assert not list(memo.glob("*/memo/*"))
