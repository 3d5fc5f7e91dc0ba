"""The message catalogue: every entry in both languages, placeholders that agree, locale formats."""

from __future__ import annotations

import string

import pytest

from pipeline import i18n


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_both_languages_with_the_same_placeholders() -> None:
    cat = i18n.catalogue()
    assert cat, "the catalogue is empty"
    for key, entry in cat.items():
        assert set(entry) == {"nb", "en"}, key
        assert entry["nb"].strip() and entry["en"].strip(), key
        assert _fields(entry["nb"]) == _fields(entry["en"]), key


def test_lookup_and_names() -> None:
    assert i18n.t("sentiment.negative", "en") == "Negative"
    assert i18n.t("sentiment.negative", "nn") == "Negativ"  # nynorsk readers get the Norwegian text
    assert i18n.name("sentiment", "no_such_id", "en") == "no_such_id"
    assert list(i18n.names("sentiment", "en")) == ["negative", "neutral", "positive", "unscored"]
    with pytest.raises(i18n.MissingMessage):
        i18n.t("no.such.key")


def test_numbers_follow_the_locale() -> None:
    assert i18n.fmt_number(10000, "nb") == "10\u00a0000"
    assert i18n.fmt_number(10000, "en") == "10,000"
    assert i18n.fmt_percent(0.125, "nb", 1).replace("\u00a0", " ") == "12,5 %"
    assert i18n.fmt_percent(0.125, "en", 1) == "12.5%"
    assert i18n.fmt_percent(None, "en") == "–"


@pytest.mark.parametrize(("hours", "nb", "en"), [
    (0.5, "30 min", "30 min"), (5, "5 t", "5 h"), (52, "2 d 4 t", "2 d 4 h"), (72, "3 d", "3 d"),
])
def test_durations_in_human_units(hours: float, nb: str, en: str) -> None:
    assert i18n.fmt_duration(hours, "nb") == nb
    assert i18n.fmt_duration(hours, "en") == en
