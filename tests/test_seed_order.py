"""The seed fixture reproduces the reference order (Malibu Media v. Doe) word for word."""

from __future__ import annotations

import difflib
import re

from conftest import (SEED, body_paragraphs, document_text, footnotes, italic_texts,
                      libreoffice_text, read_part, reference_plain_text, words)


def _similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_text_matches_reference_word_for_word(seed_docx):
    rendered = words(document_text(seed_docx))
    reference = words(reference_plain_text())
    ratio = _similarity(rendered, reference)
    assert ratio >= 0.99, f"word similarity {ratio:.4f}"
    # The only departure allowed by the fixture rules: the documentation IP address.
    differences = [op for op in difflib.SequenceMatcher(None, reference, rendered,
                                                         autojunk=False).get_opcodes()
                   if op[0] != "equal"]
    changed = [(" ".join(reference[i1:i2]), " ".join(rendered[j1:j2]))
               for _, i1, i2, j1, j2 in differences]
    assert changed == [("72.192.32.104,", "203.0.113.104,")]


def test_footnote_is_a_real_word_footnote(seed_docx):
    notes = footnotes(seed_docx)
    assert list(notes.values()) == [
        "Because of compelling reasons not to disclose the true name of the defendant in this "
        "action, I granted Malibu Media’s request to file this motion under seal. Doc. #28. "
        "Accordingly, the defendant is identified as “John Doe” throughout this ruling."]
    document_xml = read_part(seed_docx, "word/document.xml")
    (note_id,) = notes
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', document_xml)
    assert refs == [note_id]
    # The reference sits right after "films." in the introduction's second paragraph.
    assert re.search(r"Malibu Media’s films\.</w:t></w:r><w:r><w:rPr><w:rStyle "
                     r'w:val="FootnoteReference"/></w:rPr><w:footnoteReference', document_xml)
    rels = read_part(seed_docx, "word/_rels/document.xml.rels")
    assert 'Target="footnotes.xml"' in rels
    assert "word/footnotes.xml" in read_part(seed_docx, "[Content_Types].xml")


def test_case_names_and_signals_are_italic(seed_docx):
    italics = italic_texts(seed_docx)
    for phrase in ["City of New York v. Mickalis Pawn Shop, LLC", "Ashcroft v. Iqbal",
                   "See Cobbler Nevada LLC v. Gonzalez", "See, e.g., Belizaire v. RAV Investigative "
                   "& Sec. Servs. Ltd.", "Id.", "Ibid.", "et seq.", "Plaintiff,", "Defendant.",
                   "/s/ Jeffrey Alker Meyer"]:
        assert phrase in italics, phrase
    assert "Malibu Media" not in italics


def test_layout_of_caption_title_and_signature(seed_docx):
    paragraphs = [p for p in body_paragraphs(seed_docx) if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert texts[:9] == ["UNITED STATES DISTRICT COURT", "DISTRICT OF CONNECTICUT",
                         "MALIBU MEDIA, LLC,", "Plaintiff,", "v.", "JOHN DOE,", "Defendant.",
                         "No. 3:18-cv-01369 (JAM)", "ORDER DENYING MOTION FOR DEFAULT JUDGMENT"]
    assert texts[-5:] == ["It is so ordered.", "Dated at New Haven this 13th day of August 2020.",
                          "/s/ Jeffrey Alker Meyer", "Jeffrey Alker Meyer",
                          "United States District Judge"]
    headings = [p.text for p in paragraphs if p.style.name == "Order Heading"]
    assert headings == ["BACKGROUND", "DISCUSSION", "CONCLUSION"]
    quotes = [p.text for p in paragraphs if p.style.name == "Quote"]
    assert [q[:20] for q in quotes] == ["[I]t is no more like", "Indeed, due to the i"]


def test_renewal_deadline_rolls_past_the_weekend(seed_docx):
    # Day 30 after August 13, 2020 is Saturday, September 12: Rule 6(a)(1)(C) -> Monday.
    conclusion = next(p for p in body_paragraphs(seed_docx) if "DENIED without" in p.text)
    assert "by September 14, 2020." in conclusion.text
    bold = "".join(r.text for r in conclusion.runs if r.bold)
    assert bold == "September 14, 2020."


def test_template_format_times_new_roman_double_spaced(seed_docx):
    styles = read_part(seed_docx, "word/styles.xml")
    assert 'w:ascii="Times New Roman"' in styles
    body_style = re.search(r'<w:style [^>]*w:styleId="BodyText".*?</w:style>', styles, re.S)
    assert 'w:line="480"' in body_style.group(0)
    document_xml = read_part(seed_docx, "word/document.xml")
    assert re.search(r'<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"',
                     document_xml)
    footer = read_part(seed_docx, "word/footer1.xml")
    assert "PAGE" in footer


def test_fixture_follows_the_fixture_rules():
    text = SEED.read_text(encoding="utf-8")
    for address in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", text):
        assert address.startswith(("192.0.2.", "198.51.100.", "203.0.113.")), address


def test_seed_converts_with_libreoffice(seed_docx, tmp_path):
    text = libreoffice_text(seed_docx, tmp_path)
    assert "ORDER DENYING MOTION FOR DEFAULT JUDGMENT" in text
    assert "Because of compelling reasons" in text  # the footnote is on the page
