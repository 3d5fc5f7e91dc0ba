"""The (reply, context) pairs: well-formed, balanced, and the measured eval set never leaks into training.

The pairs set measures whether the model reads a reply together with the text it answers (issue 20);
it is only a fair measure if no eval reply or pair was trained on and no row copies the demo world's
sentences, which the demo uses to check the model end to end.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.analysis.contract import LABELS

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "training" / "data" / "pairs_train.jsonl"
CANDIDATES = ROOT / "training" / "data" / "idiom_pairs_candidates.jsonl"  # not in a shipped build (README)
THREAD_CANDIDATES = ROOT / "training" / "data" / "thread_pairs_candidates.jsonl"  # rounds f and g (README)
COUNTERFACTUALS = ROOT / "training" / "data" / "counterfactual_pairs_candidates.jsonl"  # round k (README)
EMPLOYER_IDIOMS = ROOT / "training" / "data" / "idiom_candidates.jsonl"  # employer format, no context
EVAL = ROOT / "pipeline" / "analysis" / "evalsets" / "pairs_eval.jsonl"
DEMO = ROOT / "pipeline" / "demo" / "material" / "material.yaml"
LANGS = ("nb", "nn", "sv", "da", "en")
KINDS = (
    "followup_thanks",
    "followup_unhappy",
    "contrast",
    "praise_under_post",
    "question",
    "thanks",
    "agree_criticism",
    "disagree_criticism",
)
MIN_ROWS = {TRAIN: 100, EVAL: 40, CANDIDATES: 25, THREAD_CANDIDATES: 150, COUNTERFACTUALS: 100}
DEMO_MIN_CHARS = 25


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


NAMES = {TRAIN: "train", EVAL: "eval", CANDIDATES: "candidates", THREAD_CANDIDATES: "thread-candidates",
         COUNTERFACTUALS: "counterfactuals", EMPLOYER_IDIOMS: "employer-idioms"}  # the test ids
ALL = [TRAIN, EVAL, CANDIDATES, THREAD_CANDIDATES, COUNTERFACTUALS]
TRAINABLE = [TRAIN, CANDIDATES, THREAD_CANDIDATES, COUNTERFACTUALS]


@pytest.mark.parametrize("path", ALL, ids=NAMES.get)
def test_rows_are_well_formed(path: Path) -> None:
    rows = _rows(path)
    assert rows
    for row in rows:
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert isinstance(row["context"], str) and row["context"].strip(), row
        assert row["label"] in LABELS, row
        assert row["lang"] in LANGS, row
        assert row["kind"] in KINDS, row
        assert row["source"] == "rykte-pairs", row


@pytest.mark.parametrize("path", ALL, ids=NAMES.get)
def test_each_language_has_enough_rows(path: Path) -> None:
    per_lang = Counter(row["lang"] for row in _rows(path))
    for lang in LANGS:
        assert per_lang[lang] >= MIN_ROWS[path], (lang, per_lang)


# not the thread candidates: they are the weak kinds on purpose, so neutral is scarce (README)
@pytest.mark.parametrize("path", [TRAIN, EVAL, CANDIDATES, COUNTERFACTUALS], ids=NAMES.get)
def test_labels_are_balanced(path: Path) -> None:
    rows = _rows(path)
    per_label = Counter(row["label"] for row in rows)
    for label in LABELS:
        assert per_label[label] >= 0.15 * len(rows), (label, per_label)


def test_every_kind_in_every_language_of_the_eval_set() -> None:
    present = {(row["lang"], row["kind"]) for row in _rows(EVAL)}
    missing = [(lang, kind) for lang in LANGS for kind in KINDS if (lang, kind) not in present]
    assert not missing


@pytest.mark.parametrize("path", TRAINABLE, ids=NAMES.get)
def test_eval_pairs_and_replies_are_not_in_training(path: Path) -> None:
    train = _rows(path)
    train_pairs = {(row["text"], row["context"]) for row in train}
    train_texts = {row["text"].casefold() for row in train}
    for row in _rows(EVAL):
        assert (row["text"], row["context"]) not in train_pairs, row
        assert row["text"].casefold() not in train_texts, row


@pytest.mark.parametrize("path", TRAINABLE, ids=NAMES.get)
def test_eval_contexts_are_not_in_training(path: Path) -> None:
    train_sentences = {row[key] for row in _rows(path) for key in ("text", "context")}
    shared = {row["context"] for row in _rows(EVAL)} & train_sentences
    assert not shared


@pytest.mark.parametrize("path", [*ALL, EMPLOYER_IDIOMS], ids=NAMES.get)
def test_no_row_copies_a_demo_sentence(path: Path) -> None:
    demo = [s for s in _strings(yaml.safe_load(DEMO.read_text(encoding="utf-8"))) if len(s) >= DEMO_MIN_CHARS]
    assert demo
    for row in _rows(path):
        for sentence in demo:
            assert sentence not in row["text"] and sentence not in row.get("context", ""), (sentence, row)


@pytest.mark.parametrize("path", [THREAD_CANDIDATES, COUNTERFACTUALS], ids=NAMES.get)
def test_candidates_add_no_reply_already_trained_on(path: Path) -> None:
    trained = {row["text"].casefold() for row in _rows(TRAIN)}
    again = [row["text"] for row in _rows(path) if row["text"].casefold() in trained]
    assert not again


def test_counterfactuals_make_the_parent_decide() -> None:
    """The point of the round-k rows: the same reply under different parents carries different labels,
    in every language (in the train file almost every reply has one label whatever it answers)."""
    labels: dict[tuple[str, str], set[str]] = {}
    for row in _rows(COUNTERFACTUALS):
        labels.setdefault((row["lang"], row["text"]), set()).add(row["label"])
    flipped = Counter(lang for (lang, _), seen in labels.items() if len(seen) > 1)
    for lang in LANGS:
        assert flipped[lang] >= 20, (lang, flipped)
