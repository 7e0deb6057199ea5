"""Loading case files: typing kept as written, and every bad input a one-line located error."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assembler import load_case
from assembler.errors import CaseFileError

from conftest import SEED

MINIMAL = """\
court: ctd
case_number: "3:20-cv-00001"
judge_initials: NO
judge: {name: Ada Fictional}
plaintiffs: [{name: "Barnes & Noble <Retail>"}]
defendants: [{name: John Doe}]
motion:
  kind: default_judgment
  doc: 12
ruling: {outcome: denied_without_prejudice, renewal_days: 30}
signed: {place: Hartford, date: 2021-06-04}
"""


def write(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text, name="case.yaml", overrides=()):
    with pytest.raises(CaseFileError) as caught:
        load_case(write(tmp_path, text, name), overrides)
    return str(caught.value)


def test_seed_fixture_loads():
    case = load_case(SEED)
    assert case.motion.doc == 29 and case.signed.date == date(2020, 8, 13)
    assert case.defendants[0].sealed_name


def test_yaml_implicit_typing_does_not_reach_the_data(tmp_path):
    text = MINIMAL.replace('case_number: "3:20-cv-00001"', "case_number: 0123")
    text = text.replace("place: Hartford", "place: 07030")
    case = load_case(write(tmp_path, text))
    assert case.judge_initials == "NO"
    assert case.case_number == "0123"
    assert case.signed.place == "07030"
    assert case.plaintiffs[0].name == "Barnes & Noble <Retail>"


@pytest.mark.parametrize("text, expected", [
    (MINIMAL.replace("  doc: 12", "  doc: -4"), "case.yaml:9: motion.doc: must be a positive integer"),
    (MINIMAL.replace("  doc: 12", "  doc: twelve"), "case.yaml:9: motion.doc: must be a whole number"),
    (MINIMAL.replace("2021-06-04", "2020-13-01"),
     "case.yaml:11: signed.date: invalid date '2020-13-01'"),
    (MINIMAL.replace("court: ctd", "court: xyz"), "case.yaml:1: court: unknown court id 'xyz'"),
    (MINIMAL + "backgruond: |\n  Text.\n", "case.yaml:12: backgruond: unknown key"),
    (MINIMAL.replace("  doc: 12\n", ""), "case.yaml:7: motion.doc: required field is missing"),
    (MINIMAL.replace("signed: {place: Hartford, date: 2021-06-04}\n", ""),
     "case.yaml:1: signed: required field is missing"),
    (MINIMAL.replace("outcome: denied_without_prejudice", "outcome: maybe"),
     "case.yaml:10: ruling.outcome: 'maybe' is not one of"),
    (MINIMAL + "court: nysd\n", "case.yaml:12: court: duplicate key 'court' (first given on line 1)"),
    (MINIMAL.replace("judge: {name: Ada Fictional}", "judge: {name: [Ada"),
     "case.yaml:5: YAML syntax error"),
    (MINIMAL.replace("plaintiffs: [{name: \"Barnes & Noble <Retail>\"}]", "plaintiffs: []"),
     "case.yaml:5: plaintiffs: must list at least one"),
])
def test_bad_input_names_file_line_and_field(tmp_path, text, expected):
    assert error_for(tmp_path, text).startswith(str(tmp_path / expected))


def test_missing_file_is_a_located_error(tmp_path):
    with pytest.raises(CaseFileError, match="no such file"):
        load_case(tmp_path / "absent.yaml")


def test_control_characters_are_rejected_not_dropped(tmp_path):
    text = MINIMAL.replace("Ada Fictional", '"Ada\\x0bFictional"')
    message = error_for(tmp_path, text)
    assert "judge.name" in message and "U+000B" in message


def test_json_case_files_with_lines_and_duplicate_keys(tmp_path):
    import yaml
    data = yaml.safe_load(MINIMAL)
    data["signed"]["date"] = "2021-06-04"
    data["judge_initials"] = "NO"
    case = load_case(write(tmp_path, json.dumps(data, indent=2), "case.json"))
    assert case.judge_initials == "NO"
    data["motion"]["doc"] = 0
    message = error_for(tmp_path, json.dumps(data, indent=2), "case.json")
    assert message.startswith(str(tmp_path / "case.json")) and "motion.doc" in message
    assert ":" in message.split("case.json", 1)[1][:4]  # a line number follows the file name
    duplicate = '{"court": "ctd", "court": "nysd"}'
    assert "duplicate key 'court'" in error_for(tmp_path, duplicate, "case.json")


def test_overrides_are_typed_like_the_file(tmp_path):
    path = write(tmp_path, MINIMAL)
    case = load_case(path, ["ruling.outcome=granted", "signed.date=2021-07-01",
                            "defendants.0.ip_address=192.0.2.15", "judge_initials=NO"])
    assert case.ruling.outcome == "granted"
    assert case.signed.date == date(2021, 7, 1)
    assert case.defendants[0].ip_address == "192.0.2.15"
    assert case.judge_initials == "NO"
    message = error_for(tmp_path, MINIMAL, overrides=["motion.doc=0"])
    assert message.startswith(f"{path} (--set): motion.doc:")
    assert "invalid IP address" in error_for(tmp_path, MINIMAL,
                                             overrides=["defendants.0.ip_address=999.1.1.1"])
