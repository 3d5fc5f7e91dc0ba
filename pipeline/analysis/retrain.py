"""Learning from HR: a new head trained on the company's label corrections, activated only if no worse.

Why a head-only retrain: HR corrects a handful of mentions a day. Retraining the adapter on so few
examples would be slow (minutes, the training extra) and could wreck the encoder; a new linear head
on the active model's frozen encoder (`model.embed()` features, `pooled_head.py`) trains in seconds,
needs no training code and keeps the encoder, so its ONNX graph and cached features are reused.

The recipe, deterministic for the same store and model:
* corrections: the latest label per mention from `label_corrections`, read with the mention's title
  (as the analysis stage reads it) and its parent's text as context; corrections without a mention
  are keyed by their text;
* one in four corrected mentions (by a hash of source + external id, or of the text) is **held back**:
  never trained on, used to judge the candidate;
* training: start from the current head and minimise class-weighted cross-entropy on the rest plus
  an L2 pull (`L2`) towards the current head, with LBFGS, so a few corrections cannot wreck it;
* the candidate and the current model are scored on the shipped evaluation sets (`evalsets`) and the
  held-back labels, and `accept` decides (see there). The candidate is stored as a version either
  way (`versions.py`), with a card saying why; only an accepted one is activated.
Features of the shipped sets are cached per encoder under `<models_dir>/features/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.analysis import evalsets, versions
from pipeline.analysis.builtin_weights import encoder_id, is_builtin
from pipeline.analysis.contract import LABELS
from pipeline.config.model import AnalysisConfig
from pipeline.errors import InputError

# The pull towards the current head, per squared weight against the mean cross-entropy. Chosen on the
# test world (tests/learning/world.py), 25 corrections: at 0.05-0.5 right labels cost 2-7 points of
# macro-F1 on the shipped sets; at 1 they move the employer sets by at most half a point and the pairs
# set by ~1.5 points, while wrong labels cost 20-25 points; at 2 wrong labels cost only ~1 point.
L2 = 1.0
HOLD_BACK_ONE_IN = 4
HELD_BACK = "company_held_back"
SHIPPED_SETS = {"employer_dev": evalsets.EMPLOYER_DEV, "employer_test": evalsets.EMPLOYER_TEST,
                "pairs_eval": evalsets.PAIRS_EVAL}


@dataclass(frozen=True)
class Correction:
    key: str
    text: str
    context: str | None
    label: str

    @property
    def held_back(self) -> bool:
        """True for the deterministic quarter of corrections kept for evaluation."""
        return int(hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:8], 16) % HOLD_BACK_ONE_IN == 0


@dataclass(frozen=True)
class RetrainResult:
    version_id: str
    accepted: bool
    reason: str
    card: dict[str, Any]


def read_corrections(con: duckdb.DuckDBPyConnection) -> list[Correction]:
    """The latest label per corrected mention (text as the model reads it, the parent's text as context)."""
    from pipeline.analysis.stage import model_input

    rows = con.execute(
        """
        WITH latest AS (
            SELECT mention_id, arg_max(text, corrected_at) AS text, arg_max(label, corrected_at) AS label
            FROM label_corrections WHERE mention_id IS NOT NULL GROUP BY mention_id)
        SELECT m.source, m.external_id, m.title, coalesce(nullif(m.text, ''), l.text), l.label, p.text
        FROM latest l LEFT JOIN mentions m ON m.id = l.mention_id
        LEFT JOIN mentions p ON p.source = m.source AND p.external_id = m.parent_id
        UNION ALL
        SELECT NULL, NULL, NULL, text, arg_max(label, corrected_at), NULL
        FROM label_corrections WHERE mention_id IS NULL GROUP BY text
        """).fetchall()
    out = []
    for source, external_id, title, text, label, context in rows:
        if not text or not str(text).strip() or label not in LABELS:
            continue  # emptied by retention or erasure
        key = f"{source}\x1f{external_id}" if source is not None else f"text\x1f{text}"
        out.append(Correction(key, model_input(title, text), context or None, label))
    return sorted(out, key=lambda c: c.key)


def accept(scores: dict[str, dict[str, dict[str, float]]], tolerance: float,
           min_held_back: int) -> tuple[bool, str]:
    """The accept rule: `scores[set] = {"candidate": {...}, "current": {...}}` with `macro_f1` and `n`.

    The candidate is accepted only if on every shipped set its macro-F1 is at most `tolerance` below
    the current model's, and on the held-back company labels (when there are at least
    `min_held_back` of them; else they do not count, and the reason says so) not below it at all.
    Returns (accepted, reason); a refusal names each set that got worse and by how much."""
    worse = []
    for name, s in scores.items():
        cand, cur = s["candidate"], s["current"]
        if name == HELD_BACK:
            continue
        if cand["macro_f1"] < cur["macro_f1"] - tolerance:
            worse.append(f"{name}: macro-F1 {cand['macro_f1']:.4f} vs {cur['macro_f1']:.4f} now "
                         f"({cand['macro_f1'] - cur['macro_f1']:+.4f}, tolerance {tolerance})")
    held = scores.get(HELD_BACK)
    n_held = int(held["candidate"]["n"]) if held else 0
    note = ""
    if held and n_held >= min_held_back:
        if held["candidate"]["macro_f1"] < held["current"]["macro_f1"]:
            worse.append(f"{HELD_BACK}: macro-F1 {held['candidate']['macro_f1']:.4f} vs "
                         f"{held['current']['macro_f1']:.4f} now on {n_held} held-back labels")
    else:
        note = f"; only the shipped sets counted ({n_held} held-back labels, fewer than {min_held_back})"
    if worse:
        return False, "worse on " + "; ".join(worse) + note
    return True, "no set worse" + note


def fit_head(feats: Any, labels: Sequence[str], w0: Any, b0: Any, l2: float = L2) -> tuple[Any, Any]:
    """New head (W, b) from (w0, b0): class-weighted cross-entropy plus l2·‖(W, b) − (w0, b0)‖², LBFGS."""
    import numpy as np
    import torch

    torch.manual_seed(0)
    x = torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))
    y = torch.tensor([LABELS.index(lab) for lab in labels])
    counts = torch.bincount(y, minlength=len(LABELS)).float()
    weight = torch.where(counts > 0, len(y) / (len(LABELS) * counts.clamp(min=1)), torch.zeros_like(counts))
    w_ref, b_ref = torch.from_numpy(np.array(w0, dtype=np.float32)), torch.from_numpy(np.array(b0, dtype=np.float32))
    w, b = w_ref.clone().requires_grad_(True), b_ref.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=300, tolerance_grad=1e-7, line_search_fn="strong_wolfe")

    def closure() -> Any:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w.T + b, y, weight=weight)
        loss = loss + l2 * (((w - w_ref) ** 2).sum() + ((b - b_ref) ** 2).sum())
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy().copy(), b.detach().numpy().copy()


