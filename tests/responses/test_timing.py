"""Timing: the 24/7 clock, the business-hours clock (Europe/Oslo, Norwegian holidays), SLA flags.

Every expected value is worked out by hand in the comments. Oslo is CET (UTC+1) in winter and
CEST (UTC+2) in summer; in 2026 summer time starts Sun 29 March and ends Sun 25 October; in 2024
it started Sun 31 March (which was also Easter Sunday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.responses.timing import (
    BusinessHours,
    add_business_hours,
    business_hours_between,
    clock_anomaly,
    is_business_day,
    measure_delay,
    open_age_hours,
    open_sla_breached,
    parse_workdays,
    sla_breached,
    sla_deadline,
    wall_hours_between,
)

OSLO = BusinessHours()  # Europe/Oslo, Mon-Fri 08:00-16:00, holidays NO


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi)  # naive UTC, the store's convention


# --------------------------------------------------------------------------- plain weekdays


def test_one_ordinary_working_day_is_eight_hours() -> None:
    # Tue 10 Feb 2026 (CET): 08:00-16:00 local = 07:00-15:00 UTC.
    assert business_hours_between(utc(2026, 2, 10, 0), utc(2026, 2, 11, 0), OSLO) == 8.0
    assert business_hours_between(utc(2026, 2, 10, 7), utc(2026, 2, 10, 15), OSLO) == 8.0
    # 06:30-07:30 UTC = 07:30-08:30 local → only 08:00-08:30 counts = 0.5 h
    assert business_hours_between(utc(2026, 2, 10, 6, 30), utc(2026, 2, 10, 7, 30), OSLO) == 0.5


def test_within_one_working_day() -> None:
    # 09:15 → 11:45 local on Wed 11 Feb 2026 = 2.5 h on both clocks
    a, b = utc(2026, 2, 11, 8, 15), utc(2026, 2, 11, 10, 45)
    assert business_hours_between(a, b, OSLO) == 2.5
    assert wall_hours_between(a, b) == 2.5


def test_after_hours_to_before_hours_is_zero() -> None:
    # Tue 17:00 local → Wed 07:00 local: nothing inside 08-16.
    assert business_hours_between(utc(2026, 2, 10, 16), utc(2026, 2, 11, 6), OSLO) == 0.0


def test_weekend() -> None:
    # Fri 6 Feb 2026 14:00 CET (13:00 UTC) → Mon 9 Feb 10:00 CET (09:00 UTC)
    # business: Fri 14-16 = 2 h, Sat/Sun = 0, Mon 08-10 = 2 h → 4 h
    # wall: Fri 13:00 → Mon 09:00 UTC = 3 days − 4 h = 68 h
    a, b = utc(2026, 2, 6, 13), utc(2026, 2, 9, 9)
    assert business_hours_between(a, b, OSLO) == 4.0
    assert wall_hours_between(a, b) == 68.0
    # Entirely inside a weekend → 0
    assert business_hours_between(utc(2026, 2, 7, 0), utc(2026, 2, 8, 23), OSLO) == 0.0


def test_full_week_is_forty_hours() -> None:
    # Mon 9 Feb 2026 00:00 UTC → Mon 16 Feb 00:00 UTC: five 8-hour days, no holidays → 40 h
    assert business_hours_between(utc(2026, 2, 9), utc(2026, 2, 16), OSLO) == 40.0


# --------------------------------------------------------------------------- DST


def test_dst_spring_forward_oslo() -> None:
    # Fri 27 Mar 2026 15:00 CET = 14:00 UTC; Mon 30 Mar 2026 09:00 CEST = 07:00 UTC.
    # wall: Fri 14:00 → Mon 07:00 UTC = 2 d 17 h = 65 h (the local clock face shows 66 h,
    #       because Sunday 29 March has only 23 hours).
    # business: Fri 15-16 = 1 h + Mon 08-09 = 1 h = 2 h
    a, b = utc(2026, 3, 27, 14), utc(2026, 3, 30, 7)
    assert wall_hours_between(a, b) == 65.0
    assert business_hours_between(a, b, OSLO) == 2.0


def test_dst_shifts_the_utc_working_window() -> None:
    # Before the change the Oslo working day is 07:00-15:00 UTC; after it, 06:00-14:00 UTC.
    assert business_hours_between(utc(2026, 3, 27, 6), utc(2026, 3, 27, 7), OSLO) == 0.0  # 07-08 CET
    assert business_hours_between(utc(2026, 3, 30, 6), utc(2026, 3, 30, 7), OSLO) == 1.0  # 08-09 CEST
    assert business_hours_between(utc(2026, 3, 30, 14), utc(2026, 3, 30, 15), OSLO) == 0.0  # 16-17 CEST
    assert business_hours_between(utc(2026, 3, 30, 0), utc(2026, 3, 31, 0), OSLO) == 8.0


def test_dst_autumn_back_oslo() -> None:
    # Sun 25 Oct 2026 has 25 hours in Oslo. Sat 24 Oct 22:00 UTC = Sun 00:00 CEST;
    # Sun 25 Oct 23:00 UTC = Mon 26 Oct 00:00 CET: one local calendar day, 25 real hours.
    a, b = utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)
    assert wall_hours_between(a, b) == 25.0
    assert business_hours_between(a, b, OSLO) == 0.0
    # Mon 26 Oct: 08:00 CET = 07:00 UTC. 06:00-08:00 UTC → only 07-08 UTC counts = 1 h
    assert business_hours_between(utc(2026, 10, 26, 6), utc(2026, 10, 26, 8), OSLO) == 1.0
    # Fri 23 Oct (CEST, starts 06:00 UTC) 15:30 local = 13:30 UTC → Mon 26 Oct 08:30 CET = 07:30 UTC
    # business: Fri 15:30-16:00 = 0.5 + Mon 08:00-08:30 = 0.5 → 1 h
    # wall: Fri 13:30 → Mon 07:30 UTC = 2 d 18 h = 66 h (clock face: 65 h)
    a, b = utc(2026, 10, 23, 13, 30), utc(2026, 10, 26, 7, 30)
    assert business_hours_between(a, b, OSLO) == 1.0
    assert wall_hours_between(a, b) == 66.0


# --------------------------------------------------------------------------- holidays


def test_norwegian_holidays_are_not_business_days() -> None:
    assert not is_business_day(date(2024, 5, 17), OSLO)  # Constitution Day (a Friday)
    assert not is_business_day(date(2024, 3, 28), OSLO)  # Maundy Thursday
    assert not is_business_day(date(2024, 3, 29), OSLO)  # Good Friday
    assert not is_business_day(date(2024, 4, 1), OSLO)  # Easter Monday
    assert not is_business_day(date(2024, 5, 20), OSLO)  # Whit Monday
    assert is_business_day(date(2024, 5, 16), OSLO)
    assert not is_business_day(date(2024, 5, 18), OSLO)  # Saturday
    # 24 December is not a public holiday in Norway (only by custom): it counts.
    assert is_business_day(date(2025, 12, 24), OSLO)


def test_easter_with_dst_2024() -> None:
    # Wed 27 Mar 2024 15:00 CET = 14:00 UTC → Tue 2 Apr 2024 09:30 CEST = 07:30 UTC.
    # Thu 28 (Maundy Thu), Fri 29 (Good Fri), Sat, Sun 31 (Easter + DST), Mon 1 Apr (Easter Mon).
    # business: Wed 15-16 = 1 h + Tue 08:00-09:30 = 1.5 h = 2.5 h
    # wall: Wed 14:00 → Tue 07:30 UTC = 5 d 17.5 h = 137.5 h
    a, b = utc(2024, 3, 27, 14), utc(2024, 4, 2, 7, 30)
    assert business_hours_between(a, b, OSLO) == 2.5
    assert wall_hours_between(a, b) == 137.5


def test_seventeenth_of_may_2024() -> None:
    # Thu 16 May 2024 14:00 CEST = 12:00 UTC → Mon 20 May 2024 10:00 CEST = 08:00 UTC.
    # Fri 17 May (Constitution Day), Sat, Sun, Mon 20 May (Whit Monday) are all off.
    # business: Thu 14-16 = 2 h; wall: 12:00 Thu → 08:00 Mon = 92 h.
    a, b = utc(2024, 5, 16, 12), utc(2024, 5, 20, 8)
    assert business_hours_between(a, b, OSLO) == 2.0
    assert wall_hours_between(a, b) == 92.0
    # ... and up to Tue 21 May 10:00 CEST (08:00 UTC) adds Tue 08-10 = 2 h → 4 h
    assert business_hours_between(a, utc(2024, 5, 21, 8), OSLO) == 4.0


def test_without_holidays_the_holiday_counts() -> None:
    no_holidays = BusinessHours(holidays_country=None)
    # Fri 17 May 2024, 08-16 CEST = 06-14 UTC
    assert business_hours_between(utc(2024, 5, 17, 0), utc(2024, 5, 18, 0), no_holidays) == 8.0
    assert business_hours_between(utc(2024, 5, 17, 0), utc(2024, 5, 18, 0), OSLO) == 0.0


def test_other_country_and_hours() -> None:
    # Sweden: 6 June (National Day) 2025 is a Friday; Stockholm 09:00-17:00.
    se = BusinessHours(timezone="Europe/Stockholm", start=time(9), end=time(17), holidays_country="SE")
    assert not is_business_day(date(2025, 6, 6), se)
    # Thu 5 Jun 2025 16:00 CEST (14:00 UTC) → Mon 9 Jun 10:00 CEST (08:00 UTC): Thu 1 h + Mon 1 h
    assert business_hours_between(utc(2025, 6, 5, 14), utc(2025, 6, 9, 8), se) == 2.0


# --------------------------------------------------------------------------- anomalies, aware input


def test_negative_spans_are_zero_and_flagged() -> None:
    a, b = utc(2026, 2, 10, 12), utc(2026, 2, 10, 9)  # reply dated 3 h before the (edited) review
    assert wall_hours_between(a, b) == 0.0
    assert business_hours_between(a, b, OSLO) == 0.0
    assert clock_anomaly(a, b)
    assert not clock_anomaly(b, a)
    assert not clock_anomaly(a, a)
    d = measure_delay(a, b, business=OSLO)
    assert d.delay_hours == 0.0 and d.business_delay_hours == 0.0 and d.clock_anomaly
    assert not d.sla_breached


def test_aware_datetimes_are_converted_to_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    a = datetime(2026, 3, 30, 8, tzinfo=plus2)  # = 06:00 UTC
    b = datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert wall_hours_between(a, b) == 1.0
    assert business_hours_between(a, b, OSLO) == 1.0


# --------------------------------------------------------------------------- SLA


def test_sla_breached() -> None:
    assert not sla_breached(23.9, 24)
    assert not sla_breached(24.0, 24)  # exactly on time is in time
    assert sla_breached(24.01, 24)
    assert not sla_breached(None, 24)


def test_measure_delay_both_clocks() -> None:
    # The weekend case above: wall 68 h (breach of 24 h), business 4 h (no breach on that clock).
    a, b = utc(2026, 2, 6, 13), utc(2026, 2, 9, 9)
    d = measure_delay(a, b, sla_hours=24, business=OSLO)
    assert (d.delay_hours, d.business_delay_hours, d.clock_anomaly, d.sla_breached) == (
        68.0,
        4.0,
        False,
        True,
    )
    d = measure_delay(a, b, sla_hours=24, business=OSLO, sla_clock="business")
    assert not d.sla_breached
    assert measure_delay(a, b).business_delay_hours is None
    with pytest.raises(ValueError):
        measure_delay(a, b, sla_clock="business")
    with pytest.raises(ValueError):
        measure_delay(a, b, business=OSLO, sla_clock="lunar")


def test_open_criticism_age_and_breach() -> None:
    published = utc(2026, 2, 6, 13)  # Fri 14:00 CET
    now = utc(2026, 2, 9, 9)  # Mon 10:00 CET
    assert open_age_hours(published, now) == 68.0
    assert open_age_hours(published, now, OSLO) == 4.0
    assert open_sla_breached(published, now, 24)
    assert not open_sla_breached(published, now, 24, OSLO)
    assert open_sla_breached(published, now, 3, OSLO)


def test_sla_deadline_and_add_business_hours() -> None:
    # 24/7: Fri 13:00 UTC + 24 h
    assert sla_deadline(utc(2026, 2, 6, 13), 24) == utc(2026, 2, 7, 13)
    # Business: from Wed 27 Mar 2024 15:00 CET: Wed 1 h, Thu-Mon Easter off, Tue 2 Apr 8 h (9),
    # Wed 3 Apr 8 h (17), Thu 4 Apr 7 h more → 15:00 CEST = 13:00 UTC.
    start = utc(2024, 3, 27, 14)
    assert sla_deadline(start, 24, OSLO) == utc(2024, 4, 4, 13)
    assert business_hours_between(start, utc(2024, 4, 4, 13), OSLO) == 24.0
    # Starting outside hours: Sat → Mon 08:00 CET + 0 h is Mon 07:00 UTC
    assert add_business_hours(utc(2026, 2, 7, 12), 0, OSLO) == utc(2026, 2, 9, 7)
    # Ending exactly at the end of a day stays on that day (16:00 local), not next morning.
    assert add_business_hours(utc(2026, 2, 9, 7), 8, OSLO) == utc(2026, 2, 9, 15)
    with pytest.raises(ValueError):
        add_business_hours(start, -1, OSLO)


@pytest.mark.parametrize("hours", [0.25, 1, 7.5, 8, 13, 40, 100])
def test_add_business_hours_is_the_inverse(hours: float) -> None:
    for start in (utc(2024, 3, 27, 14), utc(2024, 5, 16, 12, 17), utc(2026, 10, 23, 13, 30)):
        end = add_business_hours(start, hours, OSLO)
        assert business_hours_between(start, end, OSLO) == pytest.approx(hours)


# --------------------------------------------------------------------------- configuration


def test_business_hours_validation() -> None:
    with pytest.raises(ValueError):
        BusinessHours(start=time(16), end=time(8))
    with pytest.raises(ValueError):
        BusinessHours(timezone="Mars/Olympus")
    with pytest.raises(ValueError):
        BusinessHours(holidays_country="XX")
    with pytest.raises(ValueError):
        BusinessHours(workdays=(0, 7))
    assert OSLO.hours_per_day == 8.0


def test_parse_workdays_from_config_names() -> None:
    assert parse_workdays(["mon", "tue", "wed", "thu", "fri"]) == (0, 1, 2, 3, 4)
    assert parse_workdays(["sun", "sat", "Monday"]) == (0, 5, 6)
    assert BusinessHours(workdays=("sun", "mon")).workdays == (0, 6)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_workdays(["funday"])


def test_weekend_workers() -> None:
    # A Sun-Thu week: Sat 7 Feb 2026 is off, Sun 8 Feb counts (08-16 CET = 07-15 UTC)
    cfg = BusinessHours(workdays=(6, 0, 1, 2, 3))
    assert business_hours_between(utc(2026, 2, 7), utc(2026, 2, 9), cfg) == 8.0


# --------------------------------------------------------------------------- properties

_instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(_instants, _instants, _instants)
def test_business_hours_are_additive_and_bounded(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc, ac = (business_hours_between(x, y, OSLO) for x, y in ((a, b), (b, c), (a, c)))
    assert ac == pytest.approx(ab + bc, abs=1e-9)
    assert 0.0 <= ac <= wall_hours_between(a, c) + 1e-9
    # never more than 8 h per started calendar day
    assert ac <= 8.0 * ((c - a).days + 2)


@settings(max_examples=100, deadline=None)
@given(_instants, st.floats(min_value=0, max_value=200))
def test_add_business_hours_inverse_property(a: datetime, hours: float) -> None:
    end = add_business_hours(a, hours, OSLO)
    assert business_hours_between(a, end, OSLO) == pytest.approx(hours, abs=1e-6)
