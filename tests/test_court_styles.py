"""Court styles as data: the registry, each bundled style's order read back, user styles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEED, W, body_paragraphs

from assembler import load_case, render_order
from assembler.caption import number_line
from assembler.cli import main
from assembler.courts import district_courts
from assembler.styles import StyleProfile, caption_name, registry_for

CASES = FIXTURES / "cases"


def _paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph, table cells included, in reading order."""
    out = []
    for p in body_paragraphs(data):
        style = p._p.find(f"{W}pPr/{W}pStyle")
        out.append((style.get(f"{W}val") if style is not None else "Normal", p.text))
    return out


def _cells(data: bytes) -> list[list[str]]:
    import io

    import docx
    document = docx.Document(io.BytesIO(data))
    table = document.tables[0]
    return [[p.text for p in cell.paragraphs if p.text] for cell in table.rows[0].cells]


def _texts(data: bytes) -> list[str]:
    return [t for _, t in _paragraphs(data) if t]


def _render(name: str, **kwargs):
    path = CASES / name
    return render_order(load_case(path), case_dir=path.parent, **kwargs)


# ---- the registry -------------------------------------------------------------------------

def test_every_courts_db_district_resolves_to_a_usable_style():
    registry = registry_for(())
    districts = district_courts()
    assert len(districts) >= 90
    for court in districts:
        style = registry.for_court(court.id)
        assert style.template.is_file(), court.id
    expected = {"ctd": "ctd", "cand": "cand", "cacd": "cacd", "caed": "caed", "casd": "casd",
                "nysd": "sdny", "nyed": "nyed", "njd": "dnj", "ilnd": "federal",
                "txsd": "federal", "dcd": "federal"}
    for court_id, style in expected.items():
        assert registry.name_for_court(court_id) == style


def test_every_bundled_style_loads_with_a_template_that_prints_the_required_placeholders():
    from assembler.render import compile_template
    from assembler.styles import check_template

    registry = registry_for(())
    for name in registry.names():
        style = registry.get(name)
        check_template(style, compile_template(style.template).sources)


# ---- the bundled styles, read back ---------------------------------------------------------

def test_cand_order_has_the_number_title_and_docket_line_in_the_right_column():
    order = _render("cand-order.yaml")
    assert order.style == "cand"
    left, right = _cells(order.data)
    assert left[:2] == ["Harbor Light Media, LLC,", "Plaintiff,"]
    assert "v." in left and left[-1] == "Defendant."
    assert right == ["Case No. 3:24-cv-05678-VC",
                     "ORDER GRANTING EX PARTE APPLICATION FOR LEAVE TO SERVE A THIRD-PARTY "
                     "SUBPOENA",
                     "Re: Dkt. Nos. 12, 18"]
    paragraphs = _paragraphs(order.data)
    headings = [(s, t) for s, t in paragraphs if s.startswith("Heading")]
    assert headings == [("Heading1", "I. BACKGROUND"), ("Heading1", "II. DISCUSSION"),
                        ("Heading2", "A. Good cause"), ("Heading2", "B. Protecting the subscriber")]
    texts = _texts(order.data)
    closing = texts.index("IT IS SO ORDERED.")
    assert texts[closing:closing + 4] == ["IT IS SO ORDERED.", "Dated: January 2, 2025",
                                          "VERA CALLOWAY", "United States District Judge"]
    assert "BACKGROUND" not in texts and "CONCLUSION" not in texts


