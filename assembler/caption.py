"""What a court style prints around the prose: heading lines, caption, title, docket line,
opening, closing, date block and signature. Plain text only; the template places it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from .courts import Court
from .deadlines import long_date, ordinal
from .errors import CaseFileError
from .styles import StyleProfile, caption_name, initials_text, plural_role


@dataclass(frozen=True)
class Side:
    """One side of the caption: the names as this version may print them."""

    names: list[str]
    ip_addresses: list[str | None]
    role: str


def heading_lines(profile: StyleProfile, court: Court, division: str | None) -> list[str]:
    """"UNITED STATES DISTRICT COURT" / "DISTRICT OF CONNECTICUT" (with the prefixes and the
    division the style prints)."""
    lines = [" ".join(p for p in (profile.court_prefix, court.name) if p),
             " ".join(p for p in (profile.district_prefix, court.district) if p)]
    if division and profile.division:
        lines.append(division)
    return [line.upper() for line in lines] if profile.court_upper else lines


def side_lines(side: Side, profile: StyleProfile) -> list[str]:
    lines = []
    for name, ip_address in zip(side.names, side.ip_addresses, strict=True):
        line = caption_name(name, profile.caption_names)
        if ip_address:
            line += f", subscriber assigned IP address {ip_address}"
        lines.append(line + ",")
    return lines


def role_word(names: list[str], role: str) -> str:
    several = len(names) > 1 or names[-1].rstrip(",").rstrip().lower().endswith("et al.")
    return plural_role(role, several)


def number_line(profile: StyleProfile, case_number: str,
                initials: str | list[str] | None) -> str:
    groups = [initials] if isinstance(initials, str) else list(initials or [])
    groups = [g for g in groups if g]
    label = f"{profile.number_label} " if profile.number_label else ""
    return f"{label}{case_number}{initials_text(groups, profile.initials_format)}"


def document_title(profile: StyleProfile, document: str, own_title: str | None,
                   motion_title: str) -> str:
    """The case's own title verbatim; else the document's word (OPINION); else the order title
    computed from the motion."""
    if own_title:
        return own_title
    if document != "order":
        word = profile.document_titles.get(document, document.replace("_", " ").upper())
        return word.upper() if profile.title_upper else word
    return motion_title


def docket_line(profile: StyleProfile, regarding: list[int]) -> str:
    if not regarding:
        return ""
    numbers = [str(n) for n in regarding]
    joined = numbers[0] if len(numbers) == 1 else ", ".join(numbers)
    return profile.regarding["one" if len(numbers) == 1 else "many"].format(joined)


def _fields(judge_name: str, judge_title: str, signed: date, place: str | None) -> dict[str, str]:
    return {"name": judge_name, "NAME": judge_name.upper(), "title": judge_title,
            "TITLE": judge_title.upper(), "date": long_date(signed),
            "DATE": long_date(signed).upper(), "day_ordinal": ordinal(signed.day),
            "month_year": f"{signed:%B} {signed.year}", "place": place or ""}


def date_lines(profile: StyleProfile, signed: date, place: str | None, judge_name: str,
               judge_title: str) -> list[str]:
    """The date block; a style whose block prints the place needs one (or a default)."""
    place = place or profile.place_default
    if place is None and any("{place}" in line for line in profile.date_block):
        raise CaseFileError("this court's style prints the place in the date block "
                            "(\"Dated at PLACE ...\"): give signed.place", field="signed.place")
    values = _fields(judge_name, judge_title, signed, place)
    return [line.format(**values) for line in profile.date_block]


def opening_line(profile: StyleProfile, judge_name: str, judge_title: str, signed: date) -> str:
    if not profile.opening:
        return ""
    return profile.opening.format(**_fields(judge_name, judge_title, signed, None))


def closing_line(profile: StyleProfile, document: str) -> str:
    if document in profile.closings:
        return profile.closings[document] or ""
    return profile.closing or ""


def signature_lines(profile: StyleProfile, judge_name: str, judge_title: str) -> list[dict[str, Any]]:
    """Each line of the signature block: its text and its kind (slash, rule, name, title)."""
    signature = profile.signature
    name = {"as_written": judge_name, "upper": judge_name.upper(), "none": ""}[signature.name]
    lines: list[dict[str, Any]] = []
    if signature.kind == "slash":
        lines.append({"kind": "slash", "text": f"/s/ {judge_name}"})
    elif signature.kind == "rule":
        lines.append({"kind": "rule", "text": ""})
    else:
        lines.append({"kind": "blank", "text": ""})
    if name and (signature.kind != "slash" or signature.slash_name):
        lines.append({"kind": "name", "text": name})
    if signature.title:
        lines.append({"kind": "title", "text": judge_title})
    return lines


def shape(profile: StyleProfile, *, court: Court, case: Any, plaintiffs: Side, defendants: Side,
          motion_title: str, cite: Callable[[int], str]) -> dict[str, Any]:
    """The style's values for the template (the `caption`, `title` and the rest)."""
    judge = case.judge
    plaintiff_lines = side_lines(plaintiffs, profile)
    defendant_lines = side_lines(defendants, profile)
    title = document_title(profile, case.document, case.title, motion_title)
    return {
        "heading_lines": heading_lines(profile, court, case.division),
        "publication": case.publication or "",
        "caption": {
            "plaintiffs": plaintiff_lines,
            "plaintiff_role": role_word(plaintiffs.names, plaintiffs.role) + ",",
            "defendants": defendant_lines,
            "defendant_role": role_word(defendants.names, defendants.role) + ".",
            "versus": profile.versus,
            "number": number_line(profile, case.case_number, case.judge_initials),
            "title_in_box": profile.title_position == "caption_right",
        },
        "title": title,
        "docket_line": docket_line(profile, list(case.regarding)),
        "opening": opening_line(profile, judge.name, judge.title, case.signed.date),
        "closing": closing_line(profile, case.document),
        "date_lines": date_lines(profile, case.signed.date, case.signed.place, judge.name,
                                 judge.title),
        "signature": signature_lines(profile, judge.name, judge.title),
        "legend": ([court.name, court.district] if profile.legend else ["", ""]),
        "page_numbers": profile.page_numbers,
    }
