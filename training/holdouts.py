"""Write the measurement hold-outs of the shared sets as labelled JSONL files for `rykte model eval`.

Why: the sets without a dev split (TweetEval, swe-sentiment, LCC) lose a deterministic 20% of their
rows in training (`datasets.is_holdout`); the model card's public-set figures are measured on exactly
those rows. This writes them, so both builds are measured on the same files:

    python -m training.holdouts ../shared/data/sentiment /tmp/holdouts
    rykte model eval --data /tmp/holdouts/swe_sentiment_train.holdout.jsonl \
        --model builtin --model builtin-noncommercial
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.analysis.model.evaluate import read_jsonl
from training.datasets import SETS, is_holdout


def write_holdouts(data_dir: Path, out_dir: Path) -> list[Path]:
    """One `<set file>.holdout.jsonl` per shared set with a hold-out; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ts in SETS.values():
        if not ts.file or not ts.holdout:
            continue
        rows = [r for r in read_jsonl(Path(data_dir) / f"{ts.file}.jsonl") if is_holdout(r["text"])]
        path = out_dir / f"{ts.file}.holdout.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m training.holdouts SENTIMENT_DATA_DIR OUT_DIR")
    for p in write_holdouts(Path(sys.argv[1]), Path(sys.argv[2])):
        print(p)
