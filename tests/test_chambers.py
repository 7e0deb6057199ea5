"""The chambers profile: a pydantic model read with lines, like the case file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assembler.chambers import load_chambers
from assembler.cli import main
from assembler.errors import CaseFileError

from conftest import FIXTURES


@pytest.mark.parametrize("profile, message", [
    ("# house style\nstraight_quotes: true\ndocket_stile: ecf\n",
     "profile.yaml:3: docket_stile: unknown key (did you mean 'docket_style'?)"),
    ("docket_style: ecff\n", "profile.yaml:1: docket_style: 'ecff' is not one of 'doc_hash', "
                             "'ecf', 'dkt' or 'doc_no' (did you mean 'ecf'?)"),
    ("closing: So ordered.\nstraight_quotes: sometimes\n",
     "profile.yaml:2: straight_quotes: must be true or false"),
    ("- docket_style\n", "profile.yaml:1: a chambers profile must be a mapping of keys"),
])
def test_a_bad_profile_is_one_line_naming_the_line_and_key(tmp_path, profile, message):
    (tmp_path / "profile.yaml").write_text(profile, encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_chambers(tmp_path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_a_render_reports_the_profile_line(tmp_path):
    (tmp_path / "jam").mkdir()
    (tmp_path / "jam" / "profile.yaml").write_text("docket_style: doc_hash\nstrait_quotes: true\n",
                                                  encoding="utf-8")
    case = tmp_path / "case.yaml"
    case.write_text((FIXTURES / "cases" / "malibu-media-v-doe.yaml").read_text(encoding="utf-8")
                    .replace("chambers: ../chambers/jam", "chambers: jam"), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(case), "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == (f"error: {tmp_path}/jam/profile.yaml:2: strait_quotes: "
                                     "unknown key (did you mean 'straight_quotes'?)")


def test_profile_settings_are_read_as_given():
    chambers = load_chambers(FIXTURES / "chambers" / "jam")
    assert chambers.docket_style == "doc_hash" and chambers.straight_quotes is True
    assert chambers.style_settings == () and chambers.cite(17) == "Doc. #17"
    empty = load_chambers(None)
    assert empty.docket_style is None and empty.cite(3) == "ECF No. 3"
