"""How the command line offers the remedy an error names (errors.HINTS): by its options.

The library says what is wrong ("already exists") and which remedy applies (`hint`); the
fronts that take these options (the CLI and the batch's row messages) say it in their words.
"""

from __future__ import annotations

from .errors import AssemblerError

_OPTIONS = {
    "overwrite": "use --force to overwrite",
    "allow": "pass --allow {code} if it may be filed",
    "strict": "without --strict they are warnings",
}


def with_hint(error: AssemblerError) -> str:
    """The error's one line, with its remedy as the command line offers it."""
    text = str(error)
    if error.hint in _OPTIONS:
        text += f" ({_OPTIONS[error.hint].format(code=error.code or '')})"
    return text
