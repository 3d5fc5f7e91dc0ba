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
* **A reply is read with what it answers** (models trained on such pairs, `uses_context`): the
  parent's beginning is a second segment the text's tokens attend to, and only the text's own tokens
  are pooled (`BatchedModel`, `pair_ids`).
* Identical (text, context) inputs are scored once (within a call and across calls, through a bounded cache), and
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
# How much of a reply's parent the model reads (its beginning), in tokens; the same in training.
CONTEXT_TOKENS = 64


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
        self._d: OrderedDict[tuple[str, str], Prediction] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Prediction | None:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: tuple[str, str], value: Prediction) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)


def pair_ids(tokenizer: Any, text_ids: list[int], context: str | None, context_tokens: int) -> list[int]:
    """The second segment for a reply's parent: `</s> context </s>` (XLM-R's pair format), at most
    `context_tokens` tokens of the context's beginning; [] without context. One home for the pair
    layout: the runtime (`BatchedModel`) and the trainer (`training/train.py`) both build pairs here."""
    if not context:
        return []
    eos = text_ids[-1]
    ctx = tokenizer(context[: context_tokens * CHARS_PER_TOKEN_BOUND], add_special_tokens=False,
                    truncation=False, verbose=False)["input_ids"][:context_tokens]
    return [eos, *ctx, eos] if ctx else []


class BatchedModel:
    """Shared batching, chunking, caching and cleaning; subclasses implement `_probs`.

    Thread context: a model whose weights were trained on (reply, parent) pairs sets `uses_context`;
    `predict(texts, contexts)` then feeds each text as segment A (`<s> query: text </s>`) and the
    parent's beginning as segment B (`</s> parent </s>`, `CONTEXT_TOKENS` at most), and `_probs` gets
    a `pool_mask` over segment A: the text's own tokens are pooled, the parent only informs them
    through attention. Without a context (or for a model without `uses_context`) the input is exactly
    the single text, so top-level posts score as before.
    """

    version: str = ""
    uses_context: bool = False

    def __init__(self, tokenizer: Any, batch_size: int, max_length: int, prefix: str) -> None:
        self.tokenizer = tokenizer
        self.batch_size = max(1, int(batch_size))
        self.max_length = max(8, int(max_length))
        self.prefix = prefix
        self.cache = PredictionCache(CACHE_SIZE)
        self._n_prefix = len(tokenizer(prefix.strip(), add_special_tokens=False)["input_ids"]) if prefix else 0
        self.max_chars = MAX_CHUNKS * self.max_length * CHARS_PER_TOKEN_BOUND

    def _probs(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _windows(self, ids: list[int], tail: Sequence[int] = ()) -> list[list[int]]:
        """Windows of at most `max_length` tokens over the text's ids, each followed by `tail` (the
        context segment, which takes its room from the text's windows)."""
        if len(ids) + len(tail) <= self.max_length:
            return [ids]
        bos, eos = ids[0], ids[-1]
        head = ids[1 : 1 + self._n_prefix]
        content = ids[1 + self._n_prefix : -1]
        width = max(8, self.max_length - 2 - len(head) - len(tail))
        wins = [[bos, *head, *content[a : a + width], eos] for a in range(0, len(content), width)]
        return wins[:MAX_CHUNKS]

    def _keys(self, texts: Sequence[str], contexts: Sequence[str | None] | None) -> list[tuple[str, str]]:
        """(cleaned text, cleaned context or "") per input; the context is dropped when the model does
        not read one, so such models cache and score exactly as before."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        cleaned = [clean_text(t) for t in texts]
        if not self.uses_context or contexts is None:
            return [(t, "") for t in cleaned]
        return [(t, clean_text(c)[: self.max_chars] if c else "") for t, c in zip(cleaned, contexts, strict=True)]

    def _run(self, keys: Sequence[tuple[str, str]], fn: Any, dim: int) -> list[list[float]]:
        """`fn(input_ids, attention_mask, pool_mask)` -> [batch, dim] over every window of every
        (text, context) key; returns each key's token-count-weighted mean over its windows."""
        import torch

        enc = self.tokenizer([self.prefix + t[: self.max_chars] for t, _ in keys], add_special_tokens=True,
                             truncation=False, verbose=False)["input_ids"]
        windows: list[tuple[int, list[int], int]] = []  # (key index, ids, length of segment A)
        for u, ids in enumerate(enc):
            tail = pair_ids(self.tokenizer, list(ids), keys[u][1], CONTEXT_TOKENS)
            windows.extend((u, [*w, *tail], len(w)) for w in self._windows(list(ids), tail))
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
        acc = [[0.0] * dim for _ in keys]
        weight = [0.0 for _ in keys]
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                width = max(len(windows[k][1]) for k in idx)
                inp = torch.full((len(idx), width), pad, dtype=torch.long)
                mask = torch.zeros((len(idx), width), dtype=torch.long)
                pool = torch.zeros((len(idx), width), dtype=torch.long)
                for r, k in enumerate(idx):
                    _, w, n_a = windows[k]
                    inp[r, : len(w)] = torch.tensor(w, dtype=torch.long)
                    mask[r, : len(w)] = 1
                    pool[r, :n_a] = 1
                out = fn(inp, mask, pool).float().tolist()
                for r, k in enumerate(idx):
                    u, _, n_a = windows[k]
                    n = float(n_a)
                    row = acc[u]
                    for j in range(dim):
                        row[j] += n * out[r][j]
                    weight[u] += n
        return [[a / weight[u] for a in acc[u]] for u in range(len(keys))]

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> list[Prediction]:
        """One prediction per text, in order; `contexts[i]` is the text that `texts[i]` answers (its
        parent), or None. Only models with `uses_context` read it."""
        keys = self._keys(texts, contexts)
        out: list[Prediction | None] = [None] * len(keys)
        todo: dict[tuple[str, str], list[int]] = {}
        for i, key in enumerate(keys):
            if not key[0] or not has_content(key[0]):
                out[i] = empty_prediction()
                continue
            hit = self.cache.get(key)
            if hit is not None:
                out[i] = hit
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            uniq = list(todo)
            for key, probs in zip(uniq, self._run(uniq, self._probs, len(LABELS)), strict=True):
                pred = make_prediction(probs)
                self.cache.put(key, pred)
                for i in todo[key]:
                    out[i] = pred
        return [p if p is not None else empty_prediction() for p in out]
