"""Distil the sentiment model into a shallower student that runs faster on CPUs without native bf16.

Why: on 2 AVX2 cores the 12-layer float32 graph reads ~70 texts/s; a model trained on labels with
fewer layers was faster but lost points on unseen employer text (`weights/MODEL_CARD.md`). A student
that learns the teacher's *probabilities* over many more texts than we have labels for can keep more
of the teacher's quality (issue 20 point 4).

Method:
* The student is a subset of the installed base's layers (`layers`, e.g. ``0,2,4,6,8,10``), so it
  loads from the same base file: its weights file holds LoRA A/B keyed by their place in the full
  `BertModel` plus the head, and the metadata ``layers=...`` tells `torch_model.py` which layers to keep.
* The first `frozen` kept layers stay as in the base (or, with `--init-from-teacher`, as in the teacher:
  its adapters merged and carried into the student's file); their output is computed once per text and
  cached (as in `train.py`), the others get LoRA (rank `train.LORA_R`) and are trained with the head.
* Loss: KL divergence to the teacher's probabilities at temperature `temperature` (times T²) plus
  `hard_weight` × cross-entropy on the labelled rows.
* Corpus (`distil_corpus.py`): commercial-safe texts only; the teacher's probabilities are computed
  once per (teacher, corpus) and cached under `cache_dir`.

Run: ``python -m training.distil train --teacher W --out DIR [--layers 0,2,4,6,8,10] [--init-from-teacher]`` and
``python -m training.distil eval --weights A --weights B --data FILE`` (figures side by side);
``python -m training.distil truncate --teacher W --layers 0,1,2,3,4,5,6,7 --out F`` writes the teacher
with only those layers, untrained, to measure a layer set before distilling.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipeline.analysis.batching import CONTEXT_TOKENS, pair_ids
from pipeline.analysis.contract import LABELS
from pipeline.analysis.model.convert import base_checksum, load_base
from training.datasets import licence_meta
from training.distil_corpus import CORPUS_SETS, PAIR_GROUPS, Item, build_corpus
from training.train import (
    LORA_ALPHA,
    LORA_R,
    PREFIX,
    TRAIN_MAX_LENGTH,
    build_top,
    lora_state,
    mean_pool,
    run_top,
)

DEFAULT_LAYERS = (0, 2, 4, 6, 8, 10)
DEFAULT_CACHE = Path("/tmp/rykte-distil")


def teacher_features(models_dir: Path, teacher: Path, items: Sequence[Item], cache_dir: Path = DEFAULT_CACHE,
                     log: Callable[[str], None] = print) -> Any:
    """The teacher's pooled vectors for every item, numpy [n, hidden] (cached per teacher file and
    corpus); its probabilities are softmax(vector @ head.T + bias)."""
    import numpy as np

    from pipeline.analysis.builtin_weights import builtin_version
    from pipeline.analysis.torch_model import BuiltinSentimentModel

    version = builtin_version(models_dir, teacher, "fp32")
    h = hashlib.sha256(version.encode())
    for it in items:
        h.update(f"{it.text}\x00{it.context or ''}\x01".encode())
    path = Path(cache_dir) / f"teacher-{h.hexdigest()[:16]}.npy"
    if path.is_file():
        return np.load(path)
    t0 = time.time()
    model = BuiltinSentimentModel(models_dir, teacher, precision="fp32")
    contexts = [it.context for it in items]
    parts = []
    for b in range(0, len(items), 512):
        parts.append(model.embed([it.text for it in items[b : b + 512]], contexts[b : b + 512]))
        log(f"  teacher {min(b + 512, len(items))}/{len(items)} ({time.time() - t0:.0f}s)")
    out = np.concatenate(parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def encode(tokenizer: Any, items: Sequence[Item]) -> list[tuple[list[int], int]]:
    """(input ids, length of segment A) per item, laid out as the runtime does (`batching.pair_ids`)."""
    enc = tokenizer([PREFIX + it.text for it in items], truncation=True, max_length=TRAIN_MAX_LENGTH)["input_ids"]
    out = []
    for it, ids in zip(items, enc, strict=True):
        tail = pair_ids(tokenizer, list(ids), it.context, CONTEXT_TOKENS)
        out.append(([*ids, *tail], len(ids)))
    return out


def _batch(rows: Sequence[tuple[list[int], int]], pad: int) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(r[0]) for r in rows)
    inp = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    pool = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, n_a) in enumerate(rows):
        inp[i, : len(ids)] = torch.tensor(ids)
        mask[i, : len(ids)] = 1
        pool[i, :n_a] = 1
    return inp, mask, pool


def teacher_layer_lora(teacher: Path, layers: Sequence[int]) -> tuple[dict[str, str], list[tuple[int, str, str, Any]]]:
    """The teacher's header and its LoRA tensors on `layers`, each as (position among `layers`, key in the
    teacher's file, key relative to its layer, tensor): the one reader for the two ways a student takes
    the teacher's adapters (merged into frozen layers, copied into trained ones)."""
    from safetensors import safe_open

    found: list[tuple[int, str, str, Any]] = []
    with safe_open(str(teacher), framework="pt") as f:
        meta = dict(f.metadata() or {})
        for pos, full in enumerate(layers):
            prefix = f"encoder.layer.{full}."
            found.extend((pos, key, key[len(prefix):], f.get_tensor(key))
                         for key in f.keys() if key.startswith(prefix))  # noqa: SIM118 - safe_open has no __iter__
    return meta, found


