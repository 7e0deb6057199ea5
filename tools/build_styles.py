"""Build the bundled court styles' Word templates (templates/styles/<name>/template.docx).

`python tools/build_styles.py` rebuilds every one from the layouts below, so the .docx files
are reproducible; a template author may also open one in Word and change it. The font and
size are set once, in Normal and in Footnote Text: every other style inherits them. What each
court prints (caption words, closing, date block, signature) comes from the style's
`style.yaml` at render time; the template only places it.

Pleading paper (the California family): 28 numbered lines in a text box anchored in the
header, at the exact 24-point spacing of the double-spaced body, with rules down the left
and right margins; N.D. Cal. adds the court's name down the left margin.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from build_template import _drop_parts, _no_borders, _page_number_field, _style  # noqa: E402

STYLES = ROOT / "templates" / "styles"


@dataclass(frozen=True)
class Layout:
    """How one style's template is laid out."""

    folder: str
    font: str = "Times New Roman"
    size: float = 12
    footnote_size: float = 12
    pleading: bool = False           # 28 numbered lines, exact spacing, caption box
    closing_indent: float = 0.5      # inches
    versus_indent: float = 1.5
    signature_indent: float = 3.25
    heading1_center: bool = True
    banner_above: bool = True        # the publication banner above the court name


LAYOUTS = [
    Layout("federal"),
    Layout("sdny", closing_indent=0, versus_indent=1.25, signature_indent=3.5),
    Layout("dnj"),
    Layout("cand", pleading=True, closing_indent=0.5),
    Layout("cacd", size=14, footnote_size=14, pleading=True, closing_indent=0.5),
]

LINE = 240  # twentieths of a point in a "single" exact pleading line is 12 pt; double is 24 pt


def _set(style, *, size=None, bold=None, italic=None, caps=None, underline=None):
    """Character formatting that differs from Normal (the font itself is never repeated)."""
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if caps is not None:
        style.font.all_caps = caps
    if underline is not None:
        style.font.underline = underline


def _para(style, *, line=None, exact=None, before=0, after=0, first_line=None, left=None,
          right=None, align=None, keep_next=None, keep_lines=None):
    fmt = style.paragraph_format
    if exact is not None:  # pleading paper: every line on the grid of numbered lines
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    elif line is not None:
        fmt.line_spacing_rule = (WD_LINE_SPACING.MULTIPLE if line != 1.0
                                 else WD_LINE_SPACING.SINGLE)
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
    if keep_next is not None:
        fmt.keep_with_next = keep_next
    if keep_lines is not None:
        fmt.keep_together = keep_lines


def _normal_font(style, font: str, size: float) -> None:
    style.font.name = font
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _defaults_without_theme_fonts(doc) -> None:
    """python-docx's document defaults name theme fonts; Normal alone decides the font."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    for fonts in defaults.iter(qn("w:rFonts")):
        fonts.getparent().remove(fonts)


def _outline(style, level: int) -> None:
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:outlineLvl")):
        ppr.remove(old)
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    ppr.append(element)


def _border(style, edge: str, size: int = 6) -> None:
    ppr = style.element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    element = OxmlElement(f"w:{edge}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"),
                       ("w:color", "000000")):
        element.set(qn(key), value)
    borders.append(element)
    _order_ppr(ppr)


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
              "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
              "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]


def _order_ppr(ppr) -> None:
    """Put pPr children in the schema's order (python-docx appends some at the end)."""
    children = list(ppr)
    for child in children:
        ppr.remove(child)
    rank = {name: i for i, name in enumerate(_PPR_ORDER)}
    children.sort(key=lambda c: rank.get(c.tag.split("}")[1], len(rank)))
    for child in children:
        ppr.append(child)


def _cell_borders(cell, **edges: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        value = edges.get(edge, "nil")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "6")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    # tcPr order: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, ..., vAlign
    width = tcpr.find(qn("w:tcW"))
    if width is not None:
        width.addnext(borders)
    else:
        tcpr.insert(0, borders)


def _cant_split(table) -> None:
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DML = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing"')
EMU = 914400  # per inch


def _anchor(shape_id: int, name: str, x: float, y: float, width: float, height: float,
            body: str) -> str:
    """A DrawingML shape anchored to the page (inches), behind the text, in a run."""
    return (
        f'<w:r {W_NS} {DML}><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" '
        f'simplePos="0" relativeHeight="{shape_id}" behindDoc="1" locked="1" layoutInCell="1" '
        f'allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{int(x * EMU)}</wp:posOffset>'
        f'</wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>{int(y * EMU)}'
        f'</wp:posOffset></wp:positionV><wp:extent cx="{int(width * EMU)}" '
        f'cy="{int(height * EMU)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{shape_id}" name="{name}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape">{body}</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>')


