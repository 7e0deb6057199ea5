"""Cite-check: short forms, Id., pin cites, conflicting volumes, reporters, italics.

Citations are found by eyecite (Free Law Project) in the order's prose as a reader sees it:
the case file's sections and the clauses rendered for them, in reading order. Docket
citations ("Doc. #17 at 4 (¶¶ 23, 25)", "ECF No. 12") are recognised here as authorities of
their own, so an "Id." after one is in order and they are never reported as unknown.

Before eyecite reads the text, two things that are part of a citation but not of a case name
are blanked out (with `~`, same length, so every offset holds; one word, so eyecite's
backward search for the name still reaches its start): a docket number between the name and
the reporter ("Maples v. Warren, No. 12-0993, 2013 WL ...", with judges' initials such as
"(ADS) (AKT)"), and "et al." at the end of a name. Citations eyecite reports side by side with
the same case name (its own parallel-citation rule) are one authority: "Ex parte Young, 209
U.S. 123, 28 S. Ct. 441, 52 L. Ed. 714" is one case in three reporters, never a conflict.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .case import Case
from .checks import Finding
from .errors import Location
from .prose import PlainText, plain_text
from .rawdata import LocatedData

DOCKET = re.compile(r"\b(?:Docs?\.\s*#\s*\d+(?:-\d+)?(?:\s*[,;]\s*#\s*\d+(?:-\d+)?)*"
                    r"|ECF\s+Nos?\.\s*\d+(?:-\d+)?|Dkt\.\s+Nos?\.\s*\d+(?:-\d+)?)")
# A volume, an abbreviation with at least one period, a page: what a reporter citation
# looks like, for finding the ones eyecite does not know.
REPORTER_LIKE = re.compile(r"(?<![\w.§])(\d{1,4}) ((?:[A-Z][A-Za-z'’]*\.? ?|\d+(?:d|th) ?){1,5})"
                           r"(\d{1,5})(?=[,;.)]| \(| at\b|$)")
# A docket number standing between a case name and its reporter citation, with its comma.
DOCKET_IN_NAME = re.compile(
    r",\s(?:(?:Case|Civil Action|Civil|Civ\. A\.|Civ\.|Crim\.|Misc\.|Adv\. Proc\.)\s)?"
    r"Nos?\.\s?\d[\w:.\-–—/]*(?:(?:,|\s?&|\sand)\s\d[\w:.\-–—/]*)*"
    r"(?:\s?\([A-Z]{2,5}(?:[/,]\s?[A-Z]{2,5})*\))*(?=,\s\d)")
# A sentence that ends after a page or a parenthetical: eyecite's search for a case name runs
# back over earlier citations and a "(1908)" (its rule for a year before the reporter), so the
# next sentence's case would be taken for a parallel citation of the last one. A semicolon
# is where eyecite stops.
SENTENCE_END = re.compile(r"(?<=[\d)])\.(?=\s+[A-Z*\"“(])|(?<=[\d)])\.(?=\n)")
# Between two parallel citations: a comma, and the first one's pin cites.
PARALLEL_GAP = re.compile(r",(?:\s*(?:at\s+)?\*{0,2}\d+(?:\s*[-–—]\s*\d+)?(?:\s*n+\.\s*\d+)?,)*\s*")
ET_AL = re.compile(r",?\set\.? al\.(?=,)")
# Words a case name may start with that eyecite's name search stops short of.
NAME_PREFIX = re.compile(r"(?:\b(?:In re|In the Matter of|Matter of|Ex parte|Ex rel\.|"
                         r"Application of|Petition of)\s+)$")
NUMBER_IN_NAME = re.compile(r"(?:\b[A-Z][\w.&'’-]*\s+)?\d+\s+$")      # "Strike 3 Holdings"
EX_REL = re.compile(r"(?:\b[A-Z][\w.&'’-]*,?\s+){1,3}ex\s+rel\.\s+$")  # "A.M. ex rel. J.M.K."
WESTLAW = {"WL", "U.S. Dist. LEXIS", "U.S. App. LEXIS", "LEXIS"}
_NAME_NOISE = re.compile(r"\b(llc|inc|co|corp|ltd|l\.l\.c|n\.a|et al)\b\.?|[^\w\s]", re.I)


@dataclass
class _Piece:
    section: str
    kind: str            # "case" or "clause"
    origin: tuple
    plain: PlainText
    start: int           # offset of this piece in the combined text


@dataclass
class _Authority:
    label: str            # how a message names it
    kind: str             # "case", "law", "docket"
    first_page: int | None = None
    volume: str = ""
    reporter: str = ""
    names: str = ""
    year: str | None = None
    where: str = ""
    # Every (volume, reporter, first page) this authority was cited as: parallel citations.
    cites: list[tuple[str, str, int | None]] = field(default_factory=list)

    def first_page_in(self, volume: str, reporter: str) -> int | None:
        return next((p for v, r, p in self.cites if (v, r) == (volume, reporter)), None)


@lru_cache(maxsize=1)
def _known_reporters() -> frozenset[str]:
    import reporters_db

    names: set[str] = set()
    for key, entries in reporters_db.REPORTERS.items():
        names.add(key)
        for entry in entries:
            names.update(entry.get("editions", {}))
            names.update(entry.get("variations", {}))
    return frozenset(_squash(n) for n in names)


def _squash(reporter: str) -> str:
    return re.sub(r"\s+", "", reporter.replace("’", "'"))


def _case_key(names: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", names.lower()).split())


_LEADS = {"under", "again", "see", "compare", "cf.", "but", "accord", "also", "as", "and",
          "with", "following", "citing", "quoting", "in", "thus", "e.g.,", "see,", "then"}


def _strip_lead(name: str) -> str:
    """Drop the sentence's own words before a case name ("Under Ashcroft v. Iqbal")."""
    words = name.split(" ")
    while len(words) > 1 and words[0].lower().rstrip(",") in _LEADS and not (
            words[0] == "In" and words[1] == "re"):
        words.pop(0)
    return " ".join(words)