def test_sdny_order_has_against_initials_opening_so_ordered_and_new_york_date_block():
    order = _render("nysd-order.yaml")
    assert order.style == "sdny"
    left, right = _cells(order.data)
    assert left == ["RIVERSIDE HARMONICS INC.,", "Plaintiff,", "-against-",
                    "MARCUS MacALLISTER,", "QUAYSIDE AUDIO d/b/a QUAY RECORDS,", "Defendants."]
    assert right == ["1:24-cv-03141 (VEC) (SDA)"]
    texts = _texts(order.data)
    assert texts[texts.index("ORDER") + 1] == ("SOFIA D. ABERNATHY, United States Magistrate "
                                                "Judge:")
    closing = texts.index("SO ORDERED.")
    assert texts[closing:] == ["SO ORDERED.", "Dated: New York, New York", "April 19, 2021",
                               "SOFIA D. ABERNATHY", "United States Magistrate Judge"]
    styles = [s for s, _ in _paragraphs(order.data)]
    assert "SignatureRule" in styles  # a rule to sign on, not an /s/ line


def test_njd_opinion_has_the_banner_above_the_court_and_opinion_as_its_title():
    order = _render("njd-opinion.yaml")
    texts = _texts(order.data)
    assert texts[:3] == ["NOT FOR PUBLICATION", "UNITED STATES DISTRICT COURT",
                         "DISTRICT OF NEW JERSEY"]
    assert order.title == "OPINION"
    assert texts[texts.index("OPINION") + 1] == "(Doc. No. 31)"
    assert _cells(order.data)[1] == ["Civ. No. 2:23-cv-08812 (KMW)"]
    closing = texts.index("An appropriate Order follows.")
    assert texts[closing:] == ["An appropriate Order follows.", "Dated: March 7, 2024",
                               "/s/ Katherine M. Wexford", "KATHERINE M. WEXFORD",
                               "United States District Judge"]
    assert "IT IS SO ORDERED." not in texts


def test_federal_default_prints_the_division_and_a_section_from_a_clause():
    order = _render("ilnd-order.yaml")
    assert order.style == "federal"
    texts = _texts(order.data)
    assert texts[:3] == ["UNITED STATES DISTRICT COURT",
                         "FOR THE NORTHERN DISTRICT OF ILLINOIS", "EASTERN DIVISION"]
    assert _cells(order.data)[1] == ["Case No. 1:24-cv-02222"]
    headings = [t for s, t in _paragraphs(order.data) if s.startswith("Heading")]
    assert headings == ["Conclusion"]
    closing = texts.index("IT IS SO ORDERED.")
    assert texts[closing:] == ["IT IS SO ORDERED.", "Dated: May 14, 2024", "/s/ Imogen Wardlaw",
                               "Imogen Wardlaw", "United States District Judge"]


@pytest.mark.parametrize("name, number", [
    ("cacd-order.yaml", "Case No. 8:22-cv-00917-DOC (KESx)"),
    ("caed-order.yaml", "Case No. 1:21-cv-00123-DAD-BAM"),
    ("casd-order.yaml", "Case No. 3:23-cv-01950 (AJB)"),
])
def test_california_family_number_lines(name, number):
    assert _cells(_render(name).data)[1][0] == number


def test_cacd_template_sets_14_point_type_once_in_normal_and_footnotes():
    from lxml import etree
    import zipfile

    registry = registry_for(())
    with zipfile.ZipFile(registry.get("cacd").template) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    sizes = {s.get(f"{W}styleId"): s.find(f"{W}rPr/{W}sz").get(f"{W}val")
             for s in styles.iter(f"{W}style") if s.find(f"{W}rPr/{W}sz") is not None}
    fonts = [s.get(f"{W}styleId") for s in styles.iter(f"{W}style")
             if s.find(f"{W}rPr/{W}rFonts") is not None]
    assert sizes["Normal"] == "28" and sizes["FootnoteText"] == "28"
    assert fonts == ["Normal"]


def test_seed_order_is_the_ctd_style_with_the_bundled_template():
    order = render_order(load_case(SEED), case_dir=SEED.parent)
    assert order.style == "ctd"
    assert dict(order.used_files)["template"].endswith("order.docx")


# ---- the case file's own shape ------------------------------------------------------------

