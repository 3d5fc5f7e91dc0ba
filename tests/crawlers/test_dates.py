"""Publication times (crawlers/dates.py) and the crawl-side future-date guard, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.dates import MissingDate, clamp_future, parse_date_text, to_utc
from tests.crawlers.conftest import FixtureServer, run_crawl


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-12", datetime(2026, 11, 12, tzinfo=UTC)),  # ISO: never day-first
        ("2026-11-12T10:15:00Z", datetime(2026, 11, 12, 10, 15, tzinfo=UTC)),
        ("2026-11-12T10:15:00.000Z", datetime(2026, 11, 12, 10, 15, tzinfo=UTC)),
        ("2026-11-12T11:15:00+01:00", datetime(2026, 11, 12, 10, 15, tzinfo=UTC)),
        ("2026/11/12 10:15", datetime(2026, 11, 12, 10, 15, tzinfo=UTC)),  # year first: not day-first
        ("12.11.2026 10:15", datetime(2026, 11, 12, 10, 15, tzinfo=UTC)),  # local: day-first
        ("03/11/2026", datetime(2026, 11, 3, tzinfo=UTC)),
        ("1763633700", datetime(2025, 11, 20, 10, 15, tzinfo=UTC)),  # epoch seconds as text
    ],
)
def test_iso_first_day_first_only_for_local_formats(text: str, expected: datetime) -> None:
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+01:00", 1.7e15, float("nan"), "i går", "x" * 10_000, -1e20, "9999-12-31T23:59:59-14:00"],
)
def test_out_of_range_or_garbage_is_a_missing_date(value: object) -> None:
    with pytest.raises(MissingDate):
        to_utc(value)


def test_clamp_future_allows_a_day_of_skew() -> None:
    fetched = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert clamp_future(fetched + timedelta(hours=20), fetched) == (fetched + timedelta(hours=20), False)
    assert clamp_future(fetched + timedelta(days=8), fetched) == (fetched, True)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.datetimes(), st.none(), st.booleans()))
def test_any_value_gives_a_utc_time_or_missing_date(value: object) -> None:
    try:
        when = to_utc(value)
    except MissingDate:
        return
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)


FORUM_PAGE = """<!DOCTYPE html><html><head><title>Nordlys Logistikk – turnus</title></head><body>
<div class="post" data-id="a1"><span class="by">kari</span><time datetime="2026-11-12T08:00:00Z"></time>
<p class="body">Nordlys Logistikk endrer turnus igjen.</p></div>
<div class="post" data-id="a2"><span class="by">ola</span><time datetime="2026-11-03T09:30:00Z"></time>
<p class="body">Samme her, ingen varsel.</p></div>
<div class="post" data-id="a3"><span class="by">per</span><time datetime="2099-01-05T10:00:00Z"></time>
<p class="body">Klokka på forumet går feil.</p></div>
</body></html>"""

FORUM = {
    "start_urls": ["/forum/t/1"],
    "item": "div.post",
    "thread": "page",
    "fields": {"id": "::attr(data-id)", "author": ".by::text", "date": "time::attr(datetime)", "text": ".body"},
    "date_formats": ["%d.%m.%Y %H:%M"],
}


def test_web_reads_iso_dates_and_clamps_future_ones(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/forum/t/1", body=FORUM_PAGE, content_type="text/html; charset=utf-8")
    before = datetime.now(UTC).replace(microsecond=0)
    res = run_crawl(tmp_path, "web", server.url, FORUM, platform="forum")
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert items["a1"]["published_at"] == "2026-11-12T08:00:00Z"  # was 2026-12-11 (day-first)
    assert items["a2"]["published_at"] == "2026-11-03T09:30:00Z"
    clamped = datetime.fromisoformat(items["a3"]["published_at"].replace("Z", "+00:00"))
    assert before <= clamped <= after
    assert res.stats["error_kinds"] == {"future_date": 1}
    # the cursor never runs ahead of the fetch: a later crawl would skip everything
    assert res.stats["cursor"]["latest"] <= after.strftime("%Y-%m-%dT%H:%M:%SZ")
