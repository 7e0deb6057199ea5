"""Cite-check: each rule on small cases of its own, and the reference order."""

from __future__ import annotations

from click.testing import CliRunner

from assembler.cites import check_case_citations
from assembler.cli import main

from conftest import SEED

HEAD = """\
court: ctd
case_number: "3:20-cv-00001"
judge: {name: Ada Fictional}
plaintiffs: [{name: "Northwind Pictures, LLC"}]
defendants: [{name: John Doe}]
motion: {kind: dismiss, doc: 12, movant: defendant}
ruling: {outcome: denied}
signed: {place: Hartford, date: 2021-06-04}
discussion: |
"""


def case_with(tmp_path, discussion: str):
    path = tmp_path / "case.yaml"
    body = "".join(f"  {line}\n" for line in discussion.split("\n"))
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def findings(tmp_path, discussion):
    path = case_with(tmp_path, discussion)
    return [(f.level, f.code, f.where, f.message) for f in check_case_citations(path)]


def test_reference_order_mickalis_mismatch_and_nothing_false():
    found = check_case_citations(SEED)
    errors = [f for f in found if f.level == "error"]
    assert len(errors) == 1
    (mickalis,) = errors
    assert mickalis.where == f"{SEED}:61: discussion.0.text"
    assert "'654 F.3d at 137'" in mickalis.message and "'645 F.3d 114' (line 59)" in mickalis.message
    assert "expected 645 F.3d at 137" in mickalis.message
    # The one warning, explained: "Id. at 5-6 (¶¶ 28-33)" means the amended complaint
    # (Doc. #17), but the immediately preceding authority is 17 U.S.C. § 106, cited in the
    # same sentence's text; by the Bluebook's rule an Id. refers to the last authority cited,
    # so a reviewer should look. The Id. citations after it in that run are not repeated.
    warnings = [f for f in found if f.level == "warning"]
    assert [(f.code, f.where) for f in warnings] == [("cite-id", f"{SEED}:49: background")]
    assert "'Id. at 5-6' follows '17 U.S.C. § 106'" in warnings[0].message


def test_check_command_reports_it_with_exit_1():
    result = CliRunner().invoke(main, ["check", str(SEED)])
    assert result.exit_code == 1
    assert f"{SEED}:61: discussion.0.text: error: '654 F.3d at 137'" in result.stdout


def test_short_form_without_a_full_citation(tmp_path):
    (finding,) = findings(tmp_path, "As the Court held, *Iqbal*, 556 U.S. at 678, requires more.")
    assert finding[:2] == ("error", "cite-short")
    assert "no earlier full citation to 556 U.S." in finding[3]
    assert finding[2].endswith("case.yaml:10: discussion")


def test_pin_cite_before_the_first_page(tmp_path):
    text = ("*Ashcroft v. Iqbal*, 556 U.S. 662, 678 (2009), says so.\n\n"
            "Again, *Iqbal*, 556 U.S. at 600.")
    (finding,) = findings(tmp_path, text)
    assert finding[:2] == ("error", "cite-pin")
    assert "pin cite 600 comes before the first page 662" in finding[3]
    assert finding[2].endswith("case.yaml:12: discussion")


def test_same_case_with_two_volumes(tmp_path):
    text = ("*Ashcroft v. Iqbal*, 556 U.S. 662, 678 (2009).\n\n"
            "*Ashcroft v. Iqbal*, 565 U.S. 662, 679 (2009).")
    (finding,) = findings(tmp_path, text)
    assert finding[:2] == ("error", "cite-conflict")
    assert "cited earlier as '556 U.S. 662' (line 10)" in finding[3]


