"""A template or chambers folder handed over by someone else carries nothing risky into the
orders made from it: each risky part is refused by render and reported by lint, named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from assembler.cli import main
from assembler.docx import package as package_module
from assembler.resources import default_template

from conftest import SEED

RELS = "word/_rels/document.xml.rels"


def _variant(tmp_path: Path, change) -> Path:
    """A copy of the bundled template with `change(parts)` applied to its parts."""
    with zipfile.ZipFile(default_template()) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    change(parts)
    path = tmp_path / "risky.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def _add_relationship(kind: str, target: str, external: bool = True):
    def change(parts):
        mode = ' TargetMode="External"' if external else ""
        rel = (f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
               f'officeDocument/2006/relationships/{kind}" Target="{target}"{mode}/>')
        parts[RELS] = parts[RELS].replace(b"</Relationships>", rel.encode() + b"</Relationships>")
    return change


def _in_part(part: str, old: bytes, new: bytes):
    def change(parts):
        assert old in parts[part]
        parts[part] = parts[part].replace(old, new, 1)
    return change


def _with_entry(name: str, data: bytes = b"x"):
    def change(parts):
        parts[name] = data
    return change


BODY = "word/document.xml"
CASES = [
    (_add_relationship("image", "http://198.51.100.7/beacon.png"), RELS, "points outside"),
    (_add_relationship("attachedTemplate", "file://server/share/normal.dotm"), RELS,
     "attached template"),
    (_with_entry("word/_rels/settings.xml.rels", (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        'Target="file://fileserver.example/templates/Normal.dotm" TargetMode="External"/>'
        '</Relationships>').encode()), "word/_rels/settings.xml.rels", "another machine"),
    (_add_relationship("aFChunk", "chunk.html", external=False), RELS, "altChunk"),
    (_with_entry("word/vbaProject.bin"), "word/vbaProject.bin", "macros"),
    (_with_entry("word/activeX/activeX1.xml", b"<ax/>"), "word/activeX/activeX1.xml", "ActiveX"),
    (_with_entry("word/embeddings/oleObject1.bin"), "word/embeddings/oleObject1.bin",
     "embedded"),
    (_with_entry("word/glossary/document.xml", b"<w:glossaryDocument/>"),
     "word/glossary/document.xml", "glossary"),
    (_with_entry("../../outside.xml", b"<x/>"), "../../outside.xml", "leaves the package"),
    (_with_entry("/etc/absolute.xml", b"<x/>"), "/etc/absolute.xml", "leaves the package"),
    (_in_part(BODY, b"?>", b'?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/hostname">]>'),
     BODY, "DOCTYPE"),
    (_in_part(BODY, b"<w:r>", b"<w:r><w:rPr><w:specVanish/></w:rPr>"), BODY, "hidden text"),
    (_in_part(BODY, b"<w:r>", b"<w:r><w:rPr><w:webHidden/></w:rPr>"), BODY, "hidden text"),
    (_in_part(BODY, b"{{ title }}", b"{{ title|safe }}"), BODY, "|safe"),
]


@pytest.mark.parametrize("change, part, reason", CASES)
def test_each_risky_template_part_is_refused_by_render_and_reported_by_lint(
        tmp_path, change, part, reason):
    template = _variant(tmp_path, change)
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(SEED), "--template", str(template),
                                       "-o", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and part in errors[0] and reason in errors[0], result.output
    assert not out.exists()
    for command in (["lint", str(template)], ["check", str(template)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        assert part in result.output and reason in result.output, result.output


def test_a_hyperlink_is_not_refused(tmp_path):
    template = _variant(tmp_path, _add_relationship("hyperlink", "https://www.ctd.uscourts.gov/"))
    result = CliRunner().invoke(main, ["lint", str(template)])
    assert "points outside" not in result.output


def test_zip_members_are_read_with_a_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(package_module, "MAX_PART_BYTES", 1 << 20)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/big.bin", b"\0" * (4 << 20))
    with pytest.raises(package_module.PackageTooLarge, match="word/media/big.bin"):
        package_module.read_package(bomb.getvalue())
