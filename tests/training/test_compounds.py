"""Compound sentences (training/compounds.py): two same-label, same-language rows make one text."""

from __future__ import annotations

import json
from pathlib import Path

from training.compounds import compounds, join
from training.datasets import PRESETS, collect_examples

ROWS = [
    {"text": "Lønna er elendig.", "label": "negative", "lang": "nb"},
    {"text": "Jeg hater å gå på jobb!", "label": "negative", "lang": "nb"},
    {"text": "HR svarer aldri.", "label": "negative", "lang": "nb"},
    {"text": "I love my team.", "label": "positive", "lang": "en"},
    {"text": "My manager backs me up.", "label": "positive", "lang": "en"},
    {"text": "Kontoret flytter.", "label": "neutral", "lang": "nb"},  # alone in its group: never used
    {"text": "Takk for svaret.", "label": "positive", "lang": "nb", "context": "Vi ser på saken."},
]


def test_join_with_and_or_as_two_sentences() -> None:
    assert join("Lønna er elendig.", "Jeg hater å gå på jobb!", "nb", True) == "Lønna er elendig og jeg hater å gå på jobb!"
    assert join("Lönen är låg", "Chefen skäller.", "sv", True) == "Lönen är låg och chefen skäller."
    assert join("My pay is late.", "I can't stand it.", "en", True) == "My pay is late and I can't stand it."
    assert join("HR svarer aldri", "Lønna er lav.", "nb", False) == "HR svarer aldri. Lønna er lav."
    assert join("Lønna er lav.", "HR svarer aldri.", "nb", True) == "Lønna er lav og HR svarer aldri."


def test_compounds_keep_label_and_language_and_are_deterministic() -> None:
    made = compounds(ROWS, 40, seed=3)
    assert made == compounds(ROWS, 40, seed=3) and made != compounds(ROWS, 40, seed=4)
    assert len(made) == 40
    by_text = {r["text"]: r for r in ROWS}
    for r in made:
        assert (r["lang"], r["label"]) in {("nb", "negative"), ("en", "positive")}
        parts = [t for t in by_text if t.rstrip(".!") in r["text"] or t[:1].lower() + t[1:].rstrip(".!") in r["text"]]
        assert len(parts) == 2 and {by_text[p]["label"] for p in parts} == {r["label"]}, r
    assert not any("Takk for svaret" in r["text"] or "Kontoret" in r["text"] for r in made)
    assert compounds(ROWS, 0) == [] and compounds(ROWS[5:6], 5) == []


def test_collect_examples_adds_them_to_the_employer_rows(tmp_path: Path) -> None:
    employer = tmp_path / "employer.jsonl"
    employer.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS[:5]),
                        encoding="utf-8")
    plain = collect_examples(tmp_path, employer_path=employer, sets=["employer"])
    more = collect_examples(tmp_path, employer_path=employer, sets=["employer"], n_compounds=7)
    assert [e.group for e in more] == ["employer"] * 5 + ["compound"] * 7
    assert [e.text for e in more[:5]] == [e.text for e in plain]
    assert all(e.weight < more[0].weight for e in more[5:])
    assert "employer" in PRESETS["commercial"]
