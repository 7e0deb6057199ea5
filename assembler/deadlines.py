"""Fed. R. Civ. P. 6(a) time computation for periods stated in days. Pure functions.

Rule 6(a)(1): exclude the day of the event, count every day, include the last day; if the
last day is a Saturday, Sunday or legal holiday, the period runs to the next day that is not.
Rule 6(a)(6): legal holidays are the federal holidays, any day declared a holiday by the
President or Congress, and (for periods counted forward from an event) the state's holidays.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = ["add_days", "is_legal_holiday", "holiday_name", "long_date"]


@lru_cache(maxsize=256)
def _holidays_for(year: int, state: str | None) -> dict[date, str]:
    """The legal holidays of a year, kept in the compile cache: the holidays package loads
    every country's tables on import (about a third of a second), for one table a year."""
    from . import cache

    entry = cache.key("holidays", str(year), state or "")
    stored = cache.load_value("holidays", entry, lambda v: isinstance(v, list) and all(
        isinstance(i, tuple) and len(i) == 2 and isinstance(i[0], int) and isinstance(i[1], str)
        for i in v))
    if stored is not None:
        return {date.fromordinal(day): name for day, name in stored}
    table = _holidays_table(year, state)
    cache.store_value("holidays", entry, [(day.toordinal(), name) for day, name in table.items()])
    return table


def _holidays_table(year: int, state: str | None) -> dict[date, str]:
    import holidays  # loads every country's tables: only when a deadline is computed

    # The 'government' category holds the federal holidays with their observed days plus the
    # days closed by executive order or act of Congress (Rule 6(a)(6)(A)-(B)).
    table: dict[date, str] = dict(
        holidays.country_holidays("US", years=year, categories=(holidays.GOVERNMENT,)))
    if state:
        # Rule 6(a)(6)(C): the state's own public holidays.
        for day, name in holidays.country_holidays("US", subdiv=state, years=year).items():
            table.setdefault(day, name)
    return table


def holiday_name(day: date, state: str | None = None) -> str | None:
    """The legal holiday falling on `day`, if any (federal, declared, or the state's)."""
    return _holidays_for(day.year, state).get(day)


def is_legal_holiday(day: date, state: str | None = None) -> bool:
    """Whether `day` is a legal holiday under Rule 6(a)(6)."""
    return holiday_name(day, state) is not None


def is_business_day(day: date, state: str | None = None) -> bool:
    """Not a Saturday, Sunday or legal holiday."""
    return day.weekday() < 5 and not is_legal_holiday(day, state)


def add_days(event: date, days: int, state: str | None = None) -> date:
    """The last day of a period of `days` days after `event`, per Rule 6(a)(1)."""
    if days < 0:
        raise ValueError("a period runs forward: days must not be negative")
    try:
        last = event + timedelta(days=days)  # 6(a)(1)(A)-(B): exclude the event day, count every day
        while not is_business_day(last, state):  # 6(a)(1)(C): roll past weekends and holidays
            last += timedelta(days=1)
    except OverflowError:
        raise ValueError(f"{days} days after {event.isoformat()} is past the last date a "
                         "calendar can hold (9999-12-31)") from None
    return last


def long_date(day: date) -> str:
    """A date as an order writes it: "September 14, 2020"."""
    return f"{day:%B} {day.day}, {day.year}"


def ordinal(number: int) -> str:
    """13 -> "13th", 22 -> "22nd"."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
