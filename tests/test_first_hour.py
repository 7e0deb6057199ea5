"""The first hour of a new user: finding the right value, and forgiving input where it is safe."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assembler import load_case
from assembler.case import court_note, load_located_case
from assembler.cli import main
from assembler.errors import CaseFileError
from assembler.suggest import closest

from conftest import FIXTURES, document_text

DISMISS = FIXTURES / "cases" / "dismiss-granted-in-part.yaml"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def variant(tmp_path, old, new, source=DISMISS, name="case.yaml"):
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def error_for(path):
    with pytest.raises(CaseFileError) as caught:
        load_case(path)
    return str(caught.value)


# ---- courts -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", [["N.D. Ill."], ["illinois", "northern"], ["ill", "north"],
                                   ["ND", "Ill"], ["Northern District of Illinois"], ["ilnd"]])
def test_courts_finds_ilnd_by_citation_words_and_id(query):
    result = run("courts", *query)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].split()[0] == "ilnd" and "Northern District of Illinois" in lines[0]
    assert "style: federal" in lines[0]


def test_courts_lists_every_district_with_a_name_and_narrows_by_state():
    everything = run("courts").output.splitlines()
    ids = [line.split()[0] for line in everything]
    assert {"ctd", "ilnd", "nysd", "cand", "txsd", "dcd"} <= set(ids)
    assert len(ids) == len(set(ids)) and len(ids) > 90
    assert all("District" in line for line in everything)
    new_york = {line.split()[0] for line in run("courts", "new", "york").output.splitlines()}
    assert {"nyed", "nynd", "nysd", "nywd"} <= new_york and "ctd" not in new_york


def test_courts_without_a_match_suggests_the_closest():
    result = run("courts", "ndil")
    assert result.exit_code == 1
    assert result.output.strip() == ("error: no court matches 'ndil' (did you mean 'ilnd' "
                                     "(Northern District of Illinois)?)")


def test_unknown_court_id_names_the_closest_id(tmp_path):
    message = error_for(variant(tmp_path, "court: cand", "court: ndil"))
    assert message == (f"{tmp_path / 'case.yaml'}:2: court: unknown court id 'ndil' (did you "
                       "mean 'ilnd' (Northern District of Illinois)?); `assembler courts WORDS` "
                       "finds the id")
    assert "'ctd' (District of Connecticut)" in error_for(variant(tmp_path, "court: cand",
                                                                  "court: ctx"))


@pytest.mark.parametrize("written, court_id", [("N.D. Ill.", "ilnd"), ("D. Conn.", "ctd"),
                                               ("S.D.N.Y.", "nysd"), ("ILND", "ilnd"),
                                               ("Northern District of Illinois", "ilnd")])
def test_citation_forms_of_a_court_resolve_with_a_note(tmp_path, written, court_id):
    path = variant(tmp_path, "court: cand", f'court: "{written}"')
    case, located = load_located_case(path)
    assert case.court == court_id
    note = court_note(located, case)
    assert note.startswith(f"{path}:2: court '{written}' is read as the courts-db id "
                           f"'{court_id}'")
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"note: {note}" in result.output


def test_an_ambiguous_court_name_is_not_guessed(tmp_path):
    message = error_for(variant(tmp_path, "court: cand", 'court: "Illinois"'))
    assert "unknown court id 'Illinois'" in message


def test_the_id_written_as_an_id_has_no_note():
    case, located = load_located_case(DISMISS)
    assert court_note(located, case) is None


# ---- did you mean ---------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ("discussion:", "backgorund: x\ndiscussion:",
     "backgorund: unknown key (did you mean 'background'?); see `assembler schema`"),
    ("  movant: defendant", "  movnt: defendant",
     "motion.movnt: unknown key (did you mean 'movant'?)"),
    ("  kind: dismiss", "  kind: dismis",
     "motion.kind: 'dismis' is not one of 'attorneys_fees', 'compel', 'default_judgment', "),
    ("  kind: dismiss", "  kind: dismis", "(did you mean 'dismiss'?)"),
    ("  outcome: granted_in_part", "  outcome: granted_in_prat",
     "(did you mean 'granted_in_part'?)"),
    ("  - clause: standard/dismiss", "  - clause: standard/dismiss\n    when: [grantd]",
     "discussion.0.when.0: 'grantd' is not one of"),
])
def test_unknown_values_name_the_closest_valid_one(tmp_path, old, new, expected):
    message = error_for(variant(tmp_path, old, new))
    assert expected in message
    assert "\n" not in message


def test_an_unknown_key_with_nothing_close_says_to_check_the_spelling(tmp_path):
    message = error_for(variant(tmp_path, "discussion:", "zzqqx: 1\ndiscussion:"))
    assert message.endswith("zzqqx: unknown key (check the spelling); see `assembler schema`")


def test_unknown_clause_id_suggests_the_closest(tmp_path):
    path = variant(tmp_path, "  - clause: standard/dismiss", "  - clause: standard/dismis")
    result = run("render", str(path), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1
    assert "unknown clause id (did you mean 'standard/dismiss'?)" in result.output
    assert not (tmp_path / "o.docx").exists()


def test_closest_puts_swapped_letters_first_and_drops_far_candidates():
    assert closest("ndil", ["ilnd", "ndia", "nysd"]) == ["ilnd", "ndia"]
    assert closest("discusion", ["discussion", "conclusion", "background"]) == ["discussion"]
    assert closest("zzzz", ["discussion", "conclusion"]) == []


# ---- one text for a list ---------------------------------------------------------------------

def test_one_text_for_a_list_is_a_one_item_list(tmp_path):
    path = variant(tmp_path, 'granted: ["Count II (contributory infringement)"]',
                   'granted: "Count II (contributory infringement)"')
    case = load_case(path)
    assert case.ruling.granted == ["Count II (contributory infringement)"]
    out = tmp_path / "o.docx"
    assert run("render", str(path), "-o", str(out)).exit_code == 0
    assert "Count II (contributory infringement)" in document_text(out.read_bytes())


def test_one_text_for_a_list_of_outcomes(tmp_path):
    path = variant(tmp_path, "  - clause: standard/dismiss",
                   "  - clause: standard/dismiss\n    when: granted_in_part")
    assert load_case(path).discussion[0].when == ["granted_in_part"]


def test_a_list_of_parties_still_needs_mappings(tmp_path):
    path = variant(tmp_path, '  - {name: "Harbor Lane Studios, Inc.", short_name: Harbor Lane}',
                   "  Harbor Lane", name="bad.yaml")
    message = error_for(path.with_name("bad.yaml"))
    assert "plaintiffs" in message


# ---- footnotes anywhere in the prose ----------------------------------------------------------

FOOTNOTED = '''\
introduction: |
  Harbor Lane sued Corvid.[^forum] Corvid moves to dismiss.
background: |
  The works are training videos.[^2]
'''
DEFINITIONS = '''\
  - text: |
      Count II fails.

      [^forum]: Venue is not disputed.

      [^2]: Harbor Lane registered each work
          before this action was filed.
'''


def footnoted_case(tmp_path, granted='"Count II (contributory infringement)"',
                   definitions=DEFINITIONS):
    text = DISMISS.read_text(encoding="utf-8")
    text = text.replace('granted: ["Count II (contributory infringement)"]',
                        f"granted: {granted}")
    text = text.replace("discussion:\n", FOOTNOTED + "discussion:\n")
    text = text.rstrip("\n") + "\n" + definitions
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_footnote_definitions_at_the_end_reach_their_references(tmp_path):
    from conftest import footnotes, read_part

    path = footnoted_case(tmp_path)
    out = tmp_path / "o.docx"
    result = run("render", str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    notes = list(footnotes(out.read_bytes()).values())
    assert notes == ["Venue is not disputed.",
                     "Harbor Lane registered each work before this action was filed."]
    body = read_part(out.read_bytes(), "word/document.xml")
    # Word numbers the references in reading order: the introduction's first, then background.
    assert body.index("Corvid.") < body.index("footnoteReference") < body.index("training")
    assert body.count("<w:footnoteReference") == 2
    assert "[^" not in document_text(out.read_bytes())


def test_a_footnote_label_defined_twice_names_both_lines(tmp_path):
    definitions = DEFINITIONS + "  - text: |\n      More.\n\n      [^2]: Again.\n"
    path = footnoted_case(tmp_path, definitions=definitions)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("      [^2]: Harbor Lane registered each work") + 1
    second = lines.index("      [^2]: Again.") + 1
    message = error_for(path)
    assert message == (f"{path}:{second}: discussion.3.text: footnote [^2] is defined twice: "
                       f"on line {first} and again on line {second} (give one of them another "
                       "label)")


def test_a_footnote_defined_for_another_outcome_only_is_not_a_duplicate(tmp_path):
    definitions = DEFINITIONS + "  - when: [denied]\n    text: |\n      No.[^2]\n\n      [^2]: Other.\n"
    path = footnoted_case(tmp_path, definitions=definitions)
    assert load_case(path).ruling.outcome == "granted_in_part"


def test_a_reference_with_no_definition_anywhere_is_still_an_error(tmp_path):
    path = footnoted_case(tmp_path, definitions=DEFINITIONS.replace("[^2]: Harbor", "Harbor"))
    result = run("render", str(path), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1
    assert "background: footnote [^2] is referenced but never defined" in result.output


def test_split_definitions_keeps_the_rest_of_the_text():
    from assembler.footnotes import split_definitions

    body, found = split_definitions("One.[^a]\n\n[^a]: Note\n    more.\n\nTwo.\n\n[^b]: B.\n")
    assert body == "One.[^a]\n\nTwo."
    assert [(d.label, d.text) for d in found] == [("a", "[^a]: Note\n    more."),
                                                  ("b", "[^b]: B.")]


# ---- typographic quotes --------------------------------------------------------------------

QUOTED = '''\
  - text: |
      Corvid's motion says the claim is "conclusory" and calls the works 'videos'.
      See Harbor Lane Studios, Inc. v. Corvid Data Sys., No. 3:18-cv-01369,
      Doc. #17 at 4; *Id.* at 4. A \\"straight\\" pair stays.
'''


def test_straight_quotes_become_typographic_but_codes_stay(tmp_path):
    path = footnoted_case(tmp_path, definitions=DEFINITIONS + QUOTED)
    out = tmp_path / "o.docx"
    assert run("render", str(path), "-o", str(out)).exit_code == 0
    text = document_text(out.read_bytes())
    assert "Corvid’s motion says the claim is “conclusory” and calls the works ‘videos’." in text
    assert "No. 3:18-cv-01369, Doc. #17 at 4; Id. at 4." in text
    assert 'A "straight" pair stays.' in text  # a backslash keeps a quote as typed
    assert "Corvid’s own servers" in text  # already typographic: unchanged


def test_straight_quotes_flag_and_chambers_setting_keep_them(tmp_path):
    path = footnoted_case(tmp_path, definitions=DEFINITIONS + QUOTED)
    out = tmp_path / "flag.docx"
    assert run("render", str(path), "-o", str(out), "--straight-quotes").exit_code == 0
    assert "Corvid's motion says the claim is \"conclusory\"" in document_text(out.read_bytes())
    chambers = tmp_path / "chambers"
    chambers.mkdir()
    (chambers / "profile.yaml").write_text("straight_quotes: true\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "chambers: chambers\n", encoding="utf-8")
    out = tmp_path / "profile.docx"
    assert run("render", str(path), "-o", str(out)).exit_code == 0
    assert "Corvid's motion says the claim is \"conclusory\"" in document_text(out.read_bytes())
    chambers.rename(tmp_path / "other")  # a new folder: profiles are read once per process
    (tmp_path / "other" / "profile.yaml").write_text("straight_quotes: sometimes\n",
                                                     encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("chambers: chambers",
                                                             "chambers: other"), encoding="utf-8")
    result = run("render", str(path), "-o", str(tmp_path / "bad.docx"))
    assert result.exit_code == 1 and "straight_quotes: must be true or false" in result.output


def test_a_sealed_name_with_an_apostrophe_is_found_after_curling(tmp_path):
    text = DISMISS.read_text(encoding="utf-8").replace(
        '  - {name: "Corvid Data Systems, LLC", short_name: Corvid}',
        "  - {name: John Doe, pseudonym: true, sealed_name: \"Ines O'Quarrie\"}")
    text = text.replace("Corvid’s own servers", "O'Quarrie's own servers")
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("render", str(path), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1 and "would reveal a sealed name" in result.output
    assert not (tmp_path / "o.docx").exists()


# ---- help that teaches ------------------------------------------------------------------------

def test_every_command_help_ends_with_real_examples():
    import shlex

    from assembler.helptext import EXAMPLES

    assert set(main.commands) | {""} == set(EXAMPLES)
    for name in ["", *main.commands]:
        result = run(*([name] if name else []), "--help")
        assert result.exit_code == 0
        tail = result.output.rstrip().splitlines()[-len(EXAMPLES[name]):]
        assert [line.strip() for line in tail] == EXAMPLES[name], name
        for example in EXAMPLES[name]:
            words = shlex.split(example.split(" > ")[0])
            assert words[0] == "assembler"
            context = main.make_context("assembler", words[1:])  # options parse, or this fails
            if name:
                command = main.get_command(context, words[1])
                command.make_context(words[1], words[2:], parent=context)


def test_the_courts_examples_do_what_they_say():
    from assembler.helptext import EXAMPLES

    for example in EXAMPLES["courts"]:
        import shlex
        result = run(*shlex.split(example)[1:])
        assert result.output.split()[0] == "ilnd"


def test_the_readme_court_table_is_what_courts_prints():
    import re

    from assembler.courts import court_rows
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Court ids", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", table, re.M)
    from assembler.styles import registry_for

    registry = registry_for()
    claimed = {court for name in registry.names() for court in registry.get(name).profile.courts}
    assert claimed <= {row[0] for row in rows}  # every district of a bundled style is listed
    for court_id, name, citation, style in rows:
        (printed,) = court_rows(court_id)
        assert (printed["id"], printed["name"], printed["citation"], printed["style"]) == (
            court_id, name.strip(), citation.strip(), style.strip())


def test_the_first_order_of_the_readme_renders_with_its_deadlines(tmp_path):
    out = tmp_path / "order.docx"
    result = run("render", str(FIXTURES / "cases" / "first-order-ilnd.yaml"), "-o", str(out),
                 "--strict")
    assert result.exit_code == 0, result.output
    text = document_text(out.read_bytes())
    assert "answer the remaining claims by October 21, 2024" in text
    assert "amended complaint as to the dismissed claims by October 28, 2024" in text
    assert "“should have known” of its customers’ uploads" in text
    assert "Lakeshore registered each film before filing suit." in text  # the footnote


@pytest.mark.parametrize("query, expected", [("nothern illinois", ["ilnd"]),
                                             ("conneticut", ["ctd"]),
                                             ("soutern new york", ["nysd"])])
def test_courts_search_forgives_a_misspelt_word(query, expected):
    result = run("courts", *query.split())
    assert [line.split()[0] for line in result.output.splitlines()] == expected


def test_a_misspelt_csv_header_names_the_field(tmp_path):
    base = FIXTURES / "batches" / "early-discovery.yaml"
    rows = tmp_path / "rows.csv"
    rows.write_text("case_number,defendants.0.ip_adress,signed.date\n"
                    "3:23-cv-02001,192.0.2.40,2023-04-03\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(rows), "--base", str(base), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert ("unknown header 'defendants.0.ip_adress': not a case-file field (did you mean "
            "'defendants.0.ip_address'?)") in result.output
    assert not (tmp_path / "out" / "3-23-cv-02001-order.docx").exists()


def test_unknown_style_and_chambers_profile_key_name_the_closest(tmp_path):
    path = variant(tmp_path, "court: cand", "court: cand\nstyle: sdyn")
    result = run("render", str(path), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1 and "unknown style 'sdyn' (did you mean 'sdny'?)" in result.output
    chambers = tmp_path / "chambers"
    chambers.mkdir()
    (chambers / "profile.yaml").write_text("straight_quote: true\n", encoding="utf-8")
    path = variant(tmp_path, "court: cand", "court: cand\nchambers: chambers")
    result = run("render", str(path), "-o", str(tmp_path / "o.docx"))
    assert result.exit_code == 1
    assert (f"{chambers / 'profile.yaml'}:1: straight_quote: unknown key (did you mean "
            "'straight_quotes'?)") in result.output
