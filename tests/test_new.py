"""`assembler new`: a skeleton for every motion kind and outcome renders, lints clean and,
once its markers are filled, renders as a real order."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from assembler.cli import main
from assembler.clauses import ClauseLibrary
from assembler.resources import bundled_clauses
from assembler.skeleton import NEEDS_FIELDS, motion_kinds, outcomes_for

from conftest import document_text, read_part

COMBINATIONS = [(kind, outcome) for kind in motion_kinds() for outcome in outcomes_for(kind)]
FILL = {"motion.doc": "22", "sealing.order_doc": "9", "ruling.renewal_days": "21",
        "signed.date": "2024-05-06", "defendants.0.ip_address": "192.0.2.15",
        "motion.relief.statutory_damages": "7500", "motion.new_date": "2024-06-03",
        "motion.bond": "0"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def fill(text: str) -> str:
    """Give every marker a value of its field's type (text: a fictional stand-in)."""
    def value(match: re.Match[str]) -> str:
        field = match.group(1)
        return FILL.get(field, f"Fictional {field.replace('.', ' ')}")
    text = re.sub(r'"\[\[([A-Za-z0-9_.]+)\]\]"', lambda m: f'"{value(m)}"', text)
    return re.sub(r"\[\[([A-Za-z0-9_.]+)\]\]", value, text)


def test_every_bundled_motion_kind_has_outcomes():
    assert set(motion_kinds()) >= {"default_judgment", "dismiss", "early_discovery_subpoena",
                                   "seal"}
    assert outcomes_for("dismiss") == ["granted", "denied", "granted_in_part", "moot"]
    assert len(COMBINATIONS) >= 15


@pytest.mark.parametrize("kind, outcome", COMBINATIONS)
def test_new_renders_as_it_stands_lints_clean_and_renders_filled(tmp_path, kind, outcome):
    case = tmp_path / "case.yaml"
    result = run("new", "--court", "ilnd", "--motion", kind, "--outcome", outcome, "-o", case)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "case.schema.json").exists()
    text = case.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./case.schema.json"
    for line in text.splitlines()[4:]:
        stripped = line.strip()
        if stripped.endswith(":") or ": " in stripped and not stripped.startswith(("- ", "[[")):
            assert "  # " in line or stripped.startswith("#"), f"no explanation: {line}"
    # As it stands: a draft with every marker highlighted, and lint finds nothing.
    draft = tmp_path / "draft.docx"
    result = run("render", case, "-o", draft)
    assert result.exit_code == 0, result.output
    assert "DRAFT" in result.output and "still hold a [[marker]]" in result.output
    body = read_part(draft.read_bytes(), "word/document.xml")
    assert "[[case_number]]" in body and '<w:highlight w:val="yellow"/>' in body
    assert "[[discussion]]" in document_text(draft.read_bytes())
    linted = run("lint", case)
    assert linted.exit_code == 0 and linted.output.strip() == "0 errors, 0 warnings in 1 case file"
    checked = run("check", case)
    assert checked.exit_code == 1 and "case_number: error: still a [[marker]]" in checked.output
    # Filled in: an ordinary order, rendered strictly, with no marker left.
    filled = tmp_path / "filled.yaml"
    filled.write_text(fill(text), encoding="utf-8")
    out = tmp_path / "order.docx"
    result = run("render", filled, "-o", out, "--strict")
    assert result.exit_code == 0, result.output
    assert "DRAFT" not in result.output
    order = document_text(out.read_bytes())
    assert "[[" not in order and "NORTHERN DISTRICT OF ILLINOIS" in order
    assert run("lint", filled).exit_code == 0


def test_new_needs_known_values_and_says_which(tmp_path):
    result = run("new", "--court", "ndil", "--motion", "dismiss", "--outcome", "granted")
    assert result.exit_code == 1
    assert "did you mean 'ilnd' (Northern District of Illinois)?" in result.output
    result = run("new", "--court", "ilnd", "--motion", "dismis", "--outcome", "granted")
    assert "unknown motion kind 'dismis' (did you mean 'dismiss'?)" in result.output
    result = run("new", "--court", "ilnd", "--motion", "dismiss", "--outcome",
                 "denied_without_prejudice", "-o", tmp_path / "c.yaml")
    assert result.exit_code == 1
    assert ("'denied_without_prejudice' is not an outcome for a dismiss motion" in result.output)
    assert not (tmp_path / "c.yaml").exists()


def test_new_accepts_a_citation_form_and_never_overwrites(tmp_path):
    case = tmp_path / "case.yaml"
    result = run("new", "--court", "N.D. Ill.", "--motion", "dismiss", "--outcome",
                 "granted_in_part", "-o", case)
    assert result.exit_code == 0
    assert "read as the courts-db id 'ilnd'" in result.output
    assert "court: ilnd" in case.read_text(encoding="utf-8")
    case.write_text("mine\n", encoding="utf-8")
    again = run("new", "--court", "ilnd", "--motion", "dismiss", "--outcome", "granted",
                "-o", case)
    assert again.exit_code == 1 and "already exists" in again.output
    assert case.read_text(encoding="utf-8") == "mine\n"


def test_strict_render_refuses_a_draft(tmp_path):
    case = tmp_path / "case.yaml"
    run("new", "--court", "ilnd", "--motion", "seal", "--outcome", "granted", "-o", case)
    result = run("render", case, "-o", tmp_path / "o.docx", "--strict")
    assert result.exit_code == 1 and "still hold a [[marker]]" in result.output
    assert not (tmp_path / "o.docx").exists()


def test_every_clause_need_maps_to_a_case_field():
    library = ClauseLibrary([bundled_clauses()])
    needs = {need for clause in library.all() for need in clause.needs}
    assert needs <= set(NEEDS_FIELDS), needs - set(NEEDS_FIELDS)


def _style_courts():
    from assembler.styles import registry_for

    registry = registry_for()
    return sorted({court for name in registry.names()
                   for court in registry.get(name).profile.courts})


@pytest.mark.parametrize("court", _style_courts())
def test_new_for_each_bundled_style_gives_the_style_its_fields(tmp_path, court):
    from assembler.styles import registry_for

    case = tmp_path / "case.yaml"
    assert run("new", "--court", court, "--motion", "dismiss", "--outcome", "granted",
               "-o", case).exit_code == 0
    text = case.read_text(encoding="utf-8")
    profile = registry_for().for_court(court).profile
    place_needed = (any("{place}" in line for line in profile.date_block)
                    and not profile.place_default)
    assert ('place: "[[signed.place]]"' in text) == place_needed
    assert ("# division:" in text) == profile.division
    assert run("render", case, "-o", tmp_path / "draft.docx").exit_code == 0
    assert run("lint", case).output.strip() == "0 errors, 0 warnings in 1 case file"
    filled = tmp_path / "filled.yaml"
    filled.write_text(fill(text), encoding="utf-8")
    result = run("render", filled, "-o", tmp_path / "order.docx", "--strict")
    assert result.exit_code == 0, result.output
    assert "[[" not in document_text((tmp_path / "order.docx").read_bytes())
