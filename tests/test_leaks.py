"""Sealed names and minors' names never reach a public version, however they are written,
and the public version reveals nothing about them (issue 11)."""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assembler import load_case, render_order
from assembler.case import Case
from assembler.checks import minor_terms, sealed_terms
from assembler.cli import main
from assembler.errors import LeakError

from conftest import SEED, document_text

SEALED_WORDS = ("quentin", "ardley", "voss")


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_refused(result, out: Path, *, where: str | None = None, words=SEALED_WORDS):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    if where:
        assert where in errors[0], errors[0]
    for word in words:  # the error says where, never what
        assert word not in result.output.lower(), result.output
    assert not out.exists() and not out.with_suffix(".pdf").exists()


# ---- every way of writing the name ---------------------------------------------------------

@pytest.mark.parametrize("prose", [
    "Mr. Vo\u00adss was served.",           # soft hyphen
    "Mr. Vo\u200bss was served.",           # zero-width space
    "Mr. Vo\u200dss was served.",           # zero-width joiner
    "Mr. Vo\u200css was served.",           # zero-width non-joiner
    "Mr. Vo\u2060ss was served.",           # word joiner
    "Mr. Vo\ufeffss was served.",           # BOM
    "Mr. Vo\u200ess was served.",           # left-to-right mark
    "Mr. \u202essoV\u202c was served.",     # reversed behind a right-to-left override
    "Mr. V\u043ess was served.",            # Cyrillic о
    "Quent\u0131n was served.",             # dotless ı
    "Service on QuentinVoss.",              # joined words
    "Served on MRVoss.",                    # joined to capitals
    "The account Voss1984 was used.",       # joined to digits
    "Mail went to qvoss@example.com.",      # in an e-mail address
    "Mr. V0ss was served.",                 # a zero for an o
    "V O S S was served.",                  # letter-spaced
    "QUENTIN\u2060VOSS was served.",        # capitals, joined by a word joiner
])
def test_every_spelling_of_a_sealed_name_is_refused(tmp_path, prose):
    out = tmp_path / "o.docx"
    result = cli("render", SEED, "-o", out, "--set", f"background={prose}")
    assert_refused(result, out, where="word/document.xml")


@pytest.mark.parametrize("setting, where", [
    ("background=Served.[^n]\n\n[^n]: On Mr. Vo\u00adss.", "word/footnotes.xml"),
    ("case_number=3:18-cv-Vo\u00adss", "word/document.xml"),
    ("defendants.0.ip_address=fe80::1%Voss", "word/document.xml"),
])
def test_sealed_names_are_found_in_footnotes_case_numbers_and_addresses(tmp_path, setting,
                                                                        where):
    out = tmp_path / "o.docx"
    assert_refused(cli("render", SEED, "-o", out, "--set", setting), out, where=where)


def test_a_sealed_name_in_an_output_folder_is_refused(tmp_path):
    folder = tmp_path / "Vo\u00adss-papers"
    folder.mkdir()
    out = folder / "order.docx"
    assert_refused(cli("render", SEED, "-o", out), out, where="the output path")
    assert list(folder.iterdir()) == []


def test_short_parts_in_name_positions(tmp_path):
    case = load_case(SEED, ["defendants.0.sealed_name=Ming Li"])
    terms = sealed_terms(case)
    for text in ("Mr. Li was served.", "Ms. Li", "M. Li", "Li, Ming", "MingLi"):
        assert terms.find(text), text
    for text in ("the lithium light", "a li", "Li", "Mr. Lin"):
        assert not terms.find(text), text
    with pytest.raises(LeakError):
        render_order(load_case(SEED, ["defendants.0.sealed_name=Ming Li",
                                      "background=Mr. Li was served."]), case_dir=SEED.parent)


def test_a_term_shared_with_a_public_name_stays_a_term_elsewhere(tmp_path):
    judge = ["judge.name=Jeffrey Voss Meyer"]
    order = render_order(load_case(SEED, judge), case_dir=SEED.parent)  # the judge signs
    assert "Jeffrey Voss Meyer" in document_text(order.data)
    with pytest.raises(LeakError):
        render_order(load_case(SEED, [*judge, "background=Voss was served."]),
                     case_dir=SEED.parent)
    terms = sealed_terms(load_case(SEED, judge))
    assert not terms.find("JEFFREY VOSS MEYER, United States District Judge")
    assert terms.find("Judge Jeffrey Voss Meyer served Voss.")
    assert terms.find("Judge Voss")
    # A public name holding the whole sealed name exempts nothing of it.
    trust = sealed_terms(load_case(SEED, ["plaintiffs.0.name=Quentin Ardley Voss Trust"]))
    assert trust.find("the Quentin Ardley Voss Trust moved")
    # A public name that is the sealed surname exempts nothing: it is the slip itself.
    assert sealed_terms(load_case(SEED, ["defendants.0.short_name=Voss"])).find("Voss erred.")