MASK = "~"


def mask_non_names(text: str) -> str:
    """The text with docket numbers inside citations and "et al." blanked (same length)."""
    def blank(match: re.Match[str]) -> str:
        return MASK * len(match.group())
    if "No" in text:
        text = DOCKET_IN_NAME.sub(blank, text)
    if "al." in text:
        text = ET_AL.sub(blank, text)
    return SENTENCE_END.sub(";", text)


TOKENIZER_ENV = "ASSEMBLER_TOKENIZER"


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """eyecite's tokenizer: Aho-Corasick (its default), or Hyperscan when
    ASSEMBLER_TOKENIZER=hyperscan and the `hyperscan` package imports.

    Measured on this machine (README, "Performance"): for one order per process, as `render`
    and `check` run, Aho-Corasick is faster, since Hyperscan must first load its compiled
    database (and compile it, about 15 s, the first time); from the second text in one
    process on, Hyperscan tokenizes faster. Its database is kept in the compile cache.
    """
    import os

    from eyecite.tokenizers import default_tokenizer

    if os.environ.get(TOKENIZER_ENV, "").strip().lower() != "hyperscan":
        return default_tokenizer
    from . import cache

    folder = cache.cache_dir()
    try:
        import hyperscan  # noqa: F401 - only whether it imports
        from eyecite.tokenizers import HyperscanTokenizer

        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        chosen = HyperscanTokenizer(cache_dir=str(folder / "hyperscan") if folder else None)
        # Compiled or loaded now, so that a failure falls back here rather than mid-check.
        return chosen if chosen.hyperscan_db is not None else default_tokenizer
    except Exception:  # hyperscan missing, a database that will not compile or load
        return default_tokenizer


def _page(text: str | None) -> int | None:
    match = re.search(r"\d+", text or "")
    return int(match.group()) if match else None