def _case_file(tmp_path: Path, source: str, extra: str, drop: tuple[str, ...] = ()) -> Path:
    text = (CASES / source).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(drop)] if drop else \
        text.splitlines()
    path = tmp_path / "case.yaml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def test_sections_and_named_sections_together_is_an_error(tmp_path):
    path = _case_file(tmp_path, "cand-order.yaml", "background: Something.\n")
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1
    assert "sections" in result.output and "background" in result.output
    assert not (tmp_path / "o.docx").exists()


def test_an_empty_section_is_dropped_with_its_heading(tmp_path):
    path = _case_file(tmp_path, "casd-order.yaml",
                      "  - heading: II. NOTHING YET\n    text: \"\"\n")
    order = render_order(load_case(path), case_dir=CASES)
    assert "II. NOTHING YET" not in _texts(order.data)


def test_style_key_chooses_another_style_and_roles_pluralise(tmp_path):
    path = _case_file(tmp_path, "ilnd-order.yaml",
                      "style: sdny\nroles: {plaintiffs: Petitioner, defendants: Respondent}\n")
    order = render_order(load_case(path), case_dir=CASES)
    left, _ = _cells(order.data)
    assert order.style == "sdny"
    assert left == ["LAKEFRONT LENS STUDIO, LLC,", "Petitioner,", "-against-",
                    "CORBIN ASHGROVE,", "Respondent."]


def test_ctd_style_needs_the_place_its_date_line_prints(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("  place: New Haven\n", "")
    path = tmp_path / "case.yaml"
    path.write_text(text.replace("../chambers/jam", str(FIXTURES / "chambers" / "jam")))
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1
    assert "signed.place" in result.output and "Traceback" not in result.output


# ---- user styles and bad style data --------------------------------------------------------

def _user_style(folder: Path, name: str = "chambers-plain", profile: str | None = None) -> Path:
    style = folder / name
    style.mkdir(parents=True)
    (style / "style.yaml").write_text(profile or (
        "extends: federal\ncourts: [ilnd]\nversus: \"vs.\"\nclosing: \"SO ORDERED this day.\"\n"
        "date_block: [\"Entered: {date}\"]\n"), encoding="utf-8")
    return style


def test_a_style_only_in_a_styles_folder_is_used_without_code_changes(tmp_path):
    _user_style(tmp_path / "styles")
    path = CASES / "ilnd-order.yaml"
    order = render_order(load_case(path), case_dir=CASES, style_folders=(tmp_path / "styles",))
    texts = _texts(order.data)
    assert order.style == "chambers-plain"
    assert "vs." in _cells(order.data)[0]
    assert texts[texts.index("SO ORDERED this day.") + 1] == "Entered: May 14, 2024"


def test_a_style_in_a_chambers_folder_with_its_own_template(tmp_path):
    chambers = tmp_path / "chambers"
    style = _user_style(chambers / "styles", "my-court",
                        "courts: [ilnd]\nclosing: \"Ordered.\"\ndate_block: [\"{date}\"]\n")
    shutil.copy(registry_for(()).get("federal").template, style / "template.docx")
    (chambers / "profile.yaml").write_text("signature: {kind: blank, name: none}\n")
    path = _case_file(tmp_path, "ilnd-order.yaml", f"chambers: {chambers}\n")
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "o.docx"),
                                       "-v"])
    assert result.exit_code == 0, result.output
    assert f"style: {style / 'style.yaml'}" in result.output
    assert f"template: {style / 'template.docx'}" in result.output
    texts = _texts((tmp_path / "o.docx").read_bytes())
    assert texts[-3:] == ["Ordered.", "May 14, 2024", "United States District Judge"]


