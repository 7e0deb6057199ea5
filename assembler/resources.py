"""Where the bundled templates and clause library live (installed wheel or source checkout)."""

from __future__ import annotations

from pathlib import Path


def bundled_templates() -> Path:
    installed = Path(__file__).resolve().parent / "_bundled" / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "templates"


def default_template() -> Path:
    return bundled_templates() / "order.docx"


def bundled_clauses() -> Path:
    return bundled_templates() / "clauses"
