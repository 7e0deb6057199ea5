"""The compile cache: a warm run gives the same bytes as a cold one, and a damaged, missing or
unwritable cache only costs time, never a wrong or failed order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from assembler import cache
from assembler.environment import make_environment
from conftest import ROOT, SEED, document_text, make_template


def _render(tmp_path: Path, cache_dir: str, name: str, *extra: str,
            template: Path | None = None) -> subprocess.CompletedProcess:
    """`assembler render` in its own process (in-process caches start empty every time)."""
    out = tmp_path / name
    command = [sys.executable, "-m", "assembler", "render", str(SEED), "-o", str(out), *extra]
    if template is not None:
        command += ["--template", str(template)]
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=cache_dir,
               XDG_CACHE_HOME=str(tmp_path / "xdg"))
    return subprocess.run(command, env=env, capture_output=True, text=True)


def _entries(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "CACHEDIR.TAG":
            found.setdefault(path.parent.name, []).append(path)
    return found


def test_warm_cache_gives_the_same_bytes_as_cold(tmp_path):
    store = tmp_path / "cache"
    cold = _render(tmp_path, str(store), "cold.docx")
    assert cold.returncode == 0, cold.stderr
    entries = _entries(store)
    # The template's prepared parts, its compiled parts and clauses, the court record, and
    # the Word XML of each piece of prose, the cite-check's findings, the year's holidays,
    # the privacy scan's letter skeletons, and the render memo (a replay of this render).
    assert set(entries) == {"template", "jinja", "courts", "prose", "cites", "holidays",
                            "skeleton", "memo"}
    assert len(entries["jinja"]) >= 5
    stamps = {p.stat().st_mtime_ns for kind, files in entries.items() for p in files
              if kind != "memo"}
    warm = _render(tmp_path, str(store), "warm.docx")  # another output: not the memo's render
    assert warm.returncode == 0, warm.stderr
    assert (tmp_path / "warm.docx").read_bytes() == (tmp_path / "cold.docx").read_bytes()
    # Served from the cache: nothing was written again (but the memo of this new render).
    assert {p.stat().st_mtime_ns for kind, files in _entries(store).items() for p in files
            if kind != "memo"} == stamps
    off = _render(tmp_path, "off", "off.docx")
    assert (tmp_path / "off.docx").read_bytes() == (tmp_path / "cold.docx").read_bytes(), off.stderr


def test_damaged_entries_are_redone_not_trusted(tmp_path):
    store = tmp_path / "cache"
    assert _render(tmp_path, str(store), "first.docx").returncode == 0
    files = [p for group in _entries(store).values() for p in group]
    for path in files:
        path.write_bytes(b"\x00not what was stored")
    again = _render(tmp_path, str(store), "again.docx")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.docx").read_bytes() == (tmp_path / "first.docx").read_bytes()
    first = (tmp_path / "first.docx").read_bytes()
    (tmp_path / "first.docx").unlink()
    replayed = _render(tmp_path, str(store), "first.docx")  # its damaged memo: rendered anew
    assert replayed.returncode == 0, replayed.stderr
    assert (tmp_path / "first.docx").read_bytes() == first
    assert all(p.read_bytes() != b"\x00not what was stored" for p in files)  # rewritten


def test_cache_off_writes_nothing_and_an_unwritable_cache_is_no_error(tmp_path):
    off = _render(tmp_path, "off", "off.docx")
    assert off.returncode == 0, off.stderr
    assert not (tmp_path / "xdg").exists()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    result = _render(tmp_path, str(blocker), "blocked.docx")
    assert result.returncode == 0, result.stderr
    assert result.stderr == off.stderr  # the same notes (the cite check's), nothing more
    assert (tmp_path / "blocked.docx").read_bytes() == (tmp_path / "off.docx").read_bytes()


def test_default_location_follows_xdg(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ASSEMBLER_CACHE_DIR"}
    env.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    command = [sys.executable, "-m", "assembler", "render", str(SEED), "-o",
               str(tmp_path / "o.docx")]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    assert _entries(tmp_path / "xdg" / "assembler").get("template")


def test_a_refused_template_is_refused_again_from_a_warm_cache(tmp_path):
    bad = make_template(tmp_path / "bad.docx", ["Case {{ case_number "])
    store = str(tmp_path / "cache")
    for attempt in ("one.docx", "two.docx"):
        result = _render(tmp_path, store, attempt, template=bad)
        assert result.returncode == 1
        assert "Jinja syntax error" in result.stderr and "bad.docx:word/document.xml" in result.stderr
        assert not (tmp_path / attempt).exists()


def test_templates_that_differ_get_their_own_entries(tmp_path):
    store = str(tmp_path / "cache")
    first = make_template(tmp_path / "a.docx", ["First {{ case_number }}"])
    second = make_template(tmp_path / "b.docx", ["Second {{ case_number }}"])
    for name, template in (("out-a.docx", first), ("out-b.docx", second)):
        result = _render(tmp_path, store, name, template=template)
        assert result.returncode == 0, result.stderr
    assert document_text(tmp_path / "out-a.docx").startswith("First 3:")
    assert document_text(tmp_path / "out-b.docx").startswith("Second 3:")


def test_code_is_keyed_by_the_environment_that_compiled_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_CACHE_DIR", str(tmp_path))
    source = "{{ name }}"
    escaping = cache.jinja_template(make_environment(autoescape=True), source)
    plain = cache.jinja_template(make_environment(autoescape=False), source)
    assert escaping.render(name="<A & B>") == "&lt;A &amp; B&gt;"
    assert plain.render(name="<A & B>") == "<A & B>"
    assert len(list((tmp_path).rglob("jinja/*"))) == 2
    # An environment without a filter the code names does not get that code.
    with_money = make_environment(autoescape=True)
    assert cache.jinja_template(with_money, "{{ 5 | money }}").render() == "$5.00"
    without = make_environment(autoescape=True)
    del without.filters["money"]
    with pytest.raises(jinja2.TemplateAssertionError):
        cache.jinja_template(without, "{{ 5 | money }}")


def test_a_new_fingerprint_folder_prunes_long_unused_ones_only(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("ASSEMBLER_CACHE_DIR", str(tmp_path))
    current = cache.cache_dir()
    width = len(current.name)
    old, recent = tmp_path / ("0" * width), tmp_path / ("1" * width)
    untagged = tmp_path / ("2" * width)  # named like one, but not ours: never touched
    mine = tmp_path / "notes"
    for folder in (old, recent, untagged, mine):
        (folder / "jinja").mkdir(parents=True)
    for folder in (old, recent):
        (folder / "CACHEDIR.TAG").write_text(cache._TAG_SIGNATURE + "\n")
    long_ago = time.time() - (cache.STALE_DAYS + 1) * 86400
    for folder in (old, untagged, mine):
        os.utime(folder, (long_ago, long_ago))
    cache.store("jinja", "entry", b"data")
    assert cache.load("jinja", "entry") == b"data"
    assert (current / "CACHEDIR.TAG").read_text().startswith(cache._TAG_SIGNATURE)
    assert not old.exists()
    assert recent.exists() and untagged.exists() and mine.exists()


def test_no_home_folder_means_no_cache_not_an_error(monkeypatch):
    from pathlib import Path

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("ASSEMBLER_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_dir() is None
    cache.store("jinja", "entry", b"data")  # nothing to write to: nothing happens
    assert cache.load("jinja", "entry") is None
    template = cache.jinja_template(make_environment(autoescape=True), "{{ x }}")
    assert template.render(x="<b>") == "&lt;b&gt;"


def test_court_records_known_and_unknown_come_back_from_the_cache(tmp_path, monkeypatch):
    from assembler import courts

    monkeypatch.setenv("ASSEMBLER_CACHE_DIR", str(tmp_path))
    for attempt in range(2):  # the second time from the stored entries only
        courts.find_court.cache_clear()
        monkeypatch.setattr(courts, "_lookup", courts._lookup if attempt == 0 else None)
        court = courts.find_court("ctd")
        assert court.district == "District of Connecticut" and court.citation == "D. Conn."
        assert courts.find_court("no-such-court") is None
    courts.find_court.cache_clear()
    assert len(list(tmp_path.rglob("courts/*"))) == 2
