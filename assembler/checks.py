"""Findings over a case file or a document: sealed terms and Fed. R. Civ. P. 5.2 privacy.

Sealed-term matching folds case, applies Unicode NFKC, strips accents and collapses white
space, and reads each XML part twice: as the text a reader sees (runs joined, so a name split
across runs is still found) and as raw markup (attribute values, relationship targets).
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .case import Case

# Words too common to count as a significant part of a name on their own.
_NAME_NOISE = {"the", "and", "of", "jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr",
               "llc", "inc", "corp", "co", "ltd", "llp", "lp", "pc", "na", "de", "la", "van",
               "von", "der", "del", "da", "di", "le", "st"}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must look at, with where it is."""

    level: str      # "error" or "warning"
    code: str       # e.g. "sealed-term", "ssn", "birth-date"
    where: str      # "case.yaml:41: background" or "word/footnotes.xml: paragraph 3"
    message: str
    offset: int | None = field(default=None, compare=False)
    subject: str = field(default="", compare=False)  # a sealed term's label, for LeakError

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message} [{self.code}]"


_SPACES = re.compile(r"\s+")
_STRAIGHT_QUOTES = str.maketrans("‘’“”", "''\"\"")


def normalize(text: str) -> str:
    """Case-folded, NFKC, accent-free text with single spaces."""
    if not text.isascii():
        # Typographic quotes fold to straight ones: prose prints "O'Brien" as "O’Brien".
        text = text.translate(_STRAIGHT_QUOTES)
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    return _SPACES.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class SealedTerm:
    """A normalized sealed term and a label that says whose it is without saying it."""

    pattern: re.Pattern[str]
    label: str


def sealed_terms(case: Case) -> list[SealedTerm]:
    """Each sealed name, and each significant part of it that is not public anyway."""
    public_words: set[str] = set()
    for party in [*case.plaintiffs, *case.defendants]:
        public_words.update(normalize(party.name).split())
        if party.short_name:
            public_words.update(normalize(party.short_name).split())
    public_words.update(normalize(case.judge.name).split())
    terms: list[SealedTerm] = []
    for side, parties in (("plaintiffs", case.plaintiffs), ("defendants", case.defendants)):
        for index, party in enumerate(parties):
            if not party.sealed_name:
                continue
            whole = normalize(party.sealed_name)
            label = f"the sealed name of {side}.{index}"
            pieces = [(whole, label)]
            for number, word in enumerate(re.findall(r"[^\W_]+", whole), start=1):
                if len(word) >= 3 and word not in _NAME_NOISE and word not in public_words:
                    pieces.append((word, f"part {number} of {label}"))
            terms.extend(SealedTerm(_name_pattern(text), what) for text, what in pieces)
    return terms


def _name_pattern(normalized: str) -> re.Pattern[str]:
    """A whole-word pattern for a normalized name, whatever white space runs between words."""
    body = r"\s*".join(re.escape(w) for w in normalized.split(" "))
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


_BREAKS = re.compile(r"<w:(?:tab|br|cr)\b[^>]*/>")
_TAGS = re.compile(r"<[^>]+>")


_BETWEEN_TAGS = re.compile(r">([^<]+)<")


def _reader_text(xml: str) -> str:
    """What a reader sees: runs joined, a line per paragraph, breaks and tabs as spaces.

    (The character data between tags, collected rather than the tags deleted: a document
    has more tags than pieces of text.)
    """
    marked = _BREAKS.sub(" ", xml.replace("</w:p>", "</w:p>\n"))
    return html.unescape("".join(_BETWEEN_TAGS.findall(f">{marked}<")))


def _xml_views(xml: str) -> Iterator[str]:
    yield _reader_text(xml)   # a name split across runs is whole here
    yield html.unescape(xml)  # the raw markup, attribute values included


def scan_texts(texts: Iterable[tuple[str, str]], terms: list[SealedTerm]) -> list[Finding]:
    """Sealed-term findings over (where, text) pairs."""
    findings = []
    for where, text in texts:
        folded = normalize(text)
        for term in terms:
            if term.pattern.search(folded):
                findings.append(Finding("error", "sealed-term", where,
                                        f"{term.label} appears here", subject=term.label))
    return findings