@pytest.mark.parametrize("profile, where, message", [
    ("extends: federal\nversus: vs.\nverus: v.\n", "style.yaml:3: verus", "unknown style"),
    ("extends: federal\ncaption_names: shouting\n", "style.yaml:2: caption_names", "not one of"),
    ("extends: nowhere\n", "style.yaml:1: extends", "unknown style 'nowhere'"),
])
def test_bad_style_profile_is_one_line_naming_file_line_and_key(tmp_path, profile, where,
                                                                message):
    _user_style(tmp_path / "styles", profile=profile)
    path = _case_file(tmp_path, "ilnd-order.yaml", "style: chambers-plain\n")
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "--styles",
                                       str(tmp_path / "styles")])
    assert result.exit_code == 1
    (line,) = [l for l in result.output.splitlines() if l.startswith("error:")]
    assert where in line and message in line
    assert not out.exists()


def test_unknown_style_name_names_the_case_line(tmp_path):
    path = _case_file(tmp_path, "ilnd-order.yaml", "style: sdnyy\n")
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1
    lines = (CASES / "ilnd-order.yaml").read_text().count("\n") + 1
    assert f"case.yaml:{lines}: style: unknown style 'sdnyy' (did you mean 'sdny'?)" in \
        result.output
    assert not (tmp_path / "o.docx").exists()


def test_template_missing_a_required_placeholder_is_an_error(tmp_path):
    import docx

    style = _user_style(tmp_path / "styles", "no-title", "extends: federal\n")
    document = docx.Document(str(registry_for(()).get("federal").template))
    for paragraph in document.element.body.iter(f"{W}p"):
        for text in paragraph.iter(f"{W}t"):
            if text.text == "{{ title }}":
                text.text = ""
    document.save(str(style / "template.docx"))
    path = _case_file(tmp_path, "ilnd-order.yaml", "style: no-title\n")
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "o.docx"),
                                       "--styles", str(tmp_path / "styles")])
    assert result.exit_code == 1
    assert "template.docx: title: the template never uses the placeholder" in result.output
    assert not (tmp_path / "o.docx").exists()


# ---- caption words ------------------------------------------------------------------------

@pytest.mark.parametrize("name, printed", [
    ("Rasool McCrimmon", "RASOOL McCRIMMON"),
    ("Acme Widgets, Inc. dba Acme", "ACME WIDGETS, INC. dba ACME"),
    ("John Roe et al.", "JOHN ROE et al."),
    ("United States ex rel. Dana Poe", "UNITED STATES ex rel. DANA POE"),
    ("Ann MacDonald a/k/a Ann Mack", "ANN MacDONALD a/k/a ANN MACK"),
])
def test_caption_names_upper_case_but_keep_the_words_courts_keep(name, printed):
    assert caption_name(name, "upper") == printed
    assert caption_name(name, "as_written") == name


def test_judges_initials_attach_as_each_style_writes_them():
    assert number_line(StyleProfile(number_label=""), "1:20-cv-1", ["VEC", "SDA"]) == \
        "1:20-cv-1 (VEC) (SDA)"
    assert number_line(StyleProfile(number_label="Case No.", initials_format="-{}"),
                       "1:21-cv-1", ["DAD", "BAM"]) == "Case No. 1:21-cv-1-DAD-BAM"
    assert number_line(StyleProfile(initials_format=["-{}", " ({})"]), "8:22-cv-1",
                       ["DOC", "KESx"]) == "No. 8:22-cv-1-DOC (KESx)"


def test_every_bundled_style_template_lints_clean():
    from assembler.authoring import lint_template

    for name in registry_for(()).names():
        findings, _ = lint_template(registry_for(()).get(name).template)
        assert [f for f in findings if f.level == "error"] == [], name


# ---- the issue's own case, in three courts -------------------------------------------------

DONE_WHEN = """\
court: cand
case_number: "3:25-cv-00101"
judge_initials: WHO
judge: {name: Wilhelmina H. Ortega, title: United States District Judge}
plaintiffs: [{name: "Fernhill Records, LLC", short_name: Fernhill}]
defendants: [{name: John Doe, short_name: Doe, pseudonym: true, sealed_name: Ulrich Pembrose}]
sealing: {order_doc: 7}
motion: {kind: dismiss, doc: 12, movant: defendant}
ruling: {outcome: denied}
signed: {date: 2025-01-02}
title: ORDER DENYING MOTION TO DISMISS AND GRANTING LEAVE TO FILE
regarding: [12, 18]
sections:
  - heading: I. BACKGROUND
    text: Fernhill alleges that Doe shared its recordings.
  - heading: II. DISCUSSION
    text: The complaint states a claim. The motion is denied.
"""


