"""Train the sentiment adapter and head on top of the converted multilingual-e5-small base.

Method (chosen by measurement, see `pipeline/analysis/weights/MODEL_CARD.md`):

* Every text is fed as ``"query: " + text`` (E5's prefix for classification-like use), at most
  `TRAIN_MAX_LENGTH` tokens; a row with a context (a reply and the text it answers: the pairs set,
  corrections of replies) gets the parent's beginning as a second segment, exactly as at run time
  (`batching.pair_ids`), and only the text's own tokens are pooled. Such a build says `context=1`.
* The lower `TOP_FROM` transformer layers stay frozen. Their output for every training text is computed
  once and cached in memory, so each epoch only runs (forward and backward) the upper layers. This
  makes an epoch over ~12k sentences take a few minutes on 2 cores instead of ~7.
* The upper layers get LoRA adapters (peft, rank `LORA_R`) on the attention query/value projections
  and on both feed-forward projections; a linear head reads the mean-pooled (attention mask) last
  hidden state and outputs negative/neutral/positive.
* Data (`datasets.py`): the chosen sets (`sets`; by default the commercial-safe ones: our employer
  set and the CC BY Danish set; `all` adds NoReC, TweetEval and swe-sentiment, which a company may not
  use) minus a deterministic hold-out, our employer-domain set and user label corrections up-weighted.
  The sets and their licences go into the weights' metadata. Mild inverse-square-root class weights
  counter the scarce negatives.
* Seeded: the same data, seed and thread count give the same weights.

Only the LoRA matrices and the head are written (`sentiment.safetensors`, ~2 MB) with their metadata,
by default into a new `<data-dir>/models/trained/<UTC time>/` (`default_out_dir`), never into the
source tree; shipping a run means copying its file to `pipeline/analysis/weights/`.
`pipeline/analysis/torch_model.py` merges them into the base at load time.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.analysis.batching import CONTEXT_TOKENS, pair_ids
from pipeline.analysis.contract import LABELS
from pipeline.analysis.model.convert import base_checksum, load_base
from training.datasets import (
    DEFAULT_SETS,
    EMPLOYER_TRAIN,
    EMPLOYER_WEIGHT,
    PAIRS_TRAIN,
    PAIRS_WEIGHT,
    collect_examples,
    licence_meta,
    resolve_sets,
)

PREFIX = "query: "
TRAIN_MAX_LENGTH = 128
TOP_FROM = 6  # layers TOP_FROM..11 are adapted; 0..TOP_FROM-1 stay frozen and are cached
LORA_R = 16
LORA_ALPHA = 32
LORA_TARGETS = r"\d+\.(attention\.self\.(query|value)|intermediate\.dense|output\.dense)"
WEIGHTS_FILE = "sentiment.safetensors"
# same-label sentence pairs made from the employer set (compounds.py); off by default: runs c6/c7 with
# 600 did not beat c4 (MODEL_CARD.md)
COMPOUNDS = 0


def default_out_dir(models_dir: Path) -> Path:
    """Where a run writes when no `--out` is given: `<models_dir>/trained/<UTC time>/` (a new directory)."""
    return Path(models_dir) / "trained" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


@dataclass
class TrainResult:
    path: Path
    seconds: float
    n_train: int
    history: list[dict[str, Any]] = field(default_factory=list)


def _set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_top(base: Any, top_from: int = TOP_FROM) -> Any:
    """The upper layers of `base` (deep copy) with LoRA adapters injected."""
    import copy

    import torch
    from peft import LoraConfig, inject_adapter_in_model

    top: Any = torch.nn.ModuleList(copy.deepcopy(base.encoder.layer[top_from:]))
    cfg = LoraConfig(r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.05, target_modules=LORA_TARGETS,
                     bias="none")
    top = inject_adapter_in_model(cfg, top)
    for n, p in top.named_parameters():
        p.requires_grad = "lora_" in n
    return top


def run_top(top: Any, config: Any, hidden: Any, mask: Any) -> Any:
    """Run the adapted upper layers on cached hidden states; returns the last hidden state."""
    from transformers.masking_utils import create_bidirectional_mask

    ext = create_bidirectional_mask(config=config, inputs_embeds=hidden, attention_mask=mask)
    for layer in top:
        out = layer(hidden, attention_mask=ext)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def mean_pool(hidden: Any, mask: Any) -> Any:
    from pipeline.analysis.pooled_head import mean_pool as pool

    return pool(hidden, mask)


def lora_state(top: Any, top_from: int = TOP_FROM) -> dict[str, Any]:
    """LoRA matrices keyed by their place in the full `BertModel`: `encoder.layer.{i}.<module>.lora_A`."""
    out: dict[str, Any] = {}
    for name, p in top.named_parameters():
        if "lora_" not in name:
            continue
        # e.g. "0.attention.self.query.lora_A.default.weight"
        idx, rest = name.split(".", 1)
        module, kind = rest.split(".lora_", 1)
        ab = kind.split(".", 1)[0]
        out[f"encoder.layer.{int(idx) + top_from}.{module}.lora_{ab}"] = p.detach().clone().contiguous()
    return out


Cached = tuple[Any, int, int]  # lower-layer states of one input, its length, the length of segment A


def _pad_cached(cache: Sequence[Cached], idx: Sequence[int], hidden_size: int) -> tuple[Any, Any, Any]:
    """A zero-padded batch of cached lower-layer states, its attention mask and its pooling mask (the
    text's own tokens, segment A), for the rows `idx`."""
    import torch

    width = max(cache[i][1] for i in idx)
    hs = torch.zeros((len(idx), width, hidden_size))
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    pool = torch.zeros((len(idx), width), dtype=torch.long)
    for r, i in enumerate(idx):
        _, n, n_a = cache[i]
        hs[r, :n] = cache[i][0]
        mask[r, :n] = 1
        pool[r, :n_a] = 1
    return hs, mask, pool


def _accuracy_by_lang(top: Any, head: Any, config: Any, cache: Sequence[Cached],
                      rows: Sequence[dict[str, Any]], batch_size: int = 64) -> dict[str, float]:
    """Accuracy per language (and over all rows) of the model being trained, on cached lower states."""
    import torch

    right: dict[str, list[bool]] = {}
    with torch.inference_mode():
        for b in range(0, len(rows), batch_size):
            chunk = list(range(b, min(b + batch_size, len(rows))))
            hs, mask, pool = _pad_cached(cache, chunk, config.hidden_size)
            pred = head(mean_pool(run_top(top, config, hs, mask), pool)).argmax(-1).tolist()
            for r, i in enumerate(chunk):
                ok = LABELS[pred[r]] == rows[i]["label"]
                right.setdefault(str(rows[i].get("lang") or "?"), []).append(ok)
                right.setdefault("all", []).append(ok)
    return {k: round(sum(v) / len(v), 3) for k, v in sorted(right.items(), key=lambda kv: kv[0] == "all")}


def _cache_lower(base: Any, tokenizer: Any, texts: Sequence[str], top_from: int, batch_size: int = 64,
                 log: Callable[[str], None] = print,
                 contexts: Sequence[str | None] | None = None) -> list[Cached]:
    """Hidden states after layer `top_from`-1 for each text (trimmed to its length), with the text's
    parent as a second segment where `contexts` gives one (the runtime's layout, `pair_ids`)."""

    enc = tokenizer([PREFIX + t for t in texts], truncation=True, max_length=TRAIN_MAX_LENGTH)
    text_ids: list[list[int]] = enc["input_ids"]
    ctx = list(contexts) if contexts is not None else [None] * len(texts)
    ids = [[*a, *pair_ids(tokenizer, a, c, CONTEXT_TOKENS)] for a, c in zip(text_ids, ctx, strict=True)]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    cache: list[Any] = [None] * len(ids)
    t0 = time.time()
    _run_lower(base, tokenizer, ids, order, cache, top_from, batch_size, t0, log)
    return [(c, c.shape[0], len(a)) for c, a in zip(cache, text_ids, strict=True)]


def _run_lower(base: Any, tokenizer: Any, ids: list[list[int]], order: list[int], cache: list[Any],
               top_from: int, batch_size: int, t0: float, log: Callable[[str], None]) -> None:
    import torch

    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            width = max(len(ids[i]) for i in idx)
            inp = torch.full((len(idx), width), tokenizer.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                inp[r, : len(ids[i])] = torch.tensor(ids[i])
                mask[r, : len(ids[i])] = 1
            # embeddings + the lower layers only (the upper ones are not needed for the cache)
            hs = run_top(base.encoder.layer[:top_from], base.config, base.embeddings(input_ids=inp), mask)
            for r, i in enumerate(idx):
                cache[i] = hs[r, : len(ids[i])].clone()
            if (b // batch_size) % 40 == 0:
                log(f"  cached {b + len(idx)}/{len(ids)} texts ({time.time() - t0:.0f}s)")


def train(data_dir: Path, out_dir: Path, *, models_dir: Path, epochs: int = 3, seed: int = 13,
          corrections: Iterable[tuple[str, str] | tuple[str, str, str | None]] = (), batch_size: int = 32, lr: float = 6e-4,
          head_lr: float = 3e-3, employer_path: Path = EMPLOYER_TRAIN, threads: int | None = None,
          top_from: int = TOP_FROM, eval_rows: Sequence[dict[str, Any]] = (),
          log: Callable[[str], None] = print, limit: int | None = None,
          sets: str | Sequence[str] = DEFAULT_SETS, pairs_path: Path = PAIRS_TRAIN,
          n_compounds: int = COMPOUNDS) -> TrainResult:
    """Train LoRA + head and write `out_dir/sentiment.safetensors`; returns where and how long.

    `corrections` are (text, label) or (text, label, parent text) from the store's `label_corrections`
    table. Rows with a context (the pairs set, corrections of replies) are fed as (text, parent) pairs. `top_from` is the
    first adapted layer (the ones below stay frozen and cached). `eval_rows` (`{"text", "label",
    "lang"}`), if given, are scored after each epoch and the per-language accuracy is logged. `sets` is
    a preset (`commercial`, `all`) or a list of set keys (`datasets.SETS`); ValueError if unknown.
    `n_compounds` same-label sentence pairs from the employer set are added (`compounds.py`).
    """
    if not 0 <= top_from < 12:
        raise ValueError(f"top_from {top_from}: must be between 0 and 11")
    import os

    import torch
    from safetensors.torch import save_file

    t_start = time.time()
    torch.set_num_threads(threads or os.cpu_count() or 1)
    _set_seed(seed)
    set_keys = resolve_sets(sets)
    examples = collect_examples(data_dir, corrections, employer_path, set_keys, pairs_path,
                                n_compounds if "employer" in set_keys else 0)
    if limit:
        random.Random(seed).shuffle(examples)
        examples = examples[:limit]
    log(f"training on {len(examples)} texts: "
        + ", ".join(f"{g} {sum(1 for e in examples if e.group == g)}"
                    for g in dict.fromkeys(e.group for e in examples)))
    base, tokenizer = load_base(models_dir)
    for p in base.parameters():
        p.requires_grad = False
    cache = _cache_lower(base, tokenizer, [e.text for e in examples], top_from, log=log,
                         contexts=[e.context for e in examples])
    eval_cache = _cache_lower(base, tokenizer, [r["text"] for r in eval_rows], top_from, log=log,
                              contexts=[r.get("context") for r in eval_rows]) if eval_rows else []

    _set_seed(seed)
    top = build_top(base, top_from)
    head = torch.nn.Linear(base.config.hidden_size, len(LABELS))
    counts = [sum(1 for e in examples if e.label == k) for k in range(len(LABELS))]
    cw = torch.tensor([(len(examples) / (len(LABELS) * max(c, 1))) ** 0.5 for c in counts])
    log(f"class counts {counts}, class weights {[round(float(x), 3) for x in cw]}")
    lora_params = [p for p in top.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": lr}, {"params": head.parameters(), "lr": head_lr}],
                            weight_decay=0.01)
    # length-bucketed batches: sort by length, cut into batches, shuffle batch order each epoch
    order = sorted(range(len(examples)), key=lambda i: (cache[i][1], i))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    total = epochs * len(batches)
    warm = max(1, total // 20)

    def lr_factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    rng = random.Random(seed)
    history: list[dict[str, Any]] = []
    step = 0
    hidden_size = base.config.hidden_size
    for ep in range(epochs):
        top.train()
        head.train()
        rng.shuffle(batches)
        t0 = time.time()
        run_loss = 0.0
        for bi, idx in enumerate(batches):
            hs, mask, pool = _pad_cached(cache, idx, hidden_size)
            y = torch.tensor([examples[i].label for i in idx])
            w = torch.tensor([examples[i].weight for i in idx])
            last = run_top(top, base.config, hs, mask)
            logits = head(mean_pool(last, pool))
            loss = (torch.nn.functional.cross_entropy(logits, y, weight=cw, reduction="none") * w).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(lora_params, 1.0)
            opt.step()
            sched.step()
            step += 1
            run_loss += float(loss.detach())
            if bi % 50 == 0:
                log(f"  epoch {ep + 1} batch {bi}/{len(batches)} loss {run_loss / (bi + 1):.4f} "
                    f"({time.time() - t0:.0f}s)")
        entry: dict[str, Any] = {"epoch": ep + 1, "loss": run_loss / len(batches), "seconds": time.time() - t0}
        if eval_rows:
            top.eval()
            head.eval()
            entry["eval"] = _accuracy_by_lang(top, head, base.config, eval_cache, eval_rows)
        history.append(entry)
        log(f"epoch {ep + 1}: {json.dumps(entry)}")

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tensors = lora_state(top, top_from)
    tensors["head.weight"] = head.weight.detach().clone().contiguous()
    tensors["head.bias"] = head.bias.detach().clone().contiguous()
    meta = {
        "format": "rykte-sentiment-1",
        "labels": ",".join(LABELS),
        "prefix": PREFIX,
        "lora_r": str(LORA_R),
        "lora_alpha": str(LORA_ALPHA),
        "top_from": str(top_from),
        "train_max_length": str(TRAIN_MAX_LENGTH),
        "base": base_checksum(models_dir),
        "seed": str(seed),
        "epochs": str(epochs),
        "lr": str(lr),
        "n_train": str(len(examples)),
        "n_corrections": str(sum(1 for e in examples if e.group == "correction")),
        "compounds": str(sum(1 for e in examples if e.group == "compound")),
        "context": "1" if any(e.context for e in examples) else "0",
        "context_tokens": str(CONTEXT_TOKENS),
        "employer_weight": str(EMPLOYER_WEIGHT),
        "pairs_weight": str(PAIRS_WEIGHT),
        **licence_meta(set_keys),
    }
    path = out_dir / WEIGHTS_FILE
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(path)
    seconds = time.time() - t_start
    (out_dir / "train_log.json").write_text(
        json.dumps({"meta": meta, "seconds": round(seconds, 1), "history": history}, indent=1) + "\n",
        encoding="utf-8")
    log(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) in {seconds:.0f}s")
    return TrainResult(path, seconds, len(examples), history)