# ---- minors --------------------------------------------------------------------------------

MINOR_CASE = {
    "court": "ctd", "case_number": "3:24-cv-00077", "judge": {"name": "Ada Fictional"},
    "plaintiffs": [{"name": "Northwind Pictures, LLC"}],
    "defendants": [{"name": "Alice Beth Carter", "minor": True}],
    "motion": {"kind": "default_judgment", "doc": 12}, "ruling": {"outcome": "denied"},
    "signed": {"place": "Hartford", "date": "2021-06-04"},
}


def write_case(tmp_path: Path, data: dict, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("setting", [
    "background=Alice B. Carter was fifteen.",
    "background=Carter was fifteen.",
    "background=Alice was fifteen.",
    "background=Ca\u00adrter was fifteen.",
    "case_number=3:24-cv-Alice-Beth-Carter",
])
def test_every_part_of_a_minors_name_is_refused(tmp_path, setting):
    case = write_case(tmp_path, MINOR_CASE)
    out = tmp_path / "o.docx"
    result = cli("render", case, "-o", out, "--set", setting)
    assert_refused(result, out, words=("alice", "carter"))
    assert "minor" in result.output


def test_a_minor_appears_by_initials_and_the_check_agrees(tmp_path):
    case = write_case(tmp_path, MINOR_CASE)
    data = render_order(load_case(case)).data
    assert "A.B.C.," in document_text(data)
    docx = tmp_path / "o.docx"
    docx.write_bytes(data)
    assert cli("check", docx, "--case", case).exit_code == 0
    assert not minor_terms(load_case(case)).find(document_text(data))


# ---- no oracle, names apart ------------------------------------------------------------------

def test_public_bytes_do_not_depend_on_the_sealed_name():
    first = render_order(load_case(SEED), case_dir=SEED.parent).data
    other = render_order(load_case(SEED, ["defendants.0.sealed_name=Odile Brenner Haas"]),
                         case_dir=SEED.parent).data
    assert first == other
    sealed = render_order(load_case(SEED), case_dir=SEED.parent, sealed=True)
    assert sealed.output_name == "3-18-cv-01369-order-sealed.docx"
    with zipfile.ZipFile(io.BytesIO(sealed.data)) as archive:
        assert b"sealed" in archive.read("docProps/custom.xml")


def test_public_bytes_do_not_depend_on_a_minors_name(tmp_path):
    one = render_order(load_case(write_case(tmp_path, MINOR_CASE))).data
    other = dict(MINOR_CASE, defendants=[{"name": "Anna Bea Cole", "minor": True}])
    assert render_order(load_case(write_case(tmp_path, other, "b.yaml"))).data == one


def test_sealed_and_public_default_names_differ(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("render", SEED).exit_code == 0
    assert cli("render", SEED, "--sealed").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "3-18-cv-01369-order-sealed.docx", "3-18-cv-01369-order.docx"]


BASE = SEED.parent.parent / "batches" / "early-discovery.yaml"


def test_a_refused_batch_row_leaves_nothing_identifying_in_the_manifest(tmp_path):
    base = yaml.safe_load(BASE.read_text())
    base["defendants"][0]["sealed_name"] = "Quentin Ardley Voss"
    base["signed"]["date"] = "2023-03-01"
    base_path = write_case(tmp_path, base, "base.yaml")
    rows = tmp_path / "rows.csv"
    rows.write_text("case_number,defendants.0.ip_address,isp,motion.doc\n"
                    "3:23-cv-01100,192.0.2.10,Example Broadband Co.,5\n"
                    "3:23-cv-Vo\u00adss,192.0.2.11,Example Broadband Co.,5\n"
                    "3:23-cv-01102,192.0.2.12,Vo\u200bss Cable,5\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli("batch", rows, "--base", base_path, "-o", out, "-j", 1)
    assert result.exit_code == 1
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig")
    entries = list(csv.DictReader(io.StringIO(manifest)))
    assert [e["status"] for e in entries] == ["ok", "failed", "failed"]
    assert entries[0]["version"] == "public"
    assert "voss" not in manifest.lower().replace("\u00ad", "").replace("\u200b", "")
    assert entries[1]["case_number"] == "" and entries[2]["case_number"] == ""
    assert sorted(p.name for p in out.glob("*.docx")) == ["3-23-cv-01100-order.docx"]


# ---- check reports what render refuses -------------------------------------------------------

def test_check_reports_hidden_spellings_in_a_case_file(tmp_path):
    data = yaml.safe_load(SEED.read_text())
    data["chambers"] = str((SEED.parent / data["chambers"]).resolve())
    data["background"] = "Service was made.\n\nMr. Vo\u00adss answered."
    case = write_case(tmp_path, data)
    result = cli("check", case)
    assert result.exit_code == 1
    assert f"{case}:" in result.output and "background: error: part 3 of the sealed name" \
        in result.output
    assert "voss" not in result.output.lower()


def test_check_reports_a_docx_and_a_pdf(tmp_path):
    from pypdf import PdfWriter

    sealed = render_order(load_case(SEED), case_dir=SEED.parent, sealed=True).data
    docx = tmp_path / "order.docx"
    docx.write_bytes(sealed)
    result = cli("check", docx, "--case", SEED)
    assert result.exit_code == 1 and "[sealed-term]" in result.output
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_metadata({"/Title": "Order on Mr. \u202essoV\u202c"})
    pdf = tmp_path / "order.pdf"
    with pdf.open("wb") as handle:
        writer.write(handle)
    result = cli("check", pdf, "--case", SEED)
    assert result.exit_code == 1 and "document information" in result.output
    assert "voss" not in result.output.lower()


# ---- property ---------------------------------------------------------------------------------

INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u034f"
CONFUSABLE = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440",
              "x": "\u0445"}
# Sealed names and the prose around them share no letter, so only the name can match.
WORD = st.text(alphabet="abcdefgkopqvxz", min_size=4, max_size=8).map(str.title)


@st.composite
def disguised(draw, word: str) -> str:
    """`word` with format characters, look-alike letters and case changes put into it."""
    out = []
    for char in word:
        if draw(st.booleans()) and char.lower() in CONFUSABLE:
            char = CONFUSABLE[char.lower()]
        elif draw(st.booleans()):
            char = char.swapcase()
        out.append(char)
        if draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    text = "".join(out)
    if draw(st.integers(0, 4)) == 0:
        text = f"\u202e{text[::-1]}\u202c"
    return text


PROSE = st.text(alphabet="hijlmnrstuwy ,.", max_size=60)


def _case(sealed: str, background: str) -> Case:
    return Case.model_validate({
        "court": "ctd", "case_number": "3:24-cv-00088", "judge": {"name": "Ada Fictional Lane"},
        "plaintiffs": [{"name": "Northwind Pictures, LLC"}],
        "defendants": [{"name": "John Doe", "pseudonym": True, "sealed_name": sealed}],
        "sealing": {"order_doc": 4},
        "motion": {"kind": "seal", "doc": 5}, "ruling": {"outcome": "granted"},
        "signed": {"place": "Bridgeport", "date": "2024-02-09"},
        "background": background,
    })


@functools.lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every word the order itself writes, in any part (a sealed name that is one of them,
    "Order" or "Docx", is refused in every order, rightly: that is not what this tests)."""
    order = render_order(_case("Qxq Zxz", "lily"))
    with zipfile.ZipFile(io.BytesIO(order.data)) as archive:
        text = " ".join(archive.read(n).decode("utf-8", "replace") + " " + n
                        for n in archive.namelist()) + " " + order.output_name
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return frozenset(re.findall(r"[a-z]+", text.lower()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), words=st.lists(WORD, min_size=2, max_size=3, unique=True),
       joiner=st.sampled_from([" ", "", "-", ".", "\u200b", "_"]),
       before=PROSE, after=PROSE, other=st.lists(WORD, min_size=2, max_size=2, unique=True))
def test_disguised_sealed_names_never_reach_the_public_version(data, words, joiner, before,
                                                               after, other):
    assume(not _vocabulary().intersection(w.lower() for w in [*words, *other]))
    sealed = " ".join(words)
    pick = data.draw(st.integers(0, len(words)))  # one part, or the whole name joined
    target = (joiner.join(words) if pick == len(words) else words[pick])
    hidden = data.draw(disguised(target))
    with pytest.raises(LeakError):
        render_order(_case(sealed, f"{before} {hidden} {after}"))
    # Without it, the public version is the same bytes whatever the sealed name.
    clean = render_order(_case(sealed, f"{before} {after}")).data
    assert render_order(_case(" ".join(other), f"{before} {after}")).data == clean
    assert not sealed_terms(_case(sealed, "")).find(document_text(clean))


def test_a_name_of_hex_letters_is_not_found_inside_a_digest_but_is_found_in_text():
    """Provenance hashes and document ids are hexadecimal: a sealed name like "Abe Dee" must
    not be "found" inside one (a public order refused at random), and still is in the text."""
    from assembler.checks import scan_package

    case = _case("Abe Dee", "lily")
    terms = sealed_terms(case)
    digest = "9f0abe1" + "0" * 50 + "dee2c3a"
    custom = (f'<Properties><property name="assembler.case"><vt:lpwstr>sha256:{digest}'
              f'</vt:lpwstr></property></Properties>').encode()
    settings_xml = b'<w:settings><w15:docId w15:val="{0ABE1234-DEE0-4C3A-9ABE-0123456789AB}"/>' \
                   b'</w:settings>'
    assert scan_package({"docProps/custom.xml": custom, "word/settings.xml": settings_xml},
                        terms) == []
    body = b"<w:document><w:p><w:r><w:t>Served on Abe1984 at home.</w:t></w:r></w:p></w:document>"
    assert scan_package({"word/document.xml": body}, terms)