def scan_package(parts: dict[str, bytes], terms: list[SealedTerm],
                 file_name: str | None = None) -> list[Finding]:
    """Scan every part of a package (and the file name) for sealed terms."""
    if not terms:
        return []
    texts: list[tuple[str, str]] = []
    for name, data in parts.items():
        texts.append((f"part name {name}", name))
        try:
            xml = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # images and other binary parts hold no text we write
        texts.extend((name, view) for view in _xml_views(xml))
    if file_name is not None:
        texts.append(("the output file name", file_name))
    findings: dict[tuple[str, str], Finding] = {}
    for finding in scan_texts(texts, terms):
        findings.setdefault((finding.where, finding.message), finding)
    return list(findings.values())


# ---- Rule 5.2 ------------------------------------------------------------------------------

_SSN = re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}(?!\d)")
_TAX_CONTEXT = re.compile(r"\b(ssn|social security|tin|taxpayer|tax id|ein|itin)\b", re.I)
_NINE = re.compile(r"(?<![\d-])\d{9}(?![\d-])")
_EIN = re.compile(r"(?<![\d-])\d{2}-\d{7}(?![\d-])")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = (rf"(?:(?:{_MONTHS})\.? \d{{1,2}}, \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|"
         rf"\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}})")
_BIRTH = re.compile(rf"\b(born|birth ?date|date of birth|d\.?o\.?b\.?)\b[^.;\n]{{0,25}}?{_DATE}",
                    re.I)
_ACCOUNT = re.compile(r"\b(account|acct|card|routing|iban|a/c)\b[^;\n]{0,30}?((?:\d[ -]?){5,}\d)",
                      re.I)
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


_NOT_DIGIT = re.compile(r"\D")
_CLUSTER = re.compile(r"[0-9][0-9 /,.-]{3,}")  # where any of the numbers above could be


def _number_windows(text: str) -> Iterator[tuple[int, str, int]]:
    """Stretches of text around each run of four or more digits (with some words before it).

    Scanning the whole text with every pattern is slow in Python's re; numbers are rare, so
    the patterns run only where a number is.
    """
    last_end = -1
    for cluster in _CLUSTER.finditer(text):
        digits = sum(map(str.isdigit, cluster.group()))
        if digits < 4:
            continue
        start = max(0, cluster.start() - 60, last_end)
        while start > 0 and not text[start - 1].isspace() and start > cluster.start() - 80:
            start -= 1  # do not cut a keyword in half
        end = min(len(text), cluster.end() + 1)
        last_end = end
        yield start, text[start:end], digits


