"""Response timing: the 24/7 clock, the business-hours clock, SLA breaches and open-criticism age.

All datetimes going in and out are *naive UTC* (the store's convention, SPEC §4). A timezone-aware
datetime is accepted too and converted to UTC first.

The business-hours clock counts the elapsed time that falls inside working hours
(``BusinessHours.start``..``end`` on ``workdays``, in ``BusinessHours.timezone``), skipping public
holidays from the ``holidays`` package for ``holidays_country``/``holidays_subdiv``. Working
intervals are built per *local* calendar day and converted to UTC, so DST changes are handled by the
time-zone database: on a DST day the working window 08:00-16:00 local is still 8 real hours (the
Oslo changes happen at 02:00/03:00), while the 24/7 clock sees a 23- or 25-hour day. The result is
real elapsed hours (a UTC difference), never wall-clock-face arithmetic.

Negative spans (the reply is dated before the mention, e.g. an edited review) count as 0 and are
reported as a clock anomaly by :func:`measure_delay` (SPEC §4, ``clock_anomalies``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from pipeline.store import sla

__all__ = [
    "WEEKDAYS",
    "BusinessHours",
    "Delay",
    "add_business_hours",
    "business_hours_between",
    "clock_anomaly",
    "is_business_day",
    "measure_delay",
    "open_age_hours",
    "open_sla_breached",
    "parse_workdays",
    "sla_breached",
    "sla_deadline",
    "wall_hours_between",
]

WEEKDAYS: dict[str, int] = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOUR = 3600.0


def parse_workdays(names: Iterable[str | int]) -> tuple[int, ...]:
    """``["mon", "tue", ...]`` (the config's spelling) or ints 0..6 → a sorted tuple of ints (Mon=0)."""
    out: set[int] = set()
    for n in names:
        if isinstance(n, int):
            if not 0 <= n <= 6:
                raise ValueError(f"workday {n} is not in 0..6")
            out.add(n)
        else:
            key = n.strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"unknown workday {n!r}")
            out.add(WEEKDAYS[key])
    return tuple(sorted(out))


@dataclass(frozen=True)
class BusinessHours:
    """Working hours in a time zone. Build it from the config's ``responses`` section."""

    timezone: str = "Europe/Oslo"
    start: time = time(8, 0)
    end: time = time(16, 0)
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays_country: str | None = "NO"
    holidays_subdiv: str | None = None
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        object.__setattr__(self, "_tz", tz)
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start/end must be naive local times")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        object.__setattr__(self, "workdays", parse_workdays(self.workdays))
        if self.holidays_country:
            # Fail early (at config time) on an unknown country or subdivision.
            try:
                _holiday_dates(self.holidays_country, self.holidays_subdiv, 2000)
            except NotImplementedError as e:
                raise ValueError(str(e)) from None

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def hours_per_day(self) -> float:
        """Nominal length of a working day in hours (08:00-16:00 → 8.0)."""
        s = self.start.hour * 3600 + self.start.minute * 60 + self.start.second
        e = self.end.hour * 3600 + self.end.minute * 60 + self.end.second
        return (e - s) / _HOUR


@functools.lru_cache(maxsize=512)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdiv, years=year).keys())


def is_business_day(day: date, cfg: BusinessHours) -> bool:
    """A configured workday that is not a public holiday."""
    if day.weekday() not in cfg.workdays:
        return False
    if cfg.holidays_country:
        return day not in _holiday_dates(cfg.holidays_country, cfg.holidays_subdiv, day.year)
    return True


def _to_naive_utc(d: datetime) -> datetime:
    if d.tzinfo is not None:
        return d.astimezone(UTC).replace(tzinfo=None)
    return d


