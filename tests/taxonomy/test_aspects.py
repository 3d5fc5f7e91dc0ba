"""The one aspect taxonomy: ids, catalogue names, terms, the matcher, and its two users agreeing."""

from __future__ import annotations

import pytest

from pipeline import i18n
from pipeline.responses.quality import score_reply
from pipeline.taxonomy.aspects import ASPECTS, LANGS, AspectHit, detect_aspects, explain, terms
from pipeline.taxonomy.matcher import TermError, TermMatcher


def aspects(text: str, lang: str | None) -> set[str]:
    return {h.aspect for h in detect_aspects(text, lang)}


# one criticism per aspect and language, in the words people use
EXAMPLES: dict[str, dict[str, str]] = {
    "pay": {
        "nb": "Lønna har stått stille i tre år.",
        "nn": "Løna vart ikkje justert i år heller.",
        "sv": "Lönen kom för sent igen.",
        "da": "Lønnen er under overenskomsten.",
        "en": "They keep us on minimum wage forever.",
    },
    "management": {
        "nb": "Ledelsen lytter aldri til oss på gulvet.",
        "nn": "Leiinga svarar aldri på spørsmål.",
        "sv": "Chefen skriker på folk inför kunder.",
        "da": "Ledelsen skifter mening hver uge.",
        "en": "My line manager takes credit for everything.",
    },
    "work_environment": {
        "nb": "Arbeidsmiljøet er preget av fryktkultur.",
        "nn": "Det er mykje mobbing blant kollegaene.",
        "sv": "Arbetsmiljön är rent giftig.",
        "da": "Der er chikane og ingen gør noget.",
        "en": "Constant bullying and a toxic culture.",
    },
    "workload": {
        "nb": "Vi jobber overtid hver eneste uke.",
        "nn": "Arbeidsmengda er urimeleg stor.",
        "sv": "Arbetsbelastningen är orimlig.",
        "da": "Arbejdsbyrden er urealistisk.",
        "en": "We are understaffed and the workload is insane.",
    },
    "recruitment": {
        "nb": "De ghostet meg etter andre intervju.",
        "nn": "Søknaden min vart aldri svara på.",
        "sv": "Rekryteringen tog sju månader.",
        "da": "Ansøgningen forsvandt i et sort hul.",
        "en": "The interview process was a joke.",
    },
    "layoffs": {
        "nb": "Nedbemanningen ble kunngjort på Teams.",
        "nn": "Oppseiinga kom utan forvarsel.",
        "sv": "Uppsägningarna kom som en chock.",
        "da": "Fyringsrunden var brutal.",
        "en": "They laid off half the team after the reorg.",
    },
    "other": {
        "nb": "Kontoret er trangt og kaldt.",
        "nn": "Heimekontor vart forbode over natta.",
        "sv": "Parkeringen kostar skjortan.",
        "da": "Hjemmearbejde blev forbudt.",
        "en": "The office has no windows at all.",
    },
}
CASES = [(aspect, lang, text) for aspect, by_lang in EXAMPLES.items() for lang, text in by_lang.items()]
NEUTRAL_REPLY = "Takk for at du skrev til oss."


# --------------------------------------------------------------------------- ids and catalogue


def test_examples_cover_every_aspect_and_language() -> None:
    assert set(EXAMPLES) == set(ASPECTS)
    assert all(set(by_lang) == set(LANGS) for by_lang in EXAMPLES.values())


def test_taxonomy_ids_equal_the_catalogue_ids() -> None:
    # fails when either side gains (or loses) an id
    assert tuple(i18n.names("aspect", "nb")) == ASPECTS
    assert tuple(i18n.names("aspect", "en")) == ASPECTS
    assert tuple(terms()) == ASPECTS
    assert i18n.name("aspect", "pay", "nb") == "Lønn" and i18n.name("aspect", "pay", "en") == "Pay"


def test_every_aspect_has_terms_in_every_language() -> None:
    for aspect in ASPECTS:
        assert set(terms()[aspect]) == set(LANGS)
        assert all(terms()[aspect][lang] for lang in LANGS)


# --------------------------------------------------------------------------- one matcher, two users


@pytest.mark.parametrize(("aspect", "lang", "text"), CASES)
def test_analysis_finds_each_aspect_in_each_language(aspect: str, lang: str, text: str) -> None:
    assert aspect in aspects(text, lang)


@pytest.mark.parametrize(("aspect", "lang", "text"), CASES)
def test_reply_quality_finds_the_same_aspects(aspect: str, lang: str, text: str) -> None:
    """The "specific" component names the criticism's aspects with the taxonomy's ids and terms."""
    missed = score_reply(text, NEUTRAL_REPLY, criticism_lang=lang, reply_lang="nb").components["specific"]
    assert f"not covered [{aspect} '" in missed.evidence or f", {aspect} '" in missed.evidence
    # a reply naming the same aspect (here: the criticism's own words) covers it
    covered = score_reply(text, text, criticism_lang=lang, reply_lang=lang).components["specific"]
    assert f"covered [{aspect} '" in covered.evidence or f", {aspect} '" in covered.evidence
    assert "not covered" not in covered.evidence
    # the hits quality reports are exactly the taxonomy's, over every language
    assert {h.label for h in explain(text.lower(), None)} == aspects(text, None)


def test_quality_counts_an_aspect_named_in_another_language() -> None:
    c = score_reply("Overtiden min ble aldri utbetalt.", "Your overtime pay will be corrected this month.",
                    criticism_lang="nb", reply_lang="en").components["specific"]
    assert "pay 'utbetalt'→'overtime pay'" in c.evidence
    assert "workload 'overtiden'→'overtime'" in c.evidence


