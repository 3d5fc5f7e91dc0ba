"""Any Hugging Face text-classification model as the sentiment model (config `analysis.model`).

Why: a user with internet (or a local copy) may prefer another model than the built-in one. Its labels
are mapped to negative/neutral/positive by name (`map_labels`), and it shares the cleaning, chunking,
batching and caching of `batching.BatchedModel`, so the rest of the pipeline cannot tell the difference.
Such a model reads each text alone: it was not trained on (reply, parent) pairs, so the parent given
as context is not passed to it (`uses_context` stays False).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.analysis.batching import BatchedModel, available_cores
from pipeline.analysis.contract import DEFAULT_BATCH_SIZE, DEFAULT_MAX_LENGTH, ModelLoadError

_STAR_RE = re.compile(r"^\s*([1-5])\s*(star|stars|stjern\w*)?\s*$", re.IGNORECASE)


def map_labels(id2label: dict[int, str]) -> list[list[float]]:
    """Matrix (model label → [negative, neutral, positive]) for a classifier's `id2label`.

    Understands names containing neg/neu/pos (and their Scandinavian forms), star ratings ("1 star" …
    "5 stars": 1–2 negative, 3 neutral, 4–5 positive) and generic `LABEL_i` for 2, 3 or 5 classes.
    """
    n = len(id2label)
    names = [str(id2label[i]).strip().lower() for i in range(n)]
    rows: list[list[float]] = []
    for nm in names:
        star = _STAR_RE.match(nm)
        if nm.startswith(("neg", "bad")) or nm in ("negativ",):
            rows.append([1.0, 0.0, 0.0])
        elif nm.startswith(("neu", "mixed", "nøytral", "neutral")):
            rows.append([0.0, 1.0, 0.0])
        elif nm.startswith(("pos", "good")):
            rows.append([0.0, 0.0, 1.0])
        elif star:
            s = int(star.group(1))
            rows.append([1.0, 0.0, 0.0] if s <= 2 else [0.0, 1.0, 0.0] if s == 3 else [0.0, 0.0, 1.0])
        else:
            rows = []
            break
    if rows:
        return rows
    if all(re.fullmatch(r"label_\d+", nm) for nm in names):
        if n == 2:
            return [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
        if n == 3:
            return [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        if n == 5:
            return [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    raise ModelLoadError(f"cannot map labels {names} to negative/neutral/positive")


class HFSentimentModel(BatchedModel):
    """Any Hugging Face text-classification model (hub id already cached, or a local directory)."""

    def __init__(self, name: str, *, batch_size: int = DEFAULT_BATCH_SIZE, max_length: int = DEFAULT_MAX_LENGTH,
                 threads: int | None = None) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(threads or available_cores())
        try:
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name)
        except (OSError, ValueError) as e:
            raise ModelLoadError(f"model {name!r}: cannot load ({str(e).splitlines()[0]})") from None
        model.eval()
        limit = getattr(model.config, "max_position_embeddings", None) or max_length
        super().__init__(tokenizer, batch_size, min(max_length, int(limit)), "")
        self.model = model
        self.matrix = torch.tensor(map_labels(dict(model.config.id2label)))
        h = hashlib.sha256(json.dumps(model.config.to_dict(), sort_keys=True, default=str).encode())
        p = Path(name)
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.suffix in (".safetensors", ".bin"):
                    st = f.stat()
                    h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
        self.version = f"hf:{name}:{h.hexdigest()[:12]}"

    def _windows(self, ids: list[int], tail: Sequence[int] = ()) -> list[list[int]]:
        if len(ids) <= self.max_length:
            return [ids]
        return [[*ids[:self.max_length - 1], ids[-1]]]  # other models: truncation (first window)

    def _probs(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
        import torch

        logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        p = torch.softmax(logits.float(), dim=-1) @ self.matrix
        return p / p.sum(-1, keepdim=True).clamp(min=1e-9)