class CiteChecker:
    """Checks one order's citations; `where` turns an offset into a located message."""

    def __init__(self, pieces: list[_Piece], text: str, where: Any):
        self.pieces = pieces
        self.text = text
        self.where = where
        self.masked = mask_non_names(text)
        self.findings: list[Finding] = []
        # Case names not in italics: (offset, name, the text after it up to the citation).
        self.unitalicised: list[tuple[int, str, str]] = []

    def report(self, level: str, code: str, offset: int, message: str,
               **data: str) -> None:
        self.findings.append(Finding(level, code, self.where(offset), message, data=data))

    @staticmethod
    def _short(where: Location) -> str:
        """A case-file place -> 'line 59'; a clause's place stays as it is."""
        return f"line {where.line}" if where.line is not None else str(where)

    def run(self) -> list[Finding]:
        from eyecite import get_citations
        from eyecite.models import (FullCaseCitation, FullLawCitation, IdCitation,
                                    ShortCaseCitation, SupraCitation)

        import logging  # here: a warm render, served from the cache, never needs it

        logging.getLogger("eyecite").setLevel(logging.ERROR)  # its overlap notes are for
        citations = get_citations(self.masked, tokenizer=tokenizer())  # its developers
        dockets = list(DOCKET.finditer(self.text))
        events: list[tuple[int, str, Any]] = [(c.span()[0], "cite", c) for c in citations]
        events += [(m.start(), "docket", m) for m in dockets]
        events.sort(key=lambda e: e[0])
        covered = [c.full_span() if isinstance(c, FullCaseCitation) else c.span()
                   for c in citations] + [m.span() for m in dockets]

        full_cases: list[_Authority] = []
        previous: _Authority | None = None
        last: Any = None  # the citation just before, for eyecite's parallel-citation rule
        for offset, kind, item in events:
            if kind == "docket":
                previous = _Authority(item.group(), "docket", where=self.where(offset))
                last = None
                continue
            if isinstance(item, FullCaseCitation):
                if (isinstance(last, FullCaseCitation) and previous is not None
                        and previous.kind == "case"
                        and item.full_span_start == last.full_span_start
                        and PARALLEL_GAP.fullmatch(self.text, last.span()[1], offset)):
                    self._parallel(item, offset, previous)
                else:
                    previous = self._full_case(item, offset, full_cases)
            elif isinstance(item, ShortCaseCitation):
                previous = self._short_case(item, offset, full_cases) or previous
            elif isinstance(item, IdCitation):
                previous = self._id(item, offset, previous)
            elif isinstance(item, SupraCitation):
                self._supra(item, offset, full_cases)
            elif isinstance(item, FullLawCitation):
                previous = _Authority(item.matched_text(), "law", where=self.where(offset))
            last = item
        self._unknown_reporters(covered)
        return self.findings

    def _full_case(self, cite: Any, offset: int, full_cases: list[_Authority]) -> _Authority:
        groups, meta = cite.groups, cite.metadata
        names = " v. ".join(n.replace(MASK, "").strip() for n in (meta.plaintiff, meta.defendant)
                            if n and n.strip(MASK))
        this = _Authority(cite.matched_text(), "case", _page(groups.get("page")),
                          groups.get("volume", ""), _squash(cite.corrected_reporter()),
                          names, meta.year, self.where(offset))
        this.cites.append((this.volume, this.reporter, this.first_page))
        self._full_pin(cite, offset, this.first_page)
        key = _case_key(names)
        for earlier in full_cases:
            same_year = earlier.year == this.year or not earlier.year or not this.year
            same_name = bool(key) and _case_key(earlier.names) == key
            # Without a name, the same reporter and first page in the same year under another
            # volume is the same case with a mistyped volume.
            same_page = (not key or not earlier.names) and earlier.reporter == this.reporter \
                and earlier.first_page == this.first_page and earlier.volume != this.volume
            # One case may be cited in other reporters (parallel citations), and a database
            # number (WL, LEXIS) names a decision, not a case: many "Malibu Media, LLC v. Doe"
            # decisions share a name. A conflict is the same reporter under another volume or
            # first page.
            clash = this.reporter not in WESTLAW and any(
                r == this.reporter and (v, p) != (this.volume, this.first_page)
                for v, r, p in earlier.cites)
            if same_year and (same_page or (same_name and clash)):
                self.report("error", "cite-conflict", offset,
                            f"'{cite.matched_text()}': {earlier.names or 'the same case'} was "
                            f"cited earlier as '{earlier.label}' ({self._short(earlier.where)})")
                break
        self._italics(cite, offset)
        full_cases.append(this)
        return this

    def _parallel(self, cite: Any, offset: int, authority: _Authority) -> None:
        """A parallel citation: the same authority in another reporter."""
        first = _page(cite.groups.get("page"))
        authority.cites.append((cite.groups.get("volume", ""),
                                _squash(cite.corrected_reporter()), first))
        self._full_pin(cite, offset, first)

    def _full_pin(self, cite: Any, offset: int, first_page: int | None) -> None:
        pin = _page(cite.metadata.pin_cite)
        if pin is not None and first_page is not None and pin < first_page \
                and cite.corrected_reporter() not in WESTLAW:
            self.report("error", "cite-pin", offset,
                        f"'{cite.matched_text()}, {cite.metadata.pin_cite}': the pin cite {pin} "
                        f"comes before the first page {first_page}")

    def _short_case(self, cite: Any, offset: int,
                    full_cases: list[_Authority]) -> _Authority | None:
        groups, meta = cite.groups, cite.metadata
        volume, reporter = groups.get("volume", ""), _squash(cite.corrected_reporter())
        text = cite.matched_text()
        same = [f for f in full_cases if any((v, r) == (volume, reporter) for v, r, _ in f.cites)]
        guess = (meta.antecedent_guess or "").strip()
        named = [f for f in full_cases if guess and _case_key(guess) in _case_key(f.names)]
        if not same:
            if named:
                full = named[-1]
                # The full citation in this reporter (of its parallel ones), if there is one.
                label, expected = next(((f"{v} {cite.corrected_reporter()} {p}", v)
                                        for v, r, p in full.cites if r == reporter),
                                       (full.label, full.volume))
                self.report("error", "cite-short", offset,
                            f"'{text}': the short form cites {guess} as volume {volume} "
                            f"{cite.corrected_reporter()}, but its full citation is "
                            f"'{label}' ({self._short(full.where)}); expected {expected} "
                            f"{cite.corrected_reporter()} at {meta.pin_cite or ''}".rstrip())
                return full
            self.report("error", "cite-short", offset,
                        f"'{text}': no earlier full citation to {volume} "
                        f"{cite.corrected_reporter()} for this short form to refer to")
            return None
        full = (named and [f for f in same if f in named] or same)[-1]
        pin = _page(groups.get("page") or meta.pin_cite)
        first = full.first_page_in(volume, reporter)
        if pin is not None and first is not None and pin < first:
            self.report("error", "cite-pin", offset,
                        f"'{text}': the pin cite {pin} comes before the first page "
                        f"{first} of '{volume} {cite.corrected_reporter()} {first}'")
        if guess:
            found = self.text.rfind(guess, max(0, offset - len(guess) - 6), offset)
            if found >= 0:
                end = found + len(guess)
                floor = max(self._piece_at(offset).start, self.text.rfind("\n", 0, offset) + 1)
                start = self._italic_start(floor, found, end)
                name = _strip_lead(self.text[start:end])
                start = end - len(name)
                if not self._plain_at(start).is_italic(*self._local(start, len(name))):
                    self.unitalicised.append((start, name, self.text[end:offset + len(text)]))
                    self.report("warning", "cite-italics", start,
                                f"the case name '{name}' in '{name}, {text}' is not italic",
                                name=name, context=f"{name}, {text}")
        return full

    def _id(self, cite: Any, offset: int, previous: _Authority | None) -> _Authority | None:
        """Check an Id. against the authority it refers to; returns what the next Id. means."""
        text = self.text[cite.span()[0]:cite.span()[1]]
        pin = cite.metadata.pin_cite
        if previous is None:
            self.report("error", "cite-id", offset,
                        f"'{text}' comes before any authority it could refer to")
            return None
        if previous.kind == "unclear":
            return previous  # already reported once for this run of Id. citations
        pin_page = _page(pin)
        if previous.kind == "law" and pin and pin.strip().startswith("at"):
            self.report("warning", "cite-id", offset,
                        f"'{text}' follows '{previous.label}' ({self._short(previous.where)}), which has no "
                        f"pages; check which authority it means")
            return _Authority(previous.label, "unclear")
        elif (previous.kind == "case" and pin_page is not None and previous.first_page
              and previous.reporter not in WESTLAW
              and all(p is not None and pin_page < p for _, r, p in previous.cites
                      if r not in WESTLAW)):
            self.report("error", "cite-id", offset,
                        f"'{text}' refers to '{previous.label}' ({self._short(previous.where)}), which "
                        f"begins at page {previous.first_page}: it seems to mean another "
                        f"authority")
            return _Authority(previous.label, "unclear")
        return previous

    def _supra(self, cite: Any, offset: int, full_cases: list[_Authority]) -> None:
        guess = (cite.metadata.antecedent_guess or "").strip()
        if guess and not any(_case_key(guess) in _case_key(f.names) for f in full_cases):
            self.report("error", "cite-supra", offset,
                        f"'{guess}, supra' refers to no earlier full citation")

    def _italics(self, cite: Any, offset: int) -> None:
        span = self.case_name_span(cite, offset)
        if span is None:
            return
        start, end = span
        name = self.text[start:end]
        if not self._plain_at(start).is_italic(*self._local(start, len(name))):
            context = self.text[start:cite.span()[1]]
            self.unitalicised.append((start, name, context[len(name):]))
            self.report("warning", "cite-italics", start,
                        f"the case name '{name}' in '{context}' is not italic",
                        name=name, context=context)

    def _italic_start(self, floor: int, start: int, end: int) -> int:
        """Where an italic stretch that ends where a name ends begins (the writer's own
        mark of the name), or `start` when there is none."""
        piece = self._piece_at(start)
        for a, b in piece.plain.italic:
            a, b = a + piece.start, b + piece.start
            if floor <= a < end and end <= b <= end + 1:
                return a
        return start

    def case_name_span(self, cite: Any, offset: int) -> tuple[int, int] | None:
        """Where the case name of a full citation stands in the text, or None.

        eyecite finds the name; its limits are then mended: the name ends before a docket
        number or "et al.", it takes in "In re", "Ex parte", "A.M. ex rel." and a number
        inside a name ("Strike 3 Holdings"), and when the writer put a name in italics that
        ends where this one ends, the italics say where it starts.
        """
        meta = cite.metadata
        if not (meta.plaintiff or meta.defendant):
            return None
        floor = max(self._piece_at(offset).start, self.text.rfind("\n", 0, offset) + 1)
        end = len(self.masked[floor:offset].rstrip(" ," + MASK)) + floor
        start = max(cite.full_span()[0], floor)
        if start >= end:
            return None
        while True:
            before = self.text[floor:start]
            match = (NAME_PREFIX.search(before) or EX_REL.search(before)
                     or NUMBER_IN_NAME.search(before))
            if match is None or not match.group().strip():
                break
            start = floor + match.start()
        start = self._italic_start(floor, start, end)
        name = self.text[start:end]
        stripped = _strip_lead(name)
        start += len(name) - len(stripped)
        if not any(ch.isalpha() for ch in stripped):
            return None
        return start, end

    def _unknown_reporters(self, covered: list[tuple[int, int]]) -> None:
        known = _known_reporters()
        for match in REPORTER_LIKE.finditer(self.text):
            if any(a <= match.start() < b or a < match.end() <= b for a, b in covered):
                continue
            reporter = match.group(2).strip()
            if "." not in reporter or _squash(reporter) in known:
                continue
            self.report("warning", "cite-reporter", match.start(),
                        f"'{match.group().strip()}': '{reporter}' is not a reporter known to "
                        "reporters-db")

    def _piece_at(self, offset: int) -> _Piece:
        return _piece_at(self.pieces, offset)

    def _plain_at(self, offset: int) -> PlainText:
        return self._piece_at(offset).plain

    def _local(self, offset: int, length: int) -> tuple[int, int]:
        piece = self._piece_at(offset)
        return offset - piece.start, offset - piece.start + length