def _local_to_naive_utc(day: date, t: time, tz: ZoneInfo) -> datetime:
    # fold=0: an ambiguous local time takes its first occurrence; a non-existent one (in a spring-
    # forward gap) is interpreted with the pre-transition offset. Neither happens for 08:00/16:00
    # in Europe/*, whose transitions are at night.
    return datetime.combine(day, t, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _window(day: date, cfg: BusinessHours) -> tuple[datetime, datetime]:
    return _local_to_naive_utc(day, cfg.start, cfg.tz), _local_to_naive_utc(day, cfg.end, cfg.tz)


def wall_hours_between(start_utc: datetime, end_utc: datetime) -> float:
    """24/7 hours from ``start_utc`` to ``end_utc``; a negative span counts as 0 (see clock_anomaly)."""
    secs = (_to_naive_utc(end_utc) - _to_naive_utc(start_utc)).total_seconds()
    return max(0.0, secs / _HOUR)


def clock_anomaly(start_utc: datetime, end_utc: datetime) -> bool:
    """True when the "response" is dated before the mention (SPEC §4: counted in clock_anomalies)."""
    return _to_naive_utc(end_utc) < _to_naive_utc(start_utc)


def business_hours_between(start_utc: datetime, end_utc: datetime, cfg: BusinessHours) -> float:
    """Working hours elapsed between two naive-UTC datetimes; a negative span counts as 0."""
    a, b = _to_naive_utc(start_utc), _to_naive_utc(end_utc)
    if b <= a:
        return 0.0
    tz = cfg.tz
    first = a.replace(tzinfo=UTC).astimezone(tz).date()
    last = b.replace(tzinfo=UTC).astimezone(tz).date()
    total = 0.0
    day = first
    one = timedelta(days=1)
    while day <= last:
        if is_business_day(day, cfg):
            ws, we = _window(day, cfg)
            lo, hi = max(a, ws), min(b, we)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += one
    return total / _HOUR


def add_business_hours(start_utc: datetime, hours: float, cfg: BusinessHours) -> datetime:
    """The naive-UTC instant at which ``hours`` of working time have elapsed after ``start_utc``.

    Inverse of :func:`business_hours_between`: ``business_hours_between(s, add_business_hours(s, h))
    == h``. Used for business-clock SLA deadlines. ``hours`` must be >= 0.
    """
    if hours < 0:
        raise ValueError("hours must be >= 0")
    cur = _to_naive_utc(start_utc)
    remaining = hours * _HOUR
    day = cur.replace(tzinfo=UTC).astimezone(cfg.tz).date()
    one = timedelta(days=1)
    # A configuration without any business day would loop forever; 3700 days ≈ 10 years is the cap.
    for _ in range(3700 + int(hours // max(cfg.hours_per_day, 1e-9)) * 2):
        if is_business_day(day, cfg):
            ws, we = _window(day, cfg)
            lo = max(cur, ws)
            if we > lo:
                avail = (we - lo).total_seconds()
                if remaining <= avail:
                    return lo + timedelta(seconds=remaining)
                remaining -= avail
        day += one
    raise ValueError("no business days found: check workdays and holidays")


def sla_breached(delay_hours: float | None, sla_hours: float) -> bool:
    """True when a response took *longer than* the SLA (a reply exactly at the SLA is in time).

    ``delay_hours=None`` (no response) is not a breach by itself; use :func:`open_sla_breached`
    for unanswered criticism. The rule itself lives in :mod:`pipeline.store.sla`, so the
    dashboard's inbox applies the very same one.
    """
    return sla.sla_breached(delay_hours, sla_hours)


def open_age_hours(published_utc: datetime, now_utc: datetime, cfg: BusinessHours | None = None) -> float:
    """Age of an unanswered criticism at ``now_utc``: 24/7 hours, or working hours if ``cfg`` is given."""
    if cfg is None:
        return wall_hours_between(published_utc, now_utc)
    return business_hours_between(published_utc, now_utc, cfg)


def open_sla_breached(
    published_utc: datetime, now_utc: datetime, sla_hours: float, cfg: BusinessHours | None = None
) -> bool:
    """An unanswered criticism is in breach once its age exceeds the SLA."""
    return sla_breached(open_age_hours(published_utc, now_utc, cfg), sla_hours)


def sla_deadline(published_utc: datetime, sla_hours: float, cfg: BusinessHours | None = None) -> datetime:
    """Naive-UTC instant when the SLA runs out (24/7 clock, or the business clock if ``cfg`` given)."""
    if cfg is None:
        return _to_naive_utc(published_utc) + timedelta(hours=sla_hours)
    return add_business_hours(published_utc, sla_hours, cfg)


class Delay(NamedTuple):
    """First-response delay of one mention, ready for the ``responses`` table."""

    delay_hours: float  # 24/7 clock, >= 0
    business_delay_hours: float | None  # working-hours clock, >= 0; None without a BusinessHours
    clock_anomaly: bool  # the response is dated before the mention; both delays are then 0
    sla_breached: bool


def measure_delay(
    published_utc: datetime,
    responded_utc: datetime,
    *,
    sla_hours: float = 24.0,
    business: BusinessHours | None = None,
    sla_clock: str = "wall",
) -> Delay:
    """Both clocks, the anomaly flag and the SLA flag for one responded mention.

    ``sla_clock`` is ``"wall"`` (default, the SPEC's 24/7 delay) or ``"business"`` (requires
    ``business``).
    """
    if sla_clock not in ("wall", "business"):
        raise ValueError(f"sla_clock must be 'wall' or 'business', not {sla_clock!r}")
    if sla_clock == "business" and business is None:
        raise ValueError("sla_clock='business' needs a BusinessHours")
    wall = wall_hours_between(published_utc, responded_utc)
    biz = business_hours_between(published_utc, responded_utc, business) if business else None
    against = biz if sla_clock == "business" else wall
    return Delay(
        delay_hours=wall,
        business_delay_hours=biz,
        clock_anomaly=clock_anomaly(published_utc, responded_utc),
        sla_breached=sla_breached(against, sla_hours),
    )
