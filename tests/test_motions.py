"""Motion kinds as data: the registry, `kind: other`, several motions, chambers-only kinds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assembler import load_case, render_order
from assembler.cli import main
from assembler.errors import CaseFileError
from assembler.motions import bundled_kind_ids, read_kind

from conftest import FIXTURES, document_text

CASES = FIXTURES / "cases"


def render(path, *overrides, **options):
    case = load_case(path, list(overrides))
    return render_order(case, case_dir=path.parent, **options)


def conclusion_of(text: str) -> str:
    return text[text.index("CONCLUSION"):text.index("It is so ordered.")]


def write_case(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
court: ctd
case_number: "3:24-cv-00501"
judge: {name: Ada Fictional Lane}
plaintiffs:
  - {name: "Northwind Pictures, LLC", short_name: Northwind}
defendants:
  - {name: "Quayside Looms LLC", short_name: Quayside}
  - {name: "Harrow Freight Co.", short_name: Harrow}
signed: {place: Hartford, date: 2024-03-01}
"""


# ---- kind: other ----------------------------------------------------------------------------

def test_other_motion_takes_its_title_from_its_name_and_the_library_writes_nothing():
    order = render(CASES / "other-stay-granted.yaml", "conclusion=")
    assert order.title == "ORDER GRANTING MOTION TO STAY PROCEEDINGS"
    text = document_text(order.data)
    assert order.title in text
    assert order.clauses_used == {}
    assert order.written_by_library == []
    # only the judge's own prose (the discussion) is between the title and the signature
    assert "Quayside asks the Court to stay" in text
    assert "GRANTED" not in text.replace(order.title, "")


def test_other_motion_needs_its_name(tmp_path):
    path = write_case(tmp_path, BASE + "motion: {kind: other, doc: 4}\nruling: {outcome: denied}\n")
    with pytest.raises(CaseFileError) as caught:
        load_case(path)
    assert str(caught.value).startswith(f"{path}:10: motion.name: a motion of kind other needs name")


# ---- a kind defined only in a chambers folder ------------------------------------------------

def test_a_kind_in_a_chambers_folder_renders_with_its_own_title_and_clauses(tmp_path):
    path = write_case(tmp_path, BASE + f"""\
chambers: {FIXTURES / 'chambers' / 'stays'}
motion: {{kind: stay_pending_ipr, doc: 12, movant: defendants.1}}
ruling: {{outcome: granted}}
""")
    assert "stay_pending_ipr" not in bundled_kind_ids()
    order = render(path)
    assert order.title == "ORDER GRANTING MOTION TO STAY PENDING INTER PARTES REVIEW"
    text = document_text(order.data)
    assert ("Harrow Freight Co. moves to stay this action until the Patent Trial and Appeal "
            "Board decides its petition") in text
    assert "This action is STAYED until the Patent Trial and Appeal Board" in conclusion_of(text)
    assert set(order.clauses_used) == {"stay/introduction", "stay/granted"}
    # Without the chambers folder the kind is unknown: a one-line error at its line.
    bare = write_case(tmp_path, BASE + "motion: {kind: stay_pending_ipr, doc: 12}\n"
                      "ruling: {outcome: granted}\n", "bare.yaml")
    with pytest.raises(CaseFileError) as caught:
        load_case(bare)
    assert str(caught.value).startswith(f"{bare}:10: motion.kind: 'stay_pending_ipr' is not one of")


def test_motions_command_lists_kinds_with_outcomes_and_chambers_kinds():
    result = CliRunner().invoke(main, ["motions"])
    assert result.exit_code == 0
    assert "dismiss" in result.output and "outcomes: granted, denied, granted_in_part, moot" \
        in result.output
    result = CliRunner().invoke(main, ["motions", "--json", "--chambers",
                                       str(FIXTURES / "chambers" / "stays")])
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["stay_pending_ipr"]["outcomes"] == ["granted", "denied"]
    assert rows["stay_pending_ipr"]["rule"] == "35 U.S.C. § 315"
    assert set(bundled_kind_ids()) <= set(rows)


@pytest.mark.parametrize("text, expected", [
    ("id: stay\ntitle: x\noutcomes: [granted, maybe]\n", "stay.yaml:3: outcomes.1: 'maybe' is not one of"),
    ("id: other_name\ntitle: x\noutcomes: [granted]\n",
     "stay.yaml:1: id: the id 'other_name' does not match"),
    ("id: stay\ntitle: x\noutcomes: [granted]\nclauses: {conclusion: [../x]}\n",
     "stay.yaml:4: clauses.conclusion.0: '../x' is not a clause id"),
    ("id: stay\noutcomes: [granted]\n", "stay.yaml:1: title: required field is missing"),
])
def test_a_bad_kind_file_is_an_error_naming_file_line_and_field(tmp_path, text, expected):
    path = tmp_path / "stay.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        read_kind(path)
    assert str(caught.value).startswith(str(tmp_path / expected)), str(caught.value)