def merge_frozen_teacher_lora(frozen_layers: Any, teacher: Path, layers: Sequence[int]) -> dict[str, Any]:
    """Merge the teacher's LoRA into the frozen kept layers (`frozen_layers[i]` is the base's layer
    `layers[i]`), in place, so their cached output is the teacher's own; returns those LoRA tensors, which
    the student's file carries (the runtime merges every adapter it finds by its place in the model)."""
    from pipeline.analysis.torch_model import merge_lora

    meta, found = teacher_layer_lora(teacher, layers)
    merge_lora(frozen_layers, {f"{pos}.{rest}": t for pos, _, rest, t in found}, meta)
    return {key: t for _, key, _, t in found}


def init_lora_from_teacher(top: Any, teacher: Path, layers: Sequence[int], frozen: int) -> int:
    """Start the student's LoRA from the teacher's own on the trained layers it keeps (`layers[frozen:]`),
    so training begins at the teacher's layers minus the dropped ones (layers 0-7 of e1 read dev 0.911
    with no training at all) instead of at the base; the frozen ones get the teacher's adapters from
    `merge_frozen_teacher_lora`. Returns how many matrices were copied."""
    import torch

    _, found = teacher_layer_lora(teacher, layers[frozen:])
    params = dict(top.named_parameters())
    with torch.no_grad():
        for pos, _, rest, t in found:
            module, ab = rest.rsplit(".lora_", 1)
            params[f"{pos}.{module}.lora_{ab}.default.weight"].copy_(t)
    return len(found)


