"""Case -> what the order says: title, caption, sections, clauses, deadlines, signature.

The legal logic lives here; nothing here knows OOXML. Prose and clause output is Markdown,
which the prose layer turns into Word paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .case import Case, Party, Prose, ProseClause, ProseText
from .clauses import ClauseLibrary, MarkdownText
from .courts import find_court
from .deadlines import add_days, long_date, ordinal
from .errors import CaseFileError, ClauseError
from .footnotes import gather as gather_footnotes
from .rawdata import read_data_file
from .resources import bundled_clauses
from .caption import Side, shape
from .prose import markdown_escape
from .styles import DOCKET_STYLES, PROFILE_KEYS, Style, number_headings, registry_for

MOTION_TITLES = {
    "default_judgment": "motion for default judgment",
    "dismiss": "motion to dismiss",
    "early_discovery_subpoena": "motion for leave to serve a third-party subpoena before a "
                                "Rule 26(f) conference",
    "seal": "motion for leave to file under seal and to proceed under a pseudonym",
}
TITLE_VERBS = {
    "granted": "GRANTING",
    "denied": "DENYING",
    "denied_without_prejudice": "DENYING",
    "granted_in_part": "GRANTING IN PART AND DENYING IN PART",
    "moot": "DENYING AS MOOT",
}
RELIEF_NAMES = {
    "statutory_damages": "statutory damages",
    "permanent_injunction": "a permanent injunction",
    "fees_and_costs": "attorney’s fees and costs",
}


@dataclass(frozen=True)
class Chambers:
    """A judge's or court's house style: docket citations, signature, own clause language."""

    docket_style: str | None = None       # None: the court style's
    clause_folders: tuple[Path, ...] = ()
    magistrate_referral: str | None = None
    straight_quotes: bool = False  # keep quotes as typed instead of typographic ones
    style: str | None = None              # a style name chosen for every order of these chambers
    style_folders: tuple[Path, ...] = ()  # the chambers' own styles (its styles/ folder)
    style_settings: tuple[tuple[str, Any], ...] = ()   # style profile keys the chambers set
    profile_path: str | None = None

    def cite(self, doc: int | str) -> str:
        return DOCKET_STYLES[self.docket_style or "ecf"].format(doc)


def load_chambers(folder: Path | None) -> Chambers:
    """Read `profile.yaml`, `clauses/` and `styles/` from a chambers folder (all optional)."""
    if folder is None:
        return Chambers()
    if not folder.is_dir():
        raise CaseFileError("chambers folder not found", file=str(folder), field="chambers")
    profile: dict[str, Any] = {}
    profile_path = folder / "profile.yaml"
    located = None
    if profile_path.exists():
        located = read_data_file(profile_path)
        profile = located.data or {}
    style_keys = PROFILE_KEYS - {"courts", "default", "extends", "template", "docket_style"}
    unknown = set(profile) - {"docket_style", "style", "straight_quotes"} - style_keys
    if unknown:
        key = sorted(unknown)[0]
        raise CaseFileError("unknown key", file=str(profile_path), field=key,
                            line=located.line_of((key,)) if located else None)
    style = profile.get("docket_style")
    if style is not None and style not in DOCKET_STYLES:
        raise CaseFileError(f"'{style}' is not one of {', '.join(DOCKET_STYLES)}",
                            file=str(profile_path), field="docket_style",
                            line=located.line_of(("docket_style",)) if located else None)
    straight = profile.get("straight_quotes", False)
    straight = {"true": True, "false": False}.get(str(straight).lower(), straight)
    if not isinstance(straight, bool):
        raise CaseFileError("must be true or false", file=str(profile_path),
                            field="straight_quotes",
                            line=located.line_of(("straight_quotes",)) if located else None)
    clauses = folder / "clauses"
    styles = folder / "styles"
    return Chambers(docket_style=style, straight_quotes=straight,
                    clause_folders=(clauses,) if clauses.is_dir() else (),
                    style=profile.get("style"),
                    style_folders=(styles,) if styles.is_dir() else (),
                    style_settings=tuple(sorted((k, v) for k, v in profile.items()
                                                if k in style_keys)),
                    profile_path=str(profile_path))


@dataclass
class OrderText:
    """Everything the template needs, as Markdown sections and plain values."""

    title: str
    context: dict[str, Any]
    sections: dict[str, str]                 # section name -> Markdown
    attachments: list[dict[str, str]] = field(default_factory=list)
    clauses_used: dict[str, str] = field(default_factory=dict)   # id -> sha256
    # Where each stretch of prose came from, in reading order: ("case", field path) or
    # ("clause", id), with its Markdown; checks use it to point at a case-file line.
    pieces: list[tuple[str, str, tuple, str]] = field(default_factory=list)
    style: Style | None = None               # the court style the order was composed in
    body_parts: list[tuple[str, str]] = field(default_factory=list)  # (section, Markdown)


def display_name(party: Party, sealed: bool) -> str:
    """The name a version of the order may print: the true name only in the sealed version."""
    if sealed and party.sealed_name:
        return party.sealed_name
    if party.minor and not party.pseudonym and not sealed:
        # Fed. R. Civ. P. 5.2(a)(3): a minor appears by initials only.
        return "".join(f"{word[0]}." for word in party.name.split())
    return party.name


def _party(party: Party, sealed: bool) -> dict[str, Any]:
    name = display_name(party, sealed)
    return {"name": name, "short_name": party.short_name or name, "pseudonym": party.pseudonym,
            "public_name": display_name(party, sealed=False),
            "ip_address": party.ip_address, "minor": party.minor}


def _caption_lines(parties: list[Party], sealed: bool) -> list[str]:
    lines = []
    for party in parties:
        line = display_name(party, sealed).upper()
        if party.ip_address:
            line += f", subscriber assigned IP address {party.ip_address}"
        lines.append(line + ",")
    return lines


def order_title(case: Case) -> str:
    """"ORDER DENYING MOTION FOR DEFAULT JUDGMENT" and the like."""
    motion = MOTION_TITLES[case.motion.kind].upper().replace("RULE 26(F)", "RULE 26(f)")
    return f"ORDER {TITLE_VERBS[case.ruling.outcome]} {motion}"


def _relief(case: Case) -> dict[str, Any]:
    relief = case.motion.relief
    damages = relief.statutory_damages
    if relief.per_work is not None and relief.works is not None:
        computed = relief.per_work * relief.works
        if damages is not None and damages != computed:
            raise CaseFileError(
                f"statutory_damages {damages} does not equal per_work x works ({computed})",
                field="motion.relief.statutory_damages")
        damages = computed
    return {
        "statutory_damages": damages, "per_work": relief.per_work, "works": relief.works,
        "permanent_injunction": relief.permanent_injunction,
        "fees_and_costs": relief.fees_and_costs, "fees": relief.fees, "costs": relief.costs,
        "fees_and_costs_total": _total(relief.fees, relief.costs),
    }


def _total(*amounts: Decimal | None) -> Decimal | None:
    """The sum of the amounts that are known; None when none is."""
    known = [a for a in amounts if a is not None]
    return sum(known, Decimal(0)) if known else None


def join_words(items: list[str]) -> str:
    """"a", "a and b", "a, b, and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _requested_relief(case: Case) -> list[str]:
    relief = case.motion.relief
    requested = []
    if relief.statutory_damages is not None or relief.per_work is not None:
        requested.append("statutory_damages")
    if relief.permanent_injunction:
        requested.append("permanent_injunction")
    if relief.fees_and_costs:
        requested.append("fees_and_costs")
    return requested


