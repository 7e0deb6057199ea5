"""Every check the assembler runs, defined once: its code, level, what it applies to, whether
it blocks a render, and for Fed. R. Civ. P. 5.2 the subdivision.

Everything else derives its list from here: `render --allow` and `batch --allow` (choices and
help), preview's allow-all, `assembler checks`, and the README's table (a test keeps it equal).
A new check is one `register(Check(...))` plus its function; a check given a `scan` function
(text in, `(offset, message)` pairs out) runs wherever the Rule 5.2 checks run: over a case
file's text, every text part of a rendered order, a .docx and a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

# What a check reads.
APPLIES_TO = ("case file", "order", "docx", "pdf", "template", "clause")
# Whether a finding at error level stops `render`: always; unless the render allows the
# code (a Rule 5.2 finding the court may accept, e.g. under Rule 5.2(b) or (h)); only when
# the render is strict (citations); or never (lint and check findings).
BLOCKS = ("always", "unless-allowed", "strict", "never")

Scan = Callable[[str], Iterable[tuple[int, str]]]


@dataclass(frozen=True)
class Check:
    code: str
    level: str                    # "error" or "warning" (the most severe it reports)
    applies_to: tuple[str, ...]   # from APPLIES_TO
    blocks: str                   # from BLOCKS
    summary: str                  # what it finds, in a line
    rule: str | None = None       # e.g. "5.2(a)(1)": a Fed. R. Civ. P. 5.2 code
    scan: Scan | None = None      # a text check run beside Rule 5.2's (see the docstring)

    def __post_init__(self) -> None:
        if self.level not in ("error", "warning"):
            raise ValueError(f"check {self.code}: level must be error or warning")
        if self.blocks not in BLOCKS or not set(self.applies_to) <= set(APPLIES_TO):
            raise ValueError(f"check {self.code}: blocks or applies_to not known")


CHECKS: dict[str, Check] = {}
_generation = 0


def register(check: Check) -> Check:
    """Add (or replace) a check; every list derived from the registry shows it."""
    global _generation
    CHECKS[check.code] = check
    _generation += 1
    return check


def unregister(code: str) -> None:
    global _generation
    CHECKS.pop(code, None)
    _generation += 1


def generation() -> int:
    """Changes whenever the registry does (for caches of findings)."""
    return _generation


def allowable_codes() -> tuple[str, ...]:
    """The codes a render may be told to allow (`--allow CODE`)."""
    return tuple(c.code for c in CHECKS.values() if c.blocks == "unless-allowed")


def rule_5_2_codes() -> tuple[str, ...]:
    return tuple(c.code for c in CHECKS.values() if c.rule and c.rule.startswith("5.2"))


def blocks_render(code: str, allow: Iterable[str] = ()) -> bool:
    """Whether an error-level finding of this code stops a render (an unknown code does)."""
    check = CHECKS.get(code)
    if check is None or check.blocks == "always":
        return True
    return check.blocks == "unless-allowed" and code not in allow


def text_scans() -> tuple[Check, ...]:
    """The registered checks that scan text (run with Rule 5.2's)."""
    return tuple(c for c in CHECKS.values() if c.scan is not None)


def markdown_table() -> str:
    """The registry as the README's table."""
    rows = ["| code | level | applies to | blocks a render | finds |",
            "| --- | --- | --- | --- | --- |"]
    for c in CHECKS.values():
        rule = f" (Rule {c.rule})" if c.rule else ""
        rows.append(f"| `{c.code}` | {c.level} | {', '.join(c.applies_to)} | {c.blocks} | "
                    f"{c.summary}{rule} |")
    return "\n".join(rows)


_PRIVACY = ("case file", "order", "docx", "pdf")
_LINT = ("template", "clause")
for _check in (
    Check("ssn", "error", _PRIVACY, "unless-allowed", "a full Social Security number",
          "5.2(a)(1)"),
    Check("tin", "error", _PRIVACY, "unless-allowed",
          "a full taxpayer-identification number", "5.2(a)(1)"),
    Check("birth-date", "error", _PRIVACY, "unless-allowed", "a full date of birth",
          "5.2(a)(2)"),
    Check("account-number", "error", _PRIVACY, "unless-allowed",
          "a financial-account or payment-card number beyond the last four digits",
          "5.2(a)(4)"),
    Check("minor-name", "error", _PRIVACY, "unless-allowed",
          "the name of a party marked as a minor (the output path too)", "5.2(a)(3)"),
    Check("sealed-term", "error", _PRIVACY, "always",
          "a sealed name, or a part of it, in what the public version prints"),
    Check("metadata", "warning", ("docx",), "never",
          "an author, thumbnail, custom XML or template path left in the document"),
    Check("tracked-changes", "error", ("docx",), "never", "tracked changes"),
    Check("comments", "error", ("docx",), "never", "comments"),
    Check("risky-part", "error", ("docx",), "never",
          "what render refuses in a template: macros, external links, hidden text"),
    Check("to-fill", "error", ("case file",), "never",
          "a `[[marker]]` still to fill in"),
    Check("cite-short", "error", ("case file", "order"), "strict",
          "a short form whose volume or reporter no full citation has"),
    Check("cite-pin", "error", ("case file", "order"), "strict",
          "a pin cite before the first page"),
    Check("cite-conflict", "error", ("case file", "order"), "strict",
          "one case cited under two volumes or first pages"),
    Check("cite-id", "error", ("case file", "order"), "strict",
          "an Id. with no authority before it or a pin that cannot be its (a warning "
          "after a statute)"),
    Check("cite-supra", "error", ("case file", "order"), "strict",
          "a supra with no earlier full citation"),
    Check("cite-italics", "warning", ("case file", "order"), "never",
          "a case name not in italics"),
    Check("cite-reporter", "warning", ("case file", "order"), "never",
          "a reporter reporters-db does not know"),
    Check("syntax", "error", ("template",), "never", "a Jinja syntax error"),
    Check("broken-tag", "error", ("template",), "never",
          "a tag Word split or left unclosed"),
    Check("split-tag", "warning", ("template",), "never",
          "a tag whose braces a space separates"),
    Check("p-tag", "error", ("template",), "never",
          "a {%p %} tag sharing its paragraph, or holding a % or }"),
    Check("unknown-variable", "error", _LINT, "never", "a variable no case gives"),
    Check("template-refused", "error", ("template",), "never",
          "what makes render refuse the template"),
    Check("clause", "error", ("clause",), "never", "a clause file that cannot be read"),
    Check("unknown-clause", "error", ("clause",), "never", "a call to an unknown clause id"),
    Check("front-matter", "error", ("clause",), "never",
          "front matter that does not match the body (an unused need is a warning)"),
    Check("unused-field", "warning", _LINT, "never", "a case-file field nothing reads"),
    Check("case-file", "error", ("case file",), "never", "a case file that does not validate"),
):
    register(_check)