def train_student(models_dir: Path, teacher: Path, out_dir: Path, *, layers: Sequence[int] = DEFAULT_LAYERS,
                  frozen: int = 2, epochs: int = 3, lr: float = 1e-3, head_lr: float = 3e-3,
                  temperature: float = 2.0, hard_weight: float = 0.3, feature_weight: float = 0.0,
                  seed: int = 7, batch_size: int = 32, init_from_teacher: bool = False, pairs_weight: float = 1.0,
                  thread_pairs: bool = False,
                  limit: int | None = None, augment: bool = True, cache_dir: Path = DEFAULT_CACHE,
                  log: Callable[[str], None] = print) -> Path:
    """Distil `teacher` into a student of the base's `layers`; writes `out_dir/sentiment.safetensors`."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    t_start = time.time()
    models_dir = Path(models_dir)
    random.seed(seed)
    torch.manual_seed(seed)
    with safe_open(str(teacher), framework="pt") as f:
        tmeta = dict(f.metadata() or {})
        head_init = {k: f.get_tensor(k).float() for k in ("head.weight", "head.bias")}
    items = build_corpus(augment=augment, with_context=tmeta.get("context") == "1", seed=seed,
                         thread_pairs=thread_pairs)
    if limit:
        random.Random(seed).shuffle(items)
        items = items[:limit]
    log(f"corpus {len(items)} items: " + ", ".join(
        f"{g} {sum(1 for it in items if it.group == g)}" for g in dict.fromkeys(it.group for it in items)))
    feats = torch.from_numpy(teacher_features(models_dir, teacher, items, cache_dir, log)).float()
    soft = torch.softmax(feats @ head_init["head.weight"].T + head_init["head.bias"], -1)
    base, tokenizer = load_base(models_dir)
    for p in base.parameters():
        p.requires_grad = False
    layers = list(layers)
    base.encoder.layer = torch.nn.ModuleList(base.encoder.layer[i] for i in layers)
    carried = merge_frozen_teacher_lora(base.encoder.layer[:frozen], teacher, layers[:frozen]) \
        if init_from_teacher else {}
    if carried:
        log(f"frozen layers carry the teacher's LoRA: {len(carried)} matrices merged")
    rows = encode(tokenizer, items)
    pad = tokenizer.pad_token_id or 0
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i][0]), i))
    cache: list[Any] = [None] * len(rows)
    with torch.inference_mode():  # embeddings + frozen layers once per text
        for b in range(0, len(order), 64):
            idx = order[b : b + 64]
            inp, mask, _ = _batch([rows[i] for i in idx], pad)
            hs = run_top(base.encoder.layer[:frozen], base.config, base.embeddings(input_ids=inp), mask)
            for r, i in enumerate(idx):
                cache[i] = hs[r, : len(rows[i][0])].to(torch.bfloat16).clone()
    log(f"cached {len(rows)} texts after {frozen} frozen layers ({time.time() - t_start:.0f}s)")

    top = build_top(base, frozen)  # LoRA on the kept layers after the frozen ones
    if init_from_teacher:
        copied = init_lora_from_teacher(top, teacher, layers, frozen)
        log(f"started from the teacher's LoRA: {copied} matrices")
    head = torch.nn.Linear(base.config.hidden_size, len(LABELS))
    with torch.no_grad():  # start from the teacher's head: same pooled space at the top
        head.weight.copy_(head_init["head.weight"])
        head.bias.copy_(head_init["head.bias"])
    lora_params = [p for p in top.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": lr}, {"params": head.parameters(), "lr": head_lr}],
                            weight_decay=0.01)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    total, warm = epochs * len(batches), max(1, epochs * len(batches) // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm else max(
        0.0, 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))))
    rng = random.Random(seed)
    history: list[dict[str, Any]] = []
    hidden = base.config.hidden_size
    for ep in range(epochs):
        top.train()
        rng.shuffle(batches)
        t0, run = time.time(), 0.0
        for bi, idx in enumerate(batches):
            width = max(cache[i].shape[0] for i in idx)
            hs = torch.zeros((len(idx), width, hidden))
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            pool = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                n = cache[i].shape[0]
                hs[r, :n] = cache[i].float()
                mask[r, :n] = 1
                pool[r, : rows[i][1]] = 1
            pooled = mean_pool(run_top(top, base.config, hs, mask), pool)
            logits = head(pooled)
            target = soft[idx]
            sharp = torch.softmax(torch.log(target.clamp(min=1e-6)) / temperature, -1)
            w = torch.tensor([pairs_weight if items[i].group in PAIR_GROUPS else 1.0 for i in idx])
            kl = torch.nn.functional.kl_div(torch.log_softmax(logits / temperature, -1), sharp,
                                            reduction="none").sum(-1)
            loss = (w * kl).sum() / w.sum() * temperature**2  # = batchmean when every weight is 1
            hard = [(r, items[i].label) for r, i in enumerate(idx) if items[i].label is not None]
            if hard and hard_weight:
                rr = torch.tensor([r for r, _ in hard])
                yy = torch.tensor([LABELS.index(str(y)) for _, y in hard])
                ce = torch.nn.functional.cross_entropy(logits[rr], yy, reduction="none")
                loss = loss + hard_weight * (w[rr] * ce).sum() / w[rr].sum()
            if feature_weight:  # the teacher's pooled vector itself, relative squared error
                tf = feats[idx]
                loss = loss + feature_weight * (((pooled - tf) ** 2).sum(-1) / (tf**2).sum(-1)).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(lora_params, 1.0)
            opt.step()
            sched.step()
            run += float(loss.detach())
            if bi % 100 == 0:
                log(f"  epoch {ep + 1} batch {bi}/{len(batches)} loss {run / (bi + 1):.4f} ({time.time() - t0:.0f}s)")
        history.append({"epoch": ep + 1, "loss": round(run / len(batches), 4), "seconds": round(time.time() - t0)})
        log(f"epoch {json.dumps(history[-1])}")

    tensors = dict(carried)
    for key, t in lora_state(top, 0).items():  # student position -> place in the full BertModel
        _, _, pos, rest = key.split(".", 3)
        tensors[f"encoder.layer.{layers[int(pos) + frozen]}.{rest}"] = t
    tensors["head.weight"] = head.weight.detach().clone().contiguous()
    tensors["head.bias"] = head.bias.detach().clone().contiguous()
    from pipeline.analysis.builtin_weights import builtin_version

    meta = {
        "format": "rykte-sentiment-1", "labels": ",".join(LABELS), "prefix": PREFIX,
        "lora_r": str(LORA_R), "lora_alpha": str(LORA_ALPHA), "layers": ",".join(map(str, layers)),
        "frozen": str(frozen), "train_max_length": str(TRAIN_MAX_LENGTH), "base": base_checksum(models_dir),
        "distilled_from": builtin_version(models_dir, teacher, "fp32"), "seed": str(seed), "epochs": str(epochs),
        "lr": str(lr), "temperature": str(temperature), "hard_weight": str(hard_weight),
        "feature_weight": str(feature_weight), "init": "teacher" if init_from_teacher else "base",
        "pairs_weight": str(pairs_weight), "thread_pairs": "1" if thread_pairs else "0",
        "n_train": str(len(items)), **licence_meta(CORPUS_SETS),
    }
    if tmeta.get("context"):
        meta["context"] = tmeta["context"]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "sentiment.safetensors"
    save_file(tensors, str(path), metadata=meta)
    (out_dir / "distil_log.json").write_text(json.dumps(
        {"meta": meta, "seconds": round(time.time() - t_start), "history": history}, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {path} in {time.time() - t_start:.0f}s")
    return path


def evaluate(models_dir: Path, weights: Sequence[Path], data: Sequence[Path]) -> dict[str, Any]:
    """Figures per language of each weights file on each labelled file (contexts passed when present),
    float32 on ONNX Runtime as shipped; printed side by side like `rykte model eval`."""
    from pipeline.analysis.model.evaluate import format_side_by_side, read_jsonl, score
    from pipeline.analysis.onnx_model import OnnxSentimentModel

    figures: dict[str, Any] = {}
    models = {str(w): OnnxSentimentModel(models_dir, w) for w in weights}
    for d in data:
        rows = read_jsonl(d)
        res: dict[str, Any] = {}
        for name, model in models.items():
            preds = model.predict([r["text"] for r in rows], [r.get("context") for r in rows])
            langs = sorted({str(r.get("lang") or "?") for r in rows})
            res[name] = {lang: score([r["label"] for r in rows if str(r.get("lang") or "?") == lang],
                                     [p for p, r in zip(preds, rows, strict=True) if str(r.get("lang") or "?") == lang])
                         for lang in langs}
            res[name]["all"] = score([r["label"] for r in rows], preds)
        print(format_side_by_side(res, str(d)), flush=True)
        figures[str(d)] = {n: {k: v.as_dict() for k, v in r.items()} for n, r in res.items()}
    return figures


def truncate_teacher(teacher: Path, layers: Sequence[int], out: Path) -> Path:
    """The teacher with only `layers` kept and nothing trained: its LoRA on those layers, its head, and
    ``layers=`` in the header, so `eval` measures how much a layer set loses before any distillation
    (the start that `--init-from-teacher` gives the trainer)."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    kept = {int(i) for i in layers}
    with safe_open(str(teacher), framework="pt") as f:
        meta = {**(f.metadata() or {}), "layers": ",".join(map(str, layers)), "truncated_from": teacher.name}
        tensors = {k: f.get_tensor(k) for k in f.keys()  # noqa: SIM118
                   if not k.startswith("encoder.layer.") or int(k.split(".")[2]) in kept}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata=meta)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m training.distil", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train")
    tr.add_argument("--models-dir", type=Path, default=Path("data/models"))
    tr.add_argument("--teacher", type=Path, required=True)
    tr.add_argument("--out", type=Path, required=True)
    tr.add_argument("--layers", default=",".join(map(str, DEFAULT_LAYERS)))
    tr.add_argument("--frozen", type=int, default=2)
    tr.add_argument("--epochs", type=int, default=3)
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--temperature", type=float, default=2.0)
    tr.add_argument("--hard-weight", type=float, default=0.3)
    tr.add_argument("--feature-weight", type=float, default=0.0,
                    help="weight of matching the teacher's pooled vector (relative squared error)")
    tr.add_argument("--limit", type=int, default=None)
    tr.add_argument("--init-from-teacher", action="store_true",
                    help="start the kept layers from the teacher's LoRA; frozen ones carry it merged "
                         "(e.g. --layers 0,1,2,3,4,5,6,7 --frozen 6 trains only layers 6-7)")
    tr.add_argument("--seed", type=int, default=7)
    tr.add_argument("--pairs-weight", type=float, default=1.0,
                    help="weight of the labelled (reply, parent) rows in both loss terms")
    tr.add_argument("--thread-pairs", action="store_true",
                    help="add the written thread pairs (training/data/thread_pairs_candidates.jsonl) to the corpus")
    tr.add_argument("--no-augment", action="store_true")
    tc = sub.add_parser("truncate", help="write the teacher with only --layers kept, untrained (to eval)")
    tc.add_argument("--teacher", type=Path, required=True)
    tc.add_argument("--layers", required=True)
    tc.add_argument("--out", type=Path, required=True)
    ev = sub.add_parser("eval")
    ev.add_argument("--models-dir", type=Path, default=Path("data/models"))
    ev.add_argument("--weights", type=Path, action="append", required=True)
    ev.add_argument("--data", type=Path, action="append", required=True)
    ev.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    a = ap.parse_args(argv)
    if a.cmd == "train":
        train_student(a.models_dir, a.teacher, a.out, layers=[int(x) for x in a.layers.split(",")],
                      frozen=a.frozen, epochs=a.epochs, lr=a.lr, temperature=a.temperature,
                      hard_weight=a.hard_weight, feature_weight=a.feature_weight, limit=a.limit, augment=not a.no_augment,
                      init_from_teacher=a.init_from_teacher, seed=a.seed, pairs_weight=a.pairs_weight,
                      thread_pairs=a.thread_pairs)
    elif a.cmd == "truncate":
        print(truncate_teacher(a.teacher, [int(x) for x in a.layers.split(",")], a.out))
    else:
        figures = evaluate(a.models_dir, a.weights, a.data)
        if a.json:
            a.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