def _piece_at(pieces: list[_Piece], offset: int) -> _Piece:
    """The piece of prose that the combined text's `offset` falls in."""
    index = bisect.bisect_right([p.start for p in pieces], offset) - 1
    return pieces[max(index, 0)]


def check_case_citations(path: Path, overrides: tuple[str, ...] | list[str] = ()) -> list[Finding]:
    """Cite-check the prose of a case file and the clauses rendered for it."""
    from .case import load_located_case

    case, located = load_located_case(path, overrides)
    return check_citations(case, located, Path(path).parent)


def check_citations(case: Case, located: LocatedData, case_dir: Path) -> list[Finding]:
    """Cite-check an already loaded case; `located` places findings on case-file lines."""
    return check_order_citations(_composed_pieces(case, located, case_dir), located)


def _composed_pieces(case: Case, located: LocatedData,
                     case_dir: Path) -> list[tuple[str, str, tuple, str]]:
    """The order's prose as composed for this case: (section, kind, origin, Markdown)."""
    from .case import locate
    from .errors import AssemblerError
    from .engine import Engine
    from .order import OrderWriter
    from .environment import RenderLimitError, time_limit
    from .errors import TemplateError

    try:
        with time_limit():  # the same limits as a render: the clauses run here too
            chambers, library = Engine().chambers_for(case, case_dir)
            return OrderWriter(library).compose(case, chambers).pieces
    except AssemblerError as exc:
        locate(exc, located)
        raise
    except RenderLimitError as exc:
        raise TemplateError(str(exc), file=located.source) from None


