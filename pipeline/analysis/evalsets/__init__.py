"""Measured evaluation sets of the sentiment model, shipped in the wheel: `path(name)` finds one.

Every caller (tests, `rykte model eval`, the retrain's accept rule, benchmarks) locates the sets
through `path`, so the files have one home and an installed wheel measures on the same rows.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
EMPLOYER_DEV = "employer_dev.jsonl"
EMPLOYER_TEST = "employer_test.jsonl"
PAIRS_EVAL = "pairs_eval.jsonl"
NAMES = (EMPLOYER_DEV, EMPLOYER_TEST, PAIRS_EVAL)


def path(name: str) -> Path:
    """The shipped set `name` (e.g. "employer_dev.jsonl"); a name that is not shipped is a KeyError."""
    if name not in NAMES:
        raise KeyError(f"unknown evaluation set {name!r} (shipped: {', '.join(NAMES)})")
    return HERE / name