def _ruling(case: Case, renewal: Any) -> dict[str, Any]:
    """The ruling with what it awards; for a default judgment, relief names are checked."""
    ruling = case.ruling
    granted, denied = list(ruling.granted), list(ruling.denied)
    if ruling.outcome == "granted_in_part" and not (granted and denied):
        raise CaseFileError("granted_in_part needs both ruling.granted and ruling.denied "
                            "(what is granted and what is denied)",
                            field="ruling.granted" if not granted else "ruling.denied")
    labels = {}
    if case.motion.kind == "default_judgment":
        requested = _requested_relief(case)
        for key, names in (("granted", granted), ("denied", denied)):
            for index, name in enumerate(names):
                if name not in requested:
                    raise CaseFileError(
                        f"'{name}' is not relief the motion asks for "
                        f"(requested: {', '.join(requested) or 'none'})",
                        field=f"ruling.{key}.{index}")
        labels = RELIEF_NAMES
        awarded = requested if ruling.outcome == "granted" else granted
    else:
        awarded = granted
    if ruling.outcome not in ("granted", "granted_in_part"):
        awarded = []
    return {"outcome": ruling.outcome, "renewal_days": ruling.renewal_days,
            "renewal_deadline": renewal, "granted": granted, "denied": denied,
            "awarded": awarded, "with_prejudice": ruling.with_prejudice,
            "granted_text": join_words([labels.get(g, g) for g in granted]),
            "denied_text": join_words([labels.get(d, d) for d in denied])}


