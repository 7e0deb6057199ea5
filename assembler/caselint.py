"""Lint a case file as a template is linted: its shape, not its readiness for filing.

`[[markers]]` are allowed (a file from `assembler new` lints clean); what is reported is what
would stop the order from rendering once they are filled: unknown keys and values, a clause
id the library lacks, a footnote label defined twice, a ruling the motion cannot take.
"""

from __future__ import annotations

from pathlib import Path

from .checks import Finding
from .errors import AssemblerError, Location


def lint_case_file(path: Path) -> list[Finding]:
    """Findings for one case file (YAML or JSON); [] when it would render."""
    from .footnotes import check_labels
    from .order import OrderWriter
    from .preview import lenient_case
    from .rawdata import read_data_file
    from .render import chambers_for

    try:
        case, _, _, _ = lenient_case(path)
        located = read_data_file(path)
        check_labels(case, located)
        chambers, library = chambers_for(case, path.parent)
        OrderWriter(library).compose(case, chambers)
    except AssemblerError as exc:
        if exc.file is None:
            from .case import locate
            located = read_data_file(path)
            locate(exc, located)
        where = exc.location if exc.located() else Location(file=str(path))
        return [Finding("error", "case-file", where, exc.message)]
    return []
