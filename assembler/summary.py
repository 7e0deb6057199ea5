"""The closing line of `lint` and `check`: what was looked at and what was found.

"0 errors, 0 warnings in 28 clauses and 1 template": printed when clean too, so a clean run
says so instead of printing nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .checks import Finding


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def tally(findings: Iterable[Finding], scope: str) -> str:
    found = list(findings)
    errors = sum(f.level == "error" for f in found)
    return (f"{plural(errors, 'error')}, {plural(len(found) - errors, 'warning')} "
            f"in {scope}")


def lint_scope(paths: list[Path]) -> str:
    """"28 clauses and 1 template" for what `assembler lint PATHS` reads."""
    from .clauses import ClauseLibrary
    from .resources import bundled_clauses, default_template

    if not paths:
        paths = [default_template(), bundled_clauses()]
    clauses = templates = case_files = 0
    for path in paths:
        suffix = path.suffix.lower()
        if path.is_dir():
            clauses += len(ClauseLibrary([path]).ids())
        elif suffix == ".md":
            clauses += 1
        elif suffix == ".docx":
            templates += 1
        elif suffix in (".yaml", ".yml", ".json"):
            case_files += 1
    parts = [plural(n, word) for n, word in ((clauses, "clause"), (templates, "template"),
                                              (case_files, "case file")) if n]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "nothing"
