"""Evaluate a sentiment model on a labelled JSONL file (`{"text", "label", "lang"}` a line).

Runtime, not training: `rykte model eval` and the bench use it without the `[train]` extra; the
trainer (`training/`) reads its labelled sets with the same `read_jsonl`.

Rows may carry a "context" (the text the row answers: the pairs set); it is passed to the model.
Per language (and over all rows): accuracy, macro-F1 over negative/neutral/positive, the binary
positive-vs-negative accuracy (rows labelled positive or negative, prediction = the larger of the two
probabilities) and the confusion matrix (rows = gold, columns = predicted).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.analysis.contract import LABELS, Prediction, SentimentModel


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Labelled rows `{"text", "label", "lang"}`; raises ValueError naming file:line on a bad row."""
    rows: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: invalid JSON: {e.msg}") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError(f"{path}:{n}: expected an object with a string 'text'")
            if obj.get("label") not in LABELS:
                raise ValueError(f"{path}:{n}: label {obj.get('label')!r} is not one of {', '.join(LABELS)}")
            rows.append(obj)
    return rows


@dataclass
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    posneg_accuracy: float | None
    confusion: list[list[int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "posneg_accuracy": None if self.posneg_accuracy is None else round(self.posneg_accuracy, 4),
                "confusion": self.confusion}


def score(gold: Sequence[str], preds: Sequence[Prediction]) -> Scores:
    k = len(LABELS)
    cm = [[0] * k for _ in range(k)]
    pn_right = pn_n = 0
    for g, p in zip(gold, preds, strict=True):
        cm[LABELS.index(g)][LABELS.index(p.label)] += 1
        if g in ("negative", "positive"):
            pn_n += 1
            guess = "positive" if p.probs["positive"] >= p.probs["negative"] else "negative"
            pn_right += guess == g
    n = len(gold)
    f1s = []
    for c in range(k):
        tp = cm[c][c]
        fp = sum(cm[r][c] for r in range(k)) - tp
        fn = sum(cm[c]) - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0)
    acc = sum(cm[c][c] for c in range(k)) / n if n else 0.0
    return Scores(n, acc, sum(f1s) / k, pn_right / pn_n if pn_n else None, cm)


def evaluate_rows(model: SentimentModel, rows: Sequence[dict[str, Any]]) -> dict[str, Scores]:
    preds = model.predict([r["text"] for r in rows], [r.get("context") for r in rows])  # pairs: the parent
    langs = sorted({str(r.get("lang") or "?") for r in rows})
    out: dict[str, Scores] = {}
    for lang in langs:
        idx = [i for i, r in enumerate(rows) if str(r.get("lang") or "?") == lang]
        out[lang] = score([rows[i]["label"] for i in idx], [preds[i] for i in idx])
    if len(langs) > 1:
        out["all"] = score([r["label"] for r in rows], preds)
    return out


def format_table(results: dict[str, Scores], title: str = "") -> str:
    lines = []
    if title:
        lines.append(title)
    lines.append(f"{'lang':<6}{'n':>6}{'accuracy':>10}{'macro-F1':>10}{'pos/neg acc':>13}")
    for lang, s in results.items():
        pn = "-" if s.posneg_accuracy is None else f"{s.posneg_accuracy:.3f}"
        lines.append(f"{lang:<6}{s.n:>6}{s.accuracy:>10.3f}{s.macro_f1:>10.3f}{pn:>13}")
    short = {"negative": "neg", "neutral": "neu", "positive": "pos"}
    for lang, s in results.items():
        lines.append("")
        lines.append(f"confusion [{lang}] (rows gold, columns predicted)")
        lines.append(f"{'':>8}" + "".join(f"{short[c]:>7}" for c in LABELS))
        for lab, row in zip(LABELS, s.confusion, strict=True):
            lines.append(f"{short[lab]:>8}" + "".join(f"{v:>7}" for v in row))
    return "\n".join(lines)


def format_side_by_side(results: dict[str, dict[str, Scores]], title: str = "") -> str:
    """Accuracy and macro-F1 per language of several models on the same rows, one column pair each."""
    langs = list(dict.fromkeys(lang for res in results.values() for lang in res))
    lines = [f"side by side: {title}" if title else "side by side"]
    lines.append(f"{'lang':<6}{'n':>6}" + "".join(f"{name + ' acc / F1':>32}" for name in results))
    for lang in langs:
        n = next(res[lang].n for res in results.values() if lang in res)
        cells = "".join(f"{f'{res[lang].accuracy:.3f} / {res[lang].macro_f1:.3f}' if lang in res else '-':>32}"
                        for res in results.values())
        lines.append(f"{lang:<6}{n:>6}{cells}")
    return "\n".join(lines)
