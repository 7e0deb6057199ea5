"""The examples each command's `--help` ends with: real command lines a new user can copy.

They are checked by the tests: each parses against its command's options, so an option
that is renamed cannot leave an example behind that no longer works.
"""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "": ["assembler new --court ilnd --motion dismiss --outcome granted_in_part -o case.yaml",
         "assembler render case.yaml --pdf"],
    "render": ["assembler render case.yaml --pdf",
               "assembler render fixtures/cases/malibu-media-v-doe.yaml "
               "--set ruling.outcome=granted -o granted.docx"],
    "batch": ["assembler batch fixtures/batches/early-discovery.csv "
              "--base fixtures/batches/early-discovery.yaml -o orders/",
              "assembler batch rows.csv --base case.yaml -o orders/ --pdf -j 2"],
    "clauses": ["assembler clauses",
                "assembler clauses --chambers fixtures/chambers/jam --json"],
    "motions": ["assembler motions",
                "assembler motions --chambers fixtures/chambers/stays --json"],
    "new": ["assembler new --court ilnd --motion dismiss --outcome granted_in_part -o case.yaml",
            'assembler new --court "D. Conn." --motion default_judgment --outcome granted'],
    "courts": ['assembler courts "N.D. Ill."', "assembler courts illinois northern"],
    "check": ["assembler check case.yaml",
              "assembler check 3-18-cv-01369-order.docx --case case.yaml"],
    "preview": ["assembler preview --data case.yaml --pdf",
                "assembler preview templates/clauses/dismiss/granted.md --png pages/"],
    "lint": ["assembler lint", "assembler lint my-clauses/ case.yaml"],
    "inspect": ["assembler inspect", "assembler inspect templates/order.docx --json"],
    "checks": ["assembler checks", "assembler checks --json"],
    "schema": ["assembler schema > case.schema.json"],
}


def epilog(command: str) -> str | None:
    """The examples as a help epilog (click keeps a `\\b` paragraph as written)."""
    lines = EXAMPLES.get(command)
    if not lines:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
