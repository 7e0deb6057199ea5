"""Fed. R. Civ. P. 6(a): counting days, weekends, federal, declared and state holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.deadlines import add_days, is_legal_holiday, long_date, ordinal


@pytest.mark.parametrize("event, days, state, expected, why", [
    (date(2020, 8, 13), 30, "CT", date(2020, 9, 14), "day 30 is Saturday Sept. 12"),
    (date(2023, 5, 20), 30, "CT", date(2023, 6, 20), "day 30 is Juneteenth, a Monday"),
    (date(2020, 1, 13), 30, "CT", date(2020, 2, 13), "Lincoln's Birthday is a Connecticut holiday"),
    (date(2020, 1, 13), 30, "NY", date(2020, 2, 13), "and a New York one"),
    (date(2020, 1, 13), 30, "CA", date(2020, 2, 12), "but not in California"),
    (date(2020, 3, 11), 30, "CT", date(2020, 4, 13), "Good Friday (Conn.), then the weekend"),
    (date(2020, 6, 3), 30, None, date(2020, 7, 6), "July 4 on Saturday is observed Friday July 3"),
    (date(2024, 12, 10), 14, None, date(2024, 12, 26), "Christmas Eve 2024 closed by executive order"),
    (date(2024, 12, 10), 30, None, date(2025, 1, 10), "Jan. 9, 2025: national day of mourning"),
    (date(2021, 3, 1), 3, "CT", date(2021, 3, 4), "a business day stays put"),
])
def test_rule_6a_examples(event, days, state, expected, why):
    assert add_days(event, days, state) == expected, why


def test_writing_dates():
    assert long_date(date(2020, 9, 14)) == "September 14, 2020"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
        "111th"]


STATES = st.sampled_from([None, "CT", "NY", "CA", "TX", "MA"])


@settings(max_examples=300, deadline=None)
@given(event=st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)),
       days=st.integers(min_value=0, max_value=400), state=STATES)
def test_deadline_properties(event, days, state):
    last = add_days(event, days, state)
    naive = event + timedelta(days=days)
    assert last >= naive                                   # never earlier than N days
    assert last.weekday() < 5                              # never a weekend
    assert not is_legal_holiday(last, state)               # never a legal holiday
    if naive.weekday() < 5 and not is_legal_holiday(naive, state):
        assert last == naive                               # exactly N days on a business day
    else:                                                  # else the first business day after
        day = naive
        while day < last:
            assert day.weekday() >= 5 or is_legal_holiday(day, state)
            day += timedelta(days=1)
