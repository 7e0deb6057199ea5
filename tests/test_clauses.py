"""The clause library: every motion x outcome renders a coherent order; errors are located."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assembler import load_case, render_order
from assembler.cli import main
from assembler.clauses import ClauseLibrary
from assembler.errors import ClauseError, CaseFileError
from assembler.resources import bundled_clauses

from conftest import FIXTURES, body_paragraphs, document_text, footnotes, list_labels

CASES = FIXTURES / "cases"
PARTIAL = {
    "default_judgment": ["ruling.granted=[statutory_damages, permanent_injunction]",
                         "ruling.denied=[fees_and_costs]"],
    "dismiss": ["ruling.granted=[Count II]", "ruling.denied=[Count I]"],
    "early_discovery_subpoena": [],
    "seal": ["ruling.granted=[sealing the complaint]", "ruling.denied=[proceeding by pseudonym]"],
}
# fixture -> the outcomes its motion kind supports (a conclusion clause exists for each)
MATRIX = {
    "malibu-media-v-doe.yaml": ["granted", "denied", "denied_without_prejudice",
                                "granted_in_part", "moot"],
    "default-judgment-granted.yaml": ["granted", "denied", "granted_in_part", "moot"],
    "dismiss-granted-in-part.yaml": ["granted", "denied", "granted_in_part", "moot"],
    "early-discovery-subpoena.yaml": ["granted", "denied", "denied_without_prejudice"],
    "seal-granted.yaml": ["granted", "denied", "granted_in_part"],
}
TITLE_VERB = {"granted": "ORDER GRANTING ", "denied": "ORDER DENYING ",
              "denied_without_prejudice": "ORDER DENYING ",
              "granted_in_part": "ORDER GRANTING IN PART AND DENYING IN PART ",
              "moot": "ORDER DENYING AS MOOT "}
def render(name, *overrides):
    path = CASES / name
    case = load_case(path, list(overrides))
    return render_order(case, case_dir=path.parent)


def render_outcome(name, outcome):
    base = load_case(CASES / name)
    overrides = [f"ruling.outcome={outcome}"]
    if outcome == "granted_in_part":
        overrides += PARTIAL[base.motion.kind]
    if outcome == "denied_without_prejudice":
        overrides.append("ruling.renewal_days=30")
    return render(name, *overrides)


@pytest.mark.parametrize("name, outcome", [(n, o) for n, outs in MATRIX.items() for o in outs])
def test_every_motion_and_outcome_renders_a_complete_order(name, outcome):
    order = render_outcome(name, outcome)
    text = document_text(order.data)
    assert order.title.startswith(TITLE_VERB[outcome])
    assert order.title in text
    verdict = {"granted": "is GRANTED", "denied": "is DENIED",
               "denied_without_prejudice": "DENIED without prejudice",
               "granted_in_part": "GRANTED", "moot": "DENIED as moot"}[outcome]
    # The closing is the court style's ("It is so ordered." in D. Conn., "IT IS SO ORDERED."
    # in N.D. Cal., "SO ORDERED." in S.D.N.Y.).
    closing = next(c for c in ("It is so ordered.", "IT IS SO ORDERED.", "SO ORDERED.")
                   if c in text)
    conclusion = text[text.index("CONCLUSION"):text.index(closing)]
    assert verdict in conclusion
    assert "{{" not in text and "{%" not in text


def test_every_bundled_clause_is_rendered_by_the_matrix():
    from test_motions import library_cases  # the motion kinds' own orders

    used = {clause_id for name, outcomes in MATRIX.items() for outcome in outcomes
            for clause_id in render_outcome(name, outcome).clauses_used}
    used |= {clause_id for order in library_cases() for clause_id in order.clauses_used}
    library = ClauseLibrary([bundled_clauses()])
    missing = set(library.ids()) - used
    assert not missing, f"clauses no test renders: {sorted(missing)}"


def test_granted_default_judgment_does_the_arithmetic():
    text = document_text(render("default-judgment-granted.yaml").data)
    assert ("statutory damages of $95,250.00 ($750.00 for each of the 127 works at issue)"
            in text)
    assert "attorney’s fees of $4,200.50 and costs of $402.00, a total of $4,602.50" in text
    assert "shall enter judgment in accordance with this order and close this case" in text


def test_seed_granted_is_coherent():
    order = render("malibu-media-v-doe.yaml", "ruling.outcome=granted")
    text = document_text(order.data)
    assert order.title == "ORDER GRANTING MOTION FOR DEFAULT JUDGMENT"
    conclusion = text[text.index("CONCLUSION"):]
    assert "statutory damages of $7,500.00" in conclusion
    assert "permanently enjoined" in conclusion
    assert "attorney’s fees and costs" in conclusion
    # The chambers' denial analysis is written for the denial only.
    assert "I don’t think so" not in text and "will deny" not in text
    assert len(footnotes(order.data)) == 1  # the sealing footnote still appears


def test_seed_renewal_date_on_juneteenth():
    order = render("malibu-media-v-doe.yaml", "ruling.outcome=denied_without_prejudice",
                   "signed.date=2023-05-20")
    assert "by June 20, 2023." in document_text(order.data)


def test_decretal_paragraphs_are_numbered():
    data = render("early-discovery-subpoena.yaml").data
    paragraphs = [p.text for p in body_paragraphs(data)]
    labels = list_labels(data)  # Word's numbering, not numbers typed into the text
    numbered = [f"{labels[i]} {paragraphs[i]}" for i in sorted(labels)]
    assert [p[:2] for p in numbered] == ["1.", "2.", "3.", "4."]
    assert "Example Broadband Co." in numbered[0] and "203.0.113.57" in numbered[0]
    assert not any(p[:3] in ("1. ", "2. ", "3. ", "4. ") for p in paragraphs)


def test_magistrate_referral_caption_ip_and_attached_notice():
    order = render("early-discovery-subpoena.yaml")
    paragraphs = [p for p in body_paragraphs(order.data) if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert "JOHN DOE, subscriber assigned IP address 203.0.113.57," in texts
    after = texts[texts.index(order.title) + 1:]
    # The S.D.N.Y. style's opening line ("ORLA P. WRENFIELD, United States Magistrate
    # Judge:") comes first; the referral line follows it.
    assert after[0] == "ORLA P. WRENFIELD, United States Magistrate Judge:"
    assert after[1].startswith(
        "United States District Judge Tobias Merriweather referred this motion to the "
        "undersigned (ECF No. 9).")
    signature = texts.index("United States Magistrate Judge")
    notice = texts.index("NOTICE TO SUBSCRIBER")
    assert notice > signature
    assert paragraphs[notice].style.name == "Attachment Heading"
    assert "within 30 days after you receive this notice" in " ".join(texts[notice:])


def test_docket_citation_style_comes_from_the_chambers_profile():
    assert "(Doc. #29)" in document_text(render("malibu-media-v-doe.yaml").data)
    assert "(ECF No. 31)" in document_text(render("default-judgment-granted.yaml").data)


def test_clause_needing_a_missing_field_names_clause_and_field():
    with pytest.raises(ClauseError) as caught:
        render("early-discovery-subpoena.yaml", "isp=")
    message = str(caught.value)
    assert "clause early-discovery-subpoena/introduction" in message and ": isp:" in message


def test_unknown_clause_and_unsupported_outcome_are_one_line_errors(tmp_path):
    case = tmp_path / "case.yaml"
    text = (CASES / "seal-granted.yaml").read_text(encoding="utf-8")
    case.write_text(text + "discussion: [{clause: standard/nope}]\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["render", str(case), "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1
    line_number = case.read_text(encoding="utf-8").splitlines().index(
        "discussion: [{clause: standard/nope}]") + 1
    assert result.output.strip() == (f"error: {case}:{line_number}: clause standard/nope: "
                                     "discussion.0.clause: unknown clause id (did you mean "
                                     "'standard/compel'?) (run `assembler "
                                     "clauses` for the list)")
    result = runner.invoke(main, ["render", str(CASES / "seal-granted.yaml"), "--set",
                                  "ruling.outcome=moot", "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1
    assert "the outcome 'moot' is not available for a seal motion" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o.docx").exists()


def test_partial_grant_must_name_requested_relief():
    with pytest.raises(CaseFileError, match="'punitive_damages' is not relief the motion asks"):
        render("default-judgment-granted.yaml", "ruling.outcome=granted_in_part",
               "ruling.granted=[punitive_damages]", "ruling.denied=[fees_and_costs]")


def test_clause_data_is_escaped_markdown(tmp_path):
    order = render("seal-granted.yaml", "defendants.0.name=*Star* Doe_1 [A] <b>",
                   "plaintiffs.0.name=AT&T Mobility LLC")
    text = document_text(order.data)
    assert "“*Star* Doe_1 [A] <b>.”" in text
    assert "AT&T Mobility LLC asks for leave" in text


def test_clauses_command_lists_the_library():
    result = CliRunner().invoke(main, ["clauses"])
    assert result.exit_code == 0
    for clause_id in ("standard/default-judgment", "dismiss/granted-in-part",
                      "early-discovery-subpoena/granted", "seal/denied",
                      "attachments/subscriber-notice"):
        assert clause_id in result.output
    result = CliRunner().invoke(main, ["clauses", "--json", "--chambers",
                                       str(FIXTURES / "chambers" / "jam")])
    import json
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert "fixtures/chambers/jam" in rows["sealing/footnote"]["path"]
    assert rows["default-judgment/granted"]["outcomes"] == ["granted"]