def build_context(case: Case, chambers: Chambers, sealed: bool) -> dict[str, Any]:
    """The values every template part and clause sees."""
    court = find_court(case.court)
    assert court is not None  # validated by the model
    signed = case.signed.date
    try:
        renewal = (add_days(signed, case.ruling.renewal_days, court.state_code)
                   if case.ruling.renewal_days else None)
    except ValueError as exc:
        raise CaseFileError(str(exc), field="ruling.renewal_days") from None
    plaintiffs = [_party(p, sealed) for p in case.plaintiffs]
    defendants = [_party(p, sealed) for p in case.defendants]
    movant = plaintiffs[0] if case.motion.movant == "plaintiff" else defendants[0]

    def deadline(days: int) -> str:
        """The date `days` days after the order, per Rule 6(a), written out."""
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 36500:
            raise ValueError(f"deadline() takes a number of days from 0 to 36500, not {days!r}")
        return long_date(add_days(signed, days, court.state_code))

    return {
        "court": {"id": court.id, "name": court.name, "district": court.district,
                  "citation": court.citation},
        "case_number": case.case_number,
        "judge_initials": (") (".join(case.judge_initials)  # "({{ judge_initials }})"
                           if isinstance(case.judge_initials, list) else case.judge_initials),
        "judge": {"name": case.judge.name, "title": case.judge.title},
        "plaintiffs": plaintiffs, "defendants": defendants,
        "caption": {
            "plaintiffs": _caption_lines(case.plaintiffs, sealed),
            "plaintiff_role": "Plaintiffs," if len(case.plaintiffs) > 1 else "Plaintiff,",
            "defendants": _caption_lines(case.defendants, sealed),
            "defendant_role": "Defendants." if len(case.defendants) > 1 else "Defendant.",
        },
        "plaintiff": plaintiffs[0], "defendant": defendants[0],
        "isp": case.isp,
        "sealing": ({"order_doc": case.sealing.order_doc,
                     "order_cite": chambers.cite(case.sealing.order_doc)}
                    if case.sealing else None),
        "motion": {"kind": case.motion.kind, "doc": case.motion.doc,
                   "cite": chambers.cite(case.motion.doc), "name": MOTION_TITLES[case.motion.kind],
                   "movant": case.motion.movant, "movant_party": movant,
                   "unopposed": case.motion.unopposed, "relief": _relief(case),
                   "subscriber_notice_days": case.motion.subscriber_notice_days,
                   "quash_days": case.motion.quash_days},
        "ruling": _ruling(case, renewal),
        "signed": {"place": case.signed.place, "date": signed,
                   "day_ordinal": ordinal(signed.day), "month_year": f"{signed:%B} {signed.year}",
                   "long": long_date(signed)},
        "sealed": sealed,
        "docket": chambers.cite,
        "deadline": deadline,
        "title": order_title(case),
        "referral": ({"judge": case.referral.judge,
                      "cite": chambers.cite(case.referral.doc) if case.referral.doc else None}
                     if case.referral else None),
    }


MAX_CLAUSE_DEPTH = 12  # clauses calling clauses: deeper than any real order nests