def test_a_reply_sent_to_hr_does_not_address_management() -> None:
    # a channel ("contact HR", "hr@...") is not an answer about the manager
    c = score_reply("Lederen min svarer aldri.", "Send en e-post til hr@firma.no, så tar HR det.",
                    criticism_lang="nb", reply_lang="nb").components["specific"]
    assert "not covered [management 'lederen']" in c.evidence


# --------------------------------------------------------------------------- analysis behaviour


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Lønna er elendig og sjefen er endå verre.", "nn", {"pay", "management"}),
        ("Lønnsøkningen i år var en vits.", "nb", {"pay"}),
        ("Ledelsen lytter aldri.", "nb", {"management"}),
        ("Arbeidsmiljøet er giftig.", "nb", {"work_environment"}),
        ("Arbejdsbyrden er urealistisk.", "da", {"workload"}),
        ("De ghostet meg etter andre intervju.", "nb", {"recruitment"}),
        ("Varslet kom som en chock för alla.", "sv", {"layoffs"}),
        ("They laid off half the team after the reorg.", "en", {"layoffs"}),
        ("Nedbemanninga kom utan forvarsel.", "nn", {"layoffs"}),
        ("Hjemmearbejde blev forbudt.", "da", {"other"}),
        ("Management er clueless og lønnen for lav", "nb", {"management", "pay"}),
        # terms that came from the reply-quality list when the two were merged
        ("HMS-rutinene på lageret er livsfarlige.", "nb", {"work_environment"}),
        ("Ingen opplæring første uka.", "nb", {"recruitment"}),
        ("Hybridarbete togs bort utan diskussion.", "sv", {"other"}),
    ],
)
def test_aspects(text: str, lang: str, expected: set[str]) -> None:
    assert aspects(text, lang) == expected


def test_matched_term_is_returned_as_written() -> None:
    hits = detect_aspects("Rekrutteringsprosessen var en VITS, og Lønna er lav", "nb")
    assert AspectHit("recruitment", "Rekrutteringsprosessen") in hits
    assert AspectHit("pay", "Lønna") in hits


def test_explain_names_the_listed_term() -> None:
    (hit,) = explain("Lønnsslippen var feil", "nb")
    assert (hit.label, hit.text, hit.term, hit.start) == ("pay", "Lønnsslippen", "lønn*", 0)


def test_word_boundaries() -> None:
    # "løn" must not match inside "kløne"; "raise" not in "praised"; a stem not after a hyphen
    assert detect_aspects("Han er en kløne", "nb") == []
    assert detect_aspects("Three people praised the food", "en") == []
    assert detect_aspects("super-lønnsomt", "nb") == []


def test_language_selection_keeps_false_friends_apart() -> None:
    # "varslet" is a layoff notice in Swedish, a warning (whistleblowing) in Norwegian
    assert "layoffs" in aspects("Varslet kom i går", "sv")
    assert "layoffs" not in aspects("Varslet kom i går", "nb")
    assert {"layoffs", "work_environment"} <= aspects("Varslet kom i går", None)


def test_nothing_matched_and_empty() -> None:
    assert detect_aspects("Fint vær i dag", "nb") == []
    assert detect_aspects("", "en") == []


def test_unknown_language_uses_all_lists() -> None:
    assert "layoffs" in aspects("fyringsrunden var brutal", "other")
    assert "layoffs" in aspects("fyringsrunden var brutal", None)
    assert "layoffs" not in aspects("fyringsrunden var brutal", "en")


def test_hits_are_in_aspect_order() -> None:
    hits = detect_aspects("Stress, lav lønn og en sjef som kjefter", "nb")
    order = [ASPECTS.index(h.aspect) for h in hits]
    assert order == sorted(order) and len(order) == 3


# --------------------------------------------------------------------------- the matcher itself


def test_matcher_rules() -> None:
    m = TermMatcher([("a", "lønn*"), ("a", "hr-avdeling*"), ("b", "pay rise*"), ("b", "pay"), ("c", "vd:n")])
    hits = m.first_hits("Ingen PAY\n  RISES i år, sa VD:n til HR-avdelingen om lønnsoppgjøret.")
    assert hits["b"].text == "PAY\n  RISES" and hits["b"].term == "pay rise*"  # phrase beats its first word
    assert hits["a"].text == "HR-avdelingen"  # leftmost hit of the label, hyphenated parts included
    assert hits["c"].text == "VD:n"
    assert m.first_hits("lønna")["a"].text == "lønna"
    assert m.first_hits("payment") == {}  # an exact term ends where the word ends


def test_matcher_input_in_decomposed_unicode() -> None:
    m = TermMatcher([("pay", "lön*")])
    assert m.first_hits("Lo\u0308nen kom sent")["pay"].text == "Lönen"


@pytest.mark.parametrize("bad", ["", "*", "hr*", "-lønn", "  "])
def test_matcher_refuses_unusable_terms(bad: str) -> None:
    with pytest.raises(TermError):
        TermMatcher([("x", bad)])


def test_long_input_is_matched_in_one_pass() -> None:
    # 2 MB: one huge "word" and a long run of word starts with shared keys; a quadratic scan would
    # not finish, this one reads each character a bounded number of times
    blob = "lønn" + "a" * 1_000_000 + " " + "løs " * 250_000 + "sjefen"
    hits = detect_aspects(blob, "nb")
    assert [h.aspect for h in hits] == ["pay", "management"]
    assert hits[1].term == "sjefen" and len(hits[0].term) == 1_000_004