def _done_when(tmp_path: Path, *overrides: str):
    path = tmp_path / "case.yaml"
    path.write_text(DONE_WHEN, encoding="utf-8")
    return render_order(load_case(path, list(overrides)), case_dir=tmp_path)


def test_done_when_cand(tmp_path):
    order = _done_when(tmp_path)
    _, right = _cells(order.data)
    assert right == ["Case No. 3:25-cv-00101-WHO",
                     "ORDER DENYING MOTION TO DISMISS AND GRANTING LEAVE TO FILE",
                     "Re: Dkt. Nos. 12, 18"]
    paragraphs = _paragraphs(order.data)
    assert [t for s, t in paragraphs if s.startswith("Heading")] == ["I. BACKGROUND",
                                                                      "II. DISCUSSION"]
    texts = _texts(order.data)
    assert texts[-4:] == ["IT IS SO ORDERED.", "Dated: January 2, 2025", "WILHELMINA H. ORTEGA",
                          "United States District Judge"]
    from conftest import footnotes
    assert list(footnotes(order.data).values())  # the sealing footnote, in the first section


def test_done_when_nysd_with_a_magistrate_judge(tmp_path):
    order = _done_when(tmp_path, "court=nysd",
                       "judge.title=United States Magistrate Judge")
    left, right = _cells(order.data)
    assert "-against-" in left and right == ["3:25-cv-00101 (WHO)"]
    texts = _texts(order.data)
    title = texts.index("ORDER DENYING MOTION TO DISMISS AND GRANTING LEAVE TO FILE")
    assert texts[title + 1] == "(ECF Nos. 12, 18)"
    assert texts[title + 2] == "WILHELMINA H. ORTEGA, United States Magistrate Judge:"
    assert texts[-5:] == ["SO ORDERED.", "Dated: New York, New York", "January 2, 2025",
                          "WILHELMINA H. ORTEGA", "United States Magistrate Judge"]


def test_done_when_njd_opinion_not_for_publication(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(DONE_WHEN.replace("title: ORDER DENYING MOTION TO DISMISS AND GRANTING "
                                      "LEAVE TO FILE\n", ""), encoding="utf-8")
    order = render_order(load_case(path, ["court=njd", "document=opinion",
                                          "publication=NOT FOR PUBLICATION"]), case_dir=tmp_path)
    texts = _texts(order.data)
    assert texts[:2] == ["NOT FOR PUBLICATION", "UNITED STATES DISTRICT COURT"]
    assert order.title == "OPINION" and "OPINION" in texts
    assert "An appropriate Order follows." in texts


def test_outline_numbering_counts_across_sections_and_keeps_written_numbers():
    from assembler.styles import number_headings

    counters = [0, 0, 0]
    first = number_headings("# Background\n\n## Facts\n\n## Procedure", counters)
    second = number_headings("# II. Discussion\n\n## Standing\n\n### Injury", counters)
    assert first == "# I. Background\n\n## A. Facts\n\n## B. Procedure"
    assert second == "# II. Discussion\n\n## A. Standing\n\n### 1. Injury"


def test_batch_verbose_names_the_files_the_orders_used(tmp_path):
    batches = FIXTURES / "batches"
    result = CliRunner().invoke(main, ["batch", str(batches / "early-discovery.csv"), "--base",
                                       str(batches / "early-discovery.yaml"), "-o",
                                       str(tmp_path / "out"), "-j", "1", "-v"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "court style: ctd" in lines
    assert any(line.startswith("template: ") and line.endswith("order.docx") for line in lines)
    assert any(line.startswith("clauses: ") for line in lines)
