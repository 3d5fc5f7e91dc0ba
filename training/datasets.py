"""The labelled data the sentiment model is trained and measured on, and how it is read.

Separate from the training loop so that the CLI and the tests read the same sets, the same
deterministic hold-out and the same row validation (`read_jsonl`, shared with `rykte model eval`)
without importing torch.

* The shared sets (`TRAIN_SETS`, under the directory given to `rykte model train --data`): NoReC_sentence
  train (nb), TweetEval validation (en), the Swedish and Danish sets; the three without a dev split
  lose a deterministic 20% hold-out (`is_holdout`) used only for measurement.
* Our employer-domain set (`training/data/employer_train.jsonl`), up-weighted.
* User label corrections (from the dashboard, or a JSONL file), up-weighted as much.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.contract import LABELS
from pipeline.analysis.model.evaluate import read_jsonl

EMPLOYER_TRAIN = Path(__file__).resolve().parent / "data" / "employer_train.jsonl"

# The shared sets; the ones without a dev split lose a deterministic 20% hold-out for measurement.
TRAIN_SETS = ("norec_sentence_train", "tweeteval_val", "swe_sentiment_train", "da_lcc_train")
HOLDOUT_SETS = ("tweeteval_val", "swe_sentiment_train", "da_lcc_train")
EMPLOYER_WEIGHT = 5.0
CORRECTION_WEIGHT = 5.0


def is_holdout(text: str) -> bool:
    """Deterministic 20% hold-out: SHA-1 of the UTF-8 text, as an integer, modulo 5 equals 0."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


@dataclass
class Example:
    text: str
    label: int
    weight: float
    group: str


def collect_examples(data_dir: Path, corrections: Iterable[tuple[str, str]] = (),
                     employer_path: Path = EMPLOYER_TRAIN) -> list[Example]:
    data_dir = Path(data_dir)
    out: list[Example] = []
    for name in TRAIN_SETS:
        p = data_dir / f"{name}.jsonl"
        if not p.is_file():
            raise FileNotFoundError(f"{p}: training set missing")
        for r in read_jsonl(p):
            if name in HOLDOUT_SETS and is_holdout(r["text"]):
                continue
            out.append(Example(r["text"], LABELS.index(r["label"]), 1.0, name))
    for r in read_jsonl(employer_path):
        out.append(Example(r["text"], LABELS.index(r["label"]), EMPLOYER_WEIGHT, "employer"))
    for text, label in corrections:
        if label not in LABELS:
            raise ValueError(f"label correction {text[:40]!r}: label {label!r} is not one of {LABELS}")
        out.append(Example(text, LABELS.index(label), CORRECTION_WEIGHT, "correction"))
    return out
