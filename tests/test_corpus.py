"""The cite-check over a corpus of federal opinions and orders (fixtures/opinions/, sources in
SOURCES.md): no error on correct citations, and every planted slip caught.

Three kinds of slip are planted, one at a time, into each text wherever the text allows:
a short form with the wrong volume, a pin cite before the first page in a short form, and an
*Id.* whose pin belongs to an earlier, different authority. The error level's precision and
recall over the corpus are printed (pytest -s) and quoted in the README.
"""

from __future__ import annotations

import re
import pytest

from assembler.cites import check_markdown
from assembler.prose import plain_text

from conftest import FIXTURES

CORPUS = sorted((FIXTURES / "opinions").glob("*.md"))
CORPUS = [p for p in CORPUS if p.name != "SOURCES.md"]


def _citations(markdown: str):
    from eyecite import get_citations
    from eyecite.models import FullCaseCitation, ShortCaseCitation

    found = get_citations(plain_text(markdown).text)
    full = [c for c in found if isinstance(c, FullCaseCitation)
            and c.corrected_reporter() not in ("WL",)]
    short = [c for c in found if isinstance(c, ShortCaseCitation)
             and c.corrected_reporter() not in ("WL",)]
    return full, short


def _first_pages(full) -> dict[tuple[str, str], int]:
    return {(c.groups["volume"], c.corrected_reporter()): int(c.groups["page"]) for c in full
            if c.groups.get("page", "").isdigit()}


def plants(markdown: str) -> list[tuple[str, str, str]]:
    """(kind, planted text, the variant) for each slip this text has room for."""
    full, short = _citations(markdown)
    firsts = _first_pages(full)
    variants = []
    for cite in short:
        text = cite.matched_text()
        volume, reporter = cite.groups["volume"], cite.corrected_reporter()
        if (volume, reporter) not in firsts or text not in markdown:
            continue
        wrong = text.replace(volume, str(int(volume) + 1), 1)
        variants.append(("wrong volume in a short form", wrong, markdown.replace(text, wrong, 1)))
        early = re.sub(r"at \d+$", f"at {firsts[(volume, reporter)] - 1}", text)
        if early != text:
            variants.append(("pin before the first page", early,
                             markdown.replace(text, early, 1)))
    # One authority per group of parallel citations (eyecite gives them one full span).
    groups: list[list] = []
    for cite in full:
        if groups and groups[-1][0].full_span()[0] == cite.full_span()[0]:
            groups[-1].append(cite)
        else:
            groups.append([cite])
    for earlier, later in zip(groups, groups[1:], strict=False):
        pin = re.match(r"\d+", earlier[0].metadata.pin_cite or "")
        pages = [c.groups.get("page", "") for c in later]
        if not pin or not all(p.isdigit() and int(pin.group()) < int(p) for p in pages):
            continue
        text = later[-1].matched_text()
        position = markdown.find(text)
        # Right after this citation's own parenthetical: nothing else may stand between.
        stop = re.compile(r"[^;()]{0,24}\([^()]*\)\.(?=\s|$)").match(markdown,
                                                                   position + len(text))
        if position < 0 or stop is None:
            continue
        planted = f" *Id.* at {pin.group()}."
        variant = markdown[:stop.end()] + planted + markdown[stop.end():]
        variants.append(("Id. after a different authority", planted.strip(), variant))
    return variants


def _errors(markdown: str, source: str):
    return [f for f in check_markdown(markdown, source) if f.level == "error"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_no_error_on_correct_citations(path):
    assert _errors(path.read_text(encoding="utf-8"), path.name) == []


def test_corpus_covers_ten_texts_from_several_circuits():
    assert len(CORPUS) >= 10
    sources = (FIXTURES / "opinions" / "SOURCES.md").read_text(encoding="utf-8")
    for path in CORPUS:
        assert f"`{path.name}`" in sources, f"{path.name} has no source noted"


def test_every_planted_slip_is_caught_and_nothing_else_is_reported():
    planted = caught = false_errors = 0
    kinds: dict[str, int] = {}
    missed = []
    for path in CORPUS:
        markdown = path.read_text(encoding="utf-8")
        false_errors += len(_errors(markdown, path.name))
        for kind, slip, variant in plants(markdown):
            planted += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            errors = _errors(variant, path.name)
            hits = [e for e in errors if slip.replace("*", "").rstrip(".") in e.message]
            caught += bool(hits)
            false_errors += len(errors) - len(hits[:1])
            if not hits:
                missed.append((path.name, kind, slip, [str(e) for e in errors]))
    reported = caught + false_errors
    precision, recall = caught / reported, caught / planted
    print(f"\ncorpus: {len(CORPUS)} texts; planted {planted} slips {kinds}; caught {caught}; "
          f"other errors {false_errors}; precision {precision:.3f}, recall {recall:.3f}")
    assert all(count >= 5 for count in kinds.values()) and len(kinds) == 3, kinds
    assert missed == []
    assert false_errors == 0