def test_id_at_the_start_and_after_another_authority(tmp_path):
    path = case_with(tmp_path, "*Ashcroft v. Iqbal*, 556 U.S. 662, 678 (2009). *Id.* at 4.")
    path.write_text(path.read_text().replace("discussion: |", "introduction: |\n"
                                             "  *Id.* at 4 says so.\ndiscussion: |"))
    found = [(f.level, f.code, f.where, f.message) for f in check_case_citations(path)]
    assert [f[:2] for f in found] == [("error", "cite-id"), ("error", "cite-id")]
    assert "comes before any authority" in found[0][3]
    assert "begins at page 662" in found[1][3]


def test_id_after_a_docket_citation_is_fine(tmp_path):
    text = ("The complaint says so. Doc. #17 at 4 (¶¶ 23, 25). *Id.* at 5 (¶ 28). "
            "See also ECF No. 9 and Dkt. No. 12; *id.*")
    assert findings(tmp_path, text) == []


def test_unknown_reporter_is_a_warning(tmp_path):
    found = findings(tmp_path, "*Roe v. Fiction*, 12 Imag. Rptr. 34, 36 (2001).")
    assert [f[:2] for f in found] == [("warning", "cite-reporter")]
    assert "'Imag. Rptr.' is not a reporter known to reporters-db" in found[0][3]


def test_supra_without_an_antecedent(tmp_path):
    found = findings(tmp_path, "As *Nobody*, *supra*, at 4, explains.")
    assert [f[:2] for f in found] == [("error", "cite-supra")]


def test_case_names_not_in_italics_and_fix(tmp_path):
    path = case_with(tmp_path, "Under Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009), and "
                               "Iqbal, 556 U.S. at 679, more is needed.")
    found = check_case_citations(path)
    assert [(f.level, f.code) for f in found] == [("warning", "cite-italics")] * 2
    assert "'Ashcroft v. Iqbal'" in found[0].message
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0  # warnings do not change the exit status
    result = CliRunner().invoke(main, ["check", str(path), "--fix"])
    assert result.exit_code == 0 and "italicised 2 case names" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "Under *Ashcroft v. Iqbal*, 556 U.S. 662" in text and "*Iqbal*, 556 U.S. at 679" in text
    assert check_case_citations(path) == []


def test_clause_text_is_checked_too(tmp_path):
    clauses = tmp_path / "chambers" / "clauses" / "standard"
    clauses.mkdir(parents=True)
    (clauses / "dismiss.md").write_text(
        "---\nid: standard/dismiss\ntitle: x\n---\nSee *Iqbal*, 556 U.S. at 678.\n",
        encoding="utf-8")
    path = tmp_path / "case.yaml"
    path.write_text(HEAD.replace("discussion: |\n", "chambers: chambers\n"), encoding="utf-8")
    (finding,) = check_case_citations(path)
    assert finding.code == "cite-short" and finding.where == "clause standard/dismiss: discussion"


def test_render_warns_and_strict_blocks(tmp_path):
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert f"{SEED}:61: discussion.0.text: error: '654 F.3d at 137'" in result.stderr
    assert "note:" not in result.stderr and ": error: error:" not in result.stderr
    assert result.stderr.count("despite 1 citation error") == 1
    assert "warning: the order was written despite 1 citation error" in result.stderr
    out.unlink()
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(out), "--strict"])
    assert result.exit_code == 1 and not out.exists()
    assert result.stderr.splitlines()[-1] == (
        f"error: {SEED}: the cite-check found 1 error (listed above); nothing was written "
        "(without --strict they are warnings)")


def test_prose_given_by_set_is_reported_as_such_not_at_a_stale_line(tmp_path):
    path = case_with(tmp_path, "Nothing cited here.")
    found = check_case_citations(path, ["discussion=See *Iqbal*, 556 U.S. at 678."])
    assert [(f.code, f.where) for f in found] == [("cite-short", f"{path} (--set): discussion")]


# ---- precision on real text --------------------------------------------------------------