def case_checker(case: Case, located: LocatedData, case_dir: Path) -> CiteChecker | None:
    """The checker for a case's composed prose (None when it has none), not yet run."""
    return order_checker(_composed_pieces(case, located, case_dir), located)


def check_order_citations(order_pieces: list[tuple[str, str, tuple, str]],
                          located: LocatedData) -> list[Finding]:
    """Cite-check a composed order's prose pieces (OrderText.pieces) in reading order.

    The findings are kept in the compile cache, keyed by the composed prose and where each
    piece stands in the case file (the fingerprint of the cache's folder covers this code and
    the installed eyecite and reporters-db): an unchanged order is not parsed again, and
    neither Markdown's parser nor eyecite is imported for it.
    """
    from . import cache

    places = [(origin, located.text_starts.get(origin), located.line_of(origin))
              for _, kind, origin, _ in order_pieces if kind == "case"]
    entry = cache.key("cites", located.source, repr(order_pieces), repr(places))
    stored = cache.load_value("cites", entry, _valid_findings)
    if stored is not None:
        return [Finding(level, code, Location(**place), message, data=data)
                for level, code, place, message, data in stored]
    checker = order_checker(order_pieces, located)
    findings = checker.run() if checker is not None else []
    cache.store_value("cites", entry, [
        (f.level, f.code, f.location.as_dict() if f.location else {}, f.message, f.data)
        for f in findings])
    return findings


