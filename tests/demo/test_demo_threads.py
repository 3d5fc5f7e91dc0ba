"""Replies read in their thread (issue 20 point 2), on the demo world's own published data: a critic's
thanks after the company answered is not criticism, and a contrast under a cheerful company post is.

The demo's sentences are test material only: no training file contains them
(`tests/training/test_pairs_data.py` checks that)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.demo.writer import material

pytestmark = [pytest.mark.slow, pytest.mark.model]

# Not met by the shipped build (run e1, MODEL_CARD.md): on the demo's thread replies it flags 5 of 17
# thank-you follow-ups and misses 7 of 34 contrasts (run c11 on the same world: 6 and 6). Strict: when
# a better build makes them pass, this marker must go.
KNOWN_GAP = pytest.mark.xfail(strict=True, reason="issue 20 point 2 not met by run e1: see MODEL_CARD.md")

CHANNELS = ("linkedin", "facebook", "instagram")


def _rows(demo_dir: Path, sql: str) -> list[tuple[str, str, bool]]:
    con = duckdb.connect(str(demo_dir / "dashboard.duckdb"), read_only=True)
    try:
        return [(str(s), str(t), bool(c)) for s, t, c in con.execute(sql).fetchall()]
    finally:
        con.close()


@KNOWN_GAP
def test_follow_up_thanks_after_a_company_reply_are_not_criticism(demo_dir: Path) -> None:
    thanks = {t for texts in material()["followup_mollified"].values() for t in texts}
    rows = [r for r in _rows(demo_dir, "SELECT source, text, is_criticism FROM mentions WHERE parent_id IS NOT NULL "
                                       "AND NOT official")
            if r[1] in thanks]
    assert len(rows) >= 5, "the demo world has follow-up thanks"
    flagged = [t for _, t, c in rows if c]
    assert not flagged, f"{len(flagged)} of {len(rows)} thank-you follow-ups flagged as criticism: {flagged[:3]}"


@KNOWN_GAP
def test_contrasts_under_company_posts_are_criticism(demo_dir: Path) -> None:
    openers = tuple(o for lang in material()["criticism"].values() for o in lang["opener"] if "{" not in o)
    rows = _rows(demo_dir, f"""
        SELECT c.source, c.text, c.is_criticism FROM mentions c
        JOIN mentions p ON p.source = c.source AND p.external_id = c.parent_id
        WHERE p.official AND NOT c.official AND c.source IN {CHANNELS!r}""")
    contrasts = [r for r in rows if r[1].startswith(openers)]
    assert len(contrasts) >= 5, "the demo world has contrasts under its company posts"
    missed = [t for _, t, c in contrasts if not c]
    assert not missed, f"{len(missed)} of {len(contrasts)} contrasts under company posts not flagged: {missed[:3]}"
