from __future__ import annotations

import pytest

from pipeline.analysis.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ledelsen hører aldri på oss, og jeg vurderer å si opp.", "nb"),
        ("Eg trivst godt på jobben min, og kollegaene er kjekke.", "nn"),
        ("Kvifor svarer ikkje leiinga på spørsmåla våre?", "nn"),
        # lingua says "nn" for these two bokmål sentences; the bokmål-only words ("fra", "en",
        # "hverandre") decide
        ("Arbeidstiden er fra 08.00 til 16.00 med fleksitid.", "nb"),
        ("Null drama, null fryktkultur, bare folk som vil hverandre vel.", "nb"),
        ("Jag har aldrig haft en så dålig chef som den här.", "sv"),
        ("Jeg har aldrig haft så dårlig en chef som ham her, helt ærligt.", "da"),
        ("The hiring manager never got back to me after the interview.", "en"),
        ("Ich finde die Arbeitsbedingungen in dieser Firma schrecklich.", "other"),
        ("Это ужасная компания", "other"),
    ],
)
def test_languages(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "😀😀🔥", "12345 !!!", "https://example.com/x @user #tag"])
def test_no_letters_is_other(text: str) -> None:
    assert detect_language(text) == "other"


def test_short_text_gets_a_guess_not_a_crash() -> None:
    assert detect_language("Takk!") in {"nb", "nn", "da", "sv", "en"}


def test_html_is_ignored() -> None:
    assert detect_language("<p>Jag <b>älskar</b> mitt jobb och mina kollegor.</p>") == "sv"


def test_employer_dev_languages(employer_dev: list[dict]) -> None:
    right = sum(detect_language(r["text"]) == r["lang"] for r in employer_dev)
    assert right / len(employer_dev) >= 0.9
