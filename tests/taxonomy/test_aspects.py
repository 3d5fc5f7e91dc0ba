from __future__ import annotations

import pytest

from pipeline.taxonomy.aspects import ASPECTS, AspectHit, detect_aspects


def aspects(text: str, lang: str) -> set[str]:
    return {h.aspect for h in detect_aspects(text, lang)}


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
    ],
)
def test_aspects(text: str, lang: str, expected: set[str]) -> None:
    assert aspects(text, lang) == expected


def test_matched_term_is_returned_as_written() -> None:
    hits = detect_aspects("Rekrutteringsprosessen var en VITS, og Lønna er lav", "nb")
    assert AspectHit("recruitment", "Rekrutteringsprosessen") in hits
    assert AspectHit("pay", "Lønna") in hits


def test_word_boundaries() -> None:
    # "løn" must not match inside "kløne"; "hr" not inside "three"; "raise" not in "praised"
    assert detect_aspects("Han er en kløne", "nb") == []
    assert detect_aspects("Three people praised the food", "en") == []


def test_nothing_matched_and_empty() -> None:
    assert detect_aspects("Fint vær i dag", "nb") == []
    assert detect_aspects("", "en") == []


def test_unknown_language_uses_all_lists() -> None:
    assert "layoffs" in aspects("fyringsrunden var brutal", "other")


def test_hits_are_in_aspect_order() -> None:
    hits = detect_aspects("Stress, lav lønn og en sjef som kjefter", "nb")
    order = [ASPECTS.index(h.aspect) for h in hits]
    assert order == sorted(order)