def scores_of(feats: Any, labels: Sequence[str], w: Any, b: Any) -> dict[str, float]:
    """Accuracy and macro-F1 of head (w, b) on features (a row of zeros: no content, neutral)."""
    import numpy as np

    from pipeline.analysis.batching import make_prediction
    from pipeline.analysis.contract import empty_prediction
    from pipeline.analysis.model.evaluate import score

    logits = feats @ np.asarray(w).T + np.asarray(b)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    empty = ~feats.any(axis=1)
    preds = [empty_prediction() if e else make_prediction(p.tolist()) for p, e in zip(probs, empty, strict=True)]
    s = score(list(labels), preds)
    return {"n": s.n, "accuracy": round(s.accuracy, 4), "macro_f1": round(s.macro_f1, 4)}


def _shipped_features(model: Any, models_dir: Path, weights: Path, name: str,
                      rows: list[dict[str, Any]]) -> Any:
    """`model.embed` of a shipped set, cached per encoder, context use, precision and file content."""
    import numpy as np

    path = evalsets.path(SHIPPED_SETS[name])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    precision = str(model.version).rsplit("-", 1)[-1]
    ctx = "c" if getattr(model, "uses_context", False) else "n"
    cache = Path(models_dir) / "features" / f"{encoder_id(weights)}-{ctx}-{precision}-{name}-{digest}.npy"
    if cache.is_file():
        return np.load(cache)
    feats = model.embed([r["text"] for r in rows], [r.get("context") for r in rows])
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp.npy")
    np.save(tmp, feats)
    tmp.replace(cache)
    return feats


