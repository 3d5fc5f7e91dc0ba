"""The scoring loop every sentiment backend shares: cleaning, de-duplication, chunking, batching.

Kept apart from the models (`torch_model.py` torch, `onnx_model.py` ONNX Runtime, `hf_model.py` any
Hugging Face classifier) so that all of them treat input the same way and only implement `_probs`:

* HTML tags are removed (the contents of `<script>`/`<style>` dropped), entities unescaped and
  whitespace collapsed before scoring.
* A text that is empty after that (or has no letter, digit or emoji at all) is not scored: it gets
  `Prediction("neutral", 1.0, {"negative": 0.0, "neutral": 1.0, "positive": 0.0})`. Emoji-only
  texts are scored normally (the tokenizer knows emoji, and they carry sentiment).
* **Long texts are chunked, not truncated**: a text longer than `max_length` tokens is split into
  consecutive windows of at most `max_length` tokens (each with `<s> query: … </s>`), each window is
  scored, and the text's probabilities are the token-count-weighted mean of its windows'. A complaint
  in the last paragraph of a long post therefore still counts. At most `MAX_CHUNKS` windows are used
  (the rest of an extremely long text is ignored), which bounds the cost of a single pathological text.
* Identical texts are scored once (within a call and across calls, through a bounded cache), and
  texts are batched by token length (sorted, then restored to the caller's order).
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from crawlers.text import html_to_text
from pipeline.analysis.contract import LABELS, Prediction, empty_prediction

MAX_CHUNKS = 16
# Characters a token may span at the most that we allow for: the text is cut to
# MAX_CHUNKS * max_length * CHARS_PER_TOKEN_BOUND characters before tokenizing, so tokenizing is
# bounded whatever the input (a 10 MB post); the windows past MAX_CHUNKS were dropped anyway.
CHARS_PER_TOKEN_BOUND = 12
CACHE_SIZE = 50_000


_WS_RE = re.compile(r"\s+")


def clean_text(text: str | None) -> str:
    """Plain text for the model: HTML stripped, entities unescaped, whitespace collapsed."""
    if not text:
        return ""
    t = html_to_text(str(text))  # the project's one HTML reading, shared with the spiders
    t = t.replace("\u200b", "").replace("\ufeff", "")
    return _WS_RE.sub(" ", t).strip()


def has_content(text: str) -> bool:
    """True if the text has at least one letter, digit or symbol such as an emoji."""
    return any(unicodedata.category(ch)[0] in "LNS" for ch in text)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def make_prediction(probs: Sequence[float]) -> Prediction:
    p = {lab: float(v) for lab, v in zip(LABELS, probs, strict=True)}
    label = max(LABELS, key=lambda k: p[k])
    return Prediction(label, p[label], p)


class PredictionCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict[str, Prediction] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Prediction | None:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: str, value: Prediction) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)


class BatchedModel:
    """Shared batching, chunking, caching and cleaning; subclasses implement `_probs`."""

    version: str = ""

    def __init__(self, tokenizer: Any, batch_size: int, max_length: int, prefix: str) -> None:
        self.tokenizer = tokenizer
        self.batch_size = max(1, int(batch_size))
        self.max_length = max(8, int(max_length))
        self.prefix = prefix
        self.cache = PredictionCache(CACHE_SIZE)
        self._n_prefix = len(tokenizer(prefix.strip(), add_special_tokens=False)["input_ids"]) if prefix else 0
        self.max_chars = MAX_CHUNKS * self.max_length * CHARS_PER_TOKEN_BOUND

    def _probs(self, input_ids: Any, attention_mask: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _windows(self, ids: list[int]) -> list[list[int]]:
        if len(ids) <= self.max_length:
            return [ids]
        bos, eos = ids[0], ids[-1]
        head = ids[1 : 1 + self._n_prefix]
        content = ids[1 + self._n_prefix : -1]
        width = self.max_length - 2 - len(head)
        wins = [[bos, *head, *content[a : a + width], eos] for a in range(0, len(content), width)]
        return wins[:MAX_CHUNKS]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        import torch

        cleaned = [clean_text(t) for t in texts]
        out: list[Prediction | None] = [None] * len(cleaned)
        todo: dict[str, list[int]] = {}
        for i, t in enumerate(cleaned):
            if not t or not has_content(t):
                out[i] = empty_prediction()
                continue
            hit = self.cache.get(t)
            if hit is not None:
                out[i] = hit
            else:
                todo.setdefault(t, []).append(i)
        if todo:
            uniq = list(todo)
            enc = self.tokenizer([self.prefix + t[: self.max_chars] for t in uniq], add_special_tokens=True,
                                 truncation=False,
                                 verbose=False)["input_ids"]
            windows: list[tuple[int, list[int]]] = []
            for u, ids in enumerate(enc):
                windows.extend((u, w) for w in self._windows(list(ids)))
            order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
            acc = [[0.0, 0.0, 0.0] for _ in uniq]
            weight = [0.0 for _ in uniq]
            pad = self.tokenizer.pad_token_id or 0
            with torch.inference_mode():
                for b in range(0, len(order), self.batch_size):
                    idx = order[b : b + self.batch_size]
                    width = max(len(windows[k][1]) for k in idx)
                    inp = torch.full((len(idx), width), pad, dtype=torch.long)
                    mask = torch.zeros((len(idx), width), dtype=torch.long)
                    for r, k in enumerate(idx):
                        w = windows[k][1]
                        inp[r, : len(w)] = torch.tensor(w, dtype=torch.long)
                        mask[r, : len(w)] = 1
                    probs = self._probs(inp, mask).float().tolist()
                    for r, k in enumerate(idx):
                        u, w = windows[k]
                        n = float(len(w))
                        for j in range(3):
                            acc[u][j] += n * probs[r][j]
                        weight[u] += n
            for u, t in enumerate(uniq):
                pred = make_prediction([a / weight[u] for a in acc[u]])
                self.cache.put(t, pred)
                for i in todo[t]:
                    out[i] = pred
        return [p if p is not None else empty_prediction() for p in out]