def _line_shape(width: float, height: float) -> str:
    return (f'<wps:wsp><wps:cNvCnPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext '
            f'cx="{int(width * EMU)}" cy="{int(height * EMU)}"/></a:xfrm><a:prstGeom '
            f'prst="line"><a:avLst/></a:prstGeom><a:ln w="9525"><a:solidFill><a:srgbClr '
            f'val="000000"/></a:solidFill></a:ln></wps:spPr><wps:bodyPr/></wps:wsp>')


def _text_box(width: float, height: float, paragraphs: str, vertical: bool = False) -> str:
    vert = ' vert="vert270"' if vertical else ""
    return (f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext '
            f'cx="{int(width * EMU)}" cy="{int(height * EMU)}"/></a:xfrm><a:prstGeom '
            f'prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln>'
            f'</wps:spPr><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent></wps:txbx>'
            f'<wps:bodyPr rot="0"{vert} wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" '
            f'anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp>')


def _pleading_header(header_paragraph, layout: Layout) -> None:
    """28 numbered lines and the margin rules, anchored to the page from the header."""
    step = 24  # points: the body's exact double spacing
    top = 1.0  # inches: the first numbered line starts at the top margin
    numbers = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="LineNumber"/></w:pPr><w:r><w:t>{n}</w:t></w:r></w:p>'
        for n in range(1, 29))
    legend = ('<w:p><w:pPr><w:pStyle w:val="MarginLegend"/></w:pPr><w:r><w:t>'
              '{{ legend[0] }}</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="MarginLegend"/>'
              '</w:pPr><w:r><w:t>{{ legend[1] }}</w:t></w:r></w:p>')
    height = 28 * step / 72
    runs = [
        _anchor(101, "Line numbers", 0.7, top, 0.55, height + 0.1,
                _text_box(0.55, height + 0.1, numbers)),
        _anchor(102, "Left rule", 1.38, 0, 0, 11, _line_shape(0, 11)),
        _anchor(103, "Left rule 2", 1.42, 0, 0, 11, _line_shape(0, 11)),
        _anchor(104, "Right rule", 7.55, 0, 0, 11, _line_shape(0, 11)),
        _anchor(105, "Margin legend", 0.2, 3.0, 0.4, 5.0,
                _text_box(0.4, 5.0, legend, vertical=True)),
    ]
    for xml in runs:
        header_paragraph._p.append(parse_xml(xml))