def privacy_findings(text: str, where: str, minors: Iterable[str] = ()) -> list[Finding]:
    """Rule 5.2(a): SSNs and taxpayer numbers, full birth dates, financial-account numbers
    beyond the last four digits, and minors' names."""
    found: dict[tuple[str, int], Finding] = {}

    def add(code: str, offset: int, message: str) -> None:
        found.setdefault((code, offset), Finding("error", code, where, message, offset))

    # Cheap substring tests first: each pattern below runs only where it could match.
    low = text.lower()
    tax_context: bool | None = None  # looked up only once a nine-digit number turns up
    maybe_birth = any(word in low for word in ("born", "birth", "dob", "d.o.b"))
    maybe_account = any(word in low for word in ("account", "acct", "card", "routing", "iban",
                                                  "a/c"))
    for base, window, digits in _number_windows(text):
        long_number = digits >= 9
        if long_number:
            for match in _SSN.finditer(window):
                add("ssn", base + match.start(), "a full Social Security number "
                    f"(…-{match.group()[-4:]}); Rule 5.2(a)(1) allows the last four digits")
        nine_digits = [*_NINE.finditer(window), *_EIN.finditer(window)] if long_number else []
        if nine_digits and tax_context is None:
            tax_context = bool(_TAX_CONTEXT.search(text))
        if tax_context:
            for match in nine_digits:
                add("tin", base + match.start(), "a full taxpayer-identification number "
                    f"(…{match.group()[-4:]}); Rule 5.2(a)(1) allows the last four")
        if maybe_birth:
            for match in _BIRTH.finditer(window):
                add("birth-date", base + match.start(), "a full date of birth; Rule 5.2(a)(2) "
                    "allows the year only")
        accounts = set()
        if not (maybe_account or long_number):
            continue
        for match in _ACCOUNT.finditer(window) if maybe_account else ():
            number = _NOT_DIGIT.sub("", match.group(2))
            if len(number) > 4:
                accounts.add(base + match.start(2))
                add("account-number", base + match.start(2), "a financial-account number "
                    f"(…{number[-4:]}); Rule 5.2(a)(4) allows the last four digits")
        for match in _CARD.finditer(window) if long_number else ():
            number = _NOT_DIGIT.sub("", match.group())
            offset = base + match.start()
            if (offset not in accounts and ("account-number", offset) not in found
                    and 13 <= len(number) <= 19 and _luhn(number)):
                add("account-number", offset, "what looks like a payment-card number "
                    f"(…{number[-4:]}); Rule 5.2(a)(4) allows the last four")
    result = sorted(found.values(), key=lambda f: f.offset or 0)
    for name in minors:
        pattern = _name_pattern(normalize(name))
        for line_start, line in _lines_with_offsets(text):
            if pattern.search(normalize(line)):
                result.append(Finding("error", "minor-name", where, "the name of a party marked "
                                      "as a minor; Rule 5.2(a)(3) allows initials only",
                                      line_start))
    return result


def _lines_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def minor_names(case: Case) -> list[str]:
    return [p.name for p in [*case.plaintiffs, *case.defendants] if p.minor]


# ---- whole documents -----------------------------------------------------------------------

_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")


def _paragraphs(xml: str) -> list[str]:
    """Each paragraph's text (paragraphs never contain a newline of their own)."""
    return _reader_text(xml).split("\n")[:-1] if "</w:p>" in xml else []


# The last findings for each part: a batch's headers, footers and footnotes are usually the
# same bytes order after order, and their findings are then the same too.
_LAST_PART: dict[tuple[str, tuple[str, ...]], tuple[bytes, list[Finding]]] = {}


def package_privacy_findings(parts: dict[str, bytes], minors: Iterable[str] = ()) -> list[Finding]:
    """Rule 5.2 findings over the text of every text-bearing part, by paragraph."""
    minors = tuple(minors)
    found: list[Finding] = []
    for name in sorted(parts):
        if not _TEXT_PARTS.match(name):
            continue
        last = _LAST_PART.get((name, minors))
        if last is not None and last[0] == parts[name]:
            found.extend(last[1])
            continue
        part_findings = _part_privacy_findings(name, parts[name], minors)
        if len(_LAST_PART) > 64:  # a long-lived process rendering many different cases
            _LAST_PART.clear()
        _LAST_PART[(name, minors)] = (parts[name], part_findings)
        found.extend(part_findings)
    core = parts.get("docProps/core.xml")
    if core:
        found.extend(privacy_findings(html.unescape(_TAGS.sub(" ", core.decode())),
                                      "docProps/core.xml", minors))
    return found


def _part_privacy_findings(name: str, data: bytes, minors: tuple[str, ...]) -> list[Finding]:
    # One pass over the part's text; each finding is then placed in its paragraph.
    paragraphs = _paragraphs(data.decode("utf-8"))
    starts, offset = [], 0
    for text in paragraphs:
        starts.append(offset)
        offset += len(text) + 1
    found = []
    for finding in privacy_findings("\n".join(paragraphs), name, minors):
        number = bisect.bisect_right(starts, finding.offset or 0)
        found.append(Finding(finding.level, finding.code, f"{name}: paragraph {number}",
                             finding.message))
    return found