# ---- movant ----------------------------------------------------------------------------------

def test_a_dismiss_case_without_movant_is_a_one_line_error_naming_the_field(tmp_path):
    path = write_case(tmp_path, BASE + "motion: {kind: dismiss, doc: 7}\n"
                      "ruling: {outcome: denied}\n")
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {path}:10: motion.movant: a motion of kind "
                                    "dismiss needs movant")
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_movant_may_be_a_party_or_several_printed_by_short_names_or_a_group_name(tmp_path):
    text = BASE + "motion: {kind: dismiss, doc: 7, movant: [defendants.0, defendants.1]}\n" \
        "ruling: {outcome: denied}\n"
    order_text = document_text(render(write_case(tmp_path, text)).data)
    assert "Quayside and Harrow move under Rule 12(b)(6)" in order_text
    assert "Quayside and Harrow shall answer the complaint by" in order_text
    grouped = text.replace("movant: [defendants.0, defendants.1]",
                           "movant: [defendants.0, defendants.1], movant_name: Moving Defendants")
    order_text = document_text(render(write_case(tmp_path, grouped, "g.yaml")).data)
    assert "Moving Defendants shall answer the complaint by" in order_text
    bad = text.replace("defendants.1]", "defendants.2]")
    with pytest.raises(CaseFileError, match=r"motion.movant.1: 'defendants.2': the case lists 2 "
                                            r"defendants"):
        load_case(write_case(tmp_path, bad, "b.yaml"))
    mixed = text.replace("defendants.1]", "plaintiffs.0]")
    with pytest.raises(CaseFileError, match="the movants must be on one side"):
        load_case(write_case(tmp_path, mixed, "m.yaml"))


# ---- several motions -------------------------------------------------------------------------

def test_two_motions_title_names_both_and_the_conclusion_rules_on_each(tmp_path):
    path = write_case(tmp_path, BASE + """\
motions:
  - {kind: dismiss, doc: 20, movant: defendants.0, outcome: denied}
  - {kind: other, name: motion to strike, docs: [24, 25], movant: plaintiff, outcome: granted}
""")
    order = render(path)
    assert order.title == "ORDER DENYING MOTION TO DISMISS AND GRANTING MOTION TO STRIKE"
    conclusion = conclusion_of(document_text(order.data))
    assert "the motion to dismiss (ECF No. 20) is DENIED" in conclusion
    assert "Quayside Looms LLC shall answer the complaint by" in conclusion
    assert "The motion to strike (ECF No. 24; ECF No. 25) is GRANTED." in conclusion
    assert conclusion.index("motion to dismiss") < conclusion.index("motion to strike")


def test_motions_and_motion_together_is_an_error(tmp_path):
    path = write_case(tmp_path, BASE + "motion: {kind: dismiss, doc: 7, movant: defendant}\n"
                      "ruling: {outcome: denied}\nmotions: [{kind: other, name: x, doc: 3, "
                      "outcome: denied}]\n")
    with pytest.raises(CaseFileError, match="give either motions"):
        load_case(path)


def test_render_notes_say_which_clause_wrote_which_section(tmp_path):
    result = CliRunner().invoke(main, ["render", str(CASES / "dismiss-granted-in-part.yaml"),
                                       "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 0, result.output
    assert ("  library: conclusion: 4 paragraphs from clause dismiss/granted-in-part (motion: motion "
            "to dismiss; chosen by the library)") in result.output
    assert ("  library: discussion: 1 paragraph from clause standard/dismiss (motion: motion to "
            "dismiss; asked for by discussion.0.clause)") in result.output


def test_render_json_has_a_line_per_library_clause(tmp_path):
    result = CliRunner().invoke(main, ["render", str(CASES / "dismiss-granted-in-part.yaml"),
                                       "-o", str(tmp_path / "o.docx"), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    notes = [n for n in lines if n.get("code") == "library-clause"]
    assert {"clause": "dismiss/granted-in-part", "section": "conclusion", "paragraphs": 4,
            "chosen_by": "library"}.items() <= notes[2].items()
    assert notes[1]["chosen_by"] == "discussion.0.clause"
    assert lines[-1]["title"].startswith("ORDER GRANTING IN PART")


def library_cases():
    """Orders these tests render (for the clause-coverage test)."""
    from test_motion_matrix import matrix_orders

    fixtures = ["other-stay-granted", "two-motions", "attorneys-fees-granted",
                "preliminary-injunction-granted", "injunction-and-strike"]
    return [render(CASES / f"{name}.yaml") for name in fixtures] + matrix_orders()
