"""Case -> what the order says: title, caption, sections, clauses, deadlines, signature.

The legal logic lives here; nothing here knows OOXML. Prose and clause output is Markdown,
which the prose layer turns into Word paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
import re
from typing import Any

from .case import Case, Party, Prose, ProseClause, ProseText
from .chambers import Chambers
from .clauses import ClauseLibrary, MarkdownText
from .courts import find_court
from .deadlines import add_days, long_date, ordinal
from .errors import CaseFileError, ClauseError
from .footnotes import gather as gather_footnotes
from .motions import (AMENDED_WORDS, OTHER, PLEADING_ROLES, PLEADING_WORDS, OrderMotion,
                      registry, ruled_motions)
from .caption import Side, shape
from .prose import markdown_escape
from .styles import Style, number_headings, registry_for

TITLE_VERBS = {
    "granted": "GRANTING",
    "denied": "DENYING",
    "denied_without_prejudice": "DENYING",
    "granted_in_part": "GRANTING IN PART AND DENYING IN PART",
    "moot": "DENYING AS MOOT",
}


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
    notes: list["ClauseNote"] = field(default_factory=list)   # what the library wrote, where
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
            "ip_address": party.ip_address, "minor": party.minor, "several": False}


def _caption_lines(parties: list[Party], sealed: bool) -> list[str]:
    lines = []
    for party in parties:
        line = display_name(party, sealed).upper()
        if party.ip_address:
            line += f", subscriber assigned IP address {party.ip_address}"
        lines.append(line + ",")
    return lines


def order_title(case: Case, chambers: Chambers | None = None) -> str:
    """"ORDER DENYING MOTION FOR DEFAULT JUDGMENT" and the like; every motion, with its outcome."""
    motions = registry((chambers or Chambers()).motion_folders)
    return title_for(ruled_motions(case, motions))


def title_for(ruled: list[OrderMotion]) -> str:
    phrases = [f"{TITLE_VERBS[r.ruling.outcome]} {title_words(r.name)}" for r in ruled]
    if len(phrases) <= 2:
        return "ORDER " + " AND ".join(phrases)
    return "ORDER " + ", ".join(phrases[:-1]) + ", AND " + phrases[-1]


def title_words(name: str) -> str:
    """A motion's name in capitals, keeping a rule's subdivisions as written: RULE 26(f)."""
    return "".join(part if re.fullmatch(r"\([a-z0-9]+\)", part) else part.upper()
                   for part in re.split(r"(\([a-z0-9]+\))", name))


def _relief(motion: Any, field: str) -> dict[str, Any]:
    relief = motion.relief
    damages = relief.statutory_damages
    if relief.per_work is not None and relief.works is not None:
        computed = relief.per_work * relief.works
        if damages is not None and damages != computed:
            raise CaseFileError(
                f"statutory_damages {damages} does not equal per_work x works ({computed})",
                field=f"{field}.relief.statutory_damages")
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


def _requested_relief(motion: Any) -> list[str]:
    relief = motion.relief
    requested = []
    if relief.statutory_damages is not None or relief.per_work is not None:
        requested.append("statutory_damages")
    if relief.permanent_injunction:
        requested.append("permanent_injunction")
    if relief.fees_and_costs:
        requested.append("fees_and_costs")
    return requested


def _ruling(r: OrderMotion, case: Case, state: str | None) -> dict[str, Any]:
    """The ruling with what it awards; for relief-named items, the names are checked."""
    ruling = r.ruling
    field = r.ruling_field
    signed = case.signed.date
    try:
        renewal = add_days(signed, ruling.renewal_days, state) if ruling.renewal_days else None
    except ValueError as exc:
        raise CaseFileError(str(exc), field=f"{field}.renewal_days") from None
    granted_items = _items(ruling.granted, ruling, signed, state, f"{field}.granted")
    denied_items = _items(ruling.denied, ruling, signed, state, f"{field}.denied")
    granted = [i["item"] for i in granted_items]
    denied = [i["item"] for i in denied_items]
    if ruling.outcome == "granted_in_part" and r.kind.items != "amount" and not (
            granted and denied):
        raise CaseFileError("granted_in_part needs both granted and denied "
                            "(what is granted and what is denied)",
                            field=f"{field}.granted" if not granted else f"{field}.denied")
    labels: dict[str, str] = {}
    if r.kind.items == "relief":
        requested = _requested_relief(r.motion)
        for key, names in (("granted", granted), ("denied", denied)):
            for index, name in enumerate(names):
                if name not in requested:
                    raise CaseFileError(
                        f"'{name}' is not relief the motion asks for "
                        f"(requested: {', '.join(requested) or 'none'})",
                        field=f"{field}.{key}.{index}")
        labels = r.kind.relief
        awarded = requested if ruling.outcome == "granted" else granted
    else:
        awarded = granted
    if ruling.outcome not in ("granted", "granted_in_part"):
        awarded = []
    return {"outcome": ruling.outcome, "renewal_days": ruling.renewal_days,
            "renewal_deadline": renewal, "granted": granted, "denied": denied,
            "awarded": awarded, "with_prejudice": ruling.with_prejudice,
            "granted_text": join_words([labels.get(g, g) for g in granted]),
            "denied_text": join_words([labels.get(d, d) for d in denied]),
            "granted_items": granted_items, "denied_items": denied_items,
            "granted_groups": _groups(granted_items, labels),
            "denied_groups": _groups(denied_items, labels),
            "closes_case": _closes_case(r, case)}


def _items(items: list[Any], ruling: Any, signed: Any, state: str | None,
           field: str) -> list[dict[str, Any]]:
    """Each granted or denied item with its own disposition (prejudice, leave to amend, moot)."""
    result = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            name, prejudice, amend_days, moot = item, None, None, False
        else:
            name, prejudice, amend_days, moot = item.item, item.prejudice, item.amend_days, item.moot
            if prejudice == "with" and amend_days:
                raise CaseFileError("an item dismissed with prejudice cannot also have leave "
                                    "to amend", field=f"{field}.{index}.amend_days")
        prejudice = prejudice or ("with" if ruling.with_prejudice else "without")
        if amend_days is None and prejudice == "without":
            amend_days = ruling.renewal_days
        result.append({"item": name, "prejudice": prejudice, "moot": moot,
                       "amend_deadline": add_days(signed, amend_days, state)
                       if amend_days else None})
    return result


def _groups(items: list[dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    """Items that share a disposition, in the order they first appear."""
    groups: dict[tuple, list[str]] = {}
    for item in items:
        key = (item["prejudice"], item["amend_deadline"], item["moot"])
        groups.setdefault(key, []).append(labels.get(item["item"], item["item"]))
    return [{"text": join_words(names), "count": len(names), "prejudice": prejudice,
             "amend_deadline": deadline, "moot": moot}
            for (prejudice, deadline, moot), names in groups.items()]


def _closes_case(r: OrderMotion, case: Case) -> bool:
    """Whether the ruling disposes of every claim against every party (or the case says so)."""
    if r.ruling.closes_case is not None:
        return r.ruling.closes_case
    if r.ruling.outcome != "granted" or len(case.motions or ()) > 1:
        return False
    if r.kind.id == "default_judgment":
        return len(case.defendants) == 1
    if r.kind.id == "dismiss":
        return (r.pleading in ("complaint", "amended_complaint") and r.movant_side == "defendant"
                and len(r.movant_indexes) == len(case.defendants))
    return False


def _moving_parties(r: OrderMotion, plaintiffs: list[dict[str, Any]],
                    defendants: list[dict[str, Any]]) -> tuple[Any, Any]:
    """(movant, non-moving party) as the clauses print them; a group for several movants."""
    if r.movant_side is None:
        return None, None
    own, other = (plaintiffs, defendants) if r.movant_side == "plaintiff" else (
        defendants, plaintiffs)
    moving = [own[i] for i in r.movant_indexes]
    if len(moving) == 1 and not r.motion.movant_name:
        movant = moving[0]
    else:
        label = r.motion.movant_name or join_words([p["short_name"] for p in moving])
        movant = {"name": label, "short_name": label, "pseudonym": False, "public_name": label,
                  "ip_address": None, "minor": False, "several": len(moving) > 1}
    return movant, other[0]


def motion_context(r: OrderMotion, case: Case, chambers: Chambers, plaintiffs: list[dict],
                   defendants: list[dict], state: str | None) -> dict[str, Any]:
    """The `motion` a clause sees for one motion of the order."""
    motion = r.motion
    docs = list(motion.docs) or [motion.doc]
    movant, opponent = _moving_parties(r, plaintiffs, defendants)
    pleading = r.pleading
    roles = PLEADING_ROLES.get(pleading or "", (None, None))
    context = {"kind": motion.kind, "doc": docs[0], "docs": docs,
               "cite": "; ".join(chambers.cite(d) for d in docs), "name": r.name,
               "rule": r.kind.rule, "asks": r.kind.asks, "expenses": motion.expenses,
               "movant": r.movant_side, "movant_party": movant, "opponent": opponent,
               "pleading": PLEADING_WORDS.get(pleading or ""),
               "amended_pleading": AMENDED_WORDS.get(pleading or ""),
               "pleader": opponent, "pleader_role": roles[0], "accused_role": roles[1],
               "unopposed": motion.unopposed, "relief": _relief(motion, r.motion_field),
               "subscriber_notice_days": motion.subscriber_notice_days,
               "quash_days": motion.quash_days, "attach": list(motion.attach),
               "an_amended_pleading": _with_article(AMENDED_WORDS.get(pleading or "")),
               "attachments": _attachments(r)}
    from .motion_terms import kind_values
    context.update(kind_values(motion, r.motion_field, case.signed.date, state))
    return context


def build_context(case: Case, chambers: Chambers, sealed: bool,
                  ruled: list[OrderMotion] | None = None) -> dict[str, Any]:
    """The values every template part and clause sees; `motion` and `ruling` are the first
    motion's (each motion's clauses see their own), `motions` lists them all."""
    court = find_court(case.court)
    assert court is not None  # validated by the model
    signed = case.signed.date
    if ruled is None:
        ruled = ruled_motions(case, registry(chambers.motion_folders))
    plaintiffs = [_party(p, sealed) for p in case.plaintiffs]
    defendants = [_party(p, sealed) for p in case.defendants]
    motions = [{"motion": motion_context(r, case, chambers, plaintiffs, defendants,
                                         court.state_code),
                "ruling": _ruling(r, case, court.state_code)} for r in ruled]

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
        "motion": motions[0]["motion"],
        "ruling": motions[0]["ruling"],
        "motions": motions,
        "signed": {"place": case.signed.place, "date": signed,
                   "day_ordinal": ordinal(signed.day), "month_year": f"{signed:%B} {signed.year}",
                   "long": long_date(signed)},
        "sealed": sealed,
        "docket": chambers.cite,
        "deadline": deadline,
        "title": title_for(ruled),
        "referral": ({"judge": case.referral.judge,
                      "cite": chambers.cite(case.referral.doc) if case.referral.doc else None}
                     if case.referral else None),
    }


# Context paths of values a clause may need, and the case-file field that gives each.
_CASE_FIELDS = {"plaintiff": "plaintiffs.0", "defendant": "defendants.0",
                "sealing.order_cite": "sealing.order_doc", "motion.cite": "{motion}.doc",
                "motion.movant_party": "{motion}.movant", "motion.pleader": "{motion}.movant",
                "ruling.renewal_deadline": "{ruling}.renewal_days",
                "ruling.granted_text": "{ruling}.granted", "ruling.denied_text": "{ruling}.denied"}


def case_field(path: str, r: OrderMotion) -> str:
    """The case-file field behind a value a clause uses (`defendant.ip_address` ->
    `defendants.0.ip_address`), so an error points at the line to fix."""
    for known, given in sorted(_CASE_FIELDS.items(), key=lambda kv: -len(kv[0])):
        if path == known or path.startswith(known + "."):
            path = given + path[len(known):]
            break
    else:
        if path.startswith("motion."):
            path = "{motion}" + path[len("motion"):]
        elif path.startswith("ruling."):
            path = "{ruling}" + path[len("ruling"):]
    return path.format(motion=r.motion_field, ruling=r.ruling_field)


@dataclass
class ClauseNote:
    """What the library wrote: a clause, the section it went into, and for which motion."""

    clause: str
    section: str
    motion: str
    chosen_by: str   # "library" or the case-file field that asked for it
    paragraphs: int

    def as_dict(self) -> dict[str, Any]:
        """For `--json`: one object per clause the library wrote into the order."""
        return {"level": "info", "code": "library-clause", "clause": self.clause,
                "section": self.section, "motion": self.motion, "paragraphs": self.paragraphs,
                "chosen_by": self.chosen_by, "message": str(self)}

    def __str__(self) -> str:
        who = ("chosen by the library" if self.chosen_by == "library"
               else f"asked for by {self.chosen_by}")
        count = f"{self.paragraphs} paragraph{'s' * (self.paragraphs != 1)}"
        return f"{self.section}: {count} from clause {self.clause} ({self.motion}; {who})"


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
        ruled = ruled_motions(case, registry(chambers.motion_folders))
        context = build_context(case, chambers, sealed, ruled)
        context.update(style_values(case, style, sealed, context["title"]))
        used: dict[str, str] = {}
        notes: list[ClauseNote] = []
        per_motion = [dict(context, motion=m["motion"], ruling=m["ruling"])
                      for m in context["motions"]]
        current: dict[str, Any] = {"index": 0, "section": "", "asked_by": "library"}
        calling: list[str] = []  # the clauses being rendered, outermost first

        def clause(clause_id: str) -> MarkdownText:
            """Render a clause for the current motion. One the library chose (or a clause
            calls) prints nothing when a precondition fails; one the case asked for is an
            error naming the field that asked."""
            if not isinstance(clause_id, str):
                raise ClauseError(f"clause() takes a clause id, not {clause_id!r}",
                                  clause=calling[-1] if calling else None)
            r = ruled[current["index"]]
            own = per_motion[current["index"]]
            own["clause"] = clause
            asked_by = current["asked_by"]
            current["asked_by"] = "library"   # what this clause calls, the library chose
            try:
                found = self.library.get(clause_id)
                if not found.serves(r.motion.kind, r.ruling.outcome):
                    raise ClauseError(f"does not serve a {r.motion.kind} motion "
                                      f"{r.ruling.outcome}", clause=clause_id)
                failed = found.failed_precondition(own)
                if failed is not None:
                    if asked_by == "library":
                        return MarkdownText("")
                    raise ClauseError(f"its precondition '{failed}' does not hold for this "
                                      "case", clause=clause_id, field=asked_by)
                if found.id in calling or len(calling) >= MAX_CLAUSE_DEPTH:
                    chain = " -> ".join([*calling, found.id])
                    raise ClauseError(f"clauses call each other without end ({chain})",
                                      clause=found.id, file=str(found.path))
                used[found.id] = found.sha256
                position = len(notes)   # a clause is noted before the clauses it calls
                calling.append(found.id)
                try:
                    text = found.render(own)
                except ClauseError as exc:
                    if exc.field and exc.file is None:  # a value the case lacks
                        exc.field = case_field(exc.field, r)
                    raise
                finally:
                    calling.pop()
            finally:
                current["asked_by"] = asked_by
            if text.strip():
                nested = sum(n.paragraphs for n in notes[position:])
                own_paragraphs = len([b for b in text.split("\n\n") if b.strip()]) - nested
                notes.insert(position, ClauseNote(clause_id, current["section"],
                                                  f"{r.motion_field}: {r.name}", asked_by,
                                                  max(own_paragraphs, 1)))
            return text

        context["clause"] = clause
        section_parts: dict[str, list[tuple[str, str]]] = {}
        pieces: list[tuple[str, str, tuple, str]] = []
        headings: dict[str, str | None] = {}
        if case.sections is not None:
            # The court's own sections, in its order, and nothing else.
            for index, section in enumerate(case.sections):
                prose = section.text if section.text is not None else section.blocks
                field_name = "text" if section.text is not None else "blocks"
                name = f"sections.{index}"
                current["section"] = name
                current["index"] = 0
                parts = self._section_pieces(prose, ruled, clause,
                                             ("sections", index, field_name), current)
                section_parts[name] = [(kind, text) for kind, _, text in parts]
                headings[name] = section.heading
                pieces.extend((name, kind, origin, text) for kind, origin, text in parts)
        else:
            for name in ("introduction", "background", "discussion", "conclusion"):
                current["section"] = name
                current["index"] = 0
                prose: Prose | None = getattr(case, name)
                parts = self._section_pieces(prose, ruled, clause, name, current)
                if not parts:
                    # Nothing written for this outcome: each motion's clauses write it.
                    for index, r in enumerate(ruled):
                        current["index"] = index
                        defaults = self._default_section(r, name, len(ruled))
                        parts.extend(self._section_pieces(defaults, ruled, clause, name,
                                                          current, keep_index=True))
                current["index"] = 0
                section_parts[name] = [(kind, text) for kind, _, text in parts]
                headings[name] = None if name == "introduction" else name.upper()
                pieces.extend((name, kind, origin, text) for kind, origin, text in parts)
        current["index"] = 0
        sections = gather_footnotes(section_parts)  # definitions beside their references
        if case.sealing is not None:
            current["section"] = "footnotes"
            note = clause("sealing/footnote")
            sections = _attach_footnote(sections, "sealing", note, order=list(headings))
            pieces.append(("footnote", "clause", ("sealing/footnote",), note))
        body_parts = _body(sections, headings, style)
        body = "\n\n".join(text for _, text in body_parts)
        if case.sections is not None:  # a template laid out for the four named sections
            sections = {"introduction": body, "background": "", "discussion": "",
                        "conclusion": ""}
        sections["body"] = body
        current["section"] = "referral"
        sections["referral"] = clause("referral/line") if case.referral else ""
        attachments = []
        current["section"] = "attachment"
        for index, r in enumerate(ruled):
            current["index"] = index
            for number, attachment_id in enumerate(_attachments(r)):
                current["asked_by"] = f"{r.motion_field}.attach.{number}"
                found = self.library.get(attachment_id)
                if not found.serves(r.motion.kind, r.ruling.outcome):
                    continue  # e.g. the notice of a subpoena the order does not allow
                attachments.append({"title": found.title, "body": clause(attachment_id)})
            current["asked_by"] = "library"
        return OrderText(title=context["title"], context=context, sections=sections,
                         attachments=attachments, clauses_used=used, pieces=pieces,
                         notes=notes, style=style, body_parts=body_parts)

    def _default_section(self, r: OrderMotion, name: str, count: int) -> list[ProseClause]:
        """The clauses a motion's kind names for a section, where they exist and serve."""
        if name == "background":
            return []
        wanted = r.kind.clause_ids(name, r.ruling.outcome)
        if r.kind.id == OTHER and name == "conclusion" and count > 1:
            wanted = ["ruling/line"]  # several motions: the conclusion rules on each
        if name == "conclusion" and r.kind.id != OTHER and not any(
                c in self.library for c in wanted):
            raise ClauseError(
                f"the outcome '{r.ruling.outcome}' is not available for a "
                f"{r.kind.id} motion (no clause {', '.join(wanted) or 'for it'})",
                field=f"{r.ruling_field}.outcome")
        chosen = [c for c in dict.fromkeys(wanted)
                  if c in self.library and self.library.get(c).serves(r.motion.kind,
                                                                      r.ruling.outcome)]
        return [ProseClause(clause=c) for c in chosen]

    def _section_pieces(self, prose: Prose | None, ruled: list[OrderMotion], clause: Any,
                        name: str | tuple, current: dict[str, Any],
                        keep_index: bool = False) -> list[tuple[str, tuple, str]]:
        """(origin kind, origin, Markdown) for each block of a section this outcome keeps."""
        if prose is None:
            return []
        root = name if isinstance(name, tuple) else (name,)
        name = ".".join(str(p) for p in root)
        if isinstance(prose, str):
            return [("case", root, prose.strip("\n"))] if prose.strip() else []
        outcomes = {r.ruling.outcome for r in ruled}
        pieces = []
        for index, block in enumerate(prose):
            if block.when is not None and not outcomes & set(block.when):
                continue
            if isinstance(block, ProseText):
                pieces.append(("case", (*root, index, "text"), block.text))
            else:
                asked_by = "library" if keep_index else f"{name}.{index}.clause"
                if not keep_index:
                    current["index"] = _motion_for(block.clause, ruled, self.library)
                current["asked_by"] = asked_by
                try:
                    pieces.append(("clause", (block.clause,), clause(block.clause)))
                except ClauseError as exc:
                    exc.field = exc.field or f"{name}.{index}.clause"
                    raise
                finally:
                    current["asked_by"] = "library"
        return [(kind, origin, text.strip("\n")) for kind, origin, text in pieces
                if text.strip()]


