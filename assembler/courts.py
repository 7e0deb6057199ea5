"""Court names and locations from the courts-db package (never a hand-made table)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from . import cache


@dataclass(frozen=True)
class Court:
    """A court as an order's caption names it."""

    id: str
    name: str          # "United States District Court"
    district: str      # "District of Connecticut"
    full_name: str     # as courts-db gives it
    citation: str      # "D. Conn."
    location: str      # "Connecticut"

    @property
    def state_code(self) -> str | None:
        """"CT": the state whose legal holidays count under Rule 6(a)(6)(C)."""
        return _state_code(self.location, self.district)


@lru_cache(maxsize=None)
def find_court(court_id: str) -> Court | None:
    """Look a court up by its courts-db id; None when courts-db does not know it.

    courts-db builds its whole table (thousands of courts and their patterns) on first use;
    the one record an order needs is kept in the cache (whose folder is tied to the installed
    courts-db).
    """
    entry = cache.key("court", court_id)
    # Stored as the record's fields, or an empty mapping for a court courts-db does not know.
    stored = cache.load_value("courts", entry, lambda v: isinstance(v, dict)
                              and set(v) in (set(), set(Court.__dataclass_fields__)))
    if stored is not None:
        return Court(**stored) if stored else None
    court = _lookup(court_id)
    cache.store_value("courts", entry, asdict(court) if court else {})
    return court


def _lookup(court_id: str) -> Court | None:
    import courts_db

    matches = courts_db.find_court_by_id(court_id)
    if not matches:
        return None
    record = matches[0]
    full = record["name"]
    name, district = _split_name(full)
    return Court(
        id=court_id,
        name=name,
        district=district,
        full_name=full,
        citation=record.get("citation_string") or "",
        location=record.get("location") or "",
    )


@lru_cache(maxsize=None)
def _state_code(location: str, district: str) -> str | None:
    # The holidays package loads every country's tables on first use: only pay for it when
    # a deadline is computed, and keep the answer in the compile cache.
    entry = cache.key("state", location, district)
    stored = cache.load_value("courts", entry, lambda v: isinstance(v, str))
    if stored is not None:
        return stored or None
    code = _subdivision(location, district)
    cache.store_value("courts", entry, code or "")
    return code


def _subdivision(location: str, district: str) -> str | None:
    import holidays

    aliases = holidays.US.subdivisions_aliases
    code = aliases.get(location)
    if code is None and district:
        place = district.split(" of ", 1)[-1].removeprefix("the ")
        code = aliases.get(place) or aliases.get(district)
    return code


_DIVISIONS = {"N.D.": "Northern", "S.D.": "Southern", "E.D.": "Eastern", "W.D.": "Western",
              "M.D.": "Middle", "C.D.": "Central"}


def _split_name(full: str) -> tuple[str, str]:
    """Split a courts-db name into the caption's two lines.

    courts-db writes most district courts in full ("United States District Court for the
    District of Connecticut") and some in short ("District Court, S.D. New York").
    """
    for joiner in (" for the ", " of the "):
        if joiner in full:
            name, district = full.split(joiner, 1)
            return name, district
    if full.startswith("United States District Court"):
        rest = full.removeprefix("United States District Court").lstrip(", ")
        # "..., Oklahoma Eastern" and "... Eastern District of Louisiana"
        place, _, division = rest.rpartition(" ")
        if place and division in _DIVISIONS.values():
            return "United States District Court", f"{division} District of {place}"
        if " District of " in rest or rest.startswith("District of "):
            return "United States District Court", rest
        if rest:
            return "United States District Court", f"District of {rest}"
    if full.startswith("District Court, "):
        rest = full.removeprefix("District Court, ")
        prefix, _, place = rest.partition(" ")
        if prefix in _DIVISIONS:
            return "United States District Court", f"{_DIVISIONS[prefix]} District of {place}"
        if prefix == "D.":
            return "United States District Court", f"District of {place}"
        if rest.startswith("District of "):
            return "United States District Court", rest
        return "United States District Court", f"District of the {rest}"
    return full, ""


# ---- finding the right court id ------------------------------------------------------------
# Only on the `courts` command and on an unknown id: courts-db's whole table is read then.

_DISTRICT_ID = re.compile(r"^[a-z]{2,3}[nsewcm]?d$")
_WORD = re.compile(r"[a-z0-9]+")