class OrderWriter:
    """Turns a case into the order's Markdown sections, choosing clauses by motion and outcome."""

    def __init__(self, library: ClauseLibrary):
        self.library = library

    def compose(self, case: Case, chambers: Chambers, *, sealed: bool = False,
                style: Style | None = None) -> OrderText:
        style = style or style_for(case, chambers)
        if chambers.docket_style is None:
            chambers = replace(chambers, docket_style=style.profile.docket_style)
        context = build_context(case, chambers, sealed)
        context.update(_style_values(case, style, sealed, context["title"]))
        used: dict[str, str] = {}
        calling: list[str] = []  # the clauses being rendered, outermost first

        def clause(clause_id: str) -> MarkdownText:
            if not isinstance(clause_id, str):
                raise ClauseError(f"clause() takes a clause id, not {clause_id!r}",
                                  clause=calling[-1] if calling else None)
            found = self.library.get(clause_id)
            if not found.serves(case.motion.kind, case.ruling.outcome):
                raise ClauseError(f"does not serve a {case.motion.kind} motion "
                                  f"{case.ruling.outcome}", clause=clause_id)
            if found.id in calling or len(calling) >= MAX_CLAUSE_DEPTH:
                chain = " -> ".join([*calling, found.id])
                raise ClauseError(f"clauses call each other without end ({chain})",
                                  clause=found.id, file=str(found.path))
            used[found.id] = found.sha256
            calling.append(found.id)
            try:
                return found.render(context)
            finally:
                calling.pop()

        context["clause"] = clause
        conclusion_id = conclusion_clause_id(case)
        if (case.sections is None and case.conclusion is None
                and conclusion_id not in self.library):
            raise ClauseError(
                f"the outcome '{case.ruling.outcome}' is not available for a "
                f"{case.motion.kind} motion (no clause {conclusion_id})", field="ruling.outcome")
        section_parts: dict[str, list[tuple[str, str]]] = {}
        headings: dict[str, str | None] = {}
        pieces: list[tuple[str, str, tuple, str]] = []
        if case.sections is not None:
            # The court's own sections, in its order, and nothing else.
            for index, section in enumerate(case.sections):
                prose = section.text if section.text is not None else section.blocks
                field = "text" if section.text is not None else "blocks"
                name = f"sections.{index}"
                parts = self._section_pieces(prose, case, clause, ("sections", index, field))
                section_parts[name] = [(kind, text) for kind, _, text in parts]
                headings[name] = section.heading
                pieces.extend((name, kind, origin, text) for kind, origin, text in parts)
        else:
            for name in ("introduction", "background", "discussion", "conclusion"):
                prose: Prose | None = getattr(case, name)
                parts = self._section_pieces(prose, case, clause, name)
                if not parts:
                    # Nothing written for this outcome: the library's clauses write it.
                    defaults = self._default_section(case, name, conclusion_id)
                    parts = self._section_pieces(defaults, case, clause, name)
                section_parts[name] = [(kind, text) for kind, _, text in parts]
                headings[name] = None if name == "introduction" else name.upper()
                pieces.extend((name, kind, origin, text) for kind, origin, text in parts)
        sections = gather_footnotes(section_parts)  # definitions beside their references
        if case.sealing is not None:
            note = clause("sealing/footnote")
            sections = _attach_footnote(sections, "sealing", note, order=list(headings))
            pieces.append(("footnote", "clause", ("sealing/footnote",), note))
        body_parts = _body(sections, headings, style)
        body = "\n\n".join(text for _, text in body_parts)
        if case.sections is not None:  # a template laid out for the four named sections
            sections = {"introduction": body, "background": "", "discussion": "",
                        "conclusion": ""}
        sections["body"] = body
        sections["referral"] = clause("referral/line") if case.referral else ""
        attachments = []
        for attachment_id in _attachments(case):
            if attachment_id in self.library:
                found = self.library.get(attachment_id)
                attachments.append({"title": found.title, "body": clause(attachment_id)})
        return OrderText(title=context["title"], context=context, sections=sections,
                         attachments=attachments, clauses_used=used, pieces=pieces,
                         style=style, body_parts=body_parts)

    def _default_section(self, case: Case, name: str, conclusion_id: str) -> list[ProseClause]:
        kind = case.motion.kind.replace("_", "-")
        outcome = case.ruling.outcome.replace("_", "-")
        wanted: list[str] = {
            "introduction": [f"{kind}/introduction"],
            "background": [],
            "discussion": [f"standard/{kind}", f"{kind}/discussion-{outcome}"],
            "conclusion": [conclusion_id],
        }[name]
        if name == "discussion" and f"{kind}/discussion-{outcome}" not in self.library:
            wanted[1] = f"{kind}/discussion-granted"
        return [ProseClause(clause=c) for c in wanted
                if c in self.library and self.library.get(c).serves(case.motion.kind,
                                                                     case.ruling.outcome)]

    def _section_pieces(self, prose: Prose | None, case: Case, clause: Any,
                        name: str | tuple) -> list[tuple[str, tuple, str]]:
        """(origin kind, origin, Markdown) for each block of a section this outcome keeps."""
        if prose is None:
            return []
        root = name if isinstance(name, tuple) else (name,)
        name = ".".join(str(p) for p in root)
        if isinstance(prose, str):
            return [("case", root, prose.strip("\n"))] if prose.strip() else []
        pieces = []
        for index, block in enumerate(prose):
            if block.when is not None and case.ruling.outcome not in block.when:
                continue
            if isinstance(block, ProseText):
                pieces.append(("case", (*root, index, "text"), block.text))
            else:
                try:
                    pieces.append(("clause", (block.clause,), clause(block.clause)))
                except ClauseError as exc:
                    exc.field = exc.field or f"{name}.{index}.clause"
                    raise
        return [(kind, origin, text.strip("\n")) for kind, origin, text in pieces
                if text.strip()]


