"""How the command line offers the remedy an error names (errors.HINTS): by its options.

The library says what is wrong ("already exists") and which remedy applies (`hint`); the
fronts that take these options (the CLI and the batch's row messages) say it in their words.
"""

from __future__ import annotations

from .errors import AssemblerError

# Each remedy as it follows the message: most in parentheses, a next step after a colon.
_OPTIONS = {
    "overwrite": " (use --force to overwrite)",
    "replace": " (move it away, or use --force to replace it)",
    "allow": " (pass --allow {code} if it may be filed)",
    "strict": " (without --strict they are warnings)",
    "resume": ": run again with --resume",
    "resume-or-restart": ": run again with --resume to finish it, --force to start over, or "
                         "choose another folder",
}


def remedy(hint: str | None, code: str | None = None) -> str:
    """What follows a message to offer the remedy `hint` names ("" for none)."""
    return _OPTIONS[hint].format(code=code or "") if hint in _OPTIONS else ""


def with_hint(error: AssemblerError) -> str:
    """The error's one line, with its remedy as the command line offers it."""
    return str(error) + remedy(error.hint, error.code)
