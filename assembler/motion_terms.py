"""Values of the kind-specific motion fields: fee arithmetic (the lodestar), bonds, terms, dates.

Money is Decimal throughout; nothing here rounds until the clause writes the amount.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .deadlines import long_date

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(number: Decimal) -> str:
    """A quantity as a court writes it: 120.5, 30 (not 30.0 or 3E+1)."""
    return format(number.normalize(), "f")


def lodestar(motion: Any) -> dict[str, Any] | None:
    """Hours x rate for each timekeeper, their sum, the reductions the court makes, and the
    award: the reasonable hours times reasonable rates, less what the court cuts."""
    if not motion.timekeepers:
        return None
    rows = [{"name": t.name, "role": t.role, "hours": plain(t.hours), "rate": t.rate,
             "amount": _cents(t.hours * t.rate)} for t in motion.timekeepers]
    total = sum((r["amount"] for r in rows), Decimal(0))
    reductions = []
    for cut in motion.reductions:
        amount = _cents(total * cut.percent / 100) if cut.percent is not None else cut.amount
        reductions.append({"reason": cut.reason,
                           "percent": plain(cut.percent) if cut.percent else None,
                           "amount": amount})
    reduced = sum((r["amount"] for r in reductions), Decimal(0))
    award = total - reduced
    costs = motion.costs
    return {"timekeepers": rows, "lodestar": total, "reductions": reductions,
            "reduced_by": reduced, "award": award, "costs": costs,
            "total": award + (costs or 0)}


def kind_values(motion: Any, field: str, signed: date, state: str | None) -> dict[str, Any]:
    """The `motion.*` values the new kinds' clauses print."""
    fees = lodestar(motion)
    if fees is not None and fees["award"] < 0:
        from .errors import CaseFileError
        raise CaseFileError("the reductions exceed the lodestar", field=f"{field}.reductions")
    return {
        "fee_basis": motion.fee_basis,
        "fees": fees,
        "bond": motion.bond,
        "terms": [{"text": t.text, "parts": list(t.items)} for t in motion.terms],
        "deadline": motion.deadline,
        "new_date": long_date(motion.new_date) if motion.new_date else None,
        "claims": list(motion.claims),
        "subpoena": motion.subpoena,
        "documents": list(motion.documents),
    }
