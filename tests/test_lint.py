"""Template-author tools: lint and inspect point at what an author sees in Word."""

from __future__ import annotations

import json
import zipfile

import docx
import pytest
from click.testing import CliRunner

from assembler.cli import main
from assembler.resources import bundled_clauses, default_template

from conftest import make_template


def lint(*paths):
    return CliRunner().invoke(main, ["lint", *map(str, paths)])


def test_bundled_templates_and_clauses_are_clean():
    from assembler.clauses import ClauseLibrary

    clauses = len(ClauseLibrary([bundled_clauses()]).ids())
    clean = f"0 errors, 0 warnings in {clauses} clauses and 1 template\n"
    result = lint()
    assert result.exit_code == 0
    assert result.output == clean  # a clean run says so, and prints nothing else
    result = lint(default_template(), bundled_clauses())
    assert result.exit_code == 0 and result.output == clean


@pytest.mark.parametrize("paragraph, message", [
    ("Motion (Doc. #{{ motion.doc }) is pending.", "'{{' is not closed"),
    ("{%p if x % 2 %}", "a '%' or '}' inside a {%p %} tag breaks it"),
    ("Granted. {%p if sealed %}", "the text “Granted.” beside it would be lost"),
    ("{%p if a %}{%p if b %}", "two {%p %} tags in one paragraph"),
    ("Filed by {{ motion.movant_partyy.name }}.", "'motion.movant_partyy.name' is not a value"),
])
def test_broken_templates_name_file_and_paragraph(tmp_path, paragraph, message):
    path = make_template(tmp_path / "broken.docx", ["Fine paragraph.", paragraph,
                                                    "{%p endif %}" if "{%p if" in paragraph
                                                    else "End."])
    result = lint(path)
    assert result.exit_code == 1
    line = next(l for l in result.stdout.splitlines() if message in l)
    shown = paragraph if len(paragraph) <= 70 else paragraph[:67]
    assert line.startswith(f"{path}: body: paragraph “{shown[:40]}")


def test_a_tag_word_split_across_runs_is_understood(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("Doc. #{{ motion.")
    paragraph.add_run("doc").bold = True
    paragraph.add_run(" }} and { { title }}")
    path = tmp_path / "split.docx"
    document.save(str(path))
    result = lint(path)
    assert result.exit_code == 0  # a warning only
    assert "a tag's braces are separated by a space" in result.stdout
    assert "unknown" not in result.stdout


def test_variables_are_checked_in_headers_and_footnotes(tmp_path):
    path = make_template(tmp_path / "t.docx", ["{{ title }}"], header="{{ judge.nmae }}")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/footnotes.xml", (
            '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:footnote w:id="1"><w:p><w:r><w:t>See {{ sealing.order_cit }}.</w:t></w:r></w:p>'
            "</w:footnote></w:footnotes>"))
    result = lint(path)
    assert result.exit_code == 1
    assert f"{path}: header: paragraph “{{{{ judge.nmae }}}}”: error: 'judge.nmae'" in result.stdout
    assert f"{path}: footnotes: paragraph “See {{{{ sealing.order_cit }}}}.”" in result.stdout


def test_clause_problems_name_file_and_line(tmp_path):
    folder = tmp_path / "clauses" / "custom"
    folder.mkdir(parents=True)
    (folder / "x.md").write_text(
        "---\nid: custom/x\ntitle: X\nmotions: [default_judgment, summary_judgement]\n"
        "needs: [isp]\n---\nFirst line.\n{{ plaintiff.nam }} and {{ clause('custom/none') }}\n",
        encoding="utf-8")
    result = lint(tmp_path / "clauses")
    assert result.exit_code == 1
    out = result.stdout
    assert f"{folder / 'x.md'}:8: error: 'plaintiff.nam' is not a value" in out
    assert f"{folder / 'x.md'}:8: error: clause('custom/none') names no clause" in out
    assert f"{folder / 'x.md'}:1: warning: needs 'isp', which the body never uses" in out
    assert "motions lists 'summary_judgement'" in out
    assert "templates/clauses" not in out  # only the folder asked about is reported


def test_fields_no_template_or_clause_reads(tmp_path):
    document = docx.Document(str(default_template()))
    for paragraph in document.paragraphs:
        if "signed.place" in paragraph.text:
            for run in paragraph.runs:
                run.text = run.text.replace("{{ signed.place }}", "Hartford")
    path = tmp_path / "no-place.docx"
    document.save(str(path))
    result = lint(path, bundled_clauses())
    assert "case file: warning: 'signed.place' is read by no template or clause" in result.stdout


def test_inspect_lists_variables_with_paragraph_text_and_clause_calls():
    result = CliRunner().invoke(main, ["inspect", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    where = {(v["name"], v["where"].split(": ", 1)[1]) for v in report["variables"]}
    assert ("case_number", "body: paragraph “No. {{ case_number }}{% if judge_initials %} "
            "({{ judge_initials }})...”") in where
    assert ("sections.background", "body: paragraph “{{p sections.background }}”") in where
    assert ("sealed", "header: paragraph “{% if sealed %}FILED UNDER SEAL{% endif %}”") in where
    clauses = {c["id"]: c for c in report["clauses"]}
    assert clauses["default-judgment/granted"]["calls"] == ["default-judgment/judgment-terms"]
    assert "isp" in clauses["early-discovery-subpoena/granted"]["variables"]


def test_lint_reports_what_render_refuses_word_comments_and_tracked_changes(tmp_path):
    import zipfile

    source = default_template()
    for name, change in (("comment", lambda xml: xml.replace(
            "<w:body>", "<w:body><w:p><w:commentRangeStart w:id=\"0\"/><w:r><w:t>x</w:t></w:r>"
            "<w:commentRangeEnd w:id=\"0\"/></w:p>", 1)),
            ("tracked", lambda xml: xml.replace(
                "<w:body>", "<w:body><w:p><w:ins w:id=\"9\" w:author=\"A\"><w:r><w:t>x</w:t>"
                "</w:r></w:ins></w:p>", 1))):
        path = tmp_path / f"{name}.docx"
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
            for item in original.infolist():
                data = original.read(item.filename)
                if item.filename == "word/document.xml":
                    data = change(data.decode("utf-8")).encode("utf-8")
                copy.writestr(item, data)
        result = lint(path)
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert "error:" in lines[0] and "[template-refused]" in lines[0]
        assert ("comments" if name == "comment" else "tracked changes") in lines[0]
        assert lines[-1] == "1 error, 0 warnings in 1 template"
        from conftest import SEED
        out = tmp_path / f"{name}-order.docx"
        refused = CliRunner().invoke(main, ["render", str(SEED), "--template", str(path),
                                            "-o", str(out)])
        assert refused.exit_code == 1 and not out.exists()
        assert lines[0].split(": error: ")[1].split(" [")[0] in refused.output  # same words
