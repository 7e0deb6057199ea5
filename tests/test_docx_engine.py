"""The OOXML layer: footnotes, escaping in every part, strictness, sandbox, reproducibility."""

from __future__ import annotations

import re
from datetime import date

import docx
import pytest
from markupsafe import Markup

from assembler.docx import CompiledTemplate
from assembler.docx.template import DocumentProperties
from assembler.environment import make_environment
from assembler.errors import TemplateError
from assembler.prose import FootnoteBook, markdown_to_ooxml

from conftest import body_paragraphs, footnotes, make_template, read_part

PROPS = DocumentProperties(title="Order", when=date(2020, 8, 13))


def compiled(tmp_path, paragraphs, header=None):
    path = make_template(tmp_path / "t.docx", paragraphs, header)
    return CompiledTemplate(path, make_environment(autoescape=True))


def prose(book, text):
    return Markup(markdown_to_ooxml(text, book))


@pytest.mark.parametrize("show_first", [True, False])
def test_footnote_inside_a_removed_section_leaves_numbering_consistent(tmp_path, show_first):
    template = compiled(tmp_path, ["{%p if show %}", "{{p first }}", "{%p endif %}",
                                   "{{p second }}"])
    book = FootnoteBook()
    context = {"show": show_first,
               "first": prose(book, "One.[^a]\n\n[^a]: First note."),
               "second": prose(book, "Two.[^b]\n\n[^b]: Second note.")}
    data = template.render(context, book.bodies, PROPS).to_bytes()
    notes = footnotes(data)
    expected = (["First note.", "Second note."] if show_first else ["Second note."])
    assert list(notes.values()) == expected
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', read_part(data, "word/document.xml"))
    assert refs == list(notes)  # every reference has its body and every body its reference
    assert refs == [str(i) for i in range(1, len(refs) + 1)]


def test_data_is_text_in_body_header_and_properties(tmp_path):
    template = compiled(tmp_path, ["Party: {{ name }}"], header="Header {{ name }}")
    name = "AT&T Mobility LLC and Barnes & Noble <Retail> ]]> \"quoted\""
    props = DocumentProperties(title=f"Order about {name}", when=date(2020, 8, 13))
    data = template.render({"name": name}, {}, props).to_bytes()
    document = docx.Document(__import__("io").BytesIO(data))
    assert document.paragraphs[0].text == f"Party: {name}"
    assert document.sections[0].header.paragraphs[0].text == f"Header {name}"
    assert document.core_properties.title == f"Order about {name}"


def test_missing_variable_is_an_error_naming_it(tmp_path):
    template = compiled(tmp_path, ["Doc. {{ motion.doc }}"])
    with pytest.raises(TemplateError, match="uses 'motion', which no case gives"):
        template.render({}, {}, PROPS)


def test_sandbox_refuses_attribute_walks(tmp_path):
    template = compiled(tmp_path, ["{{ ''.__class__.__mro__ }}"])
    with pytest.raises(TemplateError, match="unsafe|__class__"):
        template.render({}, {}, PROPS)


def test_huge_values_are_refused(tmp_path):
    template = compiled(tmp_path, ["{{ 'a' * 10**9 }}"])
    with pytest.raises(TemplateError, match="limit|larger"):
        template.render({}, {}, PROPS)


def test_broken_tag_names_the_paragraph(tmp_path):
    path = make_template(tmp_path / "bad.docx", ["Fine.", "Motion {{ motion.doc } here"])
    with pytest.raises(TemplateError) as caught:
        CompiledTemplate(path, make_environment(autoescape=True))
    assert "bad.docx" in str(caught.value) and "Motion {{ motion.doc } here" in str(caught.value)


def test_rendering_is_byte_for_byte_reproducible(tmp_path):
    template = compiled(tmp_path, ["{{p body }}"])
    outputs = set()
    for _ in range(2):
        book = FootnoteBook()
        data = template.render({"body": prose(book, "Text.[^1]\n\n[^1]: Note.")}, book.bodies,
                               PROPS).to_bytes()
        outputs.add(data)
    assert len(outputs) == 1


def test_prose_styles_and_escaping(tmp_path):
    template = compiled(tmp_path, ["{{p body }}"])
    book = FootnoteBook()
    text = ("AT&T <Retail> paid \\$7,500 for [I]t, *Iqbal*, **bold**, § 106 and ¶ 5 — “quoted.”"
            "\n\n> A block quote.")
    data = template.render({"body": prose(book, text)}, book.bodies, PROPS).to_bytes()
    paragraphs = body_paragraphs(data)
    assert paragraphs[0].text == ("AT&T <Retail> paid $7,500 for [I]t, Iqbal, bold, § 106 and "
                                  "¶ 5 — “quoted.”")
    italic = [r.text for r in paragraphs[0].runs if r.italic]
    bold = [r.text for r in paragraphs[0].runs if r.bold]
    assert italic == ["Iqbal"] and bold == ["bold"]
    assert paragraphs[1].style.name == "Quote"


def test_a_template_that_runs_too_long_fails_its_document(tmp_path, monkeypatch):
    import assembler.environment as environment
    from assembler import load_case, render_order

    from conftest import SEED

    monkeypatch.setattr(environment, "MAX_SECONDS", 0.5)
    path = make_template(tmp_path / "slow.docx", [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"])
    with pytest.raises(TemplateError, match="longer than 0.5 seconds"):
        render_order(load_case(SEED), case_dir=SEED.parent, template=path)


def test_template_footnotes_render_and_keep_their_numbers_apart_from_prose(tmp_path):
    import zipfile

    path = make_template(tmp_path / "t.docx", ["Template text.REF", "{{p body }}"])
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    reference = ('<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                 '<w:footnoteReference w:id="1"/></w:r>')
    parts["word/document.xml"] = parts["word/document.xml"].decode().replace(
        "<w:t>Template text.REF</w:t></w:r>", "<w:t>Template text.</w:t></w:r>" + reference
    ).encode()
    parts["word/footnotes.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="http://'
        'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:type="separator" '
        'w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>'
        '<w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> In {{ case_number }}.</w:t>'
        '</w:r></w:p></w:footnote><w:footnote w:id="2"><w:p><w:r><w:t>Orphan</w:t></w:r></w:p>'
        '</w:footnote></w:footnotes>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    template = CompiledTemplate(path, make_environment(autoescape=True))
    book = FootnoteBook()
    body = prose(book, "Prose.[^a]\n\n[^a]: From the prose.")
    data = template.render({"body": body, "case_number": "3:20-cv-1 & Co"}, book.bodies,
                           PROPS).to_bytes()
    notes = footnotes(data)
    assert notes == {"1": "In 3:20-cv-1 & Co.", "3": "From the prose."}  # orphan 2 dropped
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', read_part(data, "word/document.xml"))
    assert refs == ["1", "3"]