def _write_weights(parent: Path, out: Path, w: Any, b: Any, extra: dict[str, str]) -> None:
    """The parent's tensors and metadata with the new head."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(parent), framework="pt") as f:
        meta = dict(f.metadata() or {})
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    tensors["head.weight"] = torch.from_numpy(w).to(tensors["head.weight"].dtype).contiguous()
    tensors["head.bias"] = torch.from_numpy(b).to(tensors["head.bias"].dtype).contiguous()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    save_file(tensors, str(tmp), metadata={**meta, **extra})
    tmp.replace(out)


def retrain(con: duckdb.DuckDBPyConnection, cfg: AnalysisConfig, models_dir: Path, *,
            now: datetime | None = None, log: Callable[[str], None] | None = None) -> RetrainResult:
    """Train a candidate head on the corrections in `con`, judge it (`accept`) and store it as a new
    version, activated if accepted. An InputError when the model is not a built-in build or there
    are fewer than `analysis.retrain.min_corrections` corrections to train on."""
    import numpy as np

    from pipeline.analysis import sentiment
    from pipeline.analysis.model.evaluate import read_jsonl

    say = log or (lambda _m: None)
    rc = cfg.retrain
    if not is_builtin(cfg.model):
        raise InputError(f"model retrain: analysis.model {cfg.model!r} is not a built-in build")
    corrections = read_corrections(con)
    train = [c for c in corrections if not c.held_back]
    held = [c for c in corrections if c.held_back]
    if len(train) < rc.min_corrections:
        raise InputError(f"model retrain: {len(train)} corrections to train on ({len(held)} more held back for "
                         f"evaluation); at least {rc.min_corrections} are needed (analysis.retrain.min_corrections)")
    models_dir = Path(models_dir)
    model: Any = sentiment.load_model(cfg, models_dir)
    if not hasattr(model, "embed"):
        raise InputError(f"model retrain: the loaded model {model.version} cannot give its features")
    weights = versions.active_weights(models_dir, cfg.model)
    parent = versions.active_id(models_dir, cfg.model)
    w0, b0 = model.head_params()
    say(f"training a new head on {len(train)} corrections ({len(held)} held back) from {parent} …")
    w, b = fit_head(model.embed([c.text for c in train], [c.context for c in train]),
                    [c.label for c in train], w0, b0)
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for name, file in SHIPPED_SETS.items():
        if not evalsets.path(file).is_file():
            continue
        rows = read_jsonl(evalsets.path(file))
        say(f"scoring {name} ({len(rows)} rows) …")
        feats = _shipped_features(model, models_dir, weights, name, rows)
        gold = [r["label"] for r in rows]
        scores[name] = {"candidate": scores_of(feats, gold, w, b), "current": scores_of(feats, gold, w0, b0)}
    if held:
        feats = model.embed([c.text for c in held], [c.context for c in held])
        gold = [c.label for c in held]
        scores[HELD_BACK] = {"candidate": scores_of(feats, gold, w, b), "current": scores_of(feats, gold, w0, b0)}
    accepted, reason = accept(scores, rc.tolerance, rc.min_held_back)
    when = now or datetime.now(UTC)
    vid = versions.new_version_id(models_dir, cfg.model, when)
    _write_weights(weights, versions.weights_file(models_dir, vid), np.asarray(w), np.asarray(b),
                   {"parent": parent, "version_id": vid, "n_corrections": str(len(train))})
    card = {"id": vid, "build": cfg.model, "parent": parent, "created_at": when.isoformat(timespec="seconds"),
            "encoder": encoder_id(weights), "corrections_trained": len(train), "corrections_held_back": len(held),
            "tolerance": rc.tolerance, "min_held_back": rc.min_held_back, "l2": L2, "scores": scores,
            "accepted": accepted, "reason": reason}
    versions.write_card(models_dir, vid, card)
    if accepted:
        versions.activate(models_dir, cfg.model, vid)
    return RetrainResult(vid, accepted, reason, card)