def test_parallel_citations_are_one_authority_and_render_strict(tmp_path):
    # Ex parte Young as the Bluebook and many chambers write it, then short forms into two of
    # its reporters and an Id.
    path = case_with(tmp_path, "The officer may be enjoined. *Ex parte Young*, 209 U.S. 123, "
                     "159–160, 28 S. Ct. 441, 52 L. Ed. 714 (1908). *Id.* at 160. Later, "
                     "*Young*, 209 U.S. at 161; *Young*, 28 S. Ct. at 452.")
    assert check_case_citations(path) == []
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and out.exists()


def test_a_wrong_volume_is_still_a_conflict_beside_parallel_citations(tmp_path):
    text = ("*Ex parte Young*, 209 U.S. 123, 28 S. Ct. 441 (1908).\n\n"
            "*Ex parte Young*, 290 U.S. 123 (1908).")
    (finding,) = findings(tmp_path, text)
    assert finding[:2] == ("error", "cite-conflict") and "'290 U.S. 123'" in finding[3]


def test_the_next_sentence_is_not_a_parallel_citation(tmp_path):
    # eyecite's name search runs back over "(1908)." into the sentence before; the next
    # case must keep its own name (so its conflict is found).
    text = ("See *Ex parte Young*, 209 U.S. 123 (1908). *Smith v. Jones*, 123 F.3d 456, 460 "
            "(2d Cir. 1999). *Smith v. Jones*, 124 F.3d 456 (2d Cir. 1999).")
    (finding,) = findings(tmp_path, text)
    assert finding[:2] == ("error", "cite-conflict")
    assert "Smith v. Jones was cited earlier as '123 F.3d 456'" in finding[3]


def test_decisions_sharing_a_name_are_not_conflicts(tmp_path):
    text = ("*Malibu Media, LLC v. Doe*, 2018 WL 6446404, at *3 (N.D. Ill. 2018); "
            "*Malibu Media, LLC v. Doe*, 2018 WL 3012345, at *2 (D. Conn. 2018).")
    assert findings(tmp_path, text) == []


NAMES = [
    ("Beaulieu Grp., LLC v. Bates, No. 5:15-cv-01090-JGB-KK, 2016 WL 3476721, at *2 "
     "(C.D. Cal. 2016).", "Beaulieu Grp., LLC v. Bates"),
    ("Maples v. Warren, No. 12–0993, 2012 WL 3636915, at *1 (E.D. Mich. 2012).",
     "Maples v. Warren"),
    ("Malibu Media, LLC v. Doe, Case No. 2:19-cv-1234 (ADS) (AKT), 2020 WL 111111, at *3 "
     "(E.D.N.Y. 2020).", "Malibu Media, LLC v. Doe"),
    ("See Strike 3 Holdings, LLC v. Doe, 964 F.3d 1203, 1206 (D.C. Cir. 2020).",
     "Strike 3 Holdings, LLC v. Doe"),
    ("A.M. ex rel. J.M.K. v. Luzerne Cnty. Juv. Det. Ctr., 372 F.3d 572, 580 (3d Cir. 2004).",
     "A.M. ex rel. J.M.K. v. Luzerne Cnty. Juv. Det. Ctr."),
    ("In re Sony BMG Music Ent., 564 F.3d 1, 4 (1st Cir. 2009).", "In re Sony BMG Music Ent."),
    ("See Ex parte Young, 209 U.S. 123, 159 (1908).", "Ex parte Young"),
    ("Smith v. Jones et al., 123 F.3d 456, 460 (2d Cir. 1999).", "Smith v. Jones"),
]


def test_case_names_end_at_docket_numbers_and_keep_their_prefixes(tmp_path):
    for text, name in NAMES:
        (finding,) = findings(tmp_path, text)
        assert finding[1] == "cite-italics", text
        assert f"the case name '{name}' in" in finding[3], (finding, name)
        # Written in italics as a court writes it, the same citation is clean.
        assert findings(tmp_path, text.replace(name, f"*{name}*")) == [], text
