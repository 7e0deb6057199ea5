"""Numbers, amounts and dates as a case file or a spreadsheet writes them, read strictly.

YAML values reach the models as the text that was written, JSON values as JSON types; either
way a value is refused rather than guessed at: `true` is not a number, `3_1` is not 31, a
fraction of a cent is not silently rounded, and `2025-02-30` says which day does not exist.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

MAX_AMOUNT = Decimal("1000000000000")  # one trillion dollars
MAX_DAYS = 3650  # ten years: longer periods are typing slips, and dates must stay printable
FIRST_YEAR, LAST_YEAR = 1900, 2999
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Everything Python's str.splitlines() breaks at: NEL and the Unicode line and paragraph
separators end a line as surely as a newline does."""


def _refuse(kind: str, reason: str) -> PydanticCustomError:
    """An error of pydantic's own kind (`int_parsing`, ...), so that what reads the kinds
    (preview's stand-ins) understands it, carrying this module's wording as its `reason`."""
    return PydanticCustomError(kind, "{reason}", {"reason": reason})


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise _refuse("int_parsing", "must be a whole number, not true or false")
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,15}", text):
            raise _refuse("int_parsing", f"must be a whole number written in digits, not '{value}'")
        return int(text)
    return value


Count = Annotated[int, BeforeValidator(_whole_number), Field(gt=0, le=999_999_999)]
"""A docket number, a number of works: a positive whole number."""

Days = Annotated[int, BeforeValidator(_whole_number), Field(gt=0, le=MAX_DAYS)]
"""A period in days (Rule 6(a))."""


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _refuse("decimal_parsing", "must be an amount in dollars, not true or false")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", text):
            text = text.replace(",", "")  # 7,500.00 as a spreadsheet shows it
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            raise _refuse("decimal_parsing", f"must be an amount in dollars written in digits (7500 or "
                             f"7500.00), not '{value}'")
        amount = Decimal(text)
    elif isinstance(value, (int, float, Decimal)):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise _refuse("decimal_parsing", "must be an amount in dollars") from None
    else:
        raise _refuse("decimal_parsing", "must be an amount in dollars")
    if not amount.is_finite():
        raise _refuse("decimal_parsing", "must be an amount in dollars")
    if amount < 0:
        raise _refuse("decimal_parsing", "must not be negative")
    if amount > MAX_AMOUNT:
        raise _refuse("decimal_parsing", f"must be at most ${MAX_AMOUNT:,}")
    if amount != amount.quantize(Decimal("0.01")):
        raise _refuse("decimal_parsing", f"{value} has a fraction of a cent; an order states whole cents "
                         "(round it as the judgment should)")
    return amount


Amount = Annotated[Decimal, BeforeValidator(_amount)]
"""Dollars, to the cent: 7500, 7500.00, 7,500.00."""


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def parse_date(value: Any) -> date:
    """YYYY-MM-DD, or M/D/YYYY as a US spreadsheet writes dates (slashes are always read
    month first, as Excel does in the United States: 3/4/2025 is March 4)."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
        us = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
        if iso:
            year, month, day_number = (int(g) for g in iso.groups())
        elif us:
            month, day_number, year = (int(g) for g in us.groups())
            if month > 12 and day_number <= 12:
                raise _refuse("date_parsing", f"invalid date '{text}': dates with slashes are month/day/"
                                 f"year, and there is no month {month} (write it as "
                                 f"{year}-{day_number:02d}-{month:02d} if that is meant)")
        else:
            raise _refuse("date_parsing", f"invalid date '{value}' (write it as YYYY-MM-DD)")
        if not 1 <= month <= 12:
            raise _refuse("date_parsing", f"invalid date '{text}': there is no month {month} (write it "
                             "as YYYY-MM-DD)")
        last = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if not 1 <= day_number <= last:
            raise _refuse("date_parsing", f"invalid date '{text}': {calendar.month_name[month]} {year} has "
                             f"no {_ordinal(day_number)} day")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise _refuse("date_parsing", f"invalid date '{text}': the year must be between {FIRST_YEAR} "
                             f"and {LAST_YEAR}")
        day = date(year, month, day_number)
    else:
        raise _refuse("date_parsing", f"invalid date '{value}' (write it as YYYY-MM-DD)")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _refuse("date_parsing", f"invalid date '{day}': the year must be between {FIRST_YEAR} and "
                         f"{LAST_YEAR}")
    return day


CalendarDate = Annotated[date, BeforeValidator(parse_date)]
"""A date in YYYY-MM-DD or US M/D/YYYY form."""


def one_line(value: str) -> str:
    if LINE_BREAKS.search(value):
        raise ValueError("must be on one line")
    return value