def _valid_findings(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, tuple) and len(item) == 5 and isinstance(item[2], dict)
        and isinstance(item[4], dict) and all(isinstance(item[i], str) for i in (0, 1, 3))
        and set(item[2]) <= set(Location.__dataclass_fields__)
        for item in value)


def order_checker(order_pieces: list[tuple[str, str, tuple, str]],
                  located: LocatedData) -> CiteChecker | None:
    """The checker for a composed order's prose pieces (None when there is no prose)."""
    pieces: list[_Piece] = []
    texts: list[str] = []
    offset = 0
    for section, kind, origin, markdown in order_pieces:
        plain = plain_text(markdown)
        pieces.append(_Piece(section, kind, origin, plain, offset))
        texts.append(plain.text)
        offset += len(plain.text) + 2
    text = "\n\n".join(texts)
    if not text.strip():
        return None
    source = located.source

    def where(position: int) -> Location:
        piece = _piece_at(pieces, position)
        if piece.kind == "clause":
            return Location(clause=piece.origin[0], part=piece.section)
        start = located.text_starts.get(piece.origin)
        dotted = ".".join(str(p) for p in piece.origin)
        if start is None:  # text given by --set has no line in the file
            given = " (--set)" if located.line_of(piece.origin) == 0 else ""
            return Location(f"{source}{given}", field=dotted)
        return Location(source, start + piece.plain.line_at(position - piece.start),
                        field=dotted)

    return CiteChecker(pieces, text, where)


def check_markdown(markdown: str, source: str = "text") -> list[Finding]:
    """Cite-check one piece of Markdown prose on its own (an opinion's text, say); findings
    are placed as `source:LINE` (1-based lines of `markdown`)."""
    plain = plain_text(markdown)
    if not plain.text.strip():
        return []
    pieces = [_Piece("text", "case", (), plain, 0)]

    def where(position: int) -> Location:
        return Location(source, plain.line_at(position) + 1)

    return CiteChecker(pieces, plain.text, where).run()
