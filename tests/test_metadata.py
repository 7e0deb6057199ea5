"""What a written .docx carries: nothing of the template author, everything of provenance."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile

import docx
import pytest

from assembler import load_case, render_order
from assembler.errors import TemplateError
from assembler.resources import default_template

from conftest import ROOT, SEED, make_template, part_names, read_part


def _rewrite(path, edit):
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def dirty_template(tmp_path):
    """The bundled template as an author's machine would leave it."""
    path = tmp_path / "dirty.docx"
    document = docx.Document(str(default_template()))
    document.core_properties.author = "Clerk Workstation 7"
    document.core_properties.last_modified_by = "jsmith"
    document.core_properties.comments = "draft"
    document.save(str(path))

    def edit(parts):
        parts["docProps/thumbnail.jpeg"] = b"\xff\xd8\xff\xe0 fake jpeg"
        parts["customXml/item1.xml"] = b"<secret>C:\\Users\\jsmith\\cases.xlsx</secret>"
        settings = parts["word/settings.xml"].decode()
        settings = settings.replace(
            "<w:zoom", '<w:attachedTemplate r:id="rId99"/><w:mailMerge><w:dataSource '
            'r:id="rId98"/></w:mailMerge><w:rsids><w:rsidRoot w:val="00AB12CD"/></w:rsids>'
            '<w:docVars><w:docVar w:name="x" w:val="C:\\Users\\jsmith"/></w:docVars><w:zoom', 1)
        parts["word/settings.xml"] = settings.encode()
        parts["word/_rels/settings.xml.rels"] = (
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package'
            b'/2006/relationships"><Relationship Id="rId99" Type="http://schemas.openxmlformats.org'
            b'/officeDocument/2006/relationships/attachedTemplate" Target="file:///C:/Users/jsmith'
            b'/Normal.dotm" TargetMode="External"/></Relationships>')
        body = parts["word/document.xml"].decode()
        parts["word/document.xml"] = body.replace("<w:p>", '<w:p w:rsidR="00AB12CD" '
                                                  'w14:paraId="1A2B3C4D">', 3).encode()

    _rewrite(path, edit)
    return path


def test_author_traces_are_gone(tmp_path):
    data = render_order(load_case(SEED), case_dir=SEED.parent,
                        template=dirty_template(tmp_path)).data
    names = part_names(data)
    assert not any(n.startswith(("customXml/", "docProps/thumbnail")) for n in names)
    assert "word/_rels/settings.xml.rels" not in names
    everything = "".join(read_part(data, n) for n in names if n.endswith((".xml", ".rels")))
    for trace in ("jsmith", "Clerk Workstation", "00AB12CD", "1A2B3C4D", "attachedTemplate",
                  "mailMerge", "docVar", "draft", "python-docx"):
        assert trace not in everything, trace
    assert "thumbnail" not in read_part(data, "_rels/.rels")


def test_core_properties_come_from_the_case(seed_docx):
    core = docx.Document(io.BytesIO(seed_docx)).core_properties
    assert core.title == "ORDER DENYING MOTION FOR DEFAULT JUDGMENT"
    assert core.author in ("", None) and core.last_modified_by in ("", None)
    assert core.created.date().isoformat() == "2020-08-13"
    assert core.modified.date().isoformat() == "2020-08-13"
    app = read_part(seed_docx, "docProps/app.xml")
    assert "<Company>" not in app and "<Template>" not in app


def test_provenance_is_recorded_without_the_data(seed_docx):
    custom = read_part(seed_docx, "docProps/custom.xml")
    props = dict(re.findall(r'name="([^"]+)"><vt:lpwstr>([^<]*)</vt:lpwstr>', custom))
    from assembler import __version__
    assert props["assembler.version"] == __version__
    template_hash = hashlib.sha256(default_template().read_bytes()).hexdigest()
    assert props["assembler.template"] == f"order.docx sha256:{template_hash}"
    clauses = dict(item.split(" sha256:") for item in props["assembler.clauses"].split("; "))
    assert set(clauses) == {"sealing/footnote", "default-judgment/denied-without-prejudice"}
    jam = ROOT / "fixtures/chambers/jam/clauses/sealing/footnote.md"
    assert clauses["sealing/footnote"] == hashlib.sha256(jam.read_bytes()).hexdigest()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", props["assembler.case"])
    assert "Malibu" not in custom and "Voss" not in custom


@pytest.mark.parametrize("inject, message", [
    ('<w:ins w:id="1" w:author="a" w:date="2020-01-01T00:00:00Z"><w:r><w:t>x</w:t></w:r></w:ins>',
     "tracked changes"),
    ('<w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden</w:t></w:r>', "hidden text"),
    ('<w:commentRangeStart w:id="0"/><w:r><w:t>x</w:t></w:r><w:commentRangeEnd w:id="0"/>',
     "comments"),
])
def test_templates_with_drafting_residue_are_refused(tmp_path, inject, message):
    path = make_template(tmp_path / "t.docx", ["Text"])

    def edit(parts):
        body = parts["word/document.xml"].decode()
        parts["word/document.xml"] = body.replace("<w:t>Text</w:t></w:r>",
                                                  "<w:t>Text</w:t></w:r>" + inject, 1).encode()

    _rewrite(path, edit)
    with pytest.raises(TemplateError, match=message):
        render_order(load_case(SEED), case_dir=SEED.parent, template=path)


def _digest_in_subprocess(tmp_path, tz, folder):
    folder.mkdir()
    code = ("import hashlib,sys; from pathlib import Path; from assembler import load_case, "
            "render_order; p=Path(sys.argv[1]); "
            "print(hashlib.sha256(render_order(load_case(p), case_dir=p.parent).data).hexdigest())")
    env = dict(os.environ, TZ=tz, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code, str(SEED)], cwd=folder, env=env,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_identical_bytes_across_processes_time_zones_and_folders(tmp_path, seed_docx):
    first = _digest_in_subprocess(tmp_path, "America/Los_Angeles", tmp_path / "a")
    second = _digest_in_subprocess(tmp_path, "Asia/Tokyo", tmp_path / "b")
    assert first == second == hashlib.sha256(seed_docx).hexdigest()
    with zipfile.ZipFile(io.BytesIO(seed_docx)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist()[0] == "[Content_Types].xml"
