"""The summary a manager pastes (quick tier): the one rule for the biggest change, and the three
sentences in nb and en with their comparisons."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipeline.reports.summary import MIN_COUNT, Candidate, biggest_change, change_sentence, summary


def plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


def src(label: str, now: float, base: float) -> Candidate:
    return Candidate("source", label, now, base)


def test_the_largest_relative_change_wins_not_the_largest_count() -> None:
    big, small = src("Reddit", 30, 20), src("Trustpilot", 4, 1)  # +50 % against +300 %
    assert biggest_change([big, small]) == small


def test_counts_below_the_minimum_never_win() -> None:
    assert MIN_COUNT == 3
    tiny = src("Bluesky", 2, 0)  # +200 % (from 0, counted from 1), but only 2 mentions
    ok = src("Reddit", 4, 2)  # +100 %
    assert biggest_change([tiny, ok]) == ok
    assert biggest_change([tiny]) is None
    assert biggest_change([src("Reddit", 0, 3)]) == src("Reddit", 0, 3)  # a drop to 0 from 3 counts


def test_a_drop_can_be_the_biggest_change() -> None:
    drop, rise = Candidate("aspect", "Lønn", 1, 10), src("Reddit", 12, 10)  # −90 % against +20 %
    assert biggest_change([rise, drop]) == drop


def test_ties_go_to_the_larger_absolute_change_then_to_the_first_given() -> None:
    a, b = src("A", 6, 3), src("B", 4, 2)  # both +100 %; A changes by 3, B by 2
    assert biggest_change([b, a]) == a
    c, d = src("C", 6, 3), Candidate("aspect", "D", 6, 3)
    assert biggest_change([c, d]) == c and biggest_change([d, c]) == d


def test_unchanged_counts_are_no_change() -> None:
    assert biggest_change([src("Reddit", 5, 5)]) is None


def test_spike_from_the_average_day() -> None:
    spike = Candidate("spike", "tirsdag 17. november", 4, 0.25)
    assert spike.size == pytest.approx(3.75)
    assert biggest_change([src("Reddit", 10, 5), spike]) == spike
    assert plain(change_sentence(spike, "nb")) == \
        "Størst endring: 4 kritiske omtaler tirsdag 17. november, mot 0,2 per dag i snitt de fire ukene før."


@pytest.mark.parametrize(("change", "lang", "expected"), [
    (src("Trustpilot", 6, 1), "nb", "Størst endring: Trustpilot med 6 omtaler mot 1 uka før (+500 %)."),
    (src("Trustpilot", 6, 1), "en", "Biggest change: Trustpilot with 6 mentions against 1 the week before (+500%)."),
    (src("Reddit", 3, 0), "en", "Biggest change: Reddit with 3 mentions against 0 the week before (new)."),
    (Candidate("aspect", "Pay", 1, 10), "en", "Biggest change: criticism about Pay, 1 against 10 the week before (−90%)."),
    (None, "en", "No source, topic or single day changed markedly from the week before (at least 3 mentions)."),
])
def test_change_sentence(change: Candidate | None, lang: str, expected: str) -> None:
    assert plain(change_sentence(change, lang)) == expected


def k(mentions: int, criticisms: int, responded: int = 0, median: float | None = None,
      p90: float | None = None) -> dict[str, Any]:
    return {"mentions": mentions, "criticisms": criticisms, "criticisms_responded": responded,
            "response_rate": responded / criticisms if criticisms else None,
            "first_response_hours": {"median": median, "p90": p90}}


BEFORE = [k(3, 1), k(4, 2), k(5, 2), k(5, 2)]  # mentions average 4.25, criticism 1.75


def test_three_sentences_in_both_languages() -> None:
    cur, prev = k(1234, 6, 4, 3.25, 22.2), k(1240, 2)
    change = src("Trustpilot", 6, 1)
    nb = [plain(s) for s in summary(47, cur, prev, BEFORE, (3, 4), "24 t", change, "nb")]
    assert nb == [
        "Uke 47 hadde 1 234 omtaler (−6 fra uka før; snitt de 4 ukene før: 4,2), hvorav 6 kritiske (+4; snitt 1,8).",
        "4 av 6 kritiske omtaler er besvart (66,7 %), med median 3,2 t og P90 22,2 t til første svar; "
        "3 av 4 svar kom innen SLA på 24 t.",
        "Størst endring: Trustpilot med 6 omtaler mot 1 uka før (+500 %).",
    ]
    en = summary(47, cur, prev, BEFORE, (3, 4), "24 h", None, "en")
    assert en[0] == ("Week 47 had 1,234 mentions (−6 on the week before; average of the 4 weeks before: 4.2), "
                     "6 of them criticism (+4; average 1.8).")
    assert en[1].endswith("3 of 4 replies came within the SLA of 24 h.")


def test_weeks_without_criticism_answers_or_mentions() -> None:
    assert summary(47, k(3, 0), k(3, 0), BEFORE, (0, 0), "24 h", None, "en")[1] == \
        "There was no criticism to answer."
    assert summary(47, k(3, 2), k(3, 0), BEFORE, (0, 0), "24 h", None, "en")[1] == \
        "None of the 2 critical mentions has been answered (SLA 24 h)."
    assert summary(47, k(0, 0), k(5, 1), BEFORE, (0, 0), "24 h", None, "en") == \
        ["No mentions in week 47 (the week before: 5)."]
    one = summary(47, k(1, 1), k(0, 0), BEFORE, (0, 0), "24 t", None, "nb")[0]
    assert one.startswith("Uke 47 hadde 1 omtale (+1 fra uka før;") and "og 1 var kritisk (+1;" in one


def test_without_two_earlier_weeks_the_average_is_left_out() -> None:
    """A new installation: an average of no week, or of the one week before, says nothing new."""
    for before in ([], BEFORE[:1]):
        assert summary(47, k(12, 3), k(5, 1), before, (0, 0), "24 h", None, "en")[0] == \
            "Week 47 had 12 mentions (+7 on the week before), 3 of them criticism (+2)."
    assert plain(summary(47, k(12, 3), k(5, 1), BEFORE[:2], (0, 0), "24 t", None, "nb")[0]) == \
        "Uke 47 hadde 12 omtaler (+7 fra uka før; snitt de 2 ukene før: 3,5), hvorav 3 kritiske (+2; snitt 1,5)."