def _compact(text: str) -> str:
    """"N.D. Ill." -> "ndill": a citation form without its spacing and periods."""
    return "".join(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class DistrictCourt:
    """A federal district court as the `courts` command lists it."""

    id: str
    district: str      # "Northern District of Illinois"
    citation: str      # "N.D. Ill."
    location: str

    @property
    def words(self) -> frozenset[str]:
        text = " ".join((self.id, self.district, self.citation, self.location))
        return frozenset(_WORD.findall(text.casefold()))


@lru_cache(maxsize=1)
def district_courts() -> tuple[DistrictCourt, ...]:
    """Every federal district court courts-db knows, by id."""
    from courts_db import courts

    found: dict[str, DistrictCourt] = {}
    for record in courts:
        court_id = record.get("id", "")
        name = record.get("name") or ""
        if (record.get("system") != "federal" or record.get("type") == "bankruptcy"
                or not _DISTRICT_ID.match(court_id) or "District Court" not in name
                or court_id in found):
            continue
        _, district = _split_name(name)
        found[court_id] = DistrictCourt(court_id, district or name,
                                        record.get("citation_string") or "",
                                        record.get("location") or "")
    return tuple(sorted(found.values(), key=lambda c: c.id))


def district_court(court_id: str) -> DistrictCourt | None:
    return next((c for c in district_courts() if c.id == court_id), None)


def search_courts(query: str | None) -> list[DistrictCourt]:
    """District courts matching `query`: an id, a citation ("N.D. Ill.") or words
    ("illinois northern"; each word may be the start of one: "ill north")."""
    courts = district_courts()
    if not query or not query.strip():
        return list(courts)
    exact = citation_matches(query)
    if exact:
        return exact
    words = _WORD.findall(query.casefold())
    found = _matching(courts, words)
    if not found:  # a misspelt word ("nothern"): try the nearest word courts-db uses
        import difflib

        vocabulary = sorted({w for c in courts for w in c.words})
        corrected = [next(iter(difflib.get_close_matches(q, vocabulary, n=1, cutoff=0.75)), q)
                     for q in words]
        if corrected != words:
            found = _matching(courts, corrected)
    return found


def _matching(courts: tuple[DistrictCourt, ...], words: list[str]) -> list[DistrictCourt]:
    return [c for c in courts if all(any(w.startswith(q) for w in c.words) for q in words)]


def citation_matches(text: str) -> list[DistrictCourt]:
    """Courts whose id, citation form or district name `text` is, ignoring case, spaces
    and periods ("N.D. Ill.", "ND Ill", "Northern District of Illinois", "ILND")."""
    wanted = _compact(text)
    if not wanted:
        return []
    return [c for c in district_courts()
            if wanted in (c.id, _compact(c.citation), _compact(c.district))]


def resolve_court_id(value: str) -> tuple[str, str | None]:
    """The courts-db id `value` stands for, and a note when it was not written as one.

    An id is taken as it is; an unambiguous citation form or district name is read as the
    court's id. Anything else is an error naming the closest ids.
    """
    if find_court(value) is not None:
        return value, None
    matches = citation_matches(value)
    if len(matches) == 1:
        court = matches[0]
        return court.id, (f"court '{value}' is read as the courts-db id '{court.id}' "
                          f"({court.district}); write `court: {court.id}` to say so")
    raise ValueError(unknown_court_message(value))


def unknown_court_message(value: str) -> str:
    return f"unknown court id '{value}'{court_hint(value)}; `assembler courts WORDS` finds the id"


def court_hint(value: str) -> str:
    """" (did you mean 'ilnd' (Northern District of Illinois)?)" for a court not found."""
    from .suggest import closest, suggestion

    ids = [c.id for c in district_courts()]
    found = [c.id for c in citation_matches(value)]
    found += [c.id for c in search_courts(value)][:3] if len(_WORD.findall(value.casefold())) > 1 else []
    found += closest(value.casefold(), ids)
    found = list(dict.fromkeys(found))[:3]
    names = {c.id: c.district for c in district_courts()}
    return suggestion(found, describe=names.get)


def style_of(court_id: str) -> str:
    """The bundled court style an order for this court uses (see `assembler.styles`)."""
    from .styles import registry_for

    return registry_for(()).name_for_court(court_id)


def court_rows(query: str | None) -> list[dict[str, str]]:
    """What `assembler courts` prints: id, name, citation form and style of each match."""
    return [{"id": c.id, "name": c.district, "citation": c.citation, "style": style_of(c.id)}
            for c in search_courts(query)]