def _motion_for(clause_id: str, ruled: list[OrderMotion], library: ClauseLibrary) -> int:
    """The motion a clause the case asks for is written for: the first it serves."""
    if clause_id in library:
        found = library.get(clause_id)
        for index, r in enumerate(ruled):
            if found.serves(r.motion.kind, r.ruling.outcome) and ANY_KIND not in found.motions:
                return index
    return 0


ANY_KIND = "any"


def _attachments(r: OrderMotion) -> list[str]:
    """The attachments the case asks for (`attach: [subscriber-notice]`), as clause ids; each
    is attached for the outcomes its clause serves (a notice of a subpoena only if allowed)."""
    result = []
    for number, wanted in enumerate(r.motion.attach):
        match = [a for a in r.kind.attachments
                 if a == wanted or a.rsplit("/", 1)[-1] == wanted]
        if not match:
            offered = ", ".join(a.rsplit("/", 1)[-1] for a in r.kind.attachments) or "none"
            raise CaseFileError(f"'{wanted}' is not an attachment a {r.kind.id} motion offers "
                                f"(offered: {offered})",
                                field=f"{r.motion_field}.attach.{number}")
        result.append(match[0])
    return result


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


def style_values(case: Case, style: Style, sealed: bool, motion_title: str) -> dict[str, Any]:
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


def default_clause_ids(library: ClauseLibrary, kind: str, outcome: str,
                       motion_folders: tuple[Path, ...] = ()) -> list[str]:
    """The clauses the library writes an order on this motion and outcome with, when the
    case file writes no section itself (the attachments it may ask for included)."""
    found = registry(motion_folders).get(kind)
    ids = [c for section in ("introduction", "discussion", "conclusion")
           for c in found.clause_ids(section, outcome)] + list(found.attachments)
    return [c for c in dict.fromkeys(ids)
            if c in library and library.get(c).serves(kind, outcome)]


def _with_article(words: str | None) -> str | None:
    return None if words is None else ("an " if words[0] in "aeiou" else "a ") + words
