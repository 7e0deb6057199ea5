"""Word-native output: real Word numbering for lists, schema-valid parts, Office's limits."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import (
    FIXTURES,
    ROOT,
    SEED,
    W,
    body_paragraphs,
    document_text,
    libreoffice_text,
    list_labels,
    make_template,
    part_names,
    read_part,
)

from assembler import load_case, render_order
from assembler.docx.template import PROPERTY_LIMIT, split_property
from assembler.resources import bundled_templates

CASES = sorted((FIXTURES / "cases").glob("*.yaml"))
TEMPLATES = sorted(bundled_templates().rglob("*.docx"))

LISTS = """The Court orders as follows:

1. The first decretal paragraph.
2. The subpoena is subject to these conditions:
   1. the first condition;
   2. the second condition;
   3. the third condition; and
   4. the fourth condition.
3. The third decretal paragraph.

A paragraph between lists.

1. A new list restarts at one.
2. Its second item.

Another paragraph.

5. A list that starts at five.
6. Its second item.

Then:

1) A parenthesized item.
2) Another.

- A bullet.
  - A nested bullet.
- Another bullet.

A tab\there, and a note.[^n]

[^n]: The note holds a list:

    1. note item one
    2. note item two
"""


def _lists_order() -> bytes:
    case = load_case(SEED)
    case = case.model_copy(update={"discussion": LISTS})
    return render_order(case, case_dir=SEED.parent).data


@pytest.fixture(scope="module")
def lists_docx() -> bytes:
    return _lists_order()


def _audit(path: Path) -> list[str]:
    from openxml_audit import OpenXmlValidator

    # A new validator for each file: one validator caches cross-part lookups by the id() of
    # a package, so a later file can be checked against an earlier one's footnotes.
    result = OpenXmlValidator(max_errors=100).validate(path)
    return [f"{getattr(e, 'part_uri', '')} {getattr(e, 'path', '')}: {e.description}"
            for e in result.errors]


def test_the_bundled_templates_are_found():
    assert ROOT / "templates" / "order.docx" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_template_is_schema_valid(template):
    assert _audit(template) == []
    # And its numbering points only at styles it defines, its styles only at numbering it has.
    data = template.read_bytes()
    styles = read_part(data, "word/styles.xml")
    numbering = (read_part(data, "word/numbering.xml")
                 if "word/numbering.xml" in part_names(data) else "")
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    links = re.findall(r'<w:(?:pStyle|styleLink|numStyleLink) w:val="([^"]+)"', numbering)
    assert set(links) <= defined
    nums = set(re.findall(r'<w:num w:numId="(\d+)"', numbering))
    assert set(re.findall(r'<w:numId w:val="(\d+)"', styles)) <= nums


@pytest.mark.parametrize("sealed", [False, True], ids=["public", "sealed"])
@pytest.mark.parametrize("case_file", CASES, ids=lambda p: p.stem)
def test_every_fixture_order_is_schema_valid(tmp_path, case_file, sealed):
    order = render_order(load_case(case_file), case_dir=case_file.parent, sealed=sealed)
    out = tmp_path / "order.docx"
    out.write_bytes(order.data)
    assert _audit(out) == []


def test_every_order_of_the_fixture_batch_is_schema_valid(tmp_path):
    from click.testing import CliRunner

    from assembler.cli import main

    batches = FIXTURES / "batches"
    rows = tmp_path / "rows.csv"  # the fixture's first rows: the others differ only in values
    lines = (batches / "early-discovery.csv").read_text(encoding="utf-8").splitlines(True)
    rows.write_text("".join(lines[:5]), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(rows), "--base",
                                       str(batches / "early-discovery.yaml"), "-o", str(out),
                                       "-j", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    orders = sorted(out.glob("*.docx"))
    assert len(orders) == 4
    assert {path.name: _audit(path) for path in orders} == {path.name: [] for path in orders}


def test_an_order_with_every_kind_of_list_is_schema_valid(tmp_path, lists_docx):
    out = tmp_path / "lists.docx"
    out.write_bytes(lists_docx)
    assert _audit(out) == []


def test_preview_output_is_schema_valid_and_has_no_stand_in_date(tmp_path):
    from assembler.preview import preview

    case = tmp_path / "case.yaml"
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("  date: 2020-08-13\n", "").replace(
        "../chambers/jam", str(FIXTURES / "chambers" / "jam"))
    case.write_text(text, encoding="utf-8")
    out = tmp_path / "preview.docx"
    result = preview(None, case, out)
    assert "signed.date" in result.missing
    assert _audit(out) == []
    core = read_part(out.read_bytes(), "docProps/core.xml")
    assert "created" not in core and "1901" not in core  # no date rather than a stand-in


def test_lists_use_word_numbering_restarting_where_the_text_restarts(lists_docx):
    paragraphs = body_paragraphs(lists_docx)
    labels = list_labels(lists_docx)
    numbered = [(labels[i], paragraphs[i].text) for i in sorted(labels)]
    assert numbered == [
        ("1.", "The first decretal paragraph."),
        ("2.", "The subpoena is subject to these conditions:"),
        ("(a)", "the first condition;"), ("(b)", "the second condition;"),
        ("(c)", "the third condition; and"), ("(d)", "the fourth condition."),
        ("3.", "The third decretal paragraph."),
        ("1.", "A new list restarts at one."), ("2.", "Its second item."),
        ("5.", "A list that starts at five."), ("6.", "Its second item."),
        ("(1)", "A parenthesized item."), ("(2)", "Another."),
        ("\u2022", "A bullet."), ("\u25e6", "A nested bullet."), ("\u2022", "Another bullet."),
    ]
    # Nothing typed: the text of every paragraph is the item's own words.
    document_xml = read_part(lists_docx, "word/document.xml")
    assert not re.search(r"<w:t[^>]*>(\d+\.|\u2022) ", document_xml)
    # python-docx reads the numbering properties back: one w:num per list, nested items share
    # their parent's, one level down.
    num_pr = [(p._p.pPr.numPr.numId.val, p._p.pPr.numPr.ilvl.val)
              for p in paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    ids = [n for n, _ in num_pr]
    assert len(set(ids)) == 5
    assert [level for _, level in num_pr] == [0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert document_text(lists_docx).count("(d) the fourth condition.") == 1


def test_numbering_definitions_read_back_and_nothing_unused(lists_docx):
    from lxml import etree

    numbering = etree.fromstring(read_part(lists_docx, "word/numbering.xml").encode())
    styles = set(re.findall(r'w:styleId="([^"]+)"', read_part(lists_docx, "word/styles.xml")))
    abstracts = {a.get(f"{W}abstractNumId"): a for a in numbering.iter(f"{W}abstractNum")}
    nums = {n.get(f"{W}numId"): n.find(f"{W}abstractNumId").get(f"{W}val")
            for n in numbering.iter(f"{W}num")}
    used = set(re.findall(r'<w:numId w:val="(\d+)"/>', read_part(lists_docx, "word/document.xml")
                          + read_part(lists_docx, "word/footnotes.xml")))
    assert used == set(nums)                       # every w:num is used by a paragraph
    assert set(nums.values()) == set(abstracts)    # every definition by a w:num
    formats = {a.find(f"{W}name").get(f"{W}val"): [
        (lvl.find(f"{W}numFmt").get(f"{W}val"), lvl.find(f"{W}lvlText").get(f"{W}val"))
        for lvl in a.iter(f"{W}lvl")][:4] for a in abstracts.values()}
    assert formats["assembler-decimal"] == [("decimal", "%1."), ("lowerLetter", "(%2)"),
                                            ("lowerRoman", "%3."), ("decimal", "(%4)")]
    assert formats["assembler-parenthesized"][0] == ("decimal", "(%1)")
    assert formats["assembler-bullet"][0] == ("bullet", "\u2022")
    for link in numbering.iter(f"{W}pStyle", f"{W}styleLink", f"{W}numStyleLink"):
        assert link.get(f"{W}val") in styles
    starts = {n.get(f"{W}numId"): n.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val")
              for n in numbering.iter(f"{W}num")}
    # Five lists in the body and one in the note, each restarting at its own first number.
    assert sorted(starts.values()) == ["1", "1", "1", "1", "1", "5"]


def test_an_order_without_lists_carries_no_list_definitions(seed_docx):
    numbering = read_part(seed_docx, "word/numbering.xml")
    assert "<w:abstractNum" not in numbering and "<w:num " not in numbering
    assert "ListNumber" not in numbering


def test_decretal_paragraphs_are_a_list_in_pandoc(tmp_path, lists_docx):
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed")
    path = tmp_path / "lists.docx"
    path.write_bytes(lists_docx)
    tree = json.loads(subprocess.run([pandoc, "-f", "docx", "-t", "json", str(path)],
                                     check=True, capture_output=True, text=True).stdout)
    lists = [b for b in tree["blocks"] if b["t"] in ("OrderedList", "BulletList")]
    ordered = [b for b in lists if b["t"] == "OrderedList"]
    (start, style, delim), items = ordered[0]["c"]
    assert (start, style["t"], delim["t"], len(items)) == (1, "Decimal", "Period", 3)
    nested = [b for b in items[1] if b["t"] == "OrderedList"]
    (n_start, n_style, _), n_items = nested[0]["c"]
    assert (n_start, n_style["t"], len(n_items)) == (1, "LowerAlpha", 4)
    assert [b["c"][0][0] for b in ordered[1:4]] == [1, 5, 1]
    assert ordered[3]["c"][0][2]["t"] == "TwoParens"
    assert any(b["t"] == "BulletList" for b in lists)
    # And the seed fixture's early-discovery order: its four decretal paragraphs are a list.
    order = render_order(load_case(FIXTURES / "cases" / "early-discovery-subpoena.yaml"),
                         case_dir=FIXTURES / "cases")
    path.write_bytes(order.data)
    markdown = subprocess.run([pandoc, "-f", "docx", "-t", "markdown", str(path)], check=True,
                              capture_output=True, text=True).stdout
    assert [m for m in re.findall(r"(?m)^(\d+)\.  ", markdown)] == ["1", "2", "3", "4"]


def test_libreoffice_shows_the_numbers(tmp_path, lists_docx):
    text = libreoffice_text(lists_docx, tmp_path)
    text = re.sub(r"\s+", " ", text)
    for label, words in [("2.", "The subpoena"), ("(a)", "the first condition"),
                         ("(d)", "the fourth condition"), ("3.", "The third decretal"),
                         ("1.", "A new list restarts"), ("5.", "A list that starts"),
                         ("(2)", "Another."), ("1.", "note item one")]:
        assert f"{label} {words}" in text, label


def test_a_typed_tab_is_a_word_tab(lists_docx):
    document_xml = read_part(lists_docx, "word/document.xml")
    assert not re.search(r"<w:t[^>]*>[^<]*\t", document_xml)
    assert re.search(r">A tab</w:t><w:tab/><w:t[^>]*>here, and a note\.", document_xml)
    assert "A tab\there" in document_text(lists_docx)  # python-docx reads it back as a tab


def test_a_note_can_hold_a_list(lists_docx):
    footnotes_xml = read_part(lists_docx, "word/footnotes.xml")
    assert footnotes_xml.count("<w:numPr>") == 2 and "asm-list" not in footnotes_xml


def test_document_ids_differ_per_order_and_repeat_for_the_same(seed_docx, lists_docx):
    def doc_id(data: bytes) -> str:
        return re.search(r'<w14:docId w14:val="([0-9A-F]{8})"/>',
                         read_part(data, "word/settings.xml")).group(1)

    ids = {doc_id(seed_docx), doc_id(lists_docx)}
    for case_file in CASES:
        ids.add(doc_id(render_order(load_case(case_file), case_dir=case_file.parent).data))
    assert len(ids) == len(CASES) + 1
    template_id = doc_id((ROOT / "templates" / "order.docx").read_bytes())
    assert template_id not in ids
    assert doc_id(_lists_order()) == doc_id(lists_docx)
    assert all(int(i, 16) < 0x80000000 for i in ids)


def test_settings_zoom_has_a_percentage(seed_docx):
    assert re.search(r'<w:zoom [^>]*w:percent="\d+"', read_part(seed_docx, "word/settings.xml"))


@pytest.mark.parametrize("case_file", CASES, ids=lambda p: p.stem)
def test_every_property_is_within_office_limits(case_file):
    data = render_order(load_case(case_file), case_dir=case_file.parent).data
    custom = read_part(data, "docProps/custom.xml")
    values = re.findall(r"<vt:lpwstr>([^<]*)</vt:lpwstr>", custom)
    assert values and all(len(v) <= PROPERTY_LIMIT for v in values)
    props = dict(re.findall(r'name="([^"]+)"><vt:lpwstr>([^<]*)</vt:lpwstr>', custom))
    pieces = [props[k] for k in sorted(props, key=lambda k: (len(k), k))
              if k == "assembler.clauses" or k.startswith("assembler.clauses.")]
    clauses = [c for c in "; ".join(pieces).split("; ") if c]  # none when the case wrote all
    assert all(re.fullmatch(r"[\w/-]+ sha256:[0-9a-f]{64}", c) for c in clauses)
    assert docx.Document(__import__("io").BytesIO(data)).core_properties.title


def test_a_long_property_is_split_at_separators_and_joins_back():
    value = "; ".join(f"clause/number-{i} sha256:{'ab' * 32}" for i in range(9))
    assert len(value) > 689
    pieces = split_property("assembler.clauses", value)
    assert [name for name, _ in pieces][:3] == ["assembler.clauses", "assembler.clauses.2",
                                                "assembler.clauses.3"]
    assert all(len(piece) <= PROPERTY_LIMIT for _, piece in pieces)
    assert "; ".join(piece for _, piece in pieces) == value
    assert split_property("short", "x") == [("short", "x")]
    assert [len(p) for _, p in split_property("n", "y" * 600)] == [255, 255, 90]


def test_package_lists_numbering_part(seed_docx):
    assert "word/numbering.xml" in part_names(seed_docx)
    assert "numbering.xml" in read_part(seed_docx, "word/_rels/document.xml.rels")
    assert "/word/numbering.xml" in read_part(seed_docx, "[Content_Types].xml")


def test_a_template_without_list_definitions_gets_them_and_loses_its_unused_ones(tmp_path):
    from markupsafe import Markup

    from assembler.docx import CompiledTemplate
    from assembler.docx.template import DocumentProperties
    from assembler.environment import make_environment
    from assembler.prose import FootnoteBook, markdown_to_ooxml

    # python-docx's default template: a numbering part full of definitions nothing uses.
    path = make_template(tmp_path / "t.docx", ["{{p body }}"], header="Case\t{{ name }}")
    assert "<w:abstractNum " in read_part(path.read_bytes(), "word/numbering.xml")
    template = CompiledTemplate(path, make_environment(autoescape=True))
    book = FootnoteBook()
    body = Markup(markdown_to_ooxml("1. One\n2. Two\n   - sub\n\nText.\n\n3. Three", book))
    data = template.render({"body": body, "name": "Doe\tet al."}, book.bodies,
                           DocumentProperties(title="Order", when=None)).to_bytes()
    numbering = read_part(data, "word/numbering.xml")
    names = re.findall(r'<w:name w:val="([^"]+)"/>', numbering)
    assert names == ["assembler-decimal", "assembler-bullet"]
    # What is kept: the numbering of the template's list styles, and this order's lists.
    styles = read_part(data, "word/styles.xml")
    referenced = set(re.findall(r'<w:numId w:val="(\d+)"/>',
                                styles + read_part(data, "word/document.xml")))
    nums = dict(re.findall(r'<w:num w:numId="(\d+)"[^>]*><w:abstractNumId w:val="(\d+)"/>',
                           numbering))
    assert set(nums) == referenced and len(nums) == len(set(re.findall(
        r'<w:numId w:val="(\d+)"/>', styles))) + 3
    assert set(nums.values()) == set(re.findall(r'<w:abstractNum w:abstractNumId="(\d+)"',
                                                numbering))
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    assert set(re.findall(r'<w:pStyle w:val="([^"]+)"/>', numbering)) <= defined
    assert [(list_labels(data)[i], p.text) for i, p in enumerate(body_paragraphs(data))
            if i in list_labels(data)] == [("1.", "One"), ("2.", "Two"), ("\u25e6", "sub"),
                                           ("3.", "Three")]
    header = read_part(data, "word/header1.xml")
    assert "\t" not in header and "Case</w:t><w:tab/>" in header
    assert "created" not in read_part(data, "docProps/core.xml")
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    # (python-docx's own stylesWithEffects part is out of date with its styles; ours are not)
    assert [e for e in _audit(out) if "stylesWithEffects" not in e] == []


@pytest.mark.parametrize("numbering, message", [
    (b"<w:numbering", "not well-formed XML"),
    (b'<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
     b'<w:abstractNum w:abstractNumId="x"/></w:numbering>', "without a numeric id"),
])
def test_a_template_with_a_broken_numbering_part_is_a_one_line_error(tmp_path, numbering,
                                                                      message):
    import zipfile

    from assembler.errors import TemplateError

    source = make_template(tmp_path / "src.docx", ["Text"])
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(broken, "w") as new:
        for info in old.infolist():
            data = numbering if info.filename == "word/numbering.xml" else old.read(info)
            new.writestr(info, data)
    with pytest.raises(TemplateError) as caught:
        render_order(load_case(SEED), case_dir=SEED.parent, template=broken)
    assert message in str(caught.value) and "word/numbering.xml" in str(caught.value)
    assert "\n" not in str(caught.value)
