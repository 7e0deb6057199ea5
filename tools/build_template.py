"""Build templates/order.docx, the bundled order template, with python-docx.

The .docx is the template authors' source: open it in Word to change the layout. This script
records how the bundled one was first laid out (Times New Roman 12 pt, 1-inch margins,
double-spaced body, page numbers in the footer, the caption as the District of Connecticut
lays it out) and can rebuild it: `python tools/build_template.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from assembler.docx.numbering import numbering_part_xml  # noqa: E402

OUT = ROOT / "templates" / "order.docx"
FONT = "Times New Roman"


def _font(style, size=12, bold=None, italic=None):
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _spacing(style, line=1.0, before=0, after=0, first_line=None, left=None, right=None,
             align=None, keep_next=False):
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE if line != 1.0 else WD_LINE_SPACING.SINGLE
    fmt.line_spacing = line
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if first_line is not None:
        fmt.first_line_indent = Inches(first_line)
    if left is not None:
        fmt.left_indent = Inches(left)
    if right is not None:
        fmt.right_indent = Inches(right)
    if align is not None:
        fmt.alignment = align
    fmt.keep_with_next = keep_next


def _style(doc, name, kind=WD_STYLE_TYPE.PARAGRAPH, base="Normal"):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, kind)
    if kind == WD_STYLE_TYPE.PARAGRAPH and name != "Normal":
        style.base_style = styles[base]
    return style


def _page_number_field(paragraph):
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    # The schema's order: tblW, jc, tblCellSpacing, tblInd, tblBorders, ..., tblLook.
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        table._tbl.tblPr.append(borders)
    else:
        look.addprevious(borders)


KEEP_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList",
               "BodyText", "Quote", "ListParagraph", "Heading3", "OrderHeading", "CourtName",
               "OrderTitle", "CaptionText", "CaptionRole", "Closing", "Signature",
               "AttachmentHeading", "FootnoteText", "FootnoteReference", "Header", "Footer",
               "Heading3Char", "QuoteChar", "BodyTextChar", "HeaderChar", "FooterChar"}


def _prune_styles(doc) -> None:
    """python-docx's default template carries 170-odd styles; an order needs about twenty."""
    root = doc.styles.element
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:
            root.remove(style)
    for latent in root.findall(qn("w:latentStyles")):
        root.remove(latent)


