"""`check --fix`: italics around case names only, shown first, written safely."""

from __future__ import annotations

import json
import os

import yaml
from click.testing import CliRunner

from assembler.case import load_case
from assembler.cites import check_case_citations
from assembler.cli import main

from test_cites import HEAD, case_with

DOCKETS = ("In *Maples*, the court said so. Maples v. Warren, No. 12–0993, 2012 WL 3636915, "
           "at *1 (E.D. Mich. 2012).\n\nSee also Malibu Media, LLC v. Doe, No. 2:19-cv-1234 "
           "(ADS) (AKT), 2020 WL 1150041, at *3 (E.D.N.Y. 2020); Ex parte Young, 209 U.S. 123, "
           "159, 28 S. Ct. 441 (1908).")


def fix(path, *extra):
    return CliRunner().invoke(main, ["check", str(path), "--fix", *extra])


def test_fix_italicises_names_never_docket_numbers_or_judges_initials(tmp_path):
    path = case_with(tmp_path, DOCKETS)
    result = fix(path)
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "*Maples v. Warren*, No. 12–0993, 2012 WL 3636915, at *1" in text
    assert "*Malibu Media, LLC v. Doe*, No. 2:19-cv-1234 (ADS) (AKT), 2020 WL" in text
    assert "*Ex parte Young*, 209 U.S. 123, 159, 28 S. Ct. 441" in text
    assert "*No." not in text and "(ADS)*" not in text and "(AKT)*" not in text
    assert text.count("*") == DOCKETS.count("*") + 6  # three names, nothing else
    assert "italicised 3 case names" in result.stderr
    assert check_case_citations(path) == []
    # The change was shown before it was written, and the file before is kept.
    assert "-  In *Maples*, the court said so. Maples v. Warren" in result.stdout
    assert "+  In *Maples*, the court said so. *Maples v. Warren*" in result.stdout
    assert (tmp_path / "case.yaml.bak").read_text(encoding="utf-8") == HEAD + "".join(
        f"  {line}\n" for line in DOCKETS.split("\n"))


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path):
    path = case_with(tmp_path, DOCKETS)
    before = path.read_bytes()
    result = fix(path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+  See also *Malibu Media, LLC v. Doe*, No. 2:19-cv-1234" in result.stdout
    assert "dry run: would italicise 3 case names" in result.stderr
    assert path.read_bytes() == before and not (tmp_path / "case.yaml.bak").exists()


def test_a_name_that_starts_a_plain_scalar_is_quoted_so_yaml_still_loads(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(HEAD.replace("discussion: |\n", "") + "# the court's reasoning\n"
                    "discussion: Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009), requires more."
                    "  # keep me\n", encoding="utf-8")
    result = fix(path)
    assert result.exit_code == 0, result.output
    load_case(path)  # a valid case file still
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["discussion"] == (
        "*Ashcroft v. Iqbal*, 556 U.S. 662, 678 (2009), requires more.")
    text = path.read_text(encoding="utf-8")
    assert '"*Ashcroft v. Iqbal*, 556 U.S. 662, 678 (2009), requires more."  # keep me' in text
    assert "# the court's reasoning\n" in text


def test_crlf_comments_and_a_symlink_are_kept(tmp_path):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    real = real_folder / "case.yaml"
    body = (HEAD + "  See Strike 3 Holdings, LLC v. Doe, 964 F.3d 1203, 1206 (D.C. Cir. 2020).\n"
            "# closing remark\n")
    real.write_bytes(body.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(real, 0o640)
    link = tmp_path / "case.yaml"
    link.symlink_to(real)
    result = fix(link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    data = real.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"See *Strike 3 Holdings, LLC v. Doe*, 964 F.3d 1203, 1206" in data
    assert b"# closing remark\r\n" in data
    assert os.stat(real).st_mode & 0o777 == 0o640
    assert (real_folder / "case.yaml.bak").read_bytes() == body.replace("\n", "\r\n").encode()
    assert not (tmp_path / "case.yaml.bak").exists()


def test_an_earlier_backup_is_never_overwritten(tmp_path):
    path = case_with(tmp_path, "Under Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009), more.")
    (tmp_path / "case.yaml.bak").write_text("an older backup", encoding="utf-8")
    result = fix(path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "case.yaml.bak").read_text(encoding="utf-8") == "an older backup"
    assert "Under Ashcroft v. Iqbal" in (tmp_path / "case.yaml.bak.2").read_text(encoding="utf-8")
    assert "Under *Ashcroft v. Iqbal*" in path.read_text(encoding="utf-8")


def test_json_case_files_are_fixed_in_place(tmp_path):
    data = yaml.safe_load(HEAD + "  Under Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009), more.\n")
    data["signed"]["date"] = "2021-06-04"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = fix(path)
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text(encoding="utf-8"))["discussion"].startswith(
        "Under *Ashcroft v. Iqbal*, 556 U.S. 662")


def test_quoted_folded_and_list_item_values(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(HEAD.replace("discussion: |\n", "") + (
        "introduction: 'It''s settled: Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009).'\n"
        "background: >\n"
        "  The standard is old. Bell Atl. Corp. v. Twombly, 550 U.S. 544,\n"
        "  570 (2007), says so, and Conley v. Gibson, 355 U.S. 41, 45 (1957), is gone.\n"
        "discussion:\n"
        "  - text: Erickson v. Pardus, 551 U.S. 89, 94 (2007), is per curiam.   # a comment\n"),
        encoding="utf-8")
    result = fix(path)
    assert result.exit_code == 0, result.output
    assert "italicised 4 case names" in result.stderr and "could not" not in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "introduction: 'It''s settled: *Ashcroft v. Iqbal*, 556 U.S. 662" in text
    assert "  The standard is old. *Bell Atl. Corp. v. Twombly*, 550 U.S. 544,\n" in text
    assert "  570 (2007), says so, and *Conley v. Gibson*, 355 U.S. 41, 45 (1957)" in text
    assert '  - text: "*Erickson v. Pardus*, 551 U.S. 89, 94 (2007), is per curiam."   # a ' \
           'comment\n' in text
    data = yaml.safe_load(text)
    assert data["discussion"] == [{"text": "*Erickson v. Pardus*, 551 U.S. 89, 94 (2007), is "
                                           "per curiam."}]
    assert check_case_citations(path) == []
