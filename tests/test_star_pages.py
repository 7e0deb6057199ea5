"""Westlaw and Lexis star pages print as lawyers write them; emphasis elsewhere still works."""

from __future__ import annotations

from assembler import load_case, render_order

from conftest import SEED, body_paragraphs, document_text
from test_cites import case_with

STAR_PAGES = ("*See, e.g., Countryman Nevada LLC v Pitts*, 2014 WL 7178077, at *2 (M.D. Fla. "
              "2014); *Malibu Media LLC v. Duncan*, 2020 WL 567105, at *4-6 (S.D. Tex. 2020); "
              "*Malibu Media, LLC v. Doe*, 2018 WL 6446404, at **3 (N.D. Ill. 2018); "
              "2019 U.S. Dist. LEXIS 12345, *7, at *4-*6. This is **bold** and *plain emphasis*.")


def rendered(tmp_path, text: str) -> bytes:
    path = case_with(tmp_path, text)
    return render_order(load_case(path), case_dir=path.parent).data


def italic_texts(data: bytes) -> list[str]:
    """The italic stretches of the paragraphs that cite (the caption has italics of its own)."""
    found = []
    for paragraph in body_paragraphs(data):
        if "WL" not in paragraph.text:
            continue
        current = ""
        for run in [*paragraph.runs, None]:
            if run is not None and run.italic:
                current += run.text
            elif current:
                found.append(current)
                current = ""
    return found


def test_star_pages_print_as_written_and_leave_the_text_between_roman(tmp_path):
    data = rendered(tmp_path, STAR_PAGES)
    text = document_text(data)
    for written in ("2014 WL 7178077, at *2 (M.D. Fla. 2014)", "at *4-6 (S.D. Tex. 2020)",
                    "at **3 (N.D. Ill. 2018)", "LEXIS 12345, *7, at *4-*6."):
        assert written in text
    italics = italic_texts(data)
    assert "See, e.g., Countryman Nevada LLC v Pitts" in italics
    assert "Malibu Media LLC v. Duncan" in italics and "Malibu Media, LLC v. Doe" in italics
    assert "plain emphasis" in italics
    # Nothing between two star pages became italic: every italic run is a case name or the
    # emphasis written as such.
    assert not [run for run in italics if "WL" in run or "(M.D. Fla." in run or "*" in run]
    assert "This is bold and plain emphasis." in text


def test_an_unescaped_pair_no_longer_italicises_what_lies_between(tmp_path):
    # Without the rule, "*2 ... at*5" is an emphasis pair (the second asterisk sits between
    # two letters or digits, so it can close): everything between turned italic.
    data = rendered(tmp_path, "*Doe*, 2014 WL 1, at *2 (D. Conn. 2014), and *Roe*, 2015 WL 2, "
                              "at*5 (D. Conn. 2015), and *Poe*, 2016 WL 3,*7.")
    assert italic_texts(data) == ["Doe", "Roe", "Poe"]
    assert ("at *2 (D. Conn. 2014), and Roe, 2015 WL 2, at*5 (D. Conn. 2015), and Poe, "
            "2016 WL 3,*7.") in document_text(data)


def test_escaped_star_pages_render_as_before(tmp_path):
    escaped = rendered(tmp_path, r"*Doe*, 2014 WL 1, at \*2; *Roe*, 2015 WL 2, at \*4-6.")
    plain = rendered(tmp_path, "*Doe*, 2014 WL 1, at *2; *Roe*, 2015 WL 2, at *4-6.")
    assert document_text(escaped) == document_text(plain)
    assert italic_texts(escaped) == italic_texts(plain) == ["Doe", "Roe"]


def test_the_seed_keeps_its_escaped_star_pages():
    assert r"at \*2 (M.D. Fla. 2014)" in SEED.read_text(encoding="utf-8")