def _drop_parts(path: Path) -> None:
    """Remove the parts a template does not need (effects styles, custom XML, thumbnail);
    replace python-docx's list definitions (they name list styles no longer here) with the
    ones assembler numbers lists with; give the zoom the percentage the schema requires."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    drop = [n for n in parts if n.startswith("customXml/") or n.startswith("docProps/thumbnail")
            or n == "word/stylesWithEffects.xml"]
    for name in drop:
        del parts[name]
    parts["word/numbering.xml"] = numbering_part_xml()
    parts["word/settings.xml"] = re.sub(rb'<w:zoom w:val="bestFit"/>',
                                        b'<w:zoom w:val="bestFit" w:percent="100"/>',
                                        parts["word/settings.xml"])
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        parts[rels] = re.sub(rb'<Relationship [^>]*(customXml|stylesWithEffects|thumbnail)[^>]*/>',
                             b"", parts[rels])
    parts["[Content_Types].xml"] = re.sub(
        rb'<Override PartName="/(customXml|word/stylesWithEffects|docProps/thumbnail)[^>]*/>', b"",
        parts["[Content_Types].xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def build() -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    _font(normal)
    _spacing(normal)
    body = _style(doc, "Body Text")
    _font(body)
    _spacing(body, line=2.0, first_line=0.5, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    quote = _style(doc, "Quote")
    _font(quote, italic=False)
    _spacing(quote, line=1.0, after=12, left=1.0, right=1.0, first_line=0,
             align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    items = _style(doc, "List Paragraph")
    _font(items)
    _spacing(items, line=2.0, first_line=0.5, left=0, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    subheading = _style(doc, "Heading 3")
    _font(subheading, bold=True, italic=False)
    _spacing(subheading, line=2.0, keep_next=True)
    section = _style(doc, "Order Heading")
    _font(section, bold=True)
    _spacing(section, line=2.0, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    court = _style(doc, "Court Name")
    _font(court, bold=True)
    _spacing(court, align=WD_ALIGN_PARAGRAPH.CENTER)
    title = _style(doc, "Order Title")
    _font(title, bold=True)
    _spacing(title, before=24, after=24, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    caption = _style(doc, "Caption Text")
    _font(caption)
    _spacing(caption)
    role = _style(doc, "Caption Role")
    _font(role, italic=True)
    _spacing(role, left=1.5)
    closing = _style(doc, "Closing")
    _font(closing)
    _spacing(closing, line=2.0, first_line=0.5)
    signature = _style(doc, "Signature")
    _font(signature)
    _spacing(signature, left=3.0)
    attachment = _style(doc, "Attachment Heading")
    _font(attachment, bold=True)
    _spacing(attachment, after=24, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    attachment.paragraph_format.page_break_before = True
    note = _style(doc, "Footnote Text")
    _font(note, size=12)
    _spacing(note, after=6, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    mark = _style(doc, "Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    mark.font.superscript = True
    mark.font.name = FONT

    page = doc.sections[0]
    page.page_width, page.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Inches(1))
    header = page.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("{% if sealed %}FILED UNDER SEAL{% endif %}").bold = True
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)

    doc.add_paragraph("{{ court.name | upper }}", style=court)
    doc.add_paragraph("{{ court.district | upper }}", style=court)
    doc.add_paragraph("", style=normal)

    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Inches(4.0), Inches(2.5)
    left.paragraphs[0].style = caption
    left.paragraphs[0].add_run("{%p for line in caption.plaintiffs %}")
    left.add_paragraph("{{ line }}", style=caption)
    left.add_paragraph("{%p endfor %}", style=caption)
    left.add_paragraph("{{ caption.plaintiff_role }}", style=role)
    left.add_paragraph("", style=caption)
    left.add_paragraph("v.", style=caption)
    left.add_paragraph("", style=caption)
    left.add_paragraph("{%p for line in caption.defendants %}", style=caption)
    left.add_paragraph("{{ line }}", style=caption)
    left.add_paragraph("{%p endfor %}", style=caption)
    left.add_paragraph("{{ caption.defendant_role }}", style=role)
    right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    right.paragraphs[0].style = caption
    right.paragraphs[0].add_run("No. {{ case_number }}{% if judge_initials %} "
                                "({{ judge_initials }}){% endif %}")

    doc.add_paragraph("{{ title }}", style=title)
    doc.add_paragraph("{%p if sections.referral %}", style=body)
    doc.add_paragraph("{{p sections.referral }}", style=body)
    doc.add_paragraph("{%p endif %}", style=body)
    doc.add_paragraph("{{p sections.introduction }}", style=body)
    for heading, key in (("BACKGROUND", "background"), ("DISCUSSION", "discussion"),
                         ("CONCLUSION", "conclusion")):
        doc.add_paragraph(f"{{%p if sections.{key} %}}", style=body)
        doc.add_paragraph(heading, style=section)
        doc.add_paragraph(f"{{{{p sections.{key} }}}}", style=body)
        doc.add_paragraph("{%p endif %}", style=body)
    doc.add_paragraph("It is so ordered.", style=closing)
    doc.add_paragraph("Dated at {{ signed.place }} this {{ signed.day_ordinal }} day of "
                      "{{ signed.month_year }}.", style=closing)
    doc.add_paragraph("", style=normal)
    slash = doc.add_paragraph("", style=signature)
    slash.add_run("/s/ {{ judge.name }}").italic = True
    doc.add_paragraph("{{ judge.name }}", style=signature)
    doc.add_paragraph("{{ judge.title }}", style=signature)
    doc.add_paragraph("{%p for attachment in sections.attachments %}", style=normal)
    doc.add_paragraph("{{ attachment.title }}", style=attachment)
    doc.add_paragraph("{{p attachment.body }}", style=body)
    doc.add_paragraph("{%p endfor %}", style=normal)

    _prune_styles(doc)
    core = doc.core_properties
    core.author = ""
    core.last_modified_by = ""
    core.title = "Order template"
    core.comments = ""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    _drop_parts(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    build()
