"""The advice per quality component, in nb, nn, sv, da and en: a good draft gets none of it, a poor
one gets the advice for what it lacks or spoils; and the SLA time left follows the one SLA rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pipeline.replydesk.advice import advise, sla_left, sla_text
from pipeline.responses.quality import score_reply
from tests.replydesk.drafts import CRITICISM, SPOIL, TEMPLATE, good, without

LANGS = ("nb", "nn", "sv", "da", "en")
PUBLISHED = {lang: [TEMPLATE[lang].format(name=n) for n in ("Ola", "Kari", "Per", "Lise")] for lang in LANGS}


def poor(lang: str, key: str) -> str:
    s = SPOIL[lang]
    return {
        "too_short": lambda: without(lang, "ack", "apology", "explain", "action", "contact"),
        "too_long": lambda: " ".join([good(lang)] * 6),
        "oversell": lambda: without(lang, extra=s["oversell"]),
        "no_thanks": lambda: without(lang, "thanks"),
        "no_acknowledgement": lambda: without(lang, "ack"),
        "apologise": lambda: without(lang, "apology"),
        "no_account": lambda: without(lang, "explain"),
        "blame": lambda: without(lang, extra=s["blame"]),
        "no_time_frame": lambda: without(lang, replace={"action": s["no_time_frame"]}),
        "vague": lambda: without(lang, replace={"action": s["vague"]}),
        "no_named_contact": lambda: without(lang, replace={"contact": s["generic_contact"]}),
        "defensive": lambda: without(lang, extra=s["defensive"]),
        "template": lambda: TEMPLATE[lang].format(name="Nina"),
        "missed_aspects": lambda: without(lang, "ack", "explain", "action"),
        "other_language": lambda: good("en" if lang != "en" else "sv"),
    }[key]()


KEYS = ("too_short", "too_long", "oversell", "no_thanks", "no_acknowledgement", "apologise", "no_account",
        "blame", "no_time_frame", "vague", "no_named_contact", "defensive", "template", "missed_aspects",
        "other_language")


@pytest.mark.parametrize("lang", LANGS)
def test_a_good_draft_gets_no_advice(lang: str) -> None:
    a = advise(CRITICISM[lang], good(lang), criticism_lang=lang, published=PUBLISHED[lang], lang="en")
    assert a.tips == (), [t.key for t in a.tips]
    assert a.score >= 95
    assert a.draft_lang in (lang, "nb" if lang == "nn" else lang)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_poor_draft_gets_the_advice(lang: str, key: str) -> None:
    draft = poor(lang, key)
    a = advise(CRITICISM[lang], draft, criticism_lang=lang, published=PUBLISHED[lang], lang="en")
    assert key in a.tip_keys(), (draft, sorted(a.tip_keys()))
    tip = next(t for t in a.tips if t.key == key)
    assert tip.points > 0  # the component it names lost points
    good_score = advise(CRITICISM[lang], good(lang), criticism_lang=lang, published=PUBLISHED[lang]).score
    assert a.score < good_score


def test_the_score_is_the_published_score_and_tips_are_in_both_languages() -> None:
    draft = poor("nb", "oversell")
    a_nb = advise(CRITICISM["nb"], draft, criticism_lang="nb", draft_lang="nb", lang="nb")
    a_en = advise(CRITICISM["nb"], draft, criticism_lang="nb", draft_lang="nb", lang="en")
    assert a_nb.score == score_reply(CRITICISM["nb"], draft, criticism_lang="nb", reply_lang="nb").score
    over_nb = next(t.text for t in a_nb.tips if t.key == "oversell")
    over_en = next(t.text for t in a_en.tips if t.key == "oversell")
    assert "superlativer" in over_nb and "«verdens beste»" in over_nb
    assert "superlatives" in over_en and "verdens beste" in over_en


def test_the_tips_are_ordered_by_the_points_they_are_worth() -> None:
    a = advise(CRITICISM["nb"], without("nb", "action", "thanks"), criticism_lang="nb", lang="nb")
    assert [t.key for t in a.tips][:2] == ["no_next_step", "no_thanks"]
    assert list(a.tips) == sorted(a.tips, key=lambda t: -t.points)


def test_sla_time_left_follows_the_sla_rule() -> None:
    at = datetime(2026, 12, 1, 8, 0)
    left = sla_left(at, at + timedelta(hours=20), 24)
    assert (left.hours_left, left.breached, left.deadline) == (4.0, False, at + timedelta(hours=24))
    assert sla_text(left, "nb") == "4 t igjen til svarfristen"
    exactly = sla_left(at, at + timedelta(hours=24), 24)
    assert not exactly.breached  # a reply exactly at the SLA is in time
    late = sla_left(at, at + timedelta(hours=27), 24)
    assert late.breached and sla_text(late, "en") == "The SLA deadline passed 3 h ago"
    a = advise(CRITICISM["en"], good("en"), criticism_lang="en", criticism_published_at=at,
               now=at + timedelta(hours=30), sla_hours=24)
    assert a.sla is not None and a.sla.breached and a.sla.hours_left == -6