def metadata_findings(parts: dict[str, bytes]) -> list[Finding]:
    """What a template author's machine can leave in a .docx."""
    found = []
    core = parts.get("docProps/core.xml", b"").decode("utf-8", "replace")
    for tag, what in (("dc:creator", "an author"), ("cp:lastModifiedBy", "a last-modified-by name")):
        match = re.search(rf"<{tag}>([^<]+)</{tag}>", core)
        if match and match.group(1).strip():
            found.append(Finding("warning", "metadata", "docProps/core.xml",
                                 f"the document names {what}"))
    if any(n.startswith("docProps/thumbnail") for n in parts):
        found.append(Finding("warning", "metadata", "docProps/thumbnail",
                             "the document carries a thumbnail picture of its first page"))
    if any(n.startswith("customXml/") for n in parts):
        found.append(Finding("warning", "metadata", "customXml/", "the document carries custom XML"))
    settings = parts.get("word/settings.xml", b"").decode("utf-8", "replace")
    if "<w:attachedTemplate" in settings or "<w:mailMerge" in settings:
        found.append(Finding("warning", "metadata", "word/settings.xml",
                             "the document names its template or a mail-merge data source"))
    for name in parts:
        if _TEXT_PARTS.match(name):
            xml = parts[name].decode("utf-8", "replace")
            if re.search(r"<w:(ins|del) ", xml):
                found.append(Finding("error", "tracked-changes", name,
                                     "the document holds tracked changes"))
            if "<w:commentReference" in xml:
                found.append(Finding("error", "comments", name, "the document holds comments"))
    return found


# ---- what `assembler check` reads -----------------------------------------------------------

def _text_values(data: object, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _text_values(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _text_values(value, path + (index,))
    elif isinstance(data, str):
        yield path, data


def check_case_file(path: Path) -> list[Finding]:
    """Rule 5.2 and sealed-term findings over a case file's public text, with lines."""
    from .case import validate_case
    from .rawdata import read_data_file

    located = read_data_file(path)
    case = validate_case(located)
    terms = sealed_terms(case)
    minors = minor_names(case)
    found: list[Finding] = []
    for field_path, text in _text_values(located.data):
        if field_path[-1:] == ("sealed_name",):
            continue
        dotted = ".".join(str(p) for p in field_path)
        is_minor_name = (field_path[-1:] == ("name",) and text in minors)
        for finding in privacy_findings(text, dotted, [] if is_minor_name else minors):
            line = located.text_line(field_path, finding.offset or 0)
            found.append(Finding(finding.level, finding.code, f"{path}:{line}: {dotted}",
                                 finding.message))
        folded = normalize(text)
        for term in terms:
            if term.pattern.search(folded):
                lines = text.split("\n")
                hit = next((n for n, piece in enumerate(lines)
                            if term.pattern.search(normalize(piece))), 0)
                line = located.text_line(field_path, len("\n".join(lines[:hit])) + (hit > 0))
                found.append(Finding("error", "sealed-term", f"{path}:{line}: {dotted}",
                                     f"{term.label} appears in text the public version prints"))
    return found


def check_docx(path: Path, case: Case | None = None) -> list[Finding]:
    """Metadata, Rule 5.2 and (given the case) sealed-term findings over a .docx."""
    from .docx import read_package

    parts = read_package(path).parts
    found = metadata_findings(parts)
    found.extend(package_privacy_findings(parts, minor_names(case) if case else ()))
    if case is not None:
        found.extend(scan_package(parts, sealed_terms(case), path.name))
    return [Finding(f.level, f.code, f"{path}: {f.where}", f.message) for f in found]


def check_pdf(path: Path, case: Case | None = None) -> list[Finding]:
    """Rule 5.2 and (given the case) sealed-term findings over a PDF's text and metadata."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    minors = minor_names(case) if case else []
    terms = sealed_terms(case) if case else []
    found: list[Finding] = []
    texts = [(f"page {n}", page.extract_text() or "") for n, page in
             enumerate(reader.pages, start=1)]
    info = reader.metadata or {}
    texts.append(("document information", " ".join(str(v) for v in info.values())))
    texts.append(("the file name", path.name))
    for where, text in texts:
        found.extend(privacy_findings(text, where, minors))
    found.extend(scan_texts(texts, terms))
    return [Finding(f.level, f.code, f"{path}: {f.where}", f.message) for f in found]