def conclusion_clause_id(case: Case) -> str:
    return f"{case.motion.kind.replace('_', '-')}/{case.ruling.outcome.replace('_', '-')}"


def _attachments(case: Case) -> list[str]:
    if case.motion.kind == "early_discovery_subpoena" and case.ruling.outcome in (
            "granted", "granted_in_part"):
        return ["attachments/subscriber-notice"]
    return []


def _attach_footnote(sections: dict[str, str], label: str, text: str,
                     order: list[str] | None = None) -> dict[str, str]:
    """Define footnote `[^label]`; where no prose places it, it follows the first paragraph."""
    marker = f"[^{label}]"
    definition = f"\n\n[^{label}]: " + text.replace("\n", "\n    ")
    order = order or ["introduction", "background", "discussion", "conclusion"]
    holder = next((s for s in order if marker in sections[s]), None)
    if holder is None:
        holder = next((s for s in order if sections[s].strip()), order[0])
        first, _, rest = sections[holder].partition("\n\n")
        sections[holder] = first.rstrip() + marker + ("\n\n" + rest if rest else "")
    sections[holder] += definition
    return sections


def _body(sections: dict[str, str], headings: dict[str, str | None],
          style: Style) -> list[tuple[str, str]]:
    """The body as (section, Markdown) in order: each section under its heading (level 1);
    a section that ended up empty goes with its heading."""
    counters = [0, 0, 0]
    parts = []
    for name, heading in headings.items():
        if not sections[name].strip():
            continue
        text = ("# " + markdown_escape(heading) + "\n\n" if heading else "") + sections[name]
        if style.profile.heading_numbering == "outline":
            text = number_headings(text, counters)
        parts.append((name, text))
    return parts


def _style_values(case: Case, style: Style, sealed: bool, motion_title: str) -> dict[str, Any]:
    court = find_court(case.court)
    assert court is not None
    roles = case.roles

    def side(parties: list[Party], role: str) -> Side:
        return Side([display_name(p, sealed) for p in parties],
                    [p.ip_address for p in parties], role)

    values = shape(style.profile, court=court, case=case,
                   plaintiffs=side(case.plaintiffs, (roles and roles.plaintiffs)
                                   or style.profile.plaintiff_role),
                   defendants=side(case.defendants, (roles and roles.defendants)
                                   or style.profile.defendant_role),
                   motion_title=motion_title, cite=lambda n: str(n))
    values["style_name"] = style.name
    return values


def style_for(case: Case, chambers: Chambers, folders: tuple[Path, ...] = ()) -> Style:
    """The case's court style: the case's `style:`, else the chambers profile's, else the one
    that claims the court; with the chambers' settings on top."""
    registry = registry_for(tuple(str(f) for f in (*folders, *chambers.style_folders)))
    if case.style:
        style = registry.get(case.style, field="style")
    elif chambers.style:
        style = registry.get(chambers.style, asked_in=chambers.profile_path, field="style")
    else:
        style = registry.for_court(case.court)
    return style.with_settings(dict(chambers.style_settings),
                               chambers.profile_path or "profile.yaml")


def library_for(chambers: Chambers) -> ClauseLibrary:
    return ClauseLibrary([*chambers.clause_folders, bundled_clauses()])


def default_clause_ids(library: ClauseLibrary, kind: str, outcome: str) -> list[str]:
    """The clauses the library writes an order on this motion and outcome with, when the
    case file writes no section itself (attachments included)."""
    from types import SimpleNamespace

    case: Any = SimpleNamespace(motion=SimpleNamespace(kind=kind),
                                ruling=SimpleNamespace(outcome=outcome))
    writer = OrderWriter(library)
    conclusion_id = conclusion_clause_id(case)
    ids = [block.clause for name in ("introduction", "background", "discussion", "conclusion")
           for block in writer._default_section(case, name, conclusion_id)]
    ids += [a for a in _attachments(case) if a in library]
    return list(dict.fromkeys(ids))
