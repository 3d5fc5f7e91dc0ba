"""Reply-quality score: ranking on a hand-written set, and each component firing / not firing."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pipeline.responses.quality import (
    LANGUAGES,
    LEXICON,
    WEIGHTS,
    QualityResult,
    jaccard,
    language_match,
    mark_templates,
    score_reply,
    shingles,
)

DATA = Path(__file__).parent / "data" / "replies.jsonl"
ROWS: list[dict[str, Any]] = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def score(
    criticism: str, reply: str, lang: str = "nb", reply_lang: str | None = None, **kw: Any
) -> QualityResult:
    return score_reply(criticism, reply, criticism_lang=lang, reply_lang=reply_lang or lang, **kw)


def value(criticism: str, reply: str, component: str, lang: str = "nb", **kw: Any) -> float:
    return score(criticism, reply, lang, **kw).components[component].value


def dataset_scores() -> dict[str, float]:
    replies = [r["reply"] for r in ROWS]
    flags = mark_templates(replies)
    return {
        r["id"]: score_reply(
            r["criticism"],
            r["reply"],
            criticism_lang=r["criticism_lang"],
            reply_lang=r["reply_lang"],
            reply_negative_prob=r["reply_negative_prob"],
            template=flag,
        ).score
        for r, flag in zip(ROWS, flags, strict=True)
    }


# --------------------------------------------------------------------------- the hand-written set


def test_dataset_covers_all_languages_and_both_labels() -> None:
    seen = {(r["lang"], r["label"]) for r in ROWS}
    assert seen == {(lang, label) for lang in LANGUAGES for label in ("good", "poor")}


def test_every_good_reply_beats_every_poor_reply_of_its_language() -> None:
    scores = dataset_scores()
    by_lang: dict[str, dict[str, list[tuple[float, str]]]] = defaultdict(lambda: defaultdict(list))
    for r in ROWS:
        by_lang[r["lang"]][r["label"]].append((scores[r["id"]], r["id"]))
    for lang, groups in by_lang.items():
        worst_good, best_poor = min(groups["good"]), max(groups["poor"])
        assert worst_good[0] > best_poor[0], f"{lang}: {worst_good} <= {best_poor}"


def test_templates_in_the_set_are_detected_both_ways() -> None:
    replies = [r["reply"] for r in ROWS]
    flags = mark_templates(replies)
    for r, flag in zip(ROWS, flags, strict=True):
        assert flag == (r["kind"] == "template"), r["id"]
        others = [o for o in replies if o is not r["reply"]]
        pairwise = score(r["criticism"], r["reply"], r["lang"], other_replies=others).components["personal"]
        assert (pairwise.value == 0.0) == (r["kind"] == "template"), r["id"]


def test_scores_are_in_range_and_components_sum_to_the_score() -> None:
    for r in ROWS:
        q = score(r["criticism"], r["reply"], r["criticism_lang"], r["reply_lang"])
        assert 0.0 <= q.score <= 100.0
        assert q.score == pytest.approx(sum(c.points for c in q.components.values()), abs=0.06)
        assert set(q.components) == set(WEIGHTS)
        for c in q.components.values():
            assert 0.0 <= c.value <= 1.0 and c.evidence
        json.dumps(q.to_dict())


def test_weights_sum_to_100() -> None:
    assert sum(WEIGHTS.values()) == 100.0


def test_lexicon_has_every_language_for_every_category() -> None:
    for cat, by_lang in LEXICON.items():
        assert set(by_lang) == set(LANGUAGES), cat


# --------------------------------------------------------------------------- components

PAY = "Overtiden min ble aldri utbetalt, og lederen min svarer ikke på meldinger."
CULTURE = "Ledelsen snakker om åpenhet, men arbeidsmiljøet har blitt dårligere."


def test_acknowledge() -> None:
    assert (
        value(
            CULTURE,
            "Takk for at du sier ifra. Du har rett i at åpenheten har vært for dårlig.",
            "acknowledge",
        )
        == 1.0
    )
    assert value(CULTURE, "Takk for innlegget.", "acknowledge") == 0.5
    assert value(CULTURE, "Ledelsen har møter hver uke.", "acknowledge") == 0.0
    assert value("Too much overtime.", "We hear you, thank you for writing.", "acknowledge", "en") == 1.0
    assert value("För mycket övertid.", "Du har rätt, tack för att du skriver.", "acknowledge", "sv") == 1.0


def test_empathy_and_apology_where_the_company_is_at_fault() -> None:
    assert value(PAY, "Vi beklager at overtiden ikke er utbetalt.", "empathy") == 1.0
    # at fault, empathy without an apology: partial
    assert value(PAY, "Det må ha vært frustrerende å vente.", "empathy") == 0.6
    # not at fault: empathy is enough
    assert value(CULTURE, "Det er forståelig at det skaper uro.", "empathy") == 1.0
    # the conditional non-apology
    c = score(PAY, "Vi beklager at du opplever det slik.").components["empathy"]
    assert c.value == 0.3 and "conditional" in c.evidence
    assert value("Lönen kom aldrig.", "Vi beklagar om du upplever det så.", "empathy", "sv") == 0.3
    assert value("Never got paid.", "We're sorry if you feel that way.", "empathy", "en") == 0.3
    assert value(PAY, "Overtid utbetales den 25.", "empathy") == 0.0
    assert value("Lønnen kom aldrig.", "Undskyld, det var vores fejl.", "empathy", "da") == 1.0


def test_account_explains_without_blaming() -> None:
    c = score(PAY, "Det skyldes en feil i lønnssystemet.").components["account"]
    assert c.value == 1.0 and "skyldes" in c.evidence
    c = score(PAY, "Dersom du hadde lest kontrakten, ville du visst det.").components["account"]
    assert c.value == 0.0 and "blames" in c.evidence
    assert value(PAY, "Overtid utbetales den 25.", "account") == 0.0
    assert value("Late pay.", "You should have read your contract.", "account", "en") == 0.0
    # "you should have had an explanation" is not blame
    assert (
        value("No explanation.", "You should have had an explanation because it is our job.", "account", "en")
        == 1.0
    )
    assert (
        value(
            "Ingen forklaring.",
            "Du har ret i, at du skulle have haft en forklaring, fordi...",
            "account",
            "da",
        )
        == 1.0
    )


def test_action_concrete_vague_none() -> None:
    assert value(PAY, "Vi har nå rettet feilen, og pengene kommer innen fredag.", "action") == 1.0
    assert value(PAY, "Vi har nå rettet feilen.", "action") == 0.8
    c = score(PAY, "Vi skal se på saken.").components["action"]
    assert c.value == 0.35 and "vague" in c.evidence
    assert value(PAY, "Takk for tilbakemeldingen, vi tar det med oss.", "action") == 0.35
    assert value(PAY, "Takk for innlegget.", "action") == 0.0
    # negated passive is not an action
    assert value(PAY, "Overtiden er ikke utbetalt ennå.", "action") == 0.0
    assert value(PAY, "Vi har ikke endret noe.", "action") == 0.0
    assert value("Low pay.", "We have not changed anything.", "action", "en") == 0.0
    assert value("Låg lön.", "Vi har inte ändrat något.", "action", "sv") == 0.0
    assert value("Too much overtime.", "We'll look into it.", "action", "en") == 0.35
    assert (
        value("Too much overtime.", "We are hiring two more people who start next month.", "action", "en")
        == 1.0
    )


def test_private_channel_with_named_contact() -> None:
    named = "Send meg gjerne en e-post på kari.nordmann@fjordlys.no."
    assert value(PAY, named, "private_channel") == 1.0
    assert value(PAY, "Ta gjerne kontakt med oss. Hilsen Kari Nordmann, HR-sjef", "private_channel") == 1.0
    c = score(PAY, "Send oss gjerne en e-post på hr@fjordlys.no.").components["private_channel"]
    assert c.value == 0.5 and "no named contact" in c.evidence
    assert value(PAY, "Send oss en melding. Hilsen HR-teamet", "private_channel") == 0.5
    assert value(PAY, "Vi beklager dette.", "private_channel") == 0.0
    # no personal details in the criticism: not applicable, full credit
    c = score(CULTURE, "Vi beklager dette.").components["private_channel"]
    assert c.value == 1.0 and not c.applicable
    assert (
        value(
            "My application was never answered.", "Please email me. Best, Tom Reid", "private_channel", "en"
        )
        == 1.0
    )
    assert (
        value(
            "Min ansökan besvarades aldrig.",
            "Jag heter Anna och du når mig på 070 123 45 67, hör av dig.",
            "private_channel",
            "sv",
        )
        == 1.0
    )


def test_personal_vs_template() -> None:
    tpl = "Takk for tilbakemeldingen! Vi tar det med oss videre. Hilsen HR-teamet"
    others = [tpl, "Hei! " + tpl, "Hei Ola, " + tpl.lower(), "Noe helt annet om lønn og arbeidstid."]
    c = score(PAY, tpl, other_replies=others).components["personal"]
    assert c.value == 0.0 and "template" in c.evidence
    assert value(PAY, tpl, "personal", other_replies=others[:1]) == 0.5
    assert value(PAY, "Vi har rettet lønnsfeilen på lageret.", "personal", other_replies=others) == 1.0
    assert value(PAY, tpl, "personal", template=True) == 0.0
    assert value(PAY, tpl, "personal", template=False) == 1.0
    assert not score(PAY, tpl).components["personal"].applicable


def test_specific_points_across_languages() -> None:
    c = score(PAY, "Overtiden du har til gode blir utbetalt, og lederen din tar kontakt.").components[
        "specific"
    ]
    assert c.value == 1.0 and "pay" in c.evidence
    assert value(PAY, "Takk for innlegget, vi tar det med oss.", "specific") == 0.0
    # Swedish criticism, Norwegian reply: "lönen"/"lønnen" share a folded stem
    assert (
        value(
            "Lönen kom för sent och chefen svarade inte.",
            "Lønnen kom for sent fordi sjefen var syk.",
            "specific",
            "sv",
            reply_lang="nb",
        )
        > 0.6
    )
    # English reply to a Norwegian criticism: the aspect still counts
    assert (
        value(
            PAY, "Your overtime pay will be corrected; your manager will call.", "specific", reply_lang="en"
        )
        >= 0.5
    )


def test_language_match_rules() -> None:
    assert language_match("nb", "nb")[0] == 1.0
    assert language_match("nb", "nn")[0] == 1.0  # one family
    assert language_match("nn", "nb")[0] == 1.0
    assert language_match("da", "nb")[0] == 0.75
    assert language_match("nb", "da")[0] == 0.75
    assert language_match("nn", "da")[0] == 0.5
    assert language_match("sv", "nb")[0] == 0.5
    assert language_match("nb", "en")[0] == 0.0
    assert language_match("en", "sv")[0] == 0.0
    assert language_match("sv", "other")[0] == 0.5
    v, _, applicable = language_match("other", "nb")
    assert v == 1.0 and not applicable
    assert value(PAY, "Vi beklager.", "language", reply_lang="en") == 0.0


def test_professional_tone() -> None:
    c = score(PAY, "Det er ikke riktig. Du tar feil.").components["tone"]
    assert c.value == 0.0 and "defensive" in c.evidence
    assert value(PAY, "Du får samme lønn som alle andre.", "tone") == 0.0
    assert value("Bad pay.", "That's simply not true.", "tone", "en") == 0.0
    assert value("Dålig lön.", "Det stämmer inte, du har fel.", "tone", "sv") == 0.0
    assert value("Dårlig løn.", "Du tager fejl.", "tone", "da") == 0.0
    assert value("Dårleg løn.", "Du tek feil.", "tone", "nn") == 0.0
    assert value(PAY, "Vi beklager feilen.", "tone", reply_negative_prob=0.8) == 0.3
    assert value(PAY, "Vi beklager feilen.", "tone", reply_negative_prob=0.1) == 1.0
    assert value(PAY, "Vi beklager feilen.", "tone") == 1.0


def test_modesty_flags_overselling() -> None:
    assert value(PAY, "Vi tilbyr konkurransedyktige betingelser.", "modesty") == 1.0
    assert value(PAY, "Vi har svært attraktive betingelser.", "modesty") == 0.6
    assert value(PAY, "Svært attraktiv arbeidsplass med veldig god lønn.", "modesty") == 0.25
    c = score(PAY, "Verdens beste arbeidsgiver, fantastisk miljø og veldig god lønn!").components["modesty"]
    assert c.value == 0.0 and "verdens beste" in c.evidence
    assert value("Low pay.", "We offer extremely competitive, world-class pay.", "modesty", "en") == 0.25
    assert value("Låg lön.", "Marknadens bästa förmåner och mycket bra lön.", "modesty", "sv") == 0.25
    # "veldig" without a positive adjective is not overselling
    assert value(PAY, "Vi er veldig lei oss for dette.", "modesty") == 1.0


def test_length() -> None:
    assert value(PAY, "Takk.", "length") == 0.0
    assert value(PAY, " ".join(["ord"] * 60), "length") == 1.0
    assert 0.0 < value(PAY, " ".join(["ord"] * 15), "length") < 1.0
    assert 0.0 < value(PAY, " ".join(["ord"] * 300), "length") < 1.0
    assert value(PAY, " ".join(["ord"] * 500), "length") == 0.0


def test_word_boundaries_handle_scandinavian_letters() -> None:
    # "tull" must not fire inside "tullete"... and "beklager" not inside "beklagerne"; æøå are letters
    assert value(PAY, "Det ble et tulleord i teksten.", "tone") == 1.0
    assert value(PAY, "Beklagerne ble hørt.", "empathy") == 0.0
    assert value("Løn.", "Tak for det, vi beklager.", "empathy", "da") == 1.0


# --------------------------------------------------------------------------- templates in bulk


def test_mark_templates_groups_near_duplicates() -> None:
    base = (
        "Takk for tilbakemeldingen, {n}! Vi tar det med oss videre i arbeidet med arbeidsmiljøet. Hilsen HR"
    )
    names = ["Kari", "Ola", "Per", "Lise", "Anne"]
    unique = [f"Unik melding nummer {w} om {w} og lønn på lageret" for w in ("en", "to", "tre")]
    replies = [base.format(n=n) for n in names] + unique + ["", "Hei"]
    flags = mark_templates(replies)
    assert flags == [True] * 5 + [False] * 5
    assert mark_templates([base.format(n="Kari"), base.format(n="Ola")]) == [False, False]  # only 2 copies
    assert mark_templates([base.format(n="Kari"), base.format(n="Ola")], min_copies=2) == [True, True]


def test_mark_templates_scales() -> None:
    # 3000 distinct replies plus a template used 50 times: the template and only it is marked.
    import random

    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzæøå") for _ in range(6)) for _ in range(5000)]
    distinct = [" ".join(rng.choice(vocab) for _ in range(30)) for _ in range(3000)]
    tpl = [
        f"Hei {i}, takk for at du skriver. Vi tar kontakt på e-post så snart vi kan. Hilsen HR"
        for i in range(50)
    ]
    flags = mark_templates(distinct + tpl)
    assert not any(flags[:3000]) and all(flags[3000:])


def test_shingles_and_jaccard() -> None:
    a = shingles("Takk for svaret, Kari!")
    assert a == frozenset({"takk for", "for svaret", "svaret kari"})
    assert shingles("Saksnr 123") == shingles("saksnr 456")  # digits folded
    assert jaccard(a, a) == 1.0
    assert jaccard(frozenset(), frozenset()) == 1.0
    assert jaccard(a, frozenset({"x"})) == 0.0