def build(layout: Layout) -> Path:
    doc = Document()
    _defaults_without_theme_fonts(doc)
    exact = layout.pleading
    normal = doc.styles["Normal"]
    _normal_font(normal, layout.font, layout.size)
    if exact:
        _para(normal, exact=12 if layout.size <= 12 else 16)
    else:
        _para(normal, line=1.0)
    double = dict(exact=24) if exact else dict(line=2.0)
    # Single lines on pleading paper: half a numbered line (12 pt), or a little more when
    # the type is larger (14-point type needs 16).
    single = dict(exact=12 if layout.size <= 12 else 16) if exact else dict(line=1.0)

    body = _style(doc, "Body Text")
    _para(body, **double, first_line=0.5, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    quote = _style(doc, "Quote")
    _set(quote, italic=False)
    _para(quote, **single, after=12, left=1.0, right=1.0, first_line=0,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    items = _style(doc, "List Paragraph")
    _para(items, **double, first_line=0.5, left=0, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # Headings: Word's own Heading 1-3 (the navigation pane and the PDF's tags see them),
    # each level visibly different.
    h1 = _style(doc, "Heading 1")
    _set(h1, bold=True, italic=False)
    _para(h1, **double, align=WD_ALIGN_PARAGRAPH.CENTER if layout.heading1_center else None,
          keep_next=True, keep_lines=True)
    _outline(h1, 0)
    h2 = _style(doc, "Heading 2")
    _set(h2, bold=True, italic=False)
    _para(h2, **double, left=0.5, keep_next=True, keep_lines=True)
    _outline(h2, 1)
    h3 = _style(doc, "Heading 3")
    _set(h3, bold=False, italic=True)
    _para(h3, **double, left=1.0, keep_next=True, keep_lines=True)
    _outline(h3, 2)
    for heading in (h1, h2, h3):
        heading.font.color.rgb = RGBColor(0, 0, 0)
    banner = _style(doc, "Publication Banner")
    _set(banner, bold=True)
    _para(banner, **single, after=12, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    court = _style(doc, "Court Name")
    _set(court, bold=True)
    _para(court, **single, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    caption = _style(doc, "Caption Text")
    _para(caption, **single, keep_next=True)
    role = _style(doc, "Caption Role")
    _set(role, italic=True)
    _para(role, **single, left=1.5, keep_next=True)
    versus = _style(doc, "Caption Versus")
    _para(versus, **single, left=layout.versus_indent, keep_next=True)
    number = _style(doc, "Caption Number")
    _para(number, **single, left=0.2, keep_next=True)
    title = _style(doc, "Order Title")
    _set(title, bold=True)
    if exact:
        _para(title, **single, before=12, after=12, left=0.2, keep_next=True)
    else:
        _para(title, **single, before=24, after=12, align=WD_ALIGN_PARAGRAPH.CENTER,
              keep_next=True)
    docket = _style(doc, "Docket Line")
    _para(docket, **single, after=12, left=0.2 if exact else None,
          align=None if exact else WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    opening = _style(doc, "Opening Line")
    _para(opening, **double, first_line=0.5)
    closing = _style(doc, "Closing")
    _para(closing, **double, first_line=layout.closing_indent, keep_next=True,
          keep_lines=True)
    dated = _style(doc, "Date Line")
    _para(dated, **single, first_line=layout.closing_indent, keep_next=True, keep_lines=True)
    signature = _style(doc, "Signature")
    _para(signature, **single, left=layout.signature_indent, keep_next=True, keep_lines=True)
    first_line = _style(doc, "Signature Line")
    _para(first_line, **single, before=36, left=layout.signature_indent, keep_next=True)
    rule = _style(doc, "Signature Rule")
    _para(rule, **single, before=36, left=layout.signature_indent, right=0.25, keep_next=True)
    _border(rule, "bottom")
    last = _style(doc, "Signature End")
    _para(last, **single, left=layout.signature_indent, keep_next=False)
    attachment = _style(doc, "Attachment Heading")
    _set(attachment, bold=True)
    _para(attachment, **single, after=24, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    attachment.paragraph_format.page_break_before = True
    note = _style(doc, "Footnote Text")
    note.font.size = Pt(layout.footnote_size)
    _para(note, **single, after=6 if not exact else 0, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    mark = _style(doc, "Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    mark.font.superscript = True
    if exact:
        numbers = _style(doc, "Line Number")
        _para(numbers, exact=24, align=WD_ALIGN_PARAGRAPH.RIGHT, right=0.05)
        legend = _style(doc, "Margin Legend")
        _set(legend, size=9)
        _para(legend, exact=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    header_style = _style(doc, "Header")
    _para(header_style, **single)
    footer_style = _style(doc, "Footer")
    _para(footer_style, **single)
    _set(footer_style, size=10 if exact else None)

    page = doc.sections[0]
    page.page_width, page.page_height = Inches(8.5), Inches(11)
    if exact:
        page.left_margin, page.right_margin = Inches(1.5), Inches(1.0)
        page.top_margin = Inches(1.0)
        page.bottom_margin = Inches(11 - 1 - 28 * 24 / 72)   # exactly 28 lines of body
        page.header_distance, page.footer_distance = Inches(0.5), Inches(0.3)
    else:
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(page, side, Inches(1))
    header = page.header.paragraphs[0]
    header.style = header_style
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("{% if sealed %}FILED UNDER SEAL{% endif %}").bold = True
    if exact:
        _pleading_header(header, layout)
    footer = page.footer.paragraphs[0]
    footer.style = footer_style
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("{% if page_numbers %}")
    _page_number_field(footer)
    footer.add_run("{% endif %}")

    add = doc.add_paragraph
    add("{%p if publication %}", style=banner)
    add("{{ publication }}", style=banner)
    add("{%p endif %}", style=banner)
    add("{%p for line in heading_lines %}", style=court)
    add("{{ line }}", style=court)
    add("{%p endfor %}", style=court)
    add("", style=caption)

    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cant_split(table)
    left, right = table.rows[0].cells
    left.width, right.width = Inches(3.4 if exact else 4.0), Inches(2.6 if exact else 2.5)
    if exact:  # the caption box: a rule under the parties and down their right side
        _cell_borders(left, bottom="single", right="single")
    cell = left.add_paragraph
    left.paragraphs[0].style = caption
    left.paragraphs[0].add_run("{%p for line in caption.plaintiffs %}")
    cell("{{ line }}", style=caption)
    cell("{%p endfor %}", style=caption)
    cell("{{ caption.plaintiff_role }}", style=role)
    cell("", style=caption)
    cell("{{ caption.versus }}", style=versus)
    cell("", style=caption)
    cell("{%p for line in caption.defendants %}", style=caption)
    cell("{{ line }}", style=caption)
    cell("{%p endfor %}", style=caption)
    cell("{{ caption.defendant_role }}", style=role)
    cell("", style=caption)
    right.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if exact
                                else WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    right.paragraphs[0].style = number
    right.paragraphs[0].add_run("{{ caption.number }}")
    box = right.add_paragraph
    box("{%p if caption.title_in_box %}", style=number)
    box("{{ title }}", style=title)
    box("{%p if docket_line %}", style=number)
    box("{{ docket_line }}", style=docket)
    box("{%p endif %}", style=number)
    box("{%p endif %}", style=number)

    add("{%p if not caption.title_in_box %}", style=body)
    add("{{ title }}", style=title)
    add("{%p if docket_line %}", style=body)
    add("{{ docket_line }}", style=docket)
    add("{%p endif %}", style=body)
    add("{%p endif %}", style=body)
    if exact:
        add("", style=caption)
    add("{%p if opening %}", style=body)
    add("{{ opening }}", style=opening)
    add("{%p endif %}", style=body)
    add("{%p if sections.referral %}", style=body)
    add("{{p sections.referral }}", style=body)
    add("{%p endif %}", style=body)
    add("{{p sections.body }}", style=body)
    add("{%p if closing %}", style=closing)
    add("{{ closing }}", style=closing)
    add("{%p endif %}", style=closing)
    add("{%p for line in date_lines %}", style=dated)
    add("{{ line }}", style=dated)
    add("{%p endfor %}", style=dated)
    add('{%p for line in signature %}', style=signature)
    add('{%p if line.kind == "slash" %}', style=signature)
    slash = add("", style=first_line)
    slash.add_run("{{ line.text }}").italic = True
    add('{%p elif line.kind == "rule" %}', style=signature)
    add("", style=rule)
    add('{%p elif line.kind == "blank" %}', style=signature)
    add("", style=first_line)
    add("{%p elif loop.last %}", style=signature)
    add("{{ line.text }}", style=last)
    add("{%p else %}", style=signature)
    add("{{ line.text }}", style=signature)
    add("{%p endif %}", style=signature)
    add("{%p endfor %}", style=signature)
    add("{%p for attachment in sections.attachments %}", style=normal)
    add("{{ attachment.title }}", style=attachment)
    add("{{p attachment.body }}", style=body)
    add("{%p endfor %}", style=normal)

    _prune_styles(doc)
    core = doc.core_properties
    core.author = ""
    core.last_modified_by = ""
    core.title = f"{layout.folder} order template"
    core.comments = ""
    out = STYLES / layout.folder / "template.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    _drop_parts(out)
    _fixed_zip(out)
    return out


def _fixed_zip(path: Path) -> None:
    """Same layout, same bytes: fixed part order and timestamps."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(i.filename, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


KEEP = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "BodyText", "Quote",
        "ListParagraph", "Heading1", "Heading2", "Heading3", "PublicationBanner", "CourtName",
        "CaptionText", "CaptionRole", "CaptionVersus", "CaptionNumber", "OrderTitle",
        "DocketLine", "OpeningLine", "Closing", "DateLine", "Signature", "SignatureLine",
        "SignatureRule", "SignatureEnd", "AttachmentHeading", "FootnoteText",
        "FootnoteReference", "LineNumber", "MarginLegend", "Header", "Footer"}


def _prune_styles(doc) -> None:
    root = doc.styles.element
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP:
            root.remove(style)
            continue
        for link in style.findall(qn("w:link")):
            style.remove(link)
        if style.get(qn("w:styleId")) in ("Normal", "FootnoteText", "MarginLegend", "Footer"):
            continue
        # Set once: only Normal names the font (and sizes differ only where a style must).
        for rpr in style.findall(qn("w:rPr")):
            for child in list(rpr):
                if child.tag in (qn("w:rFonts"), qn("w:sz"), qn("w:szCs"), qn("w:color")):
                    rpr.remove(child)
    for latent in root.findall(qn("w:latentStyles")):
        root.remove(latent)


if __name__ == "__main__":
    for layout in LAYOUTS:
        print(f"wrote {build(layout)}")
