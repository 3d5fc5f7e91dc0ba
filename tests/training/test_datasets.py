"""The employer sets: well-formed, and the training rows never leak into dev or test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.analysis import evalsets
from training.datasets import EMPLOYER_TRAIN as TRAIN

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = ROOT / "training" / "data" / "employer_candidates.jsonl"
IDIOMS = ROOT / "training" / "data" / "idiom_candidates.jsonl"  # not in a shipped build (README)
DEV = evalsets.path(evalsets.EMPLOYER_DEV)
TEST = evalsets.path(evalsets.EMPLOYER_TEST)
LANGS = {"nb", "nn", "sv", "da", "en"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


@pytest.mark.parametrize("path", [TRAIN, CANDIDATES, IDIOMS, DEV, TEST], ids=lambda p: p.name)
def test_rows_are_well_formed_and_unique(path: Path) -> None:
    rows = _rows(path)
    assert len(rows) >= 40
    for n, r in enumerate(rows, 1):
        assert r["label"] in {"negative", "neutral", "positive"}, f"{path.name}:{n}"
        assert r.get("lang") in LANGS, f"{path.name}:{n}"
        assert r["text"].strip(), f"{path.name}:{n}"
    texts = [_norm(r["text"]) for r in rows]
    assert len(set(texts)) == len(texts), f"{path.name} has duplicate texts"


def test_training_rows_never_appear_in_dev_or_test() -> None:
    train = {_norm(r["text"]) for p in (TRAIN, CANDIDATES, IDIOMS) for r in _rows(p)}
    dev = {_norm(r["text"]) for r in _rows(DEV)}
    test = {_norm(r["text"]) for r in _rows(TEST)}
    assert not train & dev
    assert not train & test
    assert not dev & test
    trained = {_norm(r["text"]) for r in _rows(TRAIN)}
    for extra in (CANDIDATES, IDIOMS):
        assert not trained & {_norm(r["text"]) for r in _rows(extra)}, extra.name
